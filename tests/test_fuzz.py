"""Fuzzing the API against its own OpenAPI schema with schemathesis: every operation, every check
(server errors, status codes and content types the schema does not document, response bodies that break
their schema, ``ignored_auth``: the same request without credentials must be refused), authenticated in
turn as an officer of each role, and unauthenticated."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from tests.factories import make_officer

pytestmark = pytest.mark.django_db

CONFIG = SchemathesisConfig.from_path(Path(__file__).with_name("schemathesis.toml"))
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True), config=CONFIG)
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def wsgi_host(settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Schemathesis calls the WSGI handler itself, whose request signals close a connection that is inside a
    transaction (the test's, on PostgreSQL): keep it open, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


ROLES = {
    "judge": "judge",
    "assistant": "assistant",
    "clerk": "clerk",
    "division_chief": "chief",
    "president": "president",
    "high_president": "high_president",
    "case_management": "filing",
    "evaluator": "evaluator",
    "committee_member": "committee",
    "inspector": "inspector",
    "administrator": "admin",
    "auditor": None,
}


@pytest.fixture
def token(world, role: str) -> str:
    """The API token of an officer holding ``role`` (one per test: hypothesis runs many examples in it)."""
    attribute = ROLES[role]
    if attribute is None:
        officer = make_officer("auditor", roles=["auditor"], organisation=world.court, name="审计员")
    else:
        officer = getattr(world, attribute)
    return Token.objects.get_or_create(user=officer.user)[0].key


@pytest.mark.parametrize("role", list(ROLES))
@schema.parametrize()
@hypothesis_settings(
    max_examples=5, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_api_holds_to_its_schema_for_every_role(case, role, token):
    """Each role calls every operation with generated data, valid and invalid: no server error, every status,
    content type and body as the schema documents, and (``ignored_auth``) the same call without credentials
    refused."""
    case.call_and_validate(headers={"Authorization": f"Token {token}"})
