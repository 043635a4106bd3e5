"""Configuration: the environment is read here, once, and passed in as a Config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pinpoint.index.search.engine import DEFAULT_ENGINE, ENGINES


class ConfigError(ValueError):
    """A setting in the environment cannot be used; the message names it."""


@dataclass(frozen=True)
class Config:
    index_dir: Path = Path("var/index")
    # "whoosh" serves index_dir; "opensearch" serves the cluster the PINPOINT_OPENSEARCH_* settings name.
    engine: str = DEFAULT_ENGINE
    sources: tuple[Path, ...] = (Path("seeds"),)
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=lambda: default_workers())
    # Per gunicorn worker; see service/gunicorn_worker.py for why threads.
    threads: int = 32
    client_timeout: float = 10.0
    default_style: str = "apa"
    # Limits that keep one request from tying up a worker; see README "Settings".
    max_query_chars: int = 1000
    max_limit: int = 100
    max_offset: int = 10_000
    max_quote_chars: int = 20_000
    # One JSONL line (one source) read at most; a longer one is skipped with a reason.
    max_source_bytes: int = 64 * 1024 * 1024
    # A search answers with what it found within this many seconds (then marked partial).
    search_seconds: float = 2.0
    # Search results each worker keeps per index version (0: none); see service/result_cache.py.
    # 500: a search over the posting columns takes ~2 ms, and each kept answer ~35 KB of the
    # worker's memory (2,000 of them pushed a worker past 300 MB on the full corpus).
    result_cache: int = 500
    # How often a worker checks for a newly built index version.
    reload_seconds: float = 1.0
    # What reading one PDF may cost before `pinpoint index` skips it.
    pdf_time_limit: float = 120.0
    pdf_memory_mb: int = 1024
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    log_format: str = "json"
    # Set (by gunicorn's master, see deploy/gunicorn.conf.py) when several
    # worker processes share their metrics through files there.
    metrics_dir: Path | None = None
    # Off unless set; kept out of repr so it never reaches a log line.
    admin_token: str | None = field(default=None, repr=False)
    # A background re-index (POST /admin/reindex) that runs longer is stopped and reported failed.
    reindex_seconds: float = 3600.0
    # The PINPOINT_OPENSEARCH_* variables as set (the engine parses them); out of repr: a password.
    opensearch: dict[str, str] = field(default_factory=dict, repr=False)


# Every setting, its variable and its meaning; README "Settings" must list each
# (a test keeps the two in step).
SETTINGS: dict[str, str] = {
    "PINPOINT_INDEX": "index directory (default var/index)",
    "PINPOINT_ENGINE": "search engine that builds and serves the index: `whoosh` (embedded, the default) or `opensearch` (a cluster, see deploy/README.md)",
    "PINPOINT_OPENSEARCH_URL": "OpenSearch node URLs, comma-separated, for PINPOINT_ENGINE=opensearch (default http://127.0.0.1:9200)",
    "PINPOINT_OPENSEARCH_INDEX": "prefix of the library's index and alias names in the cluster (default pinpoint)",
    "PINPOINT_OPENSEARCH_USER": "user name for HTTP basic authentication to the cluster (default: none)",
    "PINPOINT_OPENSEARCH_PASSWORD": "password for PINPOINT_OPENSEARCH_USER",
    "PINPOINT_OPENSEARCH_CA_CERTS": "CA bundle that signed the cluster's TLS certificates (default: the system's)",
    "PINPOINT_OPENSEARCH_VERIFY_CERTS": "`false` to skip TLS certificate checks (default true)",
    "PINPOINT_OPENSEARCH_TIMEOUT": "seconds one request to the cluster may take (default 10)",
    "PINPOINT_OPENSEARCH_RETRIES": "retries of a request on another node after a connection failure (default 2)",
    "PINPOINT_OPENSEARCH_SHARDS": "primary shards of each new index version (default 1)",
    "PINPOINT_OPENSEARCH_REPLICAS": "replicas of each shard (default 1)",
    "PINPOINT_SOURCES": "source folders or files for `pinpoint index`, separated by ':' (default seeds)",
    "PINPOINT_HOST": "address `pinpoint serve` binds (default 127.0.0.1)",
    "PINPOINT_PORT": "port `pinpoint serve` binds (default 8000)",
    "PINPOINT_WORKERS": "gunicorn worker processes (default: number of cores)",
    "PINPOINT_THREADS": "threads per gunicorn worker, for slow clients and cheap routes while a search runs (default 32)",
    "PINPOINT_CLIENT_TIMEOUT": "seconds a client has to send a whole request, head and body; later gets 408 (default 10)",
    "PINPOINT_DEFAULT_STYLE": "citation style when a request names none (default apa)",
    "PINPOINT_MAX_QUERY_CHARS": "longest accepted query, in characters (default 1000)",
    "PINPOINT_MAX_LIMIT": "largest accepted `limit` (default 100)",
    "PINPOINT_MAX_OFFSET": "how deep results may be paged: the largest accepted `offset` + `limit` (default 10000)",
    "PINPOINT_MAX_QUOTE_CHARS": "longest quote accepted by /cite (default 20000)",
    "PINPOINT_MAX_SOURCE_BYTES": "longest JSONL line (one source) `pinpoint index` reads, in bytes; longer lines are skipped with a reason (default 67108864, 64 MiB)",
    "PINPOINT_RESULT_CACHE": "search results each worker keeps for the current index version, for repeated searches; 0 turns the cache off (default 500)",
    "PINPOINT_SEARCH_SECONDS": "time a search may spend finding matches; past it the answer holds what was found and says `partial: true` (default 2)",
    "PINPOINT_RELOAD_SECONDS": "how often a worker looks for a new index version (default 1)",
    "PINPOINT_CORS_ORIGINS": "comma-separated origins allowed by CORS (default: none, CORS off)",
    "PINPOINT_LOG_FORMAT": "`json` (one object per line, default) or `text` log lines",
    "PROMETHEUS_MULTIPROC_DIR": "directory where gunicorn workers share /metrics samples (default: a fresh one in /dev/shm, made and removed by the gunicorn master)",
    "PINPOINT_PDF_TIME_LIMIT": "seconds `pinpoint index` may spend reading one PDF before skipping it (default 120)",
    "PINPOINT_PDF_MEMORY_MB": "memory, in MB, reading one PDF may take before it is skipped (default 1024)",
    "PINPOINT_REINDEX_SECONDS": "time limit of a re-index started by POST /admin/reindex; past it the build is stopped and reported failed (default 3600)",
    "PINPOINT_ADMIN_TOKEN": "bearer token that turns on GET/POST /admin/reindex (default: unset, endpoint off)",
}


def default_workers() -> int:
    """gunicorn workers when PINPOINT_WORKERS is unset: one per core."""
    return os.cpu_count() or 1


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if not value >= 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _positive_float(environ: Mapping[str, str], name: str, default: float) -> float:
    value = _float(environ, name, default)
    if value == 0:
        raise ConfigError(f"{name} must be more than 0")
    return value


# Read here, handed to the OpenSearch engine's ClusterSettings as they are.
OPENSEARCH_VARIABLES = (
    "PINPOINT_OPENSEARCH_URL", "PINPOINT_OPENSEARCH_INDEX", "PINPOINT_OPENSEARCH_USER",
    "PINPOINT_OPENSEARCH_PASSWORD", "PINPOINT_OPENSEARCH_CA_CERTS", "PINPOINT_OPENSEARCH_VERIFY_CERTS",
    "PINPOINT_OPENSEARCH_TIMEOUT", "PINPOINT_OPENSEARCH_RETRIES", "PINPOINT_OPENSEARCH_SHARDS",
    "PINPOINT_OPENSEARCH_REPLICAS",
)


def config_from_env(environ: Mapping[str, str] | None = None) -> Config:
    env = os.environ if environ is None else environ
    sources = tuple(Path(p) for p in env.get("PINPOINT_SOURCES", "seeds").split(":") if p)
    origins = tuple(o.strip() for o in env.get("PINPOINT_CORS_ORIGINS", "").split(",") if o.strip())
    log_format = env.get("PINPOINT_LOG_FORMAT") or "json"
    if log_format not in ("json", "text"):
        raise ConfigError(f"PINPOINT_LOG_FORMAT must be json or text, not {log_format!r}")
    metrics_dir = env.get("PROMETHEUS_MULTIPROC_DIR")
    engine = env.get("PINPOINT_ENGINE") or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise ConfigError(f"PINPOINT_ENGINE must be one of {', '.join(sorted(ENGINES))}, not {engine!r}")
    return Config(
        index_dir=Path(env.get("PINPOINT_INDEX") or "var/index"),
        engine=engine,
        sources=sources or (Path("seeds"),),
        host=env.get("PINPOINT_HOST") or "127.0.0.1",
        port=_int(env, "PINPOINT_PORT", 8000, minimum=1),
        workers=_int(env, "PINPOINT_WORKERS", default_workers(), minimum=1),
        threads=_int(env, "PINPOINT_THREADS", 32, minimum=1),
        client_timeout=_positive_float(env, "PINPOINT_CLIENT_TIMEOUT", 10.0),
        default_style=env.get("PINPOINT_DEFAULT_STYLE") or "apa",
        max_query_chars=_int(env, "PINPOINT_MAX_QUERY_CHARS", 1000, minimum=1),
        max_limit=_int(env, "PINPOINT_MAX_LIMIT", 100, minimum=1),
        max_offset=_int(env, "PINPOINT_MAX_OFFSET", 10_000),
        max_quote_chars=_int(env, "PINPOINT_MAX_QUOTE_CHARS", 20_000, minimum=1),
        max_source_bytes=_int(env, "PINPOINT_MAX_SOURCE_BYTES", 64 * 1024 * 1024, minimum=1),
        search_seconds=_positive_float(env, "PINPOINT_SEARCH_SECONDS", 2.0),
        result_cache=_int(env, "PINPOINT_RESULT_CACHE", 500),
        reload_seconds=_float(env, "PINPOINT_RELOAD_SECONDS", 1.0),
        pdf_time_limit=_float(env, "PINPOINT_PDF_TIME_LIMIT", 120.0),
        pdf_memory_mb=_int(env, "PINPOINT_PDF_MEMORY_MB", 1024, minimum=64),
        cors_origins=origins,
        # Blank means unset: a token of spaces would accept an empty bearer token.
        admin_token=(env.get("PINPOINT_ADMIN_TOKEN") or "").strip() or None,
        reindex_seconds=_positive_float(env, "PINPOINT_REINDEX_SECONDS", 3600.0),
        log_format=log_format,
        metrics_dir=Path(metrics_dir) if metrics_dir else None,
        opensearch={name: env[name] for name in OPENSEARCH_VARIABLES if env.get(name)},
    )
