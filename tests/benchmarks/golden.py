"""Byte-for-byte behaviour check: a fixed set of requests, their answers recorded and compared.

A restructuring that changes no behaviour must give the same bytes for the same
requests.  This runs 50 requests per corpus (searches with every filter, phrases,
boolean logic, grouping, the any-word fallback, did-you-mean, every citation
style, quote lookup, exports, passages and errors) through the real Falcon app
over a freshly built index of the seeds and of SciFact, and writes each answer
with ``took_ms`` (a timing) removed::

    .venv/bin/python -m tests.benchmarks.golden record var/golden/after.jsonl
    .venv/bin/python -m tests.benchmarks.golden compare var/golden/before.jsonl var/golden/after.jsonl

To record a checkout from before the ``pinpoint`` namespace (6a69b82), run this
file with that checkout first on the path and without site's .pth files, so the
editable install of this one cannot answer the imports::

    mkdir /tmp/before && git archive 6a69b82 | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before:$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') \\
      .venv/bin/python -S tests/benchmarks/golden.py record var/golden/before.jsonl

Both runs read the same source files (this checkout's seeds/ and
../shared/datasets/scifact), so every path in the answers is the same.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SCIFACT = ROOT.parent / "shared" / "datasets" / "scifact" / "corpus.jsonl"
STYLES = ("apa", "chicago-author-date", "chicago-notes", "mla", "harvard", "ieee", "vancouver", "nature")

# (method, path, query parameters or JSON body)
SEED_REQUESTS = [
    ("GET", "/search", {"q": "Futenma"}),
    ("GET", "/search", {"q": "futenma relocation"}),
    ("GET", "/search", {"q": '"security treaty"'}),
    ("GET", "/search", {"q": "okinawa OR guam"}),
    ("GET", "/search", {"q": "alliance NOT china"}),
    ("GET", "/search", {"q": "(okinawa OR guam) base"}),
    ("GET", "/search", {"q": "author:xu"}),
    ("GET", "/search", {"q": "title:drift alliance"}),
    ("GET", "/search", {"q": "source:004_9574ace01beba1aa treaty"}),
    ("GET", "/search", {"q": "year:2010..2014 alliance"}),
    ("GET", "/search", {"q": "year:..2012 alliance"}),
    ("GET", "/search", {"q": "year:2014.. alliance"}),
    ("GET", "/search", {"q": "heading:okinawa"}),
    ("GET", "/search", {"q": "text:treaty -china"}),
    ("GET", "/search", {"q": "alliance", "group": "source"}),
    ("GET", "/search", {"q": "alliance", "limit": "3", "offset": "2"}),
    ("GET", "/search", {"q": "alliance", "author": "Xu"}),
    ("GET", "/search", {"q": "alliance", "title": "drift"}),
    ("GET", "/search", {"q": "alliance", "source": "000_f5cc0b5bea89428d"}),
    ("GET", "/search", {"q": "alliance", "year": "2014"}),
    ("GET", "/search", {"q": "", "year": "2010..2014", "limit": "2"}),
    ("GET", "/search", {"q": "futenma quokka"}),
    ("GET", "/search", {"q": "futenma quokka", "match": "any"}),
    ("GET", "/search", {"q": "alliance", "facets": "false"}),
    ("GET", "/search", {"q": "allaince drfit"}),
    *[("GET", "/search", {"q": "Futenma", "style": style, "limit": "2"}) for style in STYLES],
    ("GET", "/search", {"q": '"unclosed phrase'}),
    ("GET", "/search", {"q": "colour:red"}),
    ("GET", "/search", {"q": "year:2014..2010"}),
    ("GET", "/search", {"q": "(alliance"}),
    ("GET", "/cite", {"quote": "the U.S.-Japan security alliance has served as one of the region's most important military relationships"}),
    ("GET", "/cite", {"quote": "the US–Japan security alliance has served as one of the regions most important military relationship"}),
    ("POST", "/cite", {"quote": "Forged in the wake of World War II, the U.S.-Japan security alliance has served … as an anchor of the U.S. security role in Asia", "style": "mla"}),
    ("GET", "/cite", {"quote": "the alliance"}),
    ("GET", "/cite", {"quote": "penguins rarely negotiate basing agreements with submarine cooks"}),
    ("GET", "/sources", {}),
    ("GET", "/sources/004_9574ace01beba1aa", {}),
    ("GET", "/sources/004_9574ace01beba1aa", {"format": "bibtex"}),
    ("GET", "/sources/004_9574ace01beba1aa", {"format": "ris"}),
    ("GET", "/sources/000_f5cc0b5bea89428d", {"format": "csl-json"}),
    ("GET", "/sources/004_9574ace01beba1aa/passages/5", {"style": "harvard"}),
    ("GET", "/sources/004_9574ace01beba1aa/cite", {"style": "chicago-notes", "paragraph": "18"}),
    ("GET", "/bibtex", {"q": "alliance"}),
]

SCIFACT_REQUESTS = [
    ("GET", "/search", {"q": "white matter"}),
    ("GET", "/search", {"q": "diffusion tensor imaging preterm infants"}),
    ("GET", "/search", {"q": '"white matter"'}),
    ("GET", "/search", {"q": '"apparent diffusion coefficient" term'}),
    ("GET", "/search", {"q": "insulin OR glucose"}),
    ("GET", "/search", {"q": "cancer NOT breast"}),
    ("GET", "/search", {"q": "(tumor OR tumour) suppressor"}),
    ("GET", "/search", {"q": "title:microstructural"}),
    ("GET", "/search", {"q": "title:vitamin deficiency"}),
    ("GET", "/search", {"q": "source:4983 anisotropy"}),
    ("GET", "/search", {"q": "text:macrophages"}),
    ("GET", "/search", {"q": "mitochondria", "group": "source"}),
    ("GET", "/search", {"q": "protein", "group": "source", "limit": "20"}),
    ("GET", "/search", {"q": "protein", "limit": "5", "offset": "40"}),
    ("GET", "/search", {"q": "protein", "limit": "100", "offset": "9900"}),
    ("GET", "/search", {"q": "gene expression", "title": "cancer"}),
    ("GET", "/search", {"q": "infants", "source": "4983"}),
    ("GET", "/search", {"q": "cells", "year": "2010..2014"}),
    ("GET", "/search", {"q": "stem cells", "match": "any", "limit": "20"}),
    ("GET", "/search", {"q": "stem cells zyxwvut"}),
    ("GET", "/search", {"q": "zyxwvut qwertyuiop"}),
    ("GET", "/search", {"q": "inflamation cytokine"}),
    ("GET", "/search", {"q": "vacination efficacy"}),
    ("GET", "/search", {"q": "the of and"}),
    ("GET", "/search", {"q": "0-dimensional biomaterials show inductive properties."}),
    ("GET", "/search", {"q": "ALDH1 expression is associated with poorer prognosis for breast cancer primary tumors."}),
    ("GET", "/search", {"q": "heart failure", "facets": "false", "limit": "50"}),
    ("GET", "/search", {"q": "heading:results"}),
    ("GET", "/search", {"q": "author:smith"}),
    *[("GET", "/search", {"q": "blood pressure", "style": style, "limit": "1"}) for style in STYLES],
    ("GET", "/search", {"q": "obesity", "group": "source", "style": "vancouver", "limit": "5"}),
    ("GET", "/search", {"q": "year:2020"}),
    ("GET", "/search", {"q": "(((mice)"}),
    ("GET", "/cite", {"quote": "Alterations of the architecture of cerebral white matter in the developing human brain can affect cortical development"}),
    ("GET", "/cite", {"quote": "alterations of the architecture of cerebral white-matter in the developing human brains can affect cortical development and result in functional disabilities"}),
    ("POST", "/cite", {"quote": "A line scan diffusion-weighted magnetic resonance imaging (MRI) sequence ... was applied to measure the apparent diffusion coefficient", "style": "apa", "limit": 3}),
    ("GET", "/cite", {"quote": "penguins rarely negotiate basing agreements with submarine cooks"}),
    ("GET", "/sources/4983", {}),
    ("GET", "/sources/4983", {"format": "ris"}),
    ("GET", "/sources/4983/passages/1", {}),
    ("GET", "/sources/4983/passages/2", {"style": "ieee"}),
    ("GET", "/sources/4983/cite", {"style": "mla", "paragraph": "1"}),
    ("GET", "/bibtex", {"q": "white matter anisotropy"}),
]


def _imports():
    """The app factory and build entry point, from the namespace or from a checkout before it."""
    try:
        from pinpoint.index.store.build import build_index
        from pinpoint.service.app import create_app
        from pinpoint.service.config import Config
    except ImportError:
        from index.build import build_index
        from service.app import create_app
        from service.config import Config
    return build_index, create_app, Config


def answer_bytes(result) -> str:
    """The answer as text, ``took_ms`` removed from JSON bodies (every other byte kept)."""
    kind = result.headers.get("content-type", "")
    if "json" in kind:
        body = json.loads(result.text)
        if isinstance(body, dict):
            body.pop("took_ms", None)
        return json.dumps(body, ensure_ascii=False)
    return result.text


def record(out: Path, corpora: list[str]) -> int:
    from falcon import testing

    build_index, create_app, Config = _imports()
    plans = {"seeds": ([SEEDS], SEED_REQUESTS), "scifact": ([SCIFACT], SCIFACT_REQUESTS)}
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(out, "w", encoding="utf-8") as sink, tempfile.TemporaryDirectory() as tmp:
        for name in corpora:
            sources, requests = plans[name]
            if not all(Path(s).exists() for s in sources):
                print(f"skipping {name}: {sources[0]} not found", file=sys.stderr)
                continue
            index_dir = Path(tmp) / name
            build_index(sources, index_dir, procs=1)
            client = testing.TestClient(create_app(Config(index_dir=index_dir, reload_seconds=0)))
            for method, path, params in requests:
                if method == "POST":
                    result = client.simulate_post(path, json=params)
                else:
                    result = client.simulate_get(path, params=params)
                line = {"corpus": name, "method": method, "path": path, "params": params,
                        "status": result.status_code, "content_type": result.headers.get("content-type"),
                        "body": answer_bytes(result)}
                sink.write(json.dumps(line, ensure_ascii=False) + "\n")
                count += 1
    print(f"recorded {count} answers in {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    old = before.read_text(encoding="utf-8").splitlines()
    new = after.read_text(encoding="utf-8").splitlines()
    differ = [(a, b) for a, b in zip(old, new) if a != b]
    if len(old) != len(new):
        print(f"{before} has {len(old)} answers, {after} has {len(new)}")
    for a, b in differ:
        request = json.loads(a)
        print(f"DIFFERS: {request['corpus']} {request['method']} {request['path']} {request['params']}")
    same = len(old) == len(new) and not differ
    print(f"{len(old) - len(differ)} of {len(old)} answers byte-identical" + ("" if same else "; see above"))
    return 0 if same else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.golden", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record", help="answer the fixed requests and write them as JSON lines")
    rec.add_argument("out", type=Path)
    rec.add_argument("--corpus", action="append", choices=["seeds", "scifact"],
                     help="only this corpus (repeatable; default both)")
    cmp_ = commands.add_parser("compare", help="exit 1 unless two recordings are byte-identical")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "record":
        return record(args.out, args.corpus or ["seeds", "scifact"])
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
