"""The gunicorn worker Pinpoint runs: threads, a deadline on reading each request, problem+json errors.

Sync workers give one connection the whole process: as many clients sending
a header line every 2 s as there are workers took every ``/health`` down
until gunicorn's 30 s timeout killed them (issue 16).  gunicorn's threaded
worker parks idle connections in a poller, but once a request's first bytes
arrive, a thread reads the rest with blocking reads and no limit on the time
taken, so a trickling client still holds a thread for as long as it likes.
Here every request must arrive whole, head and body, within
``PINPOINT_CLIENT_TIMEOUT`` seconds of its first wait (nginx's
client_header_timeout and client_body_timeout, as one budget); past it the
client gets a 408 and its thread is free again.  With threads well above the
slow connections a worker may hold meanwhile, other requests never queue
behind them.

gunicorn answers the requests it refuses itself (bad request line, headers
too large, a URI over its limit) with an HTML page; here they are
application/problem+json like every other error Pinpoint sends.
"""

from __future__ import annotations

import errno
import json
import time

from gunicorn import util
from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import ThreadWorker

from pinpoint.service.config import config_from_env
from pinpoint.service.errors import PROBLEM_JSON, ClientTooSlow

# gunicorn's refusals and the status each deserves; any other parse error is a
# plain 400 (all of them subclass ParseException).
_STATUS = (
    (http_errors.LimitRequestLine, 414, "URI Too Long"),
    (http_errors.LimitRequestHeaders, 431, "Request Header Fields Too Large"),
    (http_errors.UnsupportedTransferCoding, 501, "Not Implemented"),
    (http_errors.ExpectationFailed, 417, "Expectation Failed"),
    (http_errors.ForbiddenProxyRequest, 403, "Forbidden"),
    (http_errors.ConfigurationProblem, 500, "Internal Server Error"),
    (http_errors.ParseException, 400, "Bad Request"),
    (ClientTooSlow, 408, "Request Timeout"),
)


class DeadlineSocket:
    """A connection's socket whose reads share one deadline per request.

    gunicorn's parser and request body read through ``recv``; everything else
    (poller registration, writes, close) goes to the real socket.
    """

    def __init__(self, sock):
        self._sock = sock
        self.deadline: float | None = None
        self._closed = False

    def close_here(self) -> None:
        """Close gracefully now, in the calling (request) thread.

        gunicorn closes a finished connection on the worker's main thread,
        lingering up to 2 s to read what the peer still sends; a slow client
        that never stops sending held the main loop, and so every other
        connection, for 2 s per closed connection (8 s stalls of /health with
        4 of them).  Closed here, the main thread's later close is a no-op.
        """
        self._closed = True
        util.close_graceful(self._sock)

    def setblocking(self, flag: bool) -> None:
        if not self._closed:
            self._sock.setblocking(flag)

    def shutdown(self, how: int) -> None:
        if self._closed:
            raise OSError(errno.EBADF, "already closed in its request thread")
        self._sock.shutdown(how)

    def close(self) -> None:
        if not self._closed:
            self._sock.close()

    def recv(self, size: int, *flags) -> bytes:
        if self.deadline is None:
            return self._sock.recv(size, *flags)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise ClientTooSlow("the request did not arrive in time")
        previous = self._sock.gettimeout()
        self._sock.settimeout(remaining)
        try:
            return self._sock.recv(size, *flags)
        except TimeoutError:
            raise ClientTooSlow("the request did not arrive in time") from None
        finally:
            self._sock.settimeout(previous)

    def __getattr__(self, name):
        return getattr(self._sock, name)


# How long a worker holding open connections lets its siblings take a new one
# first, per connection it holds (up to ACCEPT_DEFER_MAX connections' worth).
ACCEPT_DEFER_S = 0.003
ACCEPT_DEFER_MAX = 3


class PinpointWorker(ThreadWorker):
    """gunicorn's gthread worker with a per-request read deadline and problem+json refusals."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client_timeout = config_from_env().client_timeout

    def accept(self, listener):
        # Every worker polls the one listening socket and whichever wakes
        # first takes the connection, and keeps it for as long as the client
        # keeps it alive.  Searches run one at a time per worker, so 16
        # kept-alive clients all held by one worker of two got 148 req/s and a
        # 296 ms p99, where spread they got 352 req/s and 139 ms.  A worker
        # already holding connections waits a moment before accepting, so an
        # idler sibling (woken by the same event) takes the connection; if
        # none does, this worker still does.  A lone worker has no sibling to wait for.
        if self.nr_conns and self.cfg.workers > 1:
            time.sleep(min(self.nr_conns, ACCEPT_DEFER_MAX) * ACCEPT_DEFER_S)
        super().accept(listener)

    def handle(self, conn):
        if not isinstance(conn.sock, DeadlineSocket):
            conn.sock = DeadlineSocket(conn.sock)
        conn.sock.deadline = time.monotonic() + self.client_timeout
        try:
            keep_open = super().handle(conn)
        finally:
            conn.sock.deadline = None
        if not keep_open and self.alive:
            conn.sock.close_here()
        return keep_open

    def handle_request(self, req, conn):
        try:
            return super().handle_request(req, conn)
        finally:
            # The answer is out: draining any unread body afterwards is gunicorn's
            # business, under its own bound, and must not answer a second time.
            conn.sock.deadline = None

    def handle_error(self, req, client, addr, exc):
        status, reason = next(((code, text) for kind, code, text in _STATUS if isinstance(exc, kind)), (500, None))
        if status == 500 and reason is None:
            self.log.exception("Error handling request")
            reason = "Internal Server Error"
            detail = "Pinpoint hit an internal error answering this request; it has been logged."
        else:
            address = addr[0] if addr else ""
            self.log.warning("Refused a request from ip=%s: %s %s", address, status, exc)
            detail = _detail(exc, status)
        body = json.dumps({"type": "about:blank", "title": reason, "status": status, "detail": detail}).encode()
        head = (
            f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: {PROBLEM_JSON}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1")
        try:
            client.setblocking(True)
            client.settimeout(1.0)  # a client that does not read its refusal gets no more of a thread
            client.sendall(head + body)
        except OSError:
            self.log.debug("Failed to send error message.")


def _detail(exc: Exception, status: int) -> str:
    if status == 408:
        return "the request (its head and body) must arrive within the server's client timeout; send it at once"
    if status == 414:
        return f"the request line is longer than the server accepts: {exc}"
    if status == 431:
        return f"the request's headers are too many or too large: {exc}"
    return f"gunicorn could not parse this request: {exc}"
