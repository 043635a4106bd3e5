"""create_app(config) wires Pinpoint's routes; nothing here reads the environment."""

from __future__ import annotations

import falcon

from pinpoint.index.store.versions import LiveIndex
from pinpoint.service import errors
from pinpoint.service.config import Config
from pinpoint.service.logging_setup import RequestLogContext
from pinpoint.service.metrics import RequestMetrics
from pinpoint.service.resources.health import HealthResource, ReadyResource
from pinpoint.service.resources.metrics import MetricsResource
from pinpoint.service.resources.openapi import OpenApiResource
from pinpoint.service.resources.page import STATIC_DIR, PageResource, PassagePageResource
from pinpoint.service.resources.search import SearchResource
from pinpoint.service.resources.admin import ReindexResource
from pinpoint.service.resources.cite import CiteResource
from pinpoint.service.resources.export import BibtexResource, SourceCiteResource, SourceResource
from pinpoint.service.resources.sources import PassageResource, SourcesResource
from pinpoint.service.middleware import BodyLimit, RequestId, SecurityHeaders, StaticMethods


def cluster_store(config: Config):
    """The OpenSearch library the PINPOINT_OPENSEARCH_* settings name (no connection is made yet)."""
    from pinpoint.index.search.opensearch.client import ClusterSettings
    from pinpoint.index.search.opensearch.store import ClusterStore

    settings = ClusterSettings.from_env(config.opensearch)
    return ClusterStore(settings.connect(), settings)


def live_index(config: Config):
    """The self-reloading index of the configured engine; nothing is opened until a worker asks."""
    if config.engine == "opensearch":
        from pinpoint.index.search.opensearch.searcher import ClusterLiveIndex

        return ClusterLiveIndex(cluster_store(config), reload_seconds=config.reload_seconds)
    return LiveIndex(config.index_dir, reload_seconds=config.reload_seconds, engine=config.engine)


def create_app(config: Config, index=None) -> falcon.App:
    """Build the WSGI app.  ``index`` (anything with ``.searcher()``) defaults to
    the live, self-reloading index at ``config.index_dir``; it is opened lazily
    so gunicorn workers each open their own after fork."""
    index = index if index is not None else live_index(config)
    middleware = [
        RequestId(),
        RequestLogContext(),
        RequestMetrics(static_prefixes=("/static",)),
        SecurityHeaders(),
        BodyLimit(max_bytes=4 * config.max_quote_chars + 4096),
        StaticMethods("/static"),
    ]
    if config.cors_origins:
        middleware.append(falcon.CORSMiddleware(allow_origins=list(config.cors_origins)))
    app = falcon.App(middleware=middleware)
    app.req_options.strip_url_path_trailing_slash = True
    errors.install(app)

    _route(app, "/", PageResource(index, config))
    _route(app, "/passages/{source_id}/{number}", PassagePageResource(index, config))
    app.add_static_route("/static", str(STATIC_DIR))
    _route(app, "/search", SearchResource(index, config))
    _route(app, "/sources", SourcesResource(index))
    _route(app, "/sources/{source_id}", SourceResource(index, config))
    _route(app, "/sources/{source_id}/cite", SourceCiteResource(index, config))
    _route(app, "/sources/{source_id}/passages/{number}", PassageResource(index, config))
    _route(app, "/cite", CiteResource(index, config))
    _route(app, "/bibtex", BibtexResource(index, config))
    _route(app, "/health", HealthResource())
    _route(app, "/ready", ReadyResource(index))
    _route(app, "/metrics", MetricsResource(index, config.metrics_dir))
    _route(app, "/openapi.json", OpenApiResource(app, config))
    if config.admin_token and config.admin_token.strip():
        _route(app, "/admin/reindex", ReindexResource(
            config.index_dir, config.sources, config.admin_token,
            time_limit=config.reindex_seconds, max_source_bytes=config.max_source_bytes,
        ))
    return app



def _route(app: falcon.App, template: str, resource) -> None:
    """Route ``template``, answering HEAD wherever GET is answered (RFC 9110 9.3.2).

    Falcon sends no body for HEAD but maps only the responders a resource
    defines, so the routes with path fields (/sources/{id}, ...) answered 405.
    """
    if hasattr(resource, "on_get") and not hasattr(resource, "on_head"):
        resource.on_head = resource.on_get
    app.add_route(template, resource)
