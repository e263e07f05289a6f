"""Words of a text and word-level differences between two texts, in the texts' own spelling.

Used wherever two versions of a remark are compared word by word: the history of a statement
(what a correction changed) and the quote check (a printed version against the original).
"""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_TOKEN = re.compile(r"\S+|\s+")


@dataclass(frozen=True)
class Op:
    """One step of a word diff: `equal`, `replace`, `delete` (only in `old`) or `insert` (only in `new`)."""

    op: str
    old: str
    new: str


def word_ops(old: str, new: str, key: Callable[[str], str] = str) -> list[Op]:
    """The word-level differences from `old` to `new`. Words are compared by `key` (exact text by
    default) and given back in their own spelling, joined by single spaces."""
    old_words, new_words = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, [key(w) for w in old_words], [key(w) for w in new_words], autojunk=False)
    return [
        Op(tag, " ".join(old_words[i1:i2]), " ".join(new_words[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


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
