"""Pathological queries are answered fast or refused with a 400 that says why.

Each case is something a careless script or a hostile client sends: bare and
leading wildcards, thousands of terms, deep nesting, huge paging, quotations
of 100 kB.  The functional tests pin what happens; the timing test (slow)
measures the worst of three runs of each against a wide budget.
"""

from __future__ import annotations

import time

import pytest
from falcon import testing

from pinpoint.service.config import Config
from tests.hardening import full_app

BUDGET_SECONDS = 2.0
SENTENCE = "The alliance remains the cornerstone of security in the region. "


def _words(n: int) -> str:
    return " ".join(f"w{i}" for i in range(n))


# (name, method, path, params-or-body, allowed statuses, word a 400's detail must hold)
CASES = [
    ("bare wildcard", "GET", "/search", {"q": "*"}, {200, 400}, "query"),
    ("leading wildcard", "GET", "/search", {"q": "*ance"}, {200}, None),
    ("only wildcards", "GET", "/search", {"q": "* ? ** *?*"}, {200, 400}, "query"),
    ("trailing wildcard", "GET", "/search", {"q": "al*"}, {200}, None),
    ("fuzzy terms", "GET", "/search", {"q": "alliance~2 japan~2 okinawa~2"}, {200}, None),
    ("3000 terms", "GET", "/search", {"q": _words(3000)}, {400}, "limit"),
    ("terms just under the length limit", "GET", "/search", {"q": _words(300)[:1000]}, {400}, "terms"),
    ("60 ORed terms", "GET", "/search", {"q": " OR ".join(["alliance", "japan", "okinawa"] * 20)}, {200}, None),
    ("400 nested parentheses", "GET", "/search", {"q": "(" * 400 + "alliance" + ")" * 400}, {200, 400}, "query"),
    ("unbalanced nesting", "GET", "/search", {"q": "(" * 499 + "alliance"}, {400}, "parenthesis"),
    ("long phrase", "GET", "/search", {"q": '"' + " ".join(["the alliance"] * 60) + '"'}, {200, 400}, "query"),
    ("huge limit", "GET", "/search", {"q": "alliance", "limit": "1000000000"}, {400}, "limit"),
    ("huge offset", "GET", "/search", {"q": "alliance", "offset": "99999999999999999999"}, {400}, "offset"),
    ("deepest allowed page", "GET", "/search", {"q": "alliance", "limit": "100", "offset": "9900"}, {200}, None),
    ("page past the window", "GET", "/search", {"q": "alliance", "limit": "100", "offset": "10000"}, {400}, "offset"),
    ("export behind a wildcard search", "GET", "/bibtex", {"q": "*a*"}, {200, 400}, "query"),
    ("page of a huge query", "GET", "/", {"q": _words(3000)}, {400}, None),
    ("page number far out", "GET", "/", {"q": "alliance", "page": "99999999"}, {400}, None),
    ("quote at the length limit", "POST", "/cite", {"quote": (SENTENCE * 400)[:20_000]}, {200}, None),
    ("quote of 20k random unicode", "POST", "/cite", {"quote": "".join(chr(0x400 + (i * 7919) % 4000) for i in range(20_000))}, {200, 400}, "quote"),
    ("quote over the length limit", "POST", "/cite", {"quote": (SENTENCE * 400)[:20_001]}, {400}, "limit"),
    ("quote of 100 kB", "POST", "/cite", {"quote": (SENTENCE * 1600)[:100_000]}, {413}, "bytes"),
    ("quote of 100 kB in the URL", "GET", "/cite", {"quote": (SENTENCE * 1600)[:100_000]}, {400}, "limit"),
]


@pytest.fixture(scope="module")
def client(app_config):
    return testing.TestClient(full_app(app_config))


def send(client, method: str, path: str, payload: dict):
    if method == "POST":
        return client.simulate_post(path, json=payload)
    return client.simulate_get(path, params=payload)


@pytest.mark.parametrize("name,method,path,payload,statuses,word", CASES, ids=[c[0] for c in CASES])
def test_pathological_request_is_answered_or_refused_with_a_reason(client, name, method, path, payload, statuses, word):
    resp = send(client, method, path, payload)
    assert resp.status_code in statuses, (name, resp.status_code, resp.text[:300])
    if resp.status_code >= 400 and path != "/":
        assert resp.headers["content-type"] == "application/problem+json"
        if word:
            assert word in resp.json["detail"].lower(), resp.json["detail"]
    if resp.status_code >= 400 and path == "/":
        assert '<p class="problem-detail">' in resp.text


@pytest.mark.slow
def test_worst_case_times_stay_within_budget(client, capsys):
    worst: dict[str, float] = {}
    for name, method, path, payload, _, _ in CASES:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            send(client, method, path, payload)
            times.append(time.perf_counter() - started)
        worst[name] = max(times)
    with capsys.disabled():
        print("\nworst of 3 (ms): " + ", ".join(f"{n} {t * 1000:.0f}" for n, t in sorted(worst.items(), key=lambda kv: -kv[1])))
    slow = {n: round(t, 2) for n, t in worst.items() if t > BUDGET_SECONDS}
    assert not slow, f"over the {BUDGET_SECONDS}s budget: {slow}"


def test_limits_follow_the_config(seeds_index):
    config = Config(index_dir=seeds_index, reload_seconds=0, max_limit=5, max_offset=20,
                    max_query_chars=40, max_quote_chars=300)
    client = testing.TestClient(full_app(config))
    assert client.simulate_get("/search", params={"q": "alliance", "limit": "5"}).status_code == 200
    refused = {
        "limit": client.simulate_get("/search", params={"q": "alliance", "limit": "6"}),
        "offset": client.simulate_get("/search", params={"q": "alliance", "offset": "21"}),
        "q": client.simulate_get("/search", params={"q": "alliance " * 5}),
        "quote": client.simulate_post("/cite", json={"quote": "x" * 301}),
    }
    for name, resp in refused.items():
        assert resp.status_code == 400, (name, resp.text)
        assert name in resp.json["detail"], resp.json["detail"]
    # The body limit scales with the quote limit, so a 20 kB body is now too large.
    too_big = client.simulate_post("/cite", json={"quote": "x" * 20_000})
    assert too_big.status_code == 413
    assert too_big.headers["content-type"] == "application/problem+json"
