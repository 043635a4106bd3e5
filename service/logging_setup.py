"""Structured logs: one JSON object per line, each tied to its request by the request id.

The request id is the one ``pinpoint.service.middleware.RequestId`` puts in the
``X-Request-ID`` response header, so a line in the log, a client's error
report and the proxy's log all name the same request.

What is never logged: request headers other than the request id (an
``Authorization`` bearer token must not reach a log) and query strings
(they carry what researchers search for, and admin routes must leak nothing),
so access lines record the path alone.  Tracebacks go to the error log as a
JSON field and never into a response.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime

from gunicorn import glogging

LOG_FORMATS = ("json", "text")
# Fields an access line carries beyond time, level, logger and message.
ACCESS_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "bytes")
TEXT_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s request_id=%(request_id)s"

current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("pinpoint_request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request being answered ("-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get() or "-"
        return True


def _request_id(record: logging.LogRecord) -> str | None:
    # "-" stands for "no request" in text lines; JSON says so with null.
    found = getattr(record, "request_id", None) or current_request_id.get()
    return None if found in (None, "-") else found


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, request_id,
    the access fields when present, and the traceback as ``exception`` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id(record),
        }
        for name in ACCESS_FIELDS[1:]:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def make_formatter(log_format: str) -> logging.Formatter:
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_root_logging(log_format: str, stream=None, level: int = logging.INFO) -> logging.Handler:
    """Send Pinpoint's own loggers (``pinpoint.*``) to ``stream`` in ``log_format``.

    Idempotent: a second call replaces the handler the first one installed.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_pinpoint", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(RequestIdFilter())
    handler._pinpoint = True
    root.addHandler(handler)
    root.setLevel(level)
    return handler


class RequestLogContext:
    """Falcon middleware making the request id visible to every log call made while
    answering; it must come after ``RequestId``, which chooses the id."""

    def process_request(self, req, resp) -> None:
        req.context.log_context_token = current_request_id.set(getattr(req.context, "request_id", None))

    def process_response(self, req, resp, resource, req_succeeded) -> None:
        token = getattr(req.context, "log_context_token", None)
        if token is not None:
            current_request_id.reset(token)


def _header(headers, name: str) -> str | None:
    items = headers.items() if hasattr(headers, "items") else headers
    for key, value in items:
        if key.lower() == name:
            return value
    return None


class GunicornLogger(glogging.Logger):
    """Gunicorn's logger with JSON lines for its own, access and application logs.

    The format comes from ``PINPOINT_LOG_FORMAT`` (via ``pinpoint.service.config``);
    ``text`` keeps gunicorn's own lines and ``access_log_format``.
    """

    def setup(self, cfg) -> None:
        from pinpoint.service.config import config_from_env

        self.log_format = config_from_env().log_format
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False) and self.log_format == "json":
                    handler.setFormatter(JsonFormatter())
        level = self.LOG_LEVELS.get(cfg.loglevel.lower(), logging.INFO)
        configure_root_logging(self.log_format, level=level)

    def access(self, resp, req, environ, request_time) -> None:
        if self.log_format != "json":
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        status = resp.status_code if getattr(resp, "status_code", None) else str(resp.status).split(None, 1)[0]
        method = environ.get("REQUEST_METHOD", "-")
        path = environ.get("PATH_INFO", "-")
        fields = {
            "request_id": _header(resp.headers, "x-request-id") or "-",
            "method": method,
            "path": path,
            "status": int(status) if str(status).isdigit() else status,
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "bytes": getattr(resp, "sent", None),
        }
        try:
            self.access_log.info("%s %s %s", method, path, fields["status"], extra=fields)
        except Exception:
            self.exception("could not write an access log line")
