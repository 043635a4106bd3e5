"""Every error leaves Pinpoint as application/problem+json (RFC 9457).

Named exceptions from ``index`` and ``pinpoint.service.citations`` are mapped to HTTP
statuses here, at the edge, and nowhere else.  Anything unexpected is logged
with its traceback and answered with a 500 that carries no internals.
"""

from __future__ import annotations

import json
import logging

import falcon

from pinpoint.index.errors import BadQuery, IndexNotFound, UnknownPassage, UnknownSource
from pinpoint.index.extras import MissingExtra
from pinpoint.index.search.quotes import QuoteError

log = logging.getLogger("pinpoint.errors")

PROBLEM_JSON = "application/problem+json"


class ProblemError(falcon.HTTPError):
    """An HTTP error whose body is a problem document with a useful ``detail``."""

    def __init__(self, status: str, detail: str, *, title: str | None = None, **extra):
        super().__init__(status, title=title or status.split(" ", 1)[1], description=detail)
        self.extra = extra


def bad_request(detail: str, **extra) -> ProblemError:
    return ProblemError(falcon.HTTP_400, detail, **extra)


def not_found(detail: str) -> ProblemError:
    return ProblemError(falcon.HTTP_404, detail)


def _serialize(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError) -> None:
    problem = {
        "type": "about:blank",
        "title": exc.title,
        "status": int(exc.status_code),
        "detail": exc.description or exc.title,
    }
    problem.update(getattr(exc, "extra", {}) or {})
    resp.status = exc.status
    resp.content_type = PROBLEM_JSON
    resp.text = json.dumps(problem)
    resp.append_header("Vary", "Accept")


def _mapping(status: str):
    def handle(req, resp, ex, params):
        raise ProblemError(status, str(ex))

    return handle


def _no_route(req, resp, ex, params):
    raise ProblemError(
        falcon.HTTP_404,
        f"no resource at {req.path[:200]!r}: see /openapi.json or the README for Pinpoint's routes "
        "(search, sources, cite, bibtex)",
    )


def _unexpected(req, resp, ex, params):
    # HTTPError subclasses (including Falcon's own 404/405 and invalid-param
    # errors) pass through to the serializer untouched.
    if isinstance(ex, falcon.HTTPError):
        raise ex
    log.exception("unhandled error on %s %s", req.method, req.path)
    raise ProblemError(
        falcon.HTTP_500,
        "Pinpoint hit an internal error answering this request; it has been logged.",
    )


def install(app: falcon.App) -> None:
    from pinpoint.service.citations import UnknownStyle
    from pinpoint.service.exports import UnknownFormat

    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(falcon.HTTPRouteNotFound, _no_route)
    app.add_error_handler(BadQuery, _mapping(falcon.HTTP_400))
    app.add_error_handler(QuoteError, _mapping(falcon.HTTP_400))
    app.add_error_handler(UnknownStyle, _mapping(falcon.HTTP_400))
    app.add_error_handler(UnknownFormat, _mapping(falcon.HTTP_400))
    app.add_error_handler(UnknownSource, _mapping(falcon.HTTP_404))
    app.add_error_handler(UnknownPassage, _mapping(falcon.HTTP_404))
    app.add_error_handler(IndexNotFound, _mapping(falcon.HTTP_503))
    # The server cannot do this until an operator installs the extra: not the client's fault.
    app.add_error_handler(MissingExtra, _mapping(falcon.HTTP_501))
    app.set_error_serializer(_serialize)
