"""A lost database answers 503 with a Chinese message (JSON under /api/, a page otherwise), never a 500.

Views that raise the database's own exceptions stand in for a query that meets a dead server; the last test
kills the test's own PostgreSQL connection from outside, as a server restart does, and goes through the real API.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, close_old_connections, connection
from django.test import Client
from django.urls import path

from config import urls as project_urls
from config.middleware import MESSAGE, RETRY_AFTER_SECONDS


def _raises(error: Exception):
    def view(request):
        raise error

    return view


urlpatterns = [
    path("api/lost/", _raises(OperationalError("server closed the connection unexpectedly"))),
    path("api/closed/", _raises(InterfaceError("connection already closed"))),
    path("api/integrity/", _raises(IntegrityError("duplicate key value violates unique constraint"))),
    path("lost/", _raises(OperationalError("the database system is shutting down"))),
    path("bug/", _raises(ValueError("a bug, not an outage"))),
    *project_urls.urlpatterns,
]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def anonymous() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/api/lost/", "/api/closed/"])
def test_api_request_that_loses_the_database_gets_503_json(anonymous, url):
    response = anonymous.post(url, {"value": 1})

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": MESSAGE}
    assert "数据库暂时无法访问" in response.content.decode()  # readable Chinese, not \\u escapes
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"


def test_page_request_that_loses_the_database_gets_503_page(anonymous):
    response = anonymous.get("/lost/")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "服务暂时不可用" in page and MESSAGE in page
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_other_database_errors_and_bugs_stay_500(anonymous):
    # An IntegrityError is a bug in the code, not an outage: retrying would not help, so it must not hide as 503.
    assert issubclass(IntegrityError, DatabaseError)
    assert anonymous.post("/api/integrity/").status_code == 500
    assert anonymous.get("/bug/").status_code == 500


def test_outage_is_logged_in_one_line(anonymous, caplog):
    with caplog.at_level("WARNING", logger="config.middleware"):
        anonymous.get("/lost/")
    [record] = [r for r in caplog.records if r.name == "config.middleware"]  # django.request adds its own line
    assert "GET /lost/" in record.getMessage() and "shutting down" in record.getMessage()
    assert record.exc_info is None


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_connection_killed_by_the_server_gets_503_then_the_next_request_reconnects(require_postgres, alice):
    """pg_terminate_backend is what a restart does to every open connection."""
    api = Client(raise_request_exception=False)
    api.force_login(alice)
    assert api.get("/api/targets/").status_code == 200

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as admin:
        # With a timeout (PostgreSQL 14+) it returns once the backend is gone, so the next query surely meets it.
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [connection.connection.info.backend_pid])
    try:
        lost = api.get("/api/targets/")
        assert lost.status_code == 503
        assert lost.json() == {"error": MESSAGE}
        # What the server does between requests (the test client skips it): drop the broken connection.
        close_old_connections()
        assert api.get("/api/targets/").status_code == 200
    finally:
        connection.close()
