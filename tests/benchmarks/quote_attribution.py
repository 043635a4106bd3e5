"""How often does quote lookup attribute text to a source that does not contain it?

    .venv/bin/python -m tests.benchmarks.quote_attribution [--index DIR] [--sentences N] [--seed S]

Builds an index of seeds/ (or opens ``--index``) and generates, from the
indexed sentences:

positives  verbatim sentences; typographic variants (curly/straight quotes,
           dash variants, case, line-break hyphenation, whitespace runs,
           surrounding quotation marks); an ellipsis for omitted words; and
           near misses (one word changed, dropped or added).
negatives  handwritten sentences on the US-Japan alliance that no seed
           contains; real corpus words in a new order; splices of the first
           half of one sentence with the second half of a sentence from
           another source; sentences with 3 or 4 content words replaced; and
           sentences from other collections (SciFact, Cranfield) when
           ../shared/datasets is present.
paragraphs whole passages with 2% of their words changed (positives); splices
           of two passages' halves from different sources and passages with
           their words shuffled (negatives).

A splice counts as a negative: it is a quote of neither source, and naming
either as its origin (let alone as an exact quote) would put words in an
author's mouth.  A negative is falsely attributed when any match is reported.

For each threshold the report gives the false-attribution rate per negative
set and the recall on near misses (the sentence's own passage reported).  The
chosen threshold is the lowest on the grid that is at least MARGIN above the
highest similarity any negative reached, so zero false attributions holds with
room to spare.  Gutenberg prose is left out: too unlike the seeds to be a hard
negative.

Measured (2 cores, seed 20261123 and --seed 7): no negative attributed at
0.85 and above; the closest negative reached 0.833, hence 0.875.  At 0.875:
0/611 and 0/494 false attributions, near-miss recall 280/288 and 222/228,
every verbatim, typographic and ellipsis variant found exactly in its passage.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pinpoint.index.search.quotes import DEFAULT_THRESHOLD, FUZZY_MIN_WORDS, QuoteError, find_quote

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT.parent / "shared" / "datasets"
THRESHOLDS = (0.70, 0.75, 0.80, 0.825, 0.85, 0.875, 0.90, 0.925, 0.95)
MARGIN = 0.04
SEARCH_FLOOR = 0.5  # find_quote is asked with this; thresholds are applied afterwards

# Written for this benchmark: on the seeds' topic, in their vocabulary, in none of them.
HANDWRITTEN_NEGATIVES = (
    "The alliance between Washington and Tokyo has rarely looked as fragile as it did during the trade talks of that spring.",
    "Japanese voters remain divided over whether the Self-Defense Forces should take part in operations far from home.",
    "Okinawa's governor promised to block every permit the central government needed for the new runway.",
    "Many analysts in Seoul quietly welcome a stronger Japanese navy while publicly criticising it.",
    "The defense guidelines were revised to let both militaries share intelligence in real time.",
    "Host-nation support payments have become a recurring source of friction in budget negotiations.",
    "A new generation of Japanese diplomats sees the alliance as one partnership among several.",
    "The relocation plan was delayed again after protesters occupied the construction site for weeks.",
    "Beijing reacted sharply when the two governments announced joint patrols near the disputed islands.",
    "Some members of Congress argue that Japan should pay the full cost of the troops stationed there.",
    "The prime minister's visit to Washington ended without agreement on the future of the marine base.",
    "Public opinion polls in Japan show steady support for the treaty despite local opposition on Okinawa.",
    "Cooperation on missile defense accelerated after North Korea tested a long-range rocket over Hokkaido.",
    "The earthquake relief mission showed ordinary Japanese citizens what American forces could do for them.",
    "Critics warn that collective self-defense could drag Tokyo into conflicts it has no interest in fighting.",
    "Trade disputes over automobiles once threatened to overshadow the security relationship entirely.",
    "The Pentagon plans to move several thousand marines from Okinawa to Guam by the end of the decade.",
    "Japanese defense spending has stayed near one percent of gross domestic product for decades.",
    "Both governments insist that the Senkaku Islands fall under the scope of the mutual defense treaty.",
    "The alliance managers in both capitals meet twice a year to review the progress of the realignment.",
    "Younger Okinawans increasingly frame the base issue as a question of economic development rather than pacifism.",
    "A joint statement released after the summit promised closer coordination on cyber security and space.",
    "Nuclear weapons were never officially stored on Japanese soil, according to the foreign ministry.",
    "The constitutional reinterpretation was approved by the cabinet without a vote in the Diet.",
    "American commanders praised the speed with which Japanese units deployed after the tsunami struck.",
    "Negotiators spent months arguing over the wording of a single paragraph on regional contingencies.",
    "Tokyo hopes that a stronger alliance will deter any attempt to change the status quo by force.",
    "The local assembly passed a resolution demanding that the marine helicopters stop flying over schools.",
    "Economic interdependence with China complicates Japan's calculations about how far to align with Washington.",
    "Veterans of the occupation era often describe the early alliance as a relationship between unequal partners.",
    "The foreign minister told reporters that the base agreement would be honoured whoever wins the election.",
    "Security experts doubt that Japan could defend its remote islands without American air support.",
    "Maritime cooperation with Australia and India has become a second pillar of Japanese strategy.",
    "The noise from night-time training flights has been the subject of lawsuits for over thirty years.",
    "Washington expects its allies in Asia to shoulder a larger share of the burden of regional security.",
    "A leaked cable suggested that officials had privately doubted the feasibility of the offshore runway.",
    "The new national security council gives the prime minister more control over defense policy.",
    "Students at the university organised a debate on whether the treaty still serves Japan's interests.",
    "Exports of Japanese defense equipment were permitted for the first time in half a century.",
    "The humanitarian operation was planned in a matter of days by officers who had trained together for years.",
    "Several former ambassadors signed an open letter urging both governments to settle the runway dispute.",
    "The alliance will survive this crisis as it survived the trade wars, the scandals and the oil shocks.",
)

STOPWORDS = frozenset(re.findall(r"\w+", """
    a an and are as at be been but by for from has have he her his in into is it its of on or our
    she that the their them there these they this those to was were which while who will with would
"""))


@dataclass(frozen=True)
class Case:
    kind: str
    quote: str
    passage_id: str | None  # where it comes from, for positives


def sentences_of(text: str) -> list[str]:
    parts = re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“‘(]?[A-Z])", text.replace("\n", " "))
    return [p.strip() for p in parts if len(p.split()) >= 8]


def corpus_sentences(searcher) -> list[tuple[str, str, str]]:
    """(sentence, passage_id, source_id) for every indexed sentence of 8+ words."""
    found = []
    for source in searcher.sources():
        for passage in searcher.passages(source.id):
            for sentence in sentences_of(passage.text):
                found.append((sentence, passage.id, source.id))
    return found


def content_positions(words: list[str]) -> list[int]:
    return [i for i, w in enumerate(words) if len(w.strip(".,;:“”\"'’()")) >= 4 and w.lower() not in STOPWORDS]


def typographic_variants(sentence: str, rng: random.Random) -> list[tuple[str, str]]:
    straight = sentence.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
    curly = re.sub(r"'", "’", re.sub(r'"([^"]*)"', r"“\1”", sentence))
    dashed = re.sub(r"(?<=\w)-(?=\w)", rng.choice([" – ", "—", " -- ", "\u2011"]), sentence)
    dashed = dashed.replace(" – ", rng.choice([" — ", " - ", "--"]))
    words = sentence.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 8 and w.isalpha()]
    hyphenated = sentence
    if long_words:
        i = rng.choice(long_words)
        cut = len(words[i]) // 2
        words[i] = words[i][:cut] + rng.choice(["-\n", "- ", "-\r\n  "]) + words[i][cut:]
        hyphenated = " ".join(words)
    return [
        ("straight quotes", f'"{straight}"'),
        ("curly quotes", f"“{curly}”"),
        ("dashes", dashed),
        ("case", sentence.upper() if rng.random() < 0.5 else sentence.lower()),
        ("hyphenation", hyphenated),
        ("whitespace", re.sub(" ", lambda _: rng.choice([" ", "  ", "\n", " \t "]), sentence)),
    ]


def with_ellipsis(sentence: str, rng: random.Random) -> str | None:
    words = sentence.split()
    if len(words) < 12:
        return None
    cut = rng.randrange(4, len(words) - 6)
    skip = rng.randrange(2, min(6, len(words) - cut - 3))
    mark = rng.choice([" … ", " ... ", " . . . ", " […] "])
    return " ".join(words[:cut]) + mark + " ".join(words[cut + skip:])


def near_misses(sentence: str, vocabulary: list[str], rng: random.Random) -> list[tuple[str, str]]:
    words = sentence.split()
    spots = content_positions(words)
    changed, dropped, added = list(words), list(words), list(words)
    if spots:
        i = rng.choice(spots)
        changed[i] = rng.choice([v for v in vocabulary if v.lower() != words[i].lower()])
    del dropped[rng.randrange(1, len(words) - 1)]
    added.insert(rng.randrange(1, len(words)), rng.choice(vocabulary))
    return [("word changed", " ".join(changed)), ("word dropped", " ".join(dropped)),
            ("word added", " ".join(added))]


def replaced(sentence: str, count: int, vocabulary: list[str], rng: random.Random) -> str | None:
    words = sentence.split()
    spots = content_positions(words)
    if len(spots) < count + 2:
        return None
    for i in rng.sample(spots, count):
        words[i] = rng.choice([v for v in vocabulary if v.lower() != words[i].lower()])
    return " ".join(words)


def other_collections(rng: random.Random, count: int) -> list[str]:
    found: list[str] = []
    for name in ("scifact", "cranfield"):
        path = DATASETS / name / "corpus.jsonl"
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as f:
            docs = [json.loads(line) for _, line in zip(range(2000), f)]
        pool = [s for d in docs for s in sentences_of(d["text"]) if len(s.split()) <= 60]
        found.extend(rng.sample(pool, min(count, len(pool))))
    return found


def make_cases(searcher, sentences: int, rng: random.Random) -> tuple[list[Case], list[Case]]:
    corpus = corpus_sentences(searcher)
    vocabulary = sorted({w.strip(".,;:“”\"'’()") for s, _, _ in corpus for w in s.split()} - {""})
    vocabulary = [v for v in vocabulary if len(v) >= 4 and v.isalpha()]
    picked = rng.sample(corpus, min(sentences, len(corpus)))
    positives: list[Case] = []
    for sentence, passage_id, _ in picked:
        positives.append(Case("verbatim", sentence, passage_id))
        positives.extend(Case(kind, q, passage_id) for kind, q in typographic_variants(sentence, rng))
        elided = with_ellipsis(sentence, rng)
        if elided:
            positives.append(Case("ellipsis", elided, passage_id))
        positives.extend(Case(kind, q, passage_id) for kind, q in near_misses(sentence, vocabulary, rng))

    negatives = [Case("handwritten", s, None) for s in HANDWRITTEN_NEGATIVES]
    for sentence, _, _ in picked:
        words = sentence.split()
        shuffled = list(words)
        while shuffled == words:
            rng.shuffle(shuffled)
        negatives.append(Case("corpus words shuffled", " ".join(shuffled), None))
        for count in (3, 4):
            changed = replaced(sentence, count, vocabulary, rng)
            if changed:
                negatives.append(Case(f"{count} content words replaced", changed, None))
    for sentence, _, source_id in picked:
        other = rng.choice([c for c in corpus if c[2] != source_id])
        first, second = sentence.split(), other[0].split()
        negatives.append(Case("splice of two sources", " ".join(first[: len(first) // 2] + second[len(second) // 2:]), None))
    negatives.extend(Case("other collections", s, None) for s in other_collections(rng, sentences))
    long_positives, long_negatives = paragraph_cases(searcher, vocabulary, rng)
    return positives + long_positives, negatives + long_negatives


def paragraph_cases(searcher, vocabulary: list[str], rng: random.Random) -> tuple[list[Case], list[Case]]:
    """Paragraph-length quotes, where similarity allows edits in proportion to length."""
    passages = [p for s in searcher.sources() for p in searcher.passages(s.id) if len(p.text.split()) >= 60]
    positives, negatives = [], []
    for passage in passages:
        words = passage.text.split()
        noisy = list(words)
        for i in rng.sample(range(len(words)), max(1, len(words) // 50)):
            noisy[i] = rng.choice(vocabulary)
        positives.append(Case("paragraph, 2% of words changed", " ".join(noisy), passage.id))
        other = rng.choice([p for p in passages if p.source_id != passage.source_id])
        second = other.text.split()
        negatives.append(Case("splice of two paragraphs", " ".join(words[: len(words) // 2] + second[len(second) // 2:]), None))
        shuffled = list(words)
        rng.shuffle(shuffled)
        negatives.append(Case("paragraph words shuffled", " ".join(shuffled), None))
    return positives, negatives


@dataclass(frozen=True)
class Outcome:
    case: Case
    matches: tuple  # (passage ids covered, exact, similarity), best first


def run(searcher, cases: list[Case]) -> list[Outcome]:
    outcomes = []
    for case in cases:
        try:
            result = find_quote(searcher, case.quote, limit=50, threshold=SEARCH_FLOOR)
        except QuoteError:
            outcomes.append(Outcome(case, ()))
            continue
        matches = tuple(
            ({m.passage.id, *(s.passage.id for s in m.continued)}, m.exact, m.similarity)
            for m in result.matches
        )
        outcomes.append(Outcome(case, matches))
    return outcomes


def accepted(outcome: Outcome, threshold: float) -> list:
    return [m for m in outcome.matches if m[1] or m[2] >= threshold]


def correct(outcome: Outcome, threshold: float) -> bool:
    kept = accepted(outcome, threshold)
    return bool(kept) and outcome.case.passage_id in kept[0][0]


def rate(outcomes: list[Outcome], test: Callable[[Outcome], bool]) -> str:
    hits = sum(1 for o in outcomes if test(o))
    return f"{hits}/{len(outcomes)} ({100 * hits / max(1, len(outcomes)):.1f}%)"


def by_kind(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(o.case.kind, []).append(o)
    return groups


def report(positives: list[Outcome], negatives: list[Outcome]) -> float:
    worst = max((m[2] for o in negatives for m in o.matches), default=0.0)
    print(f"\nhighest similarity any negative reached: {worst:.4f}")
    worst_case = max(negatives, key=lambda o: max((m[2] for m in o.matches), default=0.0))
    print(f"  ({worst_case.case.kind}: {worst_case.case.quote[:110]!r})")
    near = [o for o in positives if o.case.kind.startswith(("word ", "paragraph"))]
    near_long = [o for o in near if len(o.case.quote.split()) >= FUZZY_MIN_WORDS]
    print("\nthreshold | false attributions on negatives | wrong source on positives | near-miss recall")
    for t in THRESHOLDS:
        false = rate(negatives, lambda o, t=t: bool(accepted(o, t)))
        wrong = rate(positives, lambda o, t=t: bool(accepted(o, t)) and not correct(o, t))
        print(f"  {t:.3f}  | {false:>28} | {wrong:>22} | {rate(near, lambda o, t=t: correct(o, t))}")
    chosen = min((t for t in THRESHOLDS if t >= worst + MARGIN), default=max(THRESHOLDS))
    print(f"\nlowest threshold >= worst negative + {MARGIN}: {chosen}; pinpoint.index.search.quotes.DEFAULT_THRESHOLD = {DEFAULT_THRESHOLD}")
    t = DEFAULT_THRESHOLD
    print(f"\nat DEFAULT_THRESHOLD {t}:")
    for kind, group in by_kind(negatives).items():
        print(f"  negative  {kind:<26} falsely attributed {rate(group, lambda o: bool(accepted(o, t)))}")
    for kind, group in by_kind(positives).items():
        exact = rate(group, lambda o: correct(o, t) and accepted(o, t)[0][1])
        print(f"  positive  {kind:<26} found in its passage {rate(group, lambda o: correct(o, t))}, exact {exact}")
    print(f"  near misses of {FUZZY_MIN_WORDS}+ words: recall {rate(near_long, lambda o: correct(o, t))}")
    for o in [o for o in near if not correct(o, t)][:5]:
        best = max((m[2] for m in o.matches), default=0.0)
        print(f"  missed ({o.case.kind}, best similarity {best:.3f}): {o.case.quote[:110]!r}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an existing index of seeds/ (default: build one)")
    parser.add_argument("--sentences", type=int, default=80, help="corpus sentences to derive cases from")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)

    from pinpoint.index.store.versions import open_searcher

    with tempfile.TemporaryDirectory(prefix="pinpoint-quotes-") as scratch:
        index_dir = args.index
        if index_dir is None:
            from pinpoint.index.store.build import build_index

            index_dir = Path(scratch)
            build_index([ROOT / "seeds"], index_dir)
        searcher = open_searcher(index_dir)
        rng = random.Random(args.seed)
        positives, negatives = make_cases(searcher, args.sentences, rng)
        started = time.perf_counter()
        pos = run(searcher, positives)
        neg = run(searcher, negatives)
        took = time.perf_counter() - started
        print(f"{len(positives)} positives, {len(negatives)} negatives, seed {args.seed}, "
              f"{1000 * took / (len(positives) + len(negatives)):.0f} ms per quote")
        report(pos, neg)
        searcher.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
