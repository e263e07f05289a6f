"""Which language a printed text is in, and whether the tracker holds any text in it (SPEC §9: a
printed text in a language for which neither an original nor a rendering exists is `no_match`
with `"reason": "no rendering in <language>"`, never a guess).

The guess is py3langid's (langid.py's Naive Bayes model over byte n-grams, 97 languages, shipped
inside the wheel: nothing is downloaded; about 0.1 ms a text once loaded). It is only trusted
when the model is sure (CONFIDENCE) and the text long enough (MIN_WORDS): five words of a
Romance language are easily taken for another, and a wrong reason is worse than none.
"""

import threading
import time

from django.db import connections

from tracker.db_router import reads

CONFIDENCE = 0.98
MIN_WORDS = 5
_lock = threading.Lock()
_identifier = None


def load_model():
    """The language identifier, loaded on first use (tracker/wsgi.py loads it at start)."""
    return _model()


def _model():
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def guess(text: str, words: int) -> str | None:
    """The language `text` is in (an ISO 639-1 code), when the model is sure; else None."""
    if words < MIN_WORDS:
        return None
    language, probability = _model().classify(text)
    return language if probability >= CONFIDENCE else None


class _Held:
    """The primary languages of published quotes and of their renderings, refreshed at most
    every STALE seconds: read from the tallies (one row per language and month) and the
    renderings' table, never from the statements themselves."""

    STALE = 60

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded_at = -self.STALE
        self.languages: frozenset[str] = frozenset()

    def current(self) -> frozenset[str]:
        with self._lock:
            if time.monotonic() - self._loaded_at >= self.STALE:
                with connections[reads()].cursor() as cursor:
                    cursor.execute(
                        """
                        SELECT DISTINCT lower(split_part(language, '-', 1)) FROM (
                            SELECT language FROM statements_statementtally WHERE kind = 'l'
                            GROUP BY language HAVING sum(n) > 0
                            UNION
                            SELECT DISTINCT language FROM statements_translation
                        ) AS held
                        """
                    )
                    self.languages = frozenset(language for (language,) in cursor.fetchall())
                self._loaded_at = time.monotonic()
        return self.languages


_HELD = _Held()


def forget_languages() -> None:
    """Read the languages held again at the next check (a test's new database, say)."""
    with _HELD._lock:
        _HELD._loaded_at = -_HELD.STALE


def missing_language(text: str, words: int) -> str | None:
    """The language of `text` when the tracker holds no quote and no rendering in it, else None."""
    language = guess(text, words)
    if language is None or language in _HELD.current():
        return None
    return language
