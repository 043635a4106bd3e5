"""Cross-cutting response behaviour: security headers, request ids, body limits."""

from __future__ import annotations

import re
import uuid

import falcon

from pinpoint.service.errors import ProblemError

# The page loads scripts, styles and images only from Pinpoint itself.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class SecurityHeaders:
    def process_response(self, req, resp, resource, req_succeeded):
        resp.set_header("X-Content-Type-Options", "nosniff")
        resp.set_header("Referrer-Policy", "no-referrer")
        resp.set_header("X-Frame-Options", "DENY")
        resp.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)


class RequestId:
    """Echo a well-formed X-Request-ID (from a proxy) or mint one, for log correlation."""

    def process_request(self, req, resp):
        given = req.get_header("X-Request-ID")
        req.context.request_id = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex

    def process_response(self, req, resp, resource, req_succeeded):
        resp.set_header("X-Request-ID", getattr(req.context, "request_id", "") or uuid.uuid4().hex)


class BodyLimit:
    """Refuse request bodies larger than the configured size before reading them."""

    def __init__(self, max_bytes: int):
        self._max_bytes = max_bytes

    def process_request(self, req, resp):
        length = req.content_length
        if length is not None and length > self._max_bytes:
            raise ProblemError(
                falcon.HTTP_413,
                f"the request body is {length} bytes; Pinpoint accepts at most {self._max_bytes}",
            )
