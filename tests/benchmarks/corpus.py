"""The Gutenberg corpus, its slices, and the query sets drawn from it.

Slices are prefixes of ``books.jsonl.gz`` cut by share of text bytes, so the
10% slice is inside the 30% one and a cost's growth reads straight off the
table.  Queries come from indexed passages (fixed seed): k medium-frequency
words of one passage, so an all-words query has at least that passage to find
and measures ranking work rather than the empty-result fallback.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT.parent / "shared" / "datasets"
GUTENBERG = DATASETS / "gutenberg" / "books.jsonl.gz"
RESULTS = Path(__file__).resolve().parent / "results"

_WORD = re.compile(r"[a-z]{4,}")
# Rank window of "medium frequency": below the function words, above the hapaxes.
MEDIUM_RANKS = (300, 6000)
QUERY_SEED = 20240607


class DatasetMissing(Exception):
    """A third-party dataset the benchmark needs is not beside the repository."""


def require_gutenberg() -> Path:
    if not GUTENBERG.exists():
        raise DatasetMissing(
            f"Gutenberg corpus not found at {GUTENBERG}: place ../shared/datasets beside the repository"
        )
    return GUTENBERG


@dataclass(frozen=True)
class Slice:
    share: float  # fraction of the corpus's text bytes
    path: Path
    books: int
    text_bytes: int

    @property
    def label(self) -> str:
        return f"{round(self.share * 100)}%"


def write_slices(shares: list[float], target: Path) -> list[Slice]:
    """Write one .jsonl.gz per share (prefixes of the corpus) into ``target``."""
    source = require_gutenberg()
    target.mkdir(parents=True, exist_ok=True)
    sizes = []
    with gzip.open(source, "rt", encoding="utf-8") as f:
        for line in f:
            sizes.append(len(json.loads(line)["text"].encode("utf-8")))
    total = sum(sizes)
    cut_points = []
    for share in shares:
        running, count = 0, 0
        for size in sizes:
            if running >= share * total:
                break
            running += size
            count += 1
        cut_points.append((share, count, running))
    slices = []
    for share, count, text_bytes in cut_points:
        path = target / f"gutenberg-{round(share * 100):03d}.jsonl.gz"
        # compresslevel 1: the benchmark measures indexing, not our gzip.
        with gzip.open(source, "rt", encoding="utf-8") as f, gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
            for _, line in zip(range(count), f):
                out.write(line)
        slices.append(Slice(share, path, count, text_bytes))
    return slices


@dataclass(frozen=True)
class QuerySet:
    name: str  # "1-term", "2-term", "4-term", "phrase"
    queries: tuple[str, ...]


def draw_queries(passage_texts: list[str], per_set: int, seed: int = QUERY_SEED) -> list[QuerySet]:
    """Query sets of 1, 2 and 4 medium-frequency words, and two-word phrases."""
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    for text in passage_texts:
        counts.update(set(_WORD.findall(text.lower())))
    ranked = [w for w, _ in counts.most_common(MEDIUM_RANKS[1])]
    medium = set(ranked[MEDIUM_RANKS[0]:])
    sets: dict[str, list[str]] = {"1-term": [], "2-term": [], "4-term": [], "phrase": []}
    attempts = 0
    while any(len(v) < per_set for v in sets.values()) and attempts < per_set * 200:
        attempts += 1
        text = rng.choice(passage_texts)
        words = _WORD.findall(text.lower())
        usable = sorted({w for w in words if w in medium})
        for name, k in (("1-term", 1), ("2-term", 2), ("4-term", 4)):
            if len(sets[name]) < per_set and len(usable) >= k:
                sets[name].append(" ".join(rng.sample(usable, k)))
        if len(sets["phrase"]) < per_set:
            pairs = [(a, b) for a, b in zip(words, words[1:]) if a in medium and b in medium]
            if pairs:
                a, b = rng.choice(pairs)
                sets["phrase"].append(f'"{a} {b}"')
    return [QuerySet(name, tuple(qs)) for name, qs in sets.items()]


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 by nearest rank, in the samples' unit."""
    ordered = sorted(samples)
    if not ordered:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99)}


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
