"""Writes that touch several rows. Views, the admin, commands and the shell call these."""

from statements.services.editing import (
    Busy,
    CorrectionRequired,
    StaleEdit,
    is_lock_timeout,
    last_change,
    lock,
    statement_delete,
    statement_publish,
    statement_reinstate,
    statement_retract,
    statement_save,
    translations_corrected,
)
from statements.services.imports import ImportReport, statements_export_lines, statements_import

__all__ = [
    "Busy",
    "CorrectionRequired",
    "ImportReport",
    "StaleEdit",
    "is_lock_timeout",
    "last_change",
    "lock",
    "statement_delete",
    "statement_publish",
    "statement_reinstate",
    "statement_retract",
    "statement_save",
    "statements_export_lines",
    "statements_import",
    "translations_corrected",
]
