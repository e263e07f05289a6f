"""The quote check (SPEC §9): accuracy on real and generated printed variants, and latency.

Accuracy, on the real statements (both seed files, in `bench_quotes`; and again among the
1,000,000 generated ones of `bench_statements`, the seeds added in a transaction rolled back):
- the 8 real printed variants of `../shared/data/quote-check-dev.jsonl` (6 matchable, 2 real
  remarks the tracker does not hold);
- printed variants generated from every published seed quote the way wire copy changes them
  (see VARIANTS): each must find its statement;
- negatives: real remarks the tracker does not hold. Each seed statement in turn is taken out
  of the candidates (unpublished in a transaction rolled back) and a variant of its quote is
  checked: it must be `no_match`, though other statements on the same question remain; and a
  few famous remarks on other subjects, in several languages.
It prints top-1 and top-3 accuracy on the matchable cases, the no-match precision and recall,
at the threshold in use and at others (the best candidate's score decides, so one run gives
every threshold).

Cases are reported by category too: same language (the real printed variants of both dev
files), cross-language (English printed by other outlets than the one whose rendering the tracker
holds, bench/data/quote-check-cross-language.jsonl, and texts in a language with no rendering),
paraphrase (the generated variants) and no match.

Latency, in-process through the whole stack (`GET /api/v1/statements/check/`) beside the SQL it
ran (captured and replayed, as bench/run.py does), at 200,000 statements (`bench_statements_200k`,
generated once) and 1,000,000 (`bench_statements`): p50 and p99 for printed texts of 5, 20 and 60
words taken from generated quotes with one word changed, and the 2,000-character worst cases (the
commonest words, 2,000 characters of distinct words, one word repeated).

    .venv/bin/python bench/quotecheck.py [--repeat 200] [--markdown FILE]
        [--skip-million] [--skip-accuracy] [--skip-latency]
"""

import argparse
import json
import random
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import ROOT, django_setup, measure, serve_like_wsgi, summarise

SHARED = ROOT.parent / "shared" / "data" / "quote-check-dev.jsonl"
SHARED_AFGHANISTAN = ROOT.parent / "shared" / "data" / "quote-check-dev-afghanistan.jsonl"
# English printed by other outlets than the one whose rendering the tracker holds (and two texts
# in languages with no rendering): bench/data/README in seeds/RENDERINGS.md's terms.
CROSS_LANGUAGE = ROOT / "bench" / "data" / "quote-check-cross-language.jsonl"
# The wire's misquote of 27 September 2022 (SPEC §9): it must find the press secretary's remark first.
FOUNDING_MISQUOTE = "We welcome all people seeking asylum"
# What each kind of case is, in the categories.
CATEGORIES = {
    "real printed variant": "same language",
    "cross-language": "cross-language",
    "held out (real remark not held)": "no match",
    "other remark": "no match",
}
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
CHECK = "/api/v1/statements/check/"
SEED_FILES = sorted((ROOT / "seeds").glob("*.jsonl"))

# Famous real remarks on other subjects, in several languages: none is in the tracker (the
# tests use them too).
OTHER_REMARKS = json.loads((ROOT / "tests" / "data" / "remarks-not-held.json").read_text())

# Wire copy's usual substitutions (English); other languages get a word from another quote.
SYNONYMS = {
    "people": ["persons", "folks"], "folks": ["people"], "any": ["all"], "all": ["any", "every"],
    "help": ["assist", "support"], "support": ["help"], "country": ["nation"], "countries": ["nations"],
    "will": ["would"], "would": ["will"], "must": ["should"], "should": ["must"], "believe": ["think"],
    "think": ["believe"], "refugees": ["migrants"], "asylum": ["refuge"], "seeking": ["requesting"],
    "important": ["vital"], "very": ["really"], "also": ["too"], "can": ["could"], "said": ["stated"],
    "allow": ["let"], "enter": ["come into"], "border": ["frontier"], "citizens": ["nationals"],
    "adjudicated": ["educated"], "overarching": ["overreaching"], "two": ["2"], "three": ["3"],
}  # fmt: skip
WORD = re.compile(r"\S+")


def strip_diacritics(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def excerpt(rng, words: list[str], least: int = 6, most: int = 25) -> list[str]:
    if len(words) <= least:
        return list(words)
    size = rng.randint(least, min(most, len(words)))
    start = rng.randrange(len(words) - size + 1)
    return words[start : start + size]


def typo(rng, word: str) -> str:
    letters = list(word)
    if len(letters) < 5:
        return word + word[-1]
    i = rng.randrange(1, len(letters) - 1)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        j = i + 1 if i + 1 < len(letters) else i - 1
        letters[i], letters[j] = letters[j], letters[i]
    elif kind == "drop":
        del letters[i]
    elif kind == "double":
        letters.insert(i, letters[i])
    else:
        letters[i] = rng.choice("aeioulnrst")
    return "".join(letters)


def swap_words(rng, words: list[str], others: list[str], count: int) -> list[str]:
    words = list(words)
    for _ in range(count):
        mapped = [i for i, w in enumerate(words) if w.lower().strip(",.;:!?") in SYNONYMS]
        i = rng.choice(mapped) if mapped else rng.randrange(len(words))
        bare = words[i].lower().strip(",.;:!?")
        words[i] = rng.choice(SYNONYMS[bare]) if bare in SYNONYMS else rng.choice(others)
    return words


def variant(rng, kind: str, quote: str, other_quotes: list[str]) -> str:
    """The quote as wire copy might print it."""
    words = WORD.findall(quote)
    others = WORD.findall(rng.choice(other_quotes))
    if kind == "synonym":
        printed = swap_words(rng, excerpt(rng, words, 8, 30), others, rng.randint(1, 2))
    elif kind == "dropped":
        printed = excerpt(rng, words, 10, 30)
        for _ in range(rng.randint(1, 2)):
            del printed[rng.randrange(len(printed))]
    elif kind == "repeated":
        printed = excerpt(rng, words, 8, 30)
        i = rng.randrange(len(printed))
        printed[i:i] = printed[i : i + rng.randint(1, 2)]
    elif kind == "reordered":
        clauses = [c.strip() for c in re.split(r"(?<=[,;:.!?])\s+", " ".join(excerpt(rng, words, 12, 40))) if c.strip()]
        if len(clauses) > 1:
            i = rng.randrange(len(clauses) - 1)
            clauses[i], clauses[i + 1] = clauses[i + 1], clauses[i]
        printed = " ".join(clauses).split()
    elif kind == "truncated":
        printed = excerpt(rng, words, 5, 15)
    elif kind == "added":
        # A shorter sentence from elsewhere (another remark) before or after the quoted words.
        extra = excerpt(rng, others, 4, 8)
        quoted = excerpt(rng, words, 12, 30)
        printed = quoted + extra if rng.random() < 0.5 else extra + quoted
    elif kind == "stripped":
        printed = strip_diacritics(" ".join(excerpt(rng, words, 8, 40))).split()
    elif kind == "typo":
        printed = excerpt(rng, words, 8, 30)
        long = [i for i, w in enumerate(printed) if len(w) >= 5] or [0]
        i = rng.choice(long)
        printed[i] = typo(rng, printed[i])
    elif kind == "combined":
        printed = swap_words(rng, excerpt(rng, words, 8, 25), others, 1)
        i = rng.randrange(len(printed))
        printed[i] = typo(rng, printed[i])
        if len(printed) > 10:
            del printed[rng.randrange(len(printed))]
    else:
        raise ValueError(kind)
    return " ".join(printed)


VARIANTS = ("synonym", "dropped", "repeated", "reordered", "truncated", "added", "stripped", "typo", "combined")


# ---------------------------------------------------------------------------------------------
# Accuracy (in a child process on one database)


def run_cases(cases: list[dict]) -> list[dict]:
    """Each case's best score and whether the expected statement came first / in the top 3."""
    from django.db import transaction

    from api import shapes
    from statements.quotecheck import check_quote

    projection = shapes.check_projection("/api/", "/")
    results = []
    for case in cases:
        with transaction.atomic():
            if case.get("hide"):
                from django.db import connection

                with connection.cursor() as cursor:
                    cursor.execute("UPDATE statements_statement SET status = 'draft' WHERE id = %s", [case["hide"]])
            check = check_quote(case["text"], projection=projection, limit=3)
            transaction.set_rollback(True)
        ids = [m.statement_id for m in check.matches]
        results.append(
            {
                "kind": case["kind"],
                "text": case["text"] if case["kind"] in CATEGORIES else "",
                "first_id": ids[0] if ids else None,
                "category": "no match" if case["expect"] is None else CATEGORIES.get(case["kind"], "paraphrase"),
                "through": (check.matches[0].matched or {}).get("by") if check.matches else None,
                "expect": case["expect"],
                "score": check.matches[0].alignment.score if check.matches else 0.0,
                "first": bool(ids) and ids[0] == case["expect"],
                "top3": case["expect"] in ids,
                "verdict": check.verdict,
            }
        )
    return results


def accuracy_cases(rng) -> list[dict]:
    from statements.models import Statement

    seed_topics = [json.loads(line)["topic"] for path in SEED_FILES for line in path.read_text().splitlines()[:1]]
    published = list(
        Statement.objects.published().filter(topic__slug__in=seed_topics).select_related("speaker").order_by("id")
    )
    quotes = [s.quote for s in published]
    cases = []
    for path, kind in (
        (SHARED, "real printed variant"),
        (SHARED_AFGHANISTAN, "real printed variant"),
        (CROSS_LANGUAGE, "cross-language"),
    ):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            expect = record["expect"]
            if expect != "no_match":
                expect = next(
                    s.pk
                    for s in published
                    if s.speaker.name == expect["speaker"]
                    and s.said_on.isoformat() == expect["said_on"]
                    and s.quote.startswith(expect["quote_starts"])
                )
            expect = None if expect == "no_match" else expect
            cases.append({"kind": kind, "text": record["text"], "expect": expect})
    for statement in published:
        others = [q for q in quotes if q != statement.quote]
        for kind in VARIANTS:
            cases.append({"kind": kind, "text": variant(rng, kind, statement.quote, others), "expect": statement.pk})
        # (not "added": its added words come from another statement, which may rightly match)
        hidden = variant(rng, rng.choice([k for k in VARIANTS if k != "added"]), statement.quote, others)
        cases.append({"kind": "held out (real remark not held)", "text": hidden, "expect": None, "hide": statement.pk})
    for remark in OTHER_REMARKS:
        cases.append({"kind": "other remark", "text": remark["text"], "expect": None})
    return [c for c in cases if len(c["text"].split()) >= 3]


def accuracy_child(with_generated: bool) -> dict:
    from django.core.management import call_command
    from django.db import transaction

    rng = random.Random(20220927)
    seeds = [str(path) for path in SEED_FILES]
    if with_generated:
        from run import ensure_data  # bench/run.py's: the million, generated once

        ensure_data(1_000_000)
        # Among a million generated statements: the seeds go in for this run only.
        with transaction.atomic():
            call_command("import_topics", str(ROOT / "seeds" / "topics.json"), verbosity=0)
            call_command("import_statements", *seeds, verbosity=0)
            results = run_cases(accuracy_cases(rng))
            transaction.set_rollback(True)
    else:  # --update: the seeds as they are now (renderings added since an earlier run included)
        call_command("import_topics", str(ROOT / "seeds" / "topics.json"), verbosity=0)
        call_command("import_statements", *seeds, update=True, verbosity=0)
        results = run_cases(accuracy_cases(rng))
    return {"results": results}


def scores(results: list[dict], threshold: float) -> dict:
    matchable = [r for r in results if r["expect"] is not None]
    unmatched = [r for r in results if r["expect"] is None]
    top1 = sum(r["first"] and r["score"] >= threshold for r in matchable)
    top3 = sum(r["top3"] for r in matchable)
    said_none = [r for r in results if r["score"] < threshold]
    right_none = [r for r in said_none if r["expect"] is None]
    return {
        "threshold": threshold,
        "matchable": len(matchable),
        "top1": top1 / len(matchable),
        "top3": top3 / len(matchable),
        "unmatched": len(unmatched),
        "no_match_precision": len(right_none) / len(said_none) if said_none else 1.0,
        "no_match_recall": len(right_none) / len(unmatched) if unmatched else 1.0,
    }


# ---------------------------------------------------------------------------------------------
# Latency (in a child process on one database)


def latency_child(count: int, repeat: int) -> dict:
    from django.test import Client
    from run import (
        Captured,
        ensure_data,  # bench/run.py's
    )

    ensure_data(count)
    serve_like_wsgi()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM statements_statement")
        (statements,) = cursor.fetchone()
        cursor.execute(
            "SELECT quote FROM statements_statement WHERE status = 'published' AND id %% %s = 0 LIMIT 400", [997]
        )
        quotes = [q for (q,) in cursor.fetchall()]
    rng = random.Random(5)
    client = Client()
    rows = []
    for size in (5, 20, 60):
        urls = []
        for quote in quotes:
            words = WORD.findall(quote)
            while len(words) < size:
                words += WORD.findall(rng.choice(quotes))
            start = rng.randrange(len(words) - size + 1)
            printed = words[start : start + size]
            printed[rng.randrange(size)] = rng.choice(["people", "folks", "asylum"])
            urls.append(CHECK + "?" + urlencode({"text": " ".join(printed)}))
            if len(urls) == 50:
                break
        captured = [Captured(client, url) for url in urls]
        endpoint = summarise(measure(lambda i, urls=urls: client.get(urls[i % len(urls)]), repeat))
        reference = summarise(measure(lambda i, captured=captured: captured[i % len(captured)].replay(), repeat))
        statuses = sorted({c.response.status_code for c in captured})
        queries = sorted({len(c.statements) for c in captured})
        found = sum(json.loads(c.response.content)["verdict"] != "no_match" for c in captured)
        rows.append(
            {
                "name": f"{size} words",
                "endpoint": endpoint,
                "reference": reference,
                "note": f"status {statuses}, {'/'.join(map(str, queries))} queries, {found}/{len(urls)} found",
            }
        )
    rows += worst_cases(client, captured_class=Captured, repeat=repeat, quotes=quotes, rng=rng)
    return {"statements": statements, "rows": rows}


def worst_texts(quotes: list[str], rng) -> dict[str, str]:
    """2,000 characters each: the commonest words, as many distinct words as fit, one word."""
    common = [
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "on", "be", "we", "with", "this", "as",
        "are", "have", "not", "will",
    ]  # fmt: skip
    distinct = sorted({w.strip(".,;:!?\"'()").lower() for q in quotes for w in WORD.findall(q)} - {""})
    rng.shuffle(distinct)

    def fill(words):
        text, i = "", 0
        while len(text) + len(words[i % len(words)]) + 1 <= 2000:
            text += ("" if not text else " ") + words[i % len(words)]
            i += 1
        return text

    return {"2,000 chars, commonest words": fill(common), "2,000 chars, distinct words": fill(distinct),
            "2,000 chars, one word": fill(["asylum"])}  # fmt: skip


def worst_cases(client, *, captured_class, repeat: int, quotes: list[str], rng) -> list[dict]:
    """The 2,000-character worst cases, each beside its SQL replayed (POST is the view layer's;
    GET carries 2,000 Latin characters within a URL)."""
    rows = []
    for name, text in worst_texts(quotes, rng).items():
        url = CHECK + "?" + urlencode({"text": text})
        captured = captured_class(client, url)
        endpoint = summarise(measure(lambda i, url=url: client.get(url), max(repeat // 4, 20)))
        reference = summarise(measure(lambda i, c=captured: c.replay(), max(repeat // 4, 20)))
        rows.append(
            {
                "name": name,
                "endpoint": endpoint,
                "reference": reference,
                "note": f"status {captured.response.status_code}, {len(captured.statements)} queries",
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# The report


def child(args: list[str], repeat: int = 0) -> dict:
    options = ["--repeat", str(repeat)] if repeat else []
    done = subprocess.run(
        [sys.executable, __file__, *options, "--child", *args], capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode:
        sys.exit(f"bench/quotecheck.py --child {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def accuracy_table(results: list[dict], title: str) -> str:
    from statements.quotecheck import MATCH_THRESHOLD

    lines = [
        f"**{title}**: {sum(r['expect'] is not None for r in results)} matchable cases, "
        f"{sum(r['expect'] is None for r in results)} unmatched",
        "",
        "| threshold | top-1 | top-3 | no-match precision | no-match recall |",
        "|---:|---:|---:|---:|---:|",
    ]
    for t in sorted({*THRESHOLDS, MATCH_THRESHOLD}):
        s = scores(results, t)
        mark = " (in use)" if t == MATCH_THRESHOLD else ""
        lines.append(
            f"| {t:.2f}{mark} | {s['top1']:.1%} | {s['top3']:.1%} | {s['no_match_precision']:.1%} | "
            f"{s['no_match_recall']:.1%} |"
        )
    by_kind = {}
    for r in results:
        by_kind.setdefault(r["kind"], []).append(r)
    lines += ["", "| case kind | cases | right at the threshold in use |", "|---|---:|---:|"]
    for kind, rows in by_kind.items():
        right = sum(
            (r["first"] and r["score"] >= MATCH_THRESHOLD) if r["expect"] is not None else r["score"] < MATCH_THRESHOLD
            for r in rows
        )
        lines.append(f"| {kind} | {len(rows)} | {right / len(rows):.1%} |")
    by_category = {}
    for r in results:
        by_category.setdefault(r["category"], []).append(r)
    lines += ["", "| category | cases | right at the threshold in use | top-3 |", "|---|---:|---:|---:|"]
    for category in ("same language", "cross-language", "paraphrase", "no match"):
        rows = by_category.get(category, [])
        if not rows:
            continue
        right = sum(
            (r["first"] and r["score"] >= MATCH_THRESHOLD) if r["expect"] is not None else r["score"] < MATCH_THRESHOLD
            for r in rows
        )
        top3 = sum(r["top3"] if r["expect"] is not None else r["score"] < MATCH_THRESHOLD for r in rows)
        lines.append(f"| {category} | {len(rows)} | {right / len(rows):.1%} | {top3 / len(rows):.1%} |")

    def answered_right(r: dict) -> bool:
        if r["expect"] is None:
            return r["score"] < MATCH_THRESHOLD
        return r["first"] and r["score"] >= MATCH_THRESHOLD

    missed = [r for r in results if r["text"] and not answered_right(r)]
    founding = [r for r in results if r["text"].startswith(FOUNDING_MISQUOTE)]
    lines += ["", "Real printed variants and cross-language prints not answered right:" if missed else ""]
    for r in missed:
        lines.append(
            f"- {r['text'][:80]!r}: expected {r['expect'] or 'no match'}, first {r['first_id']} "
            f"(score {r['score']:.2f}, verdict {r['verdict']})"
        )
    for r in founding:
        where = "first" if r["first"] else "top 3" if r["top3"] else "not in the top 3"
        lines.append(f"\nThe founding misquote ({FOUNDING_MISQUOTE!r}): its statement {where}, score {r['score']:.2f}.")
    return "\n".join(lines)


def latency_table(result: dict) -> str:
    lines = [
        f"**Latency at {result['statements']:,} statements** (in-process, whole stack; reference: its SQL replayed)",
        "",
        "| printed text | median ms | p99 ms | SQL median ms | SQL p99 ms | note |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in result["rows"]:
        e, r = row["endpoint"], row["reference"]
        lines.append(
            f"| {row['name']} | {e['median']:.2f} | {e['p99']:.2f} | {r['median']:.2f} | {r['p99']:.2f} | "
            f"{row['note']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-million", action="store_true", help="seeds only: no 1,000,000-row database")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        part, database, *rest = args.child
        django_setup(database)
        if part == "accuracy":
            result = accuracy_child(with_generated=rest == ["generated"])
        else:
            result = latency_child(int(rest[0]), args.repeat)
        print(json.dumps(result, default=str))
        return

    django_setup("bench_quotes")  # for the threshold constants only
    sections = []
    if not args.skip_accuracy:
        results = child(["accuracy", "bench_quotes"])["results"]
        sections.append(accuracy_table(results, "Accuracy on the seeds (114 real statements)"))
    if not args.skip_million and not args.skip_accuracy:
        sections.append(
            accuracy_table(
                child(["accuracy", "bench_statements", "generated"])["results"],
                "Accuracy on the seeds among 1,000,000 generated statements",
            )
        )
    if not args.skip_latency:
        sizes = (("bench_statements_200k", 200_000),) + (
            () if args.skip_million else (("bench_statements", 1_000_000),)
        )
        for database, count in sizes:
            sections.append(latency_table(child(["latency", database, str(count)], args.repeat)))
    text = "\n\n".join(sections)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
