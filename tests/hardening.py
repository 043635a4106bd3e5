"""The app as create_app builds it, plus any route app.py does not wire yet.

The hardening tests probe every route; while app.py is still catching up with
the resources (quote lookup, page, OpenAPI), this adds the missing ones the way
app.py will, so the probes cover them either way.
"""

from __future__ import annotations

from pathlib import Path


def full_app(config, *, admin_token: str | None = None, index=None):
    from index.versions import LiveIndex
    from service.app import create_app
    from service.resources.admin import ReindexResource
    from service.resources.cite import CiteResource
    from service.resources.openapi import OpenApiResource
    from service.resources.page import STATIC_DIR, PageResource, PassagePageResource

    app = create_app(config, index=index)
    live = index if index is not None else LiveIndex(config.index_dir, reload_seconds=config.reload_seconds)
    wanted = {
        "/cite": lambda: CiteResource(live, config),
        "/": lambda: PageResource(live, config),
        "/passages/{source_id}/{number}": lambda: PassagePageResource(live, config),
        "/openapi.json": lambda: OpenApiResource(app, config),
    }
    for template, make in wanted.items():
        if not is_routed(app, template):
            app.add_route(template, make())
    if not is_routed(app, "/static/pinpoint.css"):
        app.add_static_route("/static", str(STATIC_DIR))
    if admin_token and not is_routed(app, "/admin/reindex"):
        app.add_route("/admin/reindex", ReindexResource(config.index_dir, config.sources, admin_token))
    return app


def is_routed(app, path: str) -> bool:
    if app._router.find(path) is not None:
        return True
    return any(entry[0].match(path) for entry in getattr(app, "_static_routes", ()))


def index_copy(source: Path, target: Path) -> Path:
    """A private copy of a built index, so a test may change or break it."""
    import shutil

    shutil.copytree(source, target, symlinks=True)
    return target
