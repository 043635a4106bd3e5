"""Property-based probes: whatever a client sends, Pinpoint answers 200 or a 4xx that says why.

Arbitrary strings (unicode, control characters, NULs, lone percent signs,
invalid UTF-8 once percent-decoded) and extreme numbers go into every
parameter of every route through falcon's TestClient.  Never a 5xx; every
API error is problem+json with a detail, every page error an HTML page.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from falcon import testing
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.hardening import full_app

CFR = "004_9574ace01beba1aa"
PROBE = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)

# Text that is hard on parsers: every unicode category (controls included),
# the query language's own operators, and numbers far outside any range.
hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.text(alphabet='()"*?:^~[]{}\\/ ANDORT-+!\x00\x1b\u202e\ufeff', max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "-1", "0", "9" * 400, "1e309", "NaN", "%", "%zz", "%ff%fe", "..", "../../etc/passwd"]),
)

SEARCH_PARAMS = ["q", "limit", "offset", "author", "title", "source", "year", "group", "style", "match"]
ROUTE_PARAMS = {
    "/search": SEARCH_PARAMS,
    "/cite": ["quote", "limit", "style"],
    "/bibtex": ["q", "format", "limit", "year", "source"],
    f"/sources/{CFR}": ["format", "style"],
    f"/sources/{CFR}/cite": ["style", "paragraph"],
    f"/sources/{CFR}/passages/1": ["style"],
    "/sources": ["limit"],
    "/": ["q", "mode", "quote", "page", "style", "year", "source", "author"],
    f"/passages/{CFR}/1": ["style", "q"],
}
HTML_ROUTES = ("/", "/passages/")


@pytest.fixture(scope="module")
def client(app_config):
    return testing.TestClient(full_app(app_config))


def check_answer(resp, path: str) -> None:
    assert resp.status_code < 500, (path, resp.status_code, resp.text[:500])
    assert "Traceback" not in resp.text
    if resp.status_code < 400:
        return
    content_type = resp.headers.get("content-type", "")
    if (path == "/" or path.startswith("/passages/")) and content_type.startswith("text/html"):
        assert '<p class="problem-detail">' in resp.text, resp.text[:300]
        return
    assert content_type == "application/problem+json", (path, resp.status_code, content_type)
    problem = resp.json
    assert problem["status"] == resp.status_code
    assert problem["detail"].strip(), problem


@pytest.mark.parametrize("path", sorted(ROUTE_PARAMS))
def test_any_parameter_values(client, path):
    names = ROUTE_PARAMS[path]

    @PROBE
    @given(values=st.dictionaries(st.sampled_from(names), hostile_text, min_size=1, max_size=len(names)))
    def probe(values):
        check_answer(client.simulate_get(path, params=values), path)

    probe()


@PROBE
@given(raw=st.binary(max_size=80))
def test_any_raw_query_string(client, raw):
    # Percent-encoded arbitrary bytes: falcon decodes them, invalid UTF-8 included.
    encoded = "".join(f"%{b:02X}" for b in raw)
    for path in ("/search", "/cite", "/bibtex", "/"):
        check_answer(client.simulate_get(path, query_string=f"q={encoded}&quote={encoded}&limit={encoded}"), path)


@pytest.mark.parametrize("template", [
    "/sources/{}", "/sources/{}.bib", "/sources/{}/cite", "/sources/{}/passages/1",
    "/sources/" + CFR + "/passages/{}", "/passages/{}/1", "/passages/" + CFR + "/{}",
])
def test_any_path_segment(client, template):
    @PROBE
    @given(segment=hostile_text.filter(lambda s: s.strip("/") != ""))
    def probe(segment):
        path = template.format(quote(segment, safe=""))
        resp = client.simulate_get(path)
        check_answer(resp, path)

    probe()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@PROBE
@given(body=st.one_of(
    st.fixed_dictionaries({}, optional={"quote": json_values, "style": json_values, "limit": json_values}),
    json_values,
))
def test_any_json_body_to_post_cite(client, body):
    resp = client.simulate_post("/cite", json=body)
    check_answer(resp, "/cite")


@PROBE
@given(raw=st.binary(max_size=200), content_type=st.sampled_from(
    ["application/json", "application/json; charset=latin-1", "text/plain", "application/x-www-form-urlencoded", ""]))
def test_any_raw_body_to_post_cite(client, raw, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    resp = client.simulate_post("/cite", body=raw, headers=headers)
    check_answer(resp, "/cite")


@PROBE
@given(value=hostile_text)
def test_any_header_values(client, value):
    # Headers a client controls and Pinpoint reads: Accept (negotiation), X-Request-ID (echoed).
    printable = "".join(ch for ch in value if 0x20 <= ord(ch) < 0x7F)
    resp = client.simulate_get(f"/sources/{CFR}", headers={"Accept": printable, "X-Request-ID": printable})
    check_answer(resp, f"/sources/{CFR}")
    echoed = resp.headers.get("x-request-id", "")
    # Echoed only when well-formed, else minted; HTTP drops a header value's
    # surrounding whitespace before Pinpoint sees it ("0 " arrives as "0").
    assert echoed == printable.strip(" \t") or len(echoed) == 32
