"""Issue 16's attacks, reproduced and measured: `python -m tests.benchmarks.attacks [--only ...]`.

Each case runs the reproduction from the issue's table against real processes
(`pinpoint serve`, the shipped nginx config, `pinpoint index`) and reports the
figures the table asks for.  Also part of `make bench` (section ``attacks``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ row 1: slow clients


def _slow_header_client(port: int, stop: threading.Event, interval: float, outcome: list) -> None:
    """Send a request head one header line every ``interval`` seconds, reconnecting when cut off."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
                sock.sendall(b"GET /search?q=alliance HTTP/1.1\r\nHost: localhost\r\n")
                line = 0
                while not stop.wait(interval):
                    sock.sendall(f"X-Slow-{line}: {'a' * 20}\r\n".encode())
                    line += 1
        except OSError as err:
            outcome.append(type(err).__name__)
            stop.wait(0.2)


def _slow_body_client(port: int, stop: threading.Event, interval: float, outcome: list) -> None:
    """POST /cite announcing a body, then send it one byte every ``interval`` seconds."""
    body = json.dumps({"quote": "the alliance " * 20}).encode()
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
                sock.sendall(
                    b"POST /cite HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                )
                for i in range(len(body)):
                    if stop.wait(interval):
                        break
                    sock.sendall(body[i : i + 1])
        except OSError as err:
            outcome.append(type(err).__name__)
            stop.wait(0.2)


def probe_under_slow_clients(port: int, connections: int, seconds: float, interval: float = 2.0) -> dict:
    """Hold ``connections`` slow clients (half trickling heads, half bodies) and time /health meanwhile."""
    stop = threading.Event()
    outcome: list[str] = []
    threads = []
    for i in range(connections):
        target = _slow_header_client if i % 2 == 0 else _slow_body_client
        thread = threading.Thread(target=target, args=(port, stop, interval, outcome), daemon=True)
        thread.start()
        threads.append(thread)
    time.sleep(1.0)  # every slow client has connected and sent its first bytes
    latencies, failures = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as resp:
                resp.read()
                ok = resp.status == 200
        except OSError:
            ok = False
        elapsed = time.monotonic() - started
        if ok:
            latencies.append(elapsed)
        else:
            failures += 1
        time.sleep(max(0.0, 0.25 - elapsed))
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
    return {
        "slow_connections": connections,
        "probes": len(latencies) + failures,
        "failed_probes": failures,
        "health_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "health_max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "slow_clients_cut_off": len(outcome),
    }


def _seeds_index(work: Path) -> Path:
    from pinpoint.index.store.build import build_index

    index_dir = work / "seeds-index"
    if not index_dir.exists():
        build_index([ROOT / "seeds"], index_dir)
    return index_dir


def slow_clients(work: Path, workers: int = 2, seconds: float = 20.0) -> dict:
    """Row 1: 4 x workers slow clients against `pinpoint serve` alone, then behind the shipped nginx."""
    from tests.prerequisites import _SEARCH_PATH
    from tests.servers import nginx_prefix, pinpoint_server

    index_dir = _seeds_index(work)
    figures: dict = {"workers": workers, "seconds": seconds}
    with pinpoint_server(index_dir, workers=workers) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        figures["direct"] = probe_under_slow_clients(port, 4 * workers, seconds)
        nginx = shutil.which("nginx", path=_SEARCH_PATH)
        if nginx is None:
            figures["nginx"] = "skipped: nginx is not installed (apt-get install nginx)"
            return figures
        from tests.conftest import free_port

        listen = free_port()
        prefix = nginx_prefix([port], listen)
        proxy = subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(prefix / "conf" / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", listen), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            figures["nginx"] = probe_under_slow_clients(listen, 4 * workers, seconds)
        finally:
            proxy.terminate()
            proxy.wait(timeout=10)
            shutil.rmtree(prefix, ignore_errors=True)
    return figures


# ------------------------------------------------------------------ row 4: indexing linear in its input


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return round(time.perf_counter() - started, 2)


_MEASURED_CLI = (
    "import resource, runpy, sys\n"
    "sys.argv = ['pinpoint', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('pinpoint.service.cli', run_name='__main__')\n"
    "finally:\n"
    "    print(f'peak_rss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\n"
)


def _pinpoint_index(folder: Path, index_dir: Path, env: dict | None = None) -> dict:
    """`pinpoint index` in a child process: its wall time, its own peak RSS and its last line."""
    import os
    import re

    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURED_CLI, "index", str(folder), "--index", str(index_dir), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})})
    seconds = round(time.perf_counter() - started, 2)
    peak = re.search(r"peak_rss_kb=(\d+)", done.stderr)
    return {"seconds": seconds, "exit": done.returncode, "peak_rss_mb": round(int(peak.group(1)) / 1024) if peak else None,
            "said": (done.stdout.strip().splitlines() or [""])[-1][:160]}


def reindex_unchanged(work: Path, sizes=(5_000, 10_000, 20_000)) -> dict:
    """Re-index N unchanged files: should cost about what hashing them costs."""
    from pinpoint.index.store.build import build_index, file_hash, pipeline_fingerprint

    figures = {}
    for count in sizes:
        folder = work / f"many-{count}"
        for n in range(count):
            sub = folder / f"d{n // 1000:03d}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"note-{n:06d}.txt").write_text(f"Note {n}\n\nThe alliance note number {n} says little.\n")
        index_dir = work / f"many-{count}-index"
        first = _timed(lambda: build_index([folder], index_dir))
        again = _timed(lambda: build_index([folder], index_dir))
        fingerprint = pipeline_fingerprint()
        hashing = _timed(lambda: [file_hash(p, None, fingerprint) for p in folder.rglob("*.txt")])
        figures[str(count)] = {"first_build_s": first, "unchanged_reindex_s": again, "hashing_alone_s": hashing}
        shutil.rmtree(folder)
        shutil.rmtree(index_dir)
    return figures


def long_paragraph(work: Path, sizes_mb=(4, 8, 16)) -> dict:
    """Clean and chunk one paragraph of N MB (sentence-split into passages)."""
    from pinpoint.index.ingest import chunk, clean
    from pinpoint.index.records import RawSource

    figures = {}
    sentence = "The alliance held firm. Critics said otherwise, and loudly! "
    for mb in sizes_mb:
        raw = RawSource(id="long", path="long.txt", fmt="txt", text="Title\n\n" + sentence * (mb * 2**20 // len(sentence)))
        doc = clean.clean(raw)
        figures[f"{mb}MB_chunk_s"] = _timed(lambda: chunk.chunk("long", doc))
    return figures


def hostile_files(work: Path) -> dict:
    """A 64 KB markdown of unclosed emphasis, symlink loops, one 300 MB JSONL line in a small .gz."""
    import gzip

    figures = {}
    md = work / "md"
    md.mkdir()
    (md / "stars.md").write_text("**a " * 16000, encoding="utf-8")
    figures["markdown_64KB_unclosed_emphasis"] = _pinpoint_index(md, work / "md-index")

    loops = work / "loops"
    (loops / "sub").mkdir(parents=True)
    (loops / "sub" / "note.txt").write_text("Notes\n\nThe alliance paragraph.\n", encoding="utf-8")
    (loops / "a").symlink_to(".", target_is_directory=True)
    (loops / "b").symlink_to(".", target_is_directory=True)
    figures["two_symlinks_to_dot"] = _pinpoint_index(loops, work / "loops-index")

    packed = work / "packed"
    packed.mkdir()
    with gzip.open(packed / "one-line.jsonl.gz", "wb", compresslevel=9) as f:
        f.write(b'{"id": "huge", "title": "Huge", "text": "')
        block = b"a" * (1 << 20)
        for _ in range(300):
            f.write(block)
        f.write(b'"}\n{"id": "small", "title": "Small", "text": "The alliance paragraph, small and whole."}\n')
    figures["jsonl_gz_size_kb"] = round((packed / "one-line.jsonl.gz").stat().st_size / 1024)
    figures["one_300MB_jsonl_line"] = _pinpoint_index(packed, work / "packed-index")
    return figures


def big_bib(work: Path, entries: int = 10_000) -> dict:
    """A folder whose sources.bib holds 10k entries: the first build parses it, later ones must not."""
    folder = work / "bib"
    folder.mkdir()
    (folder / "note.txt").write_text("Notes\n\nThe alliance paragraph.\n", encoding="utf-8")
    (folder / "sources.bib").write_text("".join(
        f"@article{{key{n},\n  author = {{Author{n}, Ann and Other, Bob}},\n  title = {{Title number {n} on alliances}},\n"
        f"  journal = {{Journal}},\n  year = {{{1900 + n % 120}}},\n  file = {{:file{n}.txt:text/plain}},\n}}\n"
        for n in range(entries)), encoding="utf-8")
    first = _pinpoint_index(folder, work / "bib-index")
    again = _pinpoint_index(folder, work / "bib-index")
    return {"entries": entries, "first_build": first, "no_op_build": again}


# ------------------------------------------------------------------ rows 2, 3, 10, 11: query and citation cost


def _client(index_dir: Path, **settings):
    from falcon import testing

    from pinpoint.service.app import create_app
    from pinpoint.service.config import Config

    return testing.TestClient(create_app(Config(index_dir=index_dir, reload_seconds=0, **settings)))


def _request(client, method: str, path: str, **kwargs) -> dict:
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    resp = client.simulate_request(method, path, **kwargs)
    ms = round((time.perf_counter() - started) * 1000, 1)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    body = resp.json if resp.headers.get("content-type", "").endswith("json") else None
    figures = {"status": resp.status_code, "ms": ms, "peak_rss_growth_mb": round(grown / 1024)}
    if isinstance(body, dict):
        for key in ("total", "partial", "found", "detail"):
            if key in body:
                figures[key] = body[key] if key != "detail" else str(body[key])[:100]
    return figures


def big_source(work: Path, megabytes: int = 8) -> dict:
    """One source of N MB (rows 2, 3, 10, 11): hostile queries, a paragraph's citation, a 20k-character quote."""
    from pinpoint.index.store.build import build_index

    folder = work / "big-source"
    folder.mkdir()
    words = ("alliance treaty harbour garrison island accord basing ferry okinawa japan security relocation "
             "futenma marine runway governor protest").split()
    paragraphs, size, n = [], 0, 0
    while size < megabytes * 2**20:
        body = " ".join(words[(n * 7 + i * 3) % len(words)] for i in range(45))
        paragraph = f"Paragraph {n} says the {body}."
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
        n += 1
    (folder / "big.txt").write_text("A very long record\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    index_dir = work / "big-source-index"
    build_seconds = _timed(lambda: build_index([folder], index_dir))
    client = _client(index_dir)
    source_id = client.simulate_get("/sources").json["sources"][0]["id"]
    passages = client.simulate_get("/sources").json["sources"][0]["passage_count"]
    quote = " ".join(paragraphs[len(paragraphs) // 2: len(paragraphs) // 2 + 60])[:20000]
    misspelled = " ".join(w[:-1] + "q" + w[-1] for w in (words * 4)[:60])
    figures: dict = {"megabytes": megabytes, "passages": passages, "build_s": build_seconds}
    for name, q in [("range_a_to_z", "[a TO z]"), ("text_range_0_9", "text:[0 TO 9]"),
                    ("internal_number_range", "text:number:[0 TO 100000]"), ("internal_paragraph", "text:paragraph:1"),
                    ("five_word_or", "okinawa OR alliance OR japan OR security OR treaty"),
                    ("sixty_misspelled_words", misspelled)]:
        figures[name] = _request(client, "GET", "/search", params={"q": q})
    figures["cite_paragraph_in_the_middle"] = _request(
        client, "GET", f"/sources/{source_id}/cite", params={"paragraph": str(len(paragraphs) // 2)})
    figures["post_cite_20k_chars"] = _request(client, "POST", "/cite", json={"quote": quote})
    return figures


# ------------------------------------------------------------------ rows 5-7, 12, 13: citations and exports


def many_sources(work: Path, count: int = 10_050) -> dict:
    """10,050 sources: /bibtex?q= past the 10,000 window; a CSL-styled page of 100 hits cold and warm; NUL in metadata."""
    from pinpoint.index.store.build import build_index

    folder = work / "many-sources"
    folder.mkdir()
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as out:
        for n in range(count):
            title = f"Okinawa alliance record {n}" + ("\u0000 with a NUL" if n == 7 else "")
            if n == 8:
                title = "<script>alert('x')</script> Okinawa"
            out.write(json.dumps({"id": f"rec{n}", "title": title, "author": f"Author{n}, Ann", "issued": str(1950 + n % 70),
                                  "text": f"The okinawa alliance record number {n} is short."}) + "\n")
    index_dir = work / "many-sources-index"
    figures: dict = {"sources": count, "build_s": _timed(lambda: build_index([folder], index_dir))}
    client = _client(index_dir)
    started = time.perf_counter()
    export = client.simulate_get("/bibtex", params={"q": "okinawa"})
    figures["bibtex_q_past_window"] = {"status": export.status_code, "entries": export.text.count("\n@") + export.text.startswith("@"),
                                       "ms": round((time.perf_counter() - started) * 1000),
                                       "control_chars": sum(ch in export.text for ch in "\x00\x1b")}
    page = {"q": "okinawa OR alliance OR record", "limit": "100", "style": "chicago-notes-bibliography-subsequent-author"}
    figures["csl_page_cold"] = _request(client, "GET", "/", params=page)
    figures["csl_page_warm"] = _request(client, "GET", "/", params=page)
    cited = client.simulate_get("/sources/rec8/cite", params={"style": "nature"}).json["citation"]["reference_html"]
    figures["nature_reference_html_has_script_tag"] = "<script" in cited
    failing = client.simulate_get("/sources/rec1/cite", params={"style": "ancilla-iuris"})
    figures["failing_style"] = {"status": failing.status_code, "style_used": failing.json["citation"]["style"]}
    return figures


def slow_clients_baselines(work: Path, workers: int = 2, seconds: float = 20.0) -> dict:
    """Row 1's attack against the worker models not chosen: gunicorn's sync, and its stock gthread."""
    import os

    from tests.servers import pinpoint_server

    index_dir = _seeds_index(work)
    figures: dict = {"workers": workers, "seconds": seconds}
    for name, args in (("sync", "--worker-class sync --threads 1"), ("stock_gthread_32_threads", "--worker-class gthread --threads 32")):
        # GUNICORN_CMD_ARGS is read after the config file, so it overrides the worker class
        # (and --threads 1: with more threads gunicorn runs gthread whatever the class).
        env = {"GUNICORN_CMD_ARGS": f"{os.environ.get('GUNICORN_CMD_ARGS', '')} {args}".strip()}
        with pinpoint_server(index_dir, workers=workers, env=env) as (base, _):
            figures[name] = probe_under_slow_clients(int(base.rsplit(":", 1)[1]), 4 * workers, seconds)
    return figures


CASES = {"slow_clients": slow_clients, "slow_clients_baselines": slow_clients_baselines, "reindex_unchanged": reindex_unchanged, "long_paragraph": long_paragraph,
         "hostile_files": hostile_files, "big_bib": big_bib, "big_source": big_source, "many_sources": many_sources}


def run(work: Path, only: list[str] | None = None) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    results = {}
    for name, case in CASES.items():
        if only and name not in only:
            continue
        started = time.monotonic()
        results[name] = case(work)
        results[name]["case_seconds"] = round(time.monotonic() - started, 1)
        print(f"{name}: {json.dumps(results[name])}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.attacks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(CASES)}")
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",")] if args.only else None
    unknown = sorted(set(only or []) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}: choose from {', '.join(CASES)}")
    with tempfile.TemporaryDirectory(prefix="pinpoint-attacks-") as tmp:
        run(Path(tmp), only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
