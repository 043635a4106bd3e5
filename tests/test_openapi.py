"""/openapi.json: an OpenAPI 3.1 document true to the router, and the API true to it.

The document is checked both ways against the app's routes, validated as
OpenAPI 3.1, and then schemathesis generates requests from it and checks the
answers: no 5xx, only documented statuses and content types, bodies that fit
the documented schemas.
"""

from __future__ import annotations

import pytest
import schemathesis
from falcon import testing
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.hardening import full_app

ADMIN_TOKEN = "openapi-test-token"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def app(app_config):
    return full_app(app_config, admin_token=ADMIN_TOKEN)


@pytest.fixture(scope="module")
def document(app):
    resp = testing.TestClient(app).simulate_get("/openapi.json")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    return resp.json


def test_document_is_valid_openapi_3_1(document):
    from openapi_spec_validator import validate

    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_route_is_described_and_nothing_else(app, document):
    from pinpoint.service.openapi import routed_paths

    routes = set(routed_paths(app))
    assert routes, "the router lists no routes"
    assert set(document["paths"]) == routes


def test_the_app_as_create_app_builds_it_is_fully_described():
    """create_app's own routes (whatever app.py wires today) all have descriptions."""
    from pinpoint.service.app import create_app
    from pinpoint.service.config import Config
    from pinpoint.service.openapi import openapi_document, routed_paths

    app = create_app(Config())
    document = openapi_document(routed_paths(app), Config())
    assert set(document["paths"]) == set(routed_paths(app))


def test_an_undescribed_route_is_an_error_not_a_gap():
    from pinpoint.service.config import Config
    from pinpoint.service.openapi import UndocumentedRoute, openapi_document

    with pytest.raises(UndocumentedRoute, match="/made-up"):
        openapi_document(["/search", "/made-up"], Config())


def test_every_operation_documents_the_problem_schema_for_its_errors(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and path not in ("/", "/passages/{source_id}/{number}", "/ready"):
                    content = response["content"]
                    assert list(content) == ["application/problem+json"], (path, method, status)
                    assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_limits_in_the_document_follow_the_config(seeds_index):
    from pinpoint.service.config import Config
    from pinpoint.service.openapi import openapi_document

    config = Config(index_dir=seeds_index, max_limit=7, max_query_chars=33)
    params = {p["name"]: p for p in openapi_document(["/search"], config)["paths"]["/search"]["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] == 7
    assert params["q"]["schema"]["maxLength"] == 33


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_api_conforms_to_its_document(app):
    """Schemathesis's generated requests against every documented operation.

    Driven through Hypothesis directly (not schemathesis's pytest plugin,
    which does not run under pytest 9); ~25 examples per operation keep the
    whole run to a few seconds.
    """
    from hypothesis import given

    operations = _operations(app)
    assert len(operations) >= len(testing.TestClient(app).simulate_get("/openapi.json").json["paths"])
    for operation in operations:
        if operation.path == "/admin/reindex" and operation.method.upper() == "POST":
            continue  # starting real builds is exercised in tests/test_security.py
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"} if operation.path == "/admin/reindex" else None

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
