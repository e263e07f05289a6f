"""Signed pushes of the event log to newsroom systems (SPEC §10)."""
