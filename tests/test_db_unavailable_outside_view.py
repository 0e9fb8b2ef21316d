"""A database lost outside any view (a middleware that writes after the view answered, as the session
middleware does) still answers 503 through the project's handler500, and a bug there is still a 500."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, override_settings

from config.middleware import MESSAGE


class FailsAfterTheView:
    """Raises what the request's `X-Fail` header names once the view has answered."""

    errors = {
        "lost": OperationalError("server closed the connection unexpectedly"),
        "closed": InterfaceError("connection already closed"),
        "bug": ValueError("a bug, not an outage"),
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = self.errors.get(request.headers.get("X-Fail", ""))
        if error is not None:
            raise error
        return response


@pytest.fixture
def failing_client(settings) -> Client:
    settings.DEBUG = False
    with override_settings(MIDDLEWARE=[f"{__name__}.FailsAfterTheView", *settings.MIDDLEWARE]):
        yield Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["lost", "closed"])
def test_database_lost_after_the_api_view_answers_503_json(failing_client, kind):
    response = failing_client.get("/api/targets/", headers={"X-Fail": kind})
    assert response.status_code == 503
    assert response.json() == {"error": MESSAGE}
    assert response["Retry-After"]


@pytest.mark.django_db
def test_database_lost_after_a_page_answers_503_page(failing_client):
    response = failing_client.get("/login/", headers={"X-Fail": "lost"})
    assert response.status_code == 503
    assert MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_a_bug_after_the_view_stays_500(failing_client):
    response = failing_client.get("/login/", headers={"X-Fail": "bug"})
    assert response.status_code == 500
    assert MESSAGE not in response.content.decode()


@pytest.mark.django_db
def test_without_a_failure_the_request_is_served(failing_client):
    assert failing_client.get("/login/").status_code == 200
