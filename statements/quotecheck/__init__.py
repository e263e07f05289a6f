"""Checking printed words against the verified statements (SPEC §9): "did they really say that?"

Three steps, each cheap because the one before narrowed the field:

1. **Candidates, from an index.** The printed text's words are looked up in a GIN index over each
   published quote's normalised words (`quote_words`: unaccented, case-folded, apostrophes
   dropped, kept by PostgreSQL). Common words would match half the table, so the query asks for
   *at least m of the k rarest* printed words (rarity from PostgreSQL's own statistics of that
   column), m chosen so that about CANDIDATE_BUDGET rows are expected: a misquote keeps most of
   its rare words, and one changed or misspelt word does not lose the statement.
2. **Ranking, by pg_trgm.** Those candidates are ordered by `word_similarity()` of the printed
   text to the normalised quote (`quote_key`): trigrams forgive typos and stripped diacritics
   that whole words do not. The best RANKED go on.
3. **Alignment, word by word.** `align()` finds the span of the quote the printed words best
   match (difflib over normalised words), scores it (2 × matched words / (printed words + span
   words): 0–1, comparable across requests), lists the differences in each text's own spelling
   and decides the verdict. An ellipsis or a bracketed insertion is a gap, not a difference.

The admin's duplicate warning and the import's near-duplicate check ask `same_remark()`, which
is the same alignment: one way of deciding "is this the same remark".
"""

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from statements.listing import Projection, Selection
from statements.quotecheck.candidates import Candidate, candidates
from statements.quotecheck.languages import missing_language

# Calibrated on bench/quotecheck.py (README, "Checking a quote"): below this a candidate is
# `unrelated` and the answer `no_match`.
MATCH_THRESHOLD = 0.55
# Two quotes by the same speaker on the same day this alike are taken to be one remark.
DUPLICATE_THRESHOLD = 0.8
MAX_TEXT_LENGTH = 2000
MIN_WORDS = 3
MAX_LIMIT = 10


# --- Words ---------------------------------------------------------------------------------------

# Letters that Unicode does not decompose into a base letter and a mark (so stripping marks
# leaves them), as PostgreSQL's unaccent rules spell them; also used for URL slugs.
TRANSLITERATED = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE",
     "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i", "ħ": "h", "Ħ": "H"}
)  # fmt: skip
APOSTROPHES = "'’‘ʼ′`´"
_TOKENS = re.compile(
    r"(?P<gap>\.(?:\s*\.){2,}|…|\[[^\[\]]{0,200}\]|\([^()]{0,200}\))"  # ellipses, [insertions], (asides)
    r"|(?P<word>\d+(?:[.,:]\d+)*|[^\W_]+(?:[" + APOSTROPHES + r"][^\W_]+)*)"
)


def word_key(word: str) -> str:
    """A word as compared: NFKC, case folded, diacritics and apostrophes dropped."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", word).casefold().translate(TRANSLITERATED))
    return "".join(c for c in text if not unicodedata.combining(c) and c not in APOSTROPHES)


@dataclass(frozen=True)
class Word:
    key: str
    start: int  # its characters in the text
    end: int
    is_number: bool


@dataclass(frozen=True)
class Words:
    """A text's words and where its gaps are (a gap at i: between words i-1 and i)."""

    text: str
    words: tuple[Word, ...]
    gaps: frozenset[int]

    @property
    def keys(self) -> list[str]:
        return [w.key for w in self.words]

    def spelled(self, i: int, j: int) -> str:
        """Words i..j-1 as the text spells them, with what stands between them."""
        return self.text[self.words[i].start : self.words[j - 1].end] if i < j else ""


@functools.lru_cache(maxsize=2048)
def words_of(text: str) -> Words:
    """The words of `text` (immutable, so kept for the texts seen last: an import compares each
    new quote with every same-day quote, the check a print with many candidates)."""
    text = unicodedata.normalize("NFC", text)
    words, gaps = [], set()
    for match in _TOKENS.finditer(text):
        if match.lastgroup == "gap":
            gaps.add(len(words))
            continue
        key = word_key(match.group())
        if key:
            words.append(Word(key, match.start(), match.end(), any(c.isdigit() for c in key)))
    return Words(text, tuple(words), frozenset(gaps))


# --- Alignment -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One step of the diff: `equal` (text), `replace` (printed → original), `delete` (printed
    words the quote lacks) or `insert` (quote words the printed text left out). `gap`: at an
    ellipsis or bracketed insertion, so not a difference."""

    op: str
    printed: str = ""
    original: str = ""
    gap: bool = False

    def as_json(self) -> dict:
        if self.op == "equal":
            return {"op": "equal", "text": self.original}
        body = {"op": self.op}
        if self.op in ("replace", "delete"):
            body["printed"] = self.printed
        if self.op in ("replace", "insert"):
            body["original"] = self.original
        if self.gap:
            body["gap"] = True
        return body


@dataclass(frozen=True)
class Alignment:
    score: float
    verdict: str  # verbatim, minor, altered, unrelated
    excerpt: bool
    ops: tuple[Op, ...]
    differences: int  # words that differ (gaps aside)
    compared: int  # words compared: the larger of the printed words and the quote span's

    def summary(self) -> str:
        """The verdict in words, for people."""
        if self.verdict == "verbatim":
            return "Word for word what the record says" + (" (an excerpt)." if self.excerpt else ".")
        return f"The printed words differ from the record in {self.differences} of {self.compared} words."


def _weight(words) -> int:
    """What words weigh in a score: their letters. Long words are rarer (Zipf's law of
    abbreviation), so "this is an" shared with a quote says less than "unprecedented situation":
    without a weight, three short common words matched a five-word text at 0.75."""
    return sum(len(w.key) for w in words)


def _best_span(blocks: list, printed: Words, quote: Words) -> tuple[int, int]:
    """The run of matching blocks (a, b) with the best score, counting quote words skipped at a
    printed gap as free."""
    printed_weight = _weight(printed.words)
    best, best_score = (0, 0), -1.0
    for a in range(len(blocks)):
        matched, free = 0, 0
        for b in range(a, len(blocks)):
            if b > a:
                prev, cur = blocks[b - 1], blocks[b]
                p_gap, q_gap = cur.a - (prev.a + prev.size), cur.b - (prev.b + prev.size)
                if q_gap > p_gap and any(prev.a + prev.size <= g <= cur.a for g in printed.gaps):
                    free += _weight(quote.words[prev.b + prev.size : prev.b + prev.size + q_gap - p_gap])
            matched += _weight(printed.words[blocks[b].a : blocks[b].a + blocks[b].size])
            span = _weight(quote.words[blocks[a].b : blocks[b].b + blocks[b].size]) - free
            score = 2 * matched / (printed_weight + span)
            if score > best_score + 1e-9:
                best, best_score = (a, b), score
    return best


NEAR = 3  # words


def _near(first, second) -> bool:
    return second.a - (first.a + first.size) <= NEAR and second.b - (first.b + first.size) <= NEAR


def align(printed: Words, quote: Words) -> Alignment:
    """How the printed words compare with the span of the quote they best match (SPEC §9).

    The score is 2 × the matched words' weight / (the printed words' + the span's), each word
    weighing its letters; quote words skipped at a printed gap (an ellipsis) weigh nothing."""
    p_keys, q_keys = printed.keys, quote.keys
    n = len(p_keys)
    blocks = [b for b in difflib.SequenceMatcher(None, p_keys, q_keys, autojunk=False).get_matching_blocks() if b.size]
    if not n or not blocks:
        ops = (Op("delete", printed=printed.spelled(0, n)),) if n else ()
        return Alignment(0.0, "unrelated", bool(q_keys), ops, n, n)
    lo, hi = _span(blocks, printed, quote)
    diff = _diff(printed, quote, lo, hi)
    total = _weight(printed.words) + diff.span_weight
    score = round(2 * diff.matched_weight / total, 4) if total else 0.0
    excerpt = lo > 0 or hi < len(q_keys) or any(op.gap and op.op == "insert" for op in diff.ops)
    compared = max(n, diff.span_words)
    verdict = _verdict(score, diff.differences, compared, diff.numbers_differ)
    return Alignment(score, verdict, excerpt, tuple(diff.ops), diff.differences, compared)


def _span(blocks: list, printed: Words, quote: Words) -> tuple[int, int]:
    """The quote words [lo, hi) the printed words are compared with: the best run of matching
    blocks, widened to neighbouring matches a few words away."""
    a, b = _best_span(blocks, printed, quote)
    # Neighbouring matches a few words away belong to the span too: what lies between them is a
    # substitution ("2 overreaching" for "two overarching"), better shown than cut off.
    while a > 0 and _near(blocks[a - 1], blocks[a]):
        a -= 1
    while b < len(blocks) - 1 and _near(blocks[b], blocks[b + 1]):
        b += 1
    return blocks[a].b, blocks[b].b + blocks[b].size


@dataclass
class _Diff:
    """The printed words against the quote's span, step by step, with what the score and the
    verdict read from it."""

    ops: list[Op] = field(default_factory=list)
    differences: int = 0  # words that differ, gaps aside
    span_words: int = 0  # quote words in the span, those skipped at a printed gap aside
    numbers_differ: bool = False
    matched_weight: int = 0
    span_weight: int = 0


def _diff(printed: Words, quote: Words, lo: int, hi: int) -> _Diff:
    """The steps from the printed words to the quote's words [lo, hi); a step at a gap (an
    ellipsis, a bracketed insertion) is no difference."""
    diff = _Diff()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, printed.keys, quote.keys[lo:hi], autojunk=False
    ).get_opcodes():
        j1, j2 = j1 + lo, j2 + lo
        if tag == "equal":
            diff.ops.append(Op("equal", original=quote.spelled(j1, j2)))
            diff.matched_weight += _weight(printed.words[i1:i2])
            diff.span_weight += _weight(quote.words[j1:j2])
            diff.span_words += j2 - j1
            continue
        if tag == "replace" and i1 in printed.gaps and (j2 - j1) > (i2 - i1):
            # Quote words skipped at the gap, then a real replacement.
            skipped = (j2 - j1) - (i2 - i1)
            diff.ops.append(Op("insert", original=quote.spelled(j1, j1 + skipped), gap=True))
            j1 += skipped
        _add_difference(diff, printed, quote, tag, i1, i2, j1, j2)
    return diff


def _add_difference(diff: _Diff, printed: Words, quote: Words, tag: str, i1: int, i2: int, j1: int, j2: int) -> None:
    """One step that is not `equal`: a difference, unless it is at a gap of either text."""
    at_printed_gap = tag == "insert" and any(i1 <= g <= i2 for g in printed.gaps)
    at_quote_gap = tag == "delete" and any(j1 <= g <= j2 for g in quote.gaps)
    gap = at_printed_gap or at_quote_gap
    diff.ops.append(Op(tag, printed=printed.spelled(i1, i2), original=quote.spelled(j1, j2), gap=gap))
    if not at_printed_gap:
        diff.span_words += j2 - j1
        diff.span_weight += _weight(quote.words[j1:j2])
    if not gap:
        diff.differences += max(i2 - i1, j2 - j1)
        diff.numbers_differ |= any(w.is_number for w in printed.words[i1:i2] + quote.words[j1:j2])


def _verdict(score: float, differences: int, compared: int, numbers_differ: bool) -> str:
    """unrelated below the threshold; else verbatim, minor (at most one word in ten, no number)
    or altered."""
    if score < MATCH_THRESHOLD:
        return "unrelated"
    if differences == 0:
        return "verbatim"
    if differences * 10 <= compared and not numbers_differ:
        return "minor"
    return "altered"


def same_remark(quote: str, other: str) -> Alignment | None:
    """The alignment of two quotes when they are one remark (the shorter within the longer:
    an excerpt of a remark is that remark), else None."""
    a, b = words_of(quote), words_of(other)
    if len(a.words) > len(b.words):
        a, b = b, a
    alignment = align(a, b)
    return alignment if alignment.score >= DUPLICATE_THRESHOLD else None


# --- The check -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    statement_id: int
    alignment: Alignment
    similarity: float  # pg_trgm's word similarity: the ranking the alignment started from
    statement: str  # the caller's projection of the statement
    # When the printed words match a rendering of the quote rather than the quote itself:
    # {"language", "by", "source_url", "text"} of that rendering; the diff is against its text.
    matched: dict | None = None


@dataclass
class Check:
    text: str
    matches: list[Match] = field(default_factory=list)
    reason: str | None = None  # why there is no match, when the tracker can say: "no rendering in fi"

    @property
    def verdict(self) -> str:
        best = self.matches[0].alignment.verdict if self.matches else "unrelated"
        return "no_match" if best == "unrelated" else best


class TextError(ValueError):
    pass


def validate_text(text: str) -> str:
    """The printed text, or TextError saying what is wrong with it (SPEC §9's 400s)."""
    if not text.strip():
        raise TextError("Give the printed words to check.")
    if len(text) > MAX_TEXT_LENGTH:
        raise TextError(f"At most {MAX_TEXT_LENGTH:,} characters (this has {len(text):,}).")
    if "\x00" in text:
        raise TextError("Null characters are not allowed.")
    if len(words_of(text).words) < MIN_WORDS:
        raise TextError(f"At least {MIN_WORDS} words: fewer match too many remarks to say anything.")
    return text


def check_quote(text: str, *, projection: Projection, selection: Selection | None = None, limit: int = 3) -> Check:
    """The verified statements `text` most likely comes from, best first (at most `limit`), each
    with its alignment and `projection` of the statement; the top one decides the verdict, and
    below the match threshold a candidate is `unrelated`. `text` must pass validate_text().

    A statement is compared through its quote and through each rendering found by the
    renderings' own index; it is shown once, with whichever of them the printed words match
    best (the quote itself when they match as well)."""
    printed = words_of(text)
    selection = selection or Selection()
    best: dict[int, Match] = {}
    for candidate in candidates(text, selection, projection):
        match = _match(printed, candidate)
        held = best.get(match.statement_id)
        if held is None or _rank(match) < _rank(held):
            best[match.statement_id] = match
    matches = sorted(best.values(), key=_rank)[:limit]
    check = Check(text, matches)
    if check.verdict == "no_match":
        language = missing_language(text, len(printed.words))
        check.reason = f"no rendering in {language}" if language else None
    return check


def _match(printed: Words, candidate: Candidate) -> Match:
    alignment = align(printed, words_of(candidate.text))
    matched = {**candidate.rendering, "text": candidate.text} if candidate.rendering else None
    return Match(candidate.statement_id, alignment, candidate.similarity, candidate.statement, matched)


def _rank(match: Match) -> tuple:
    """Best first: the alignment's score, then the quote itself before a rendering, then pg_trgm's
    similarity, then the id (a total order: the same answer every time)."""
    return (-match.alignment.score, match.matched is not None, -match.similarity, match.statement_id)
