"""Schemathesis against every operation of `/api/schema/`, as each role: zero 5xx, zero undocumented responses.

The schema is read from the app itself, and every generated request goes through the real Django
WSGI handler in this process, on the test database (SQLite locally, PostgreSQL under DATABASE_URL).
One seeded town (reports, commitments, targets with milestones and progress, a reconciliation) is
shared by the whole module; every test rolls back its own writes. Path ids are drawn half of the
time from the seeded rows, so requests reach real objects, not only 404s. See docs/api_fuzzing.md.
"""

from __future__ import annotations

import zlib

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from schemathesis.config import SchemathesisConfig

from tests.conftest import SAMPLES


def _text_properties(case) -> set[str]:
    """Names of the string properties of the operation's JSON body schema."""
    raw = case.operation.schema.raw_schema
    content = case.operation.definition.raw.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = raw["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return {name for name, spec in schema.get("properties", {}).items() if spec.get("type") == "string"}


@schemathesis.check
def refuses_invalid_input(ctx, response, case):
    """negative_data_rejection, except for a JSON number sent for a text field: DRF's CharField keeps its
    text ("0"), a leniency we accept. Everything else the schema calls invalid must get a 4xx."""
    if isinstance(case.body, dict):
        numbers = {k for k, v in case.body.items() if isinstance(v, int | float) and not isinstance(v, bool)}
        if numbers & _text_properties(case):
            return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    # Bad input: invalid requests must be refused with a 4xx, a missing required header too,
    # and a method the path does not document must answer 405.
    refuses_invalid_input,
    missing_required_header,
    unsupported_method,
]
ROLES = ["anonymous", "staff", "supervisor", "admin", "superuser"]
# Random requests per operation and role. With the coverage cases this keeps the module to about two
# minutes on PostgreSQL on a shared two-core machine.
MAX_EXAMPLES = 10
SEED = 20261122
PLAN, REVIEW = "001_", "000_"

# Seeded ids by the first path segment after /api/, read by the path hook at draw time.
SEEDED: dict[str, list[int]] = {}


def _schema(phase: str):
    """The app's own schema, requests sent through the WSGI handler in this process."""
    loaded = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=SchemathesisConfig(seed=SEED))
    loaded.config.phases.update(phases=[phase])
    loaded.hook(flatmap_path_parameters)
    return loaded


def flatmap_path_parameters(context, path_parameters):
    """Half of the ids in paths are seeded rows of the right kind, so requests reach real objects."""
    kind = context.operation.path.strip("/").split("/")[1]
    ids = SEEDED.get(kind)
    if not ids or not isinstance((path_parameters or {}).get("id"), int):
        return st.just(path_parameters)
    real = st.sampled_from(ids).map(lambda pk: {**path_parameters, "id": pk})
    return st.one_of(st.just(path_parameters), real)


# Random valid and invalid requests (hypothesis), as every role.
fuzzing = _schema("fuzzing")
# Boundary values, missing and wrong-typed fields, unexpected methods and content types: deterministic.
coverage = _schema("coverage")


def _seed() -> dict[str, str]:
    """A town with staff, a supervisor, an administrator, a superuser and real work; tokens by role."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from reports.models import Commitment, Reconciliation, Report
    from reports.reconciliation.services import reconciliation_run
    from reports.services import commitments_accept_all, report_import
    from targets.models import Membership, Milestone, Organisation, Target
    from targets.services import progress_record

    User = get_user_model()
    town = Organisation.objects.create(name="长征镇")
    econ = town.departments.create(name="经济发展办")
    town.departments.create(name="房管办")
    users = {
        "staff": User.objects.create_user("fuzz-staff"),
        "supervisor": User.objects.create_user("fuzz-supervisor"),
        "admin": User.objects.create_user("fuzz-admin"),
        "superuser": User.objects.create_superuser("fuzz-root"),
    }
    Membership.objects.create(user=users["staff"], organisation=town, department=econ, role="staff")
    Membership.objects.create(user=users["supervisor"], organisation=town, role="supervisor")
    Membership.objects.create(user=users["admin"], organisation=town, role="admin")

    plan_path, review_path = (next(SAMPLES.glob(f"{stem}*")) for stem in (PLAN, REVIEW))
    plan = report_import(organisation=town, filename=plan_path.name, data=plan_path.read_bytes())
    review = report_import(organisation=town, filename=review_path.name, data=review_path.read_bytes())
    targets = commitments_accept_all(report=plan, acting_user=None)
    for target in targets[:5]:
        target.lead_department = econ
        target.save(update_fields=["lead_department"])
        progress_record(
            target=target, acting_user=users["staff"], percent=40, note="按计划推进", expected_version=target.version
        )
    reconciliation_run(organisation=town, year=targets[0].plan_year, report=review)

    SEEDED.update(
        reports=list(Report.objects.values_list("pk", flat=True)),
        commitments=list(Commitment.objects.values_list("pk", flat=True)[:20]),
        targets=list(Target.objects.values_list("pk", flat=True)[:20]),
        milestones=list(Milestone.objects.values_list("pk", flat=True)[:20]),
        reconciliations=list(Reconciliation.objects.values_list("pk", flat=True)[:20]),
    )
    return {role: Token.objects.create(user=user).key for role, user in users.items()}


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """Seed once per module inside a transaction rolled back at the end; each test nests a savepoint."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _seed()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            SEEDED.clear()


@pytest.fixture
def in_process_app(db, settings, tmp_path):
    """The WSGI handler keeps the test's connection: a real server closes it after each request."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"  # an accepted upload never lands in var/
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _call(case, token: str | None):
    headers = {"Authorization": f"Token {token}"} if token else {}
    return case.call_and_validate(headers=headers, checks=CHECKS)


# Reproducible: derandomized, no example database; no deadline (a shared CI machine is slow at times).
QUIET = {"derandomize": True, "database": None, "deadline": None, "suppress_health_check": list(HealthCheck)}


@pytest.mark.parametrize("role", ROLES)
@fuzzing.parametrize()
@settings(max_examples=MAX_EXAMPLES, **QUIET)
def test_every_role_gets_documented_answers(case, role, tokens, in_process_app):
    response = _call(case, tokens.get(role))
    if role == "anonymous":
        # Nothing but a URL that matches no route gets past the sign-in check.
        assert response.status_code == 403 or response.json() == {"error": "接口不存在。"}


def _on_a_seeded_row(case) -> None:
    """A coverage case about the body, query or headers gets a seeded id in its path, so its input reaches
    validation and the services rather than a 404; cases about the path id itself keep theirs."""
    ids = SEEDED.get(case.operation.path.strip("/").split("/")[1])
    scenario = case.meta.phase.data if case.meta is not None else None
    if not ids or "id" not in (case.path_parameters or {}) or getattr(scenario, "parameter_location", None) == "path":
        return
    key = f"{case.method} {getattr(scenario, 'description', '')} {getattr(scenario, 'parameter', '')}"
    case.path_parameters["id"] = ids[zlib.crc32(key.encode()) % len(ids)]


# As the town's administrator: past the permission checks, so validation and the services see the input.
@pytest.mark.parametrize("role", ["admin"])
@coverage.parametrize()
@settings(**QUIET)
def test_boundary_and_invalid_input_gets_documented_answers(case, role, tokens, in_process_app):
    _on_a_seeded_row(case)
    _call(case, tokens[role])
