"""Slow and malformed clients against a real `pinpoint serve` (issue 16, row 1 and row 14).

How fast /health stays under the attack is measured in
``python -m tests.benchmarks.attacks --only slow_clients``; here the
behaviour: the server keeps answering while slow clients hold connections,
cuts a trickling client off with a 408, and every refusal gunicorn makes
itself is application/problem+json.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.request

import pytest

from tests.servers import pinpoint_server

CLIENT_TIMEOUT = 2


@pytest.fixture(scope="module")
def server(seeds_index):
    with pinpoint_server(seeds_index, workers=2, env={"PINPOINT_CLIENT_TIMEOUT": str(CLIENT_TIMEOUT)}) as (base, proc):
        yield int(base.rsplit(":", 1)[1]), proc


def _raw_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _problem(status: int, headers: dict[str, str], body: bytes) -> dict:
    assert headers["content-type"] == "application/problem+json", (status, headers, body[:200])
    problem = json.loads(body)
    assert problem["status"] == status and problem["detail"]
    return problem


def _send(port: int, payload: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(payload)
        return _raw_response(sock)


def _health(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as resp:
        return resp.status


def test_a_trickling_request_head_is_cut_off_with_408(server):
    port, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        for i in range(20):
            try:
                sock.sendall(f"X-Slow-{i}: a\r\n".encode())
            except OSError:
                break
            time.sleep(0.5)
            if time.monotonic() - started > CLIENT_TIMEOUT + 1:
                break
        status, headers, body = _raw_response(sock)
    assert status == 408
    _problem(408, headers, body)


def test_a_trickling_post_body_is_cut_off_with_408(server):
    port, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /cite HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{")
        status, headers, body = _raw_response(sock)
    assert status == 408
    _problem(408, headers, body)


def test_health_answers_while_four_slow_clients_per_worker_hold_connections(server):
    port, _ = server
    slow = []
    try:
        for i in range(8):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            if i % 2:
                sock.sendall(b"POST /cite HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            else:
                sock.sendall(b"GET /search?q=a HTTP/1.1\r\nHost: x\r\n")
            slow.append(sock)
        time.sleep(0.5)  # every slow request is being read by a worker thread by now
        assert [_health(port) for _ in range(10)] == [200] * 10
    finally:
        for sock in slow:
            sock.close()


def test_gunicorns_own_refusals_are_problem_json(server):
    port, _ = server
    status, headers, body = _send(port, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 414
    _problem(414, headers, body)

    many = b"".join(f"X-H{i}: v\r\n".encode() for i in range(150))
    status, headers, body = _send(port, b"GET /health HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    assert status == 431
    _problem(431, headers, body)

    status, headers, body = _send(port, b"NOT A REQUEST\r\n\r\n")
    assert status == 400
    _problem(400, headers, body)


def test_the_server_still_answers_after_the_refusals(server):
    port, proc = server
    assert _health(port) == 200
    assert proc.poll() is None


def test_a_chunked_post_body_is_read(server):
    port, _ = server
    body = json.dumps({"quote": "the Futenma replacement facility", "limit": 1}).encode()
    chunks = b"".join(f"{len(body[i:i + 7]):x}\r\n".encode() + body[i:i + 7] + b"\r\n" for i in range(0, len(body), 7))
    status, headers, answer = _send(
        port,
        b"POST /cite HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + chunks + b"0\r\n\r\n",
    )
    assert status == 200, answer[:300]
    assert json.loads(answer)["quote"] == "the Futenma replacement facility", answer[:300]
