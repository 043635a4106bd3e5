"""One error shape: every failure is application/problem+json with a useful detail."""

from __future__ import annotations

import pytest

CFR = "004_9574ace01beba1aa"

BAD_REQUESTS = [
    # (path, params, status, a word the detail must contain)
    ("/search", {}, 400, "q"),
    ("/search", {"q": "   "}, 400, "q"),
    ("/search", {"q": "alliance", "limit": "0"}, 400, "limit"),
    ("/search", {"q": "alliance", "limit": "ten"}, 400, "limit"),
    ("/search", {"q": "alliance", "limit": "100000"}, 400, "limit"),
    ("/search", {"q": "alliance", "offset": "-1"}, 400, "offset"),
    ("/search", {"q": "alliance", "year": "last year"}, 400, "year"),
    ("/search", {"q": "alliance", "year": "2015..2010"}, 400, "year"),
    ("/search", {"q": "alliance", "group": "author"}, 400, "group"),
    ("/search", {"q": "alliance", "match": "some"}, 400, "match"),
    ("/search", {"q": "alliance", "style": "no-such-style"}, 400, "style"),
    ("/search", {"q": "x" * 5000}, 400, "limit"),
    ("/sources/no-such-source", {}, 404, "no-such-source"),
    (f"/sources/{CFR}/passages/9999", {}, 404, "9999"),
    (f"/sources/{CFR}/passages/two", {}, 400, "passage"),
    ("/sources/..%2F..%2Fetc%2Fpasswd", {}, 404, "source"),
    ("/no/such/route", {}, 404, "no resource"),
]


@pytest.mark.parametrize("path,params,status,word", BAD_REQUESTS)
def test_bad_requests_get_problem_json(client, path, params, status, word):
    resp = client.simulate_get(path, params=params)
    assert resp.status_code == status
    assert resp.headers["content-type"] == "application/problem+json"
    problem = resp.json
    assert problem["status"] == status
    assert problem["title"]
    assert word.lower() in problem["detail"].lower(), problem["detail"]
    assert "Traceback" not in resp.text


def test_wrong_method_is_problem_json(client):
    resp = client.simulate_delete("/search")
    assert resp.status_code == 405
    assert resp.headers["content-type"] == "application/problem+json"


def test_unparseable_query_is_a_400_not_a_500(client):
    for q in ['"unclosed phrase', "((alliance", "alliance AND", "NOT", "year:abc", "author:"]:
        resp = client.simulate_get("/search", params={"q": q})
        assert resp.status_code in (200, 400), (q, resp.status_code, resp.text)
        if resp.status_code == 400:
            assert resp.headers["content-type"] == "application/problem+json"


def test_unicode_digits_in_a_passage_number_are_a_400(client):
    # '²' and '٣' pass str.isdigit(); only ASCII digits make a passage number.
    for number in ("%C2%B2", "%D9%A3", "1%C2%B2"):
        resp = client.simulate_get(f"/sources/{CFR}/passages/{number}")
        assert resp.status_code == 400, (number, resp.status_code, resp.text[:200])
        assert resp.headers["content-type"] == "application/problem+json"
        page = client.simulate_get(f"/passages/{CFR}/{number}")
        assert page.status_code == 400, (number, page.status_code)
