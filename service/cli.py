"""`pinpoint`: a thin command line over ``index`` and ``service``.

Named exceptions become one line on stderr and a non-zero exit here, at the
edge; nothing below this module prints or exits.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from pinpoint.index.errors import IndexError_
from pinpoint.index.extras import MissingExtra
from pinpoint.index.records import SearchRequest
from pinpoint.service.config import ConfigError, config_from_env

# gunicorn loads its settings from the installed package, not from a checkout,
# so a wheel install serves exactly as a development tree does.
GUNICORN_CONF = "python:pinpoint.service.gunicorn_conf"


class CommandError(Exception):
    """A problem the user can fix; its message is the whole story."""


def _cmd_index(args, config) -> int:
    from pinpoint.index.store.library import plan_sources

    index_dir = Path(args.index or config.index_dir)
    given = [Path(p) for p in args.sources]
    for path in given:
        if not path.exists():
            raise CommandError(f"source path {str(path)!r} does not exist")
    sources = plan_sources(index_dir, given, replace=args.replace, default=config.sources)
    return _build(sources, index_dir, args, config, replace=args.replace)


def _build(sources, index_dir: Path, args, config, *, replace: bool = False) -> int:
    from pinpoint.index.ingest.pdf.limits import PdfLimits
    from pinpoint.index.store.build import build_index

    for path in sources:
        if not path.exists():
            raise CommandError(
                f"library source {str(path)!r} does not exist; restore it, or take it out with "
                f"`pinpoint remove {path} --index {index_dir}`"
            )
    report = build_index(sources, index_dir, progress=not args.quiet, force=args.force, replace=replace,
                         pdf_limits=PdfLimits(config.pdf_time_limit, config.pdf_memory_mb),
                         engine=getattr(args, "engine", None) or config.engine,
                         max_source_bytes=config.max_source_bytes)
    _print_build_report(report)
    return 0


def _cmd_remove(args, config) -> int:
    from pinpoint.index.store.library import LibraryError, read_library, without

    index_dir = Path(args.index or config.index_dir)
    configured = read_library(index_dir)
    if configured is None:
        raise LibraryError(f"{index_dir} has no library file yet; build it with `pinpoint index FOLDER` first")
    return _build(without(configured, Path(args.path)), index_dir, args, config)


def _cmd_versions(args, config) -> int:
    from pinpoint.index.store.versions import version_info

    index_dir = Path(args.index or config.index_dir)
    versions = version_info(index_dir)
    if not versions:
        raise CommandError(f"no index versions at {index_dir}")
    for v in versions:
        mark = "*" if v.current else " "
        built = v.built or "build time not recorded"
        print(f"{mark} {v.name}  {v.sources} sources, {v.passages} passages  {built}")
    return 0


def _cmd_rollback(args, config) -> int:
    from pinpoint.index.store.versions import rollback

    index_dir = Path(args.index or config.index_dir)
    version = rollback(index_dir, args.version)
    print(f"now serving version {version}; running servers switch within their reload interval")
    return 0


def _print_build_report(report) -> None:
    if report.unchanged:
        print(f"index {report.version} is up to date: {report.sources} sources, {report.passages} passages")
    else:
        print(
            f"built index {report.version}: {report.sources} sources, {report.passages} passages "
            f"({report.rebuilt_sources} indexed, {report.reused_sources} unchanged) in {report.seconds:.1f}s"
        )
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}")


def _open_searcher(args, config):
    """A searcher over the served version of the chosen engine (--engine, PINPOINT_ENGINE).

    OpenSearch serves what the cluster's aliases name, so no index directory is needed.
    """
    engine = getattr(args, "engine", None) or config.engine
    if engine == "opensearch":
        _require_opensearch_client()
        from pinpoint.index.search.opensearch.searcher import OpenSearchSearcher
        from pinpoint.service.app import cluster_store

        return OpenSearchSearcher(cluster_store(config))
    from pinpoint.index.store.versions import open_searcher

    return open_searcher(Path(args.index or config.index_dir), engine)


def _require_opensearch_client() -> None:
    import importlib.util

    if importlib.util.find_spec("opensearchpy") is None:
        raise CommandError("the OpenSearch engine needs its client: pip install 'pinpoint[opensearch]'")


def _cmd_publish(args, config) -> int:
    _require_opensearch_client()
    from pinpoint.index.search.opensearch.sync import publish_library
    from pinpoint.index.store.versions import open_searcher
    from pinpoint.service.app import cluster_store

    store = cluster_store(config)
    if args.rollback:
        version = store.rollback(None if args.rollback == "previous" else args.rollback)
        print(f"the cluster serves version {version} again")
        return 0
    local = open_searcher(Path(args.index or config.index_dir))
    try:
        report = publish_library(local, store)
    finally:
        local.close()
    if report.unchanged:
        print(f"cluster version {report.version} is up to date: {report.sources} sources, {report.passages} passages")
    else:
        print(f"published cluster version {report.version}: {report.sources} sources, {report.passages} passages "
              f"({report.rebuilt_sources} sent, {report.reused_sources} unchanged, {report.removed_sources} removed) "
              f"in {report.seconds:.1f}s")
    return 0


def _cmd_serve(args, config) -> int:
    index_dir = Path(args.index or config.index_dir)
    engine = args.engine or config.engine
    _open_searcher(args, config).close()  # fail here, in one line, rather than in every worker
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise CommandError("gunicorn is not installed in this environment")
    env = dict(os.environ)
    env.update(
        PINPOINT_INDEX=str(index_dir.resolve()),
        PINPOINT_ENGINE=engine,
        PINPOINT_HOST=args.host or config.host,
        PINPOINT_PORT=str(args.port or config.port),
        PINPOINT_WORKERS=str(args.workers or config.workers),
    )
    os.execve(gunicorn, [gunicorn, "--config", GUNICORN_CONF], env)
    return 0  # not reached


def _cmd_search(args, config) -> int:
    from pinpoint.service.representations import search_json

    started = time.perf_counter()
    searcher = _open_searcher(args, config)
    try:
        # As GET /search answers by default: no facets, totals exact up to a threshold.
        request = SearchRequest(q=args.query, limit=args.limit, facets=False)
        result = searcher.search(request)
        style = args.style or config.default_style
        body = search_json(result, request, style, (time.perf_counter() - started) * 1000)
    finally:
        searcher.close()
    if args.json:
        json.dump(body, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if result.corrected_query:
        print(f"did you mean: {result.corrected_query}")
    print(f"{result.total} passages match {result.query!r}")
    for hit in body["hits"]:
        title = hit["source"]["title"] or "[no title stated]"  # an index built before titles were always set
        print(f"\n{hit['rank']}. {title} [{hit['passage_id']}] score {hit['score']}")
        print(f"   {hit['excerpt']}")
        if hit["missing"]:
            print(f"   missing: {', '.join(hit['missing'])}")
        print(f"   {hit['citation']['in_text']}")
    return 0


def _cmd_export(args, config) -> int:
    from pinpoint.service.exports import export_format, render, sources_behind

    fmt = export_format(args.format)
    searcher = _open_searcher(args, config)
    try:
        sources = searcher.sources()
        if args.query:
            sources = sources_behind(searcher, SearchRequest(q=args.query))
        text = render(fmt, sources, searcher)
    finally:
        searcher.close()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    from pinpoint.index.search.engine import ENGINES

    parser = argparse.ArgumentParser(prog="pinpoint", description="Search sources and cite passages.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    engine = argparse.ArgumentParser(add_help=False)
    engine.add_argument("--engine", choices=sorted(ENGINES), help="search engine (default: PINPOINT_ENGINE or whoosh)")

    p = sub.add_parser("index", parents=[engine], help="index source folders or files into a new index version")
    p.add_argument("sources", nargs="*", help="folders or files (default: PINPOINT_SOURCES or seeds/)")
    p.add_argument("--index", help="index directory (default: PINPOINT_INDEX or var/index)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--replace", action="store_true",
                   help="make the named folders the whole library instead of adding them to it")
    p.add_argument("--force", action="store_true",
                   help="publish even a build with 0 sources or under half the served passages")
    p.set_defaults(run=_cmd_index)

    p = sub.add_parser("remove", help="take a folder or file out of the library and rebuild")
    p.add_argument("path", help="a source path as listed in the library")
    p.add_argument("--index", help="index directory (default: PINPOINT_INDEX or var/index)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true",
                   help="publish even a build with 0 sources or under half the served passages")
    p.set_defaults(run=_cmd_remove)

    p = sub.add_parser("versions", help="list the kept index versions (* marks the served one)")
    p.add_argument("--index", help="index directory (default: PINPOINT_INDEX or var/index)")
    p.set_defaults(run=_cmd_versions)

    p = sub.add_parser("rollback", help="serve an earlier index version again")
    p.add_argument("version", nargs="?", help="version to serve (default: the one before the served one)")
    p.add_argument("--index", help="index directory (default: PINPOINT_INDEX or var/index)")
    p.set_defaults(run=_cmd_rollback)

    p = sub.add_parser("serve", parents=[engine], help="serve the HTTP API with gunicorn")
    p.add_argument("--index", help="index directory (default: PINPOINT_INDEX or var/index)")
    p.add_argument("--host", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8000)")
    p.add_argument("--workers", type=int, help="worker processes (default: cores)")
    p.set_defaults(run=_cmd_serve)

    p = sub.add_parser("search", parents=[engine], help="search the index from the command line")
    p.add_argument("query")
    p.add_argument("--index", help="index directory (default: PINPOINT_INDEX or var/index)")
    p.add_argument("--limit", type=_positive_int, default=10)
    p.add_argument("--style", help="citation style (default apa)")
    p.add_argument("--json", action="store_true", help="print the same JSON as GET /search")
    p.set_defaults(run=_cmd_search)

    p = sub.add_parser("export", parents=[engine], help="write the library's (or a search's) sources as BibTeX, CSL-JSON or RIS")
    p.add_argument("--format", default="bibtex", choices=["bibtex", "csl-json", "ris"])
    p.add_argument("--query", help="only the sources behind this search")
    p.add_argument("--index", help="index directory (default: PINPOINT_INDEX or var/index)")
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.set_defaults(run=_cmd_export)

    p = sub.add_parser("publish", help="publish the index's served version to the OpenSearch cluster (PINPOINT_OPENSEARCH_URL)")
    p.add_argument("--index", help="index directory to publish (default: PINPOINT_INDEX or var/index)")
    p.add_argument("--rollback", nargs="?", const="previous", metavar="VERSION",
                   help="serve a kept cluster version again instead (default: the one before the current)")
    p.set_defaults(run=_cmd_publish)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_env()
        return args.run(args, config)
    except (CommandError, ConfigError, IndexError_, MissingExtra, OSError, ValueError) as problem:
        print(f"pinpoint: error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pinpoint: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
