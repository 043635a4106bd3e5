"""create_app(config) wires Pinpoint's routes; nothing here reads the environment."""

from __future__ import annotations

import falcon

from pinpoint.index.store.versions import LiveIndex
from pinpoint.service import errors
from pinpoint.service.config import Config
from pinpoint.service.logging_setup import RequestLogContext
from pinpoint.service.metrics import RequestMetrics
from pinpoint.service.middleware import BodyLimit, RequestId, SecurityHeaders
from pinpoint.service.resources.health import HealthResource, ReadyResource
from pinpoint.service.resources.metrics import MetricsResource
from pinpoint.service.resources.openapi import OpenApiResource
from pinpoint.service.resources.page import STATIC_DIR, PageResource, PassagePageResource
from pinpoint.service.resources.search import SearchResource
from pinpoint.service.resources.admin import ReindexResource
from pinpoint.service.resources.cite import CiteResource
from pinpoint.service.resources.export import BibtexResource, SourceCiteResource, SourceResource
from pinpoint.service.resources.sources import PassageResource, SourcesResource


def create_app(config: Config, index=None) -> falcon.App:
    """Build the WSGI app.  ``index`` (anything with ``.searcher()``) defaults to
    the live, self-reloading index at ``config.index_dir``; it is opened lazily
    so gunicorn workers each open their own after fork."""
    index = index if index is not None else LiveIndex(config.index_dir, reload_seconds=config.reload_seconds)
    middleware = [
        RequestId(),
        RequestLogContext(),
        RequestMetrics(static_prefixes=("/static",)),
        SecurityHeaders(),
        BodyLimit(max_bytes=4 * config.max_quote_chars + 4096),
    ]
    if config.cors_origins:
        middleware.append(falcon.CORSMiddleware(allow_origins=list(config.cors_origins)))
    app = falcon.App(middleware=middleware)
    app.req_options.strip_url_path_trailing_slash = True
    errors.install(app)

    app.add_route("/", PageResource(index, config))
    app.add_route("/passages/{source_id}/{number}", PassagePageResource(index, config))
    app.add_static_route("/static", str(STATIC_DIR))
    app.add_route("/search", SearchResource(index, config))
    app.add_route("/sources", SourcesResource(index))
    app.add_route("/sources/{source_id}", SourceResource(index, config))
    app.add_route("/sources/{source_id}/cite", SourceCiteResource(index, config))
    app.add_route("/sources/{source_id}/passages/{number}", PassageResource(index, config))
    app.add_route("/cite", CiteResource(index, config))
    app.add_route("/bibtex", BibtexResource(index, config))
    app.add_route("/health", HealthResource())
    app.add_route("/ready", ReadyResource(index))
    app.add_route("/metrics", MetricsResource(index, config.metrics_dir))
    app.add_route("/openapi.json", OpenApiResource(app, config))
    if config.admin_token:
        app.add_route("/admin/reindex", ReindexResource(config.index_dir, config.sources, config.admin_token))
    return app
