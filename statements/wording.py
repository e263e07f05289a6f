"""Word-level differences between two versions of a text, marked up for a page.

Used by the admin's history of a statement (what a correction changed, word by word). The quote
check has its own alignment (statements/quotecheck/), which compares words by their normalised form.
"""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_TOKEN = re.compile(r"\S+|\s+")


def _marked(text: str, changed: set[int], tag: str) -> SafeString:
    """`text` (escaped) with the words whose index is in `changed` wrapped in <tag>, spacing kept."""
    out, index = [], 0
    for token in _TOKEN.findall(text):
        if token.isspace():
            out.append(escape(token))
            continue
        out.append(f"<{tag}>{escape(token)}</{tag}>" if index in changed else escape(token))
        index += 1
    return mark_safe("".join(out))


def _changed_words(old: str, new: str) -> tuple[set[int], set[int]]:
    old_words, new_words = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    removed, added = set(), set()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed.update(range(i1, i2))
            added.update(range(j1, j2))
    return removed, added


def marked_versions(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Both texts as safe HTML: words `new` no longer has in <del>, words it added in <ins>."""
    removed, added = _changed_words(old, new)
    return _marked(old, removed, "del"), _marked(new, added, "ins")
