"""Production as the README documents it, on a fresh copy of the repository: `DJANGO_ENV=production`,
`migrate`, `demo`, then `gunicorn config.wsgi` behind a proxy (X-Forwarded-Proto: https) — without
`collectstatic`, the step a deployment most easily misses. Then every role of the demo (superuser, town
administrator, supervisor, department staff) logs in and walks the site: every page of the site map
(`tests/security/site_map.py`) it can reach by following links from the start page, the REST lists and the
details of the objects it saw, the static files, and the error pages. No answer may be a 5xx, and an unknown
page is the site's own 404, not Django's.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from tests.conftest import ROOT
from tests.integration.servers import GUNICORN_PORTS, free_port
from tests.security.site_map import API_PAGES, PAGES

SECRET = "production-walk-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
GUNICORN_OPTIONS = ["--workers", "2", "--threads", "4", "--worker-class", "gthread", "--preload"]
PAGES_PER_ROLE = 80  # links followed per role (at most two per URL shape: /targets/N/ is one shape)
ROLES = ["superuser", "admin", "supervisor", "staff"]
HREF = re.compile(r'href="(/[^"#]*)"')


def fresh_checkout(into: Path) -> Path:
    """The repository's files as a clone would have them (tracked and new, nothing ignored: no staticfiles/,
    no database, no var/)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


class Browser:
    """A cookie-keeping client for one role, as if behind the TLS proxy (secure cookies are sent back)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, accept: str = "text/html"):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept": accept,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        payload = None
        if body is not None:
            payload = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = headers["Referer"] = f"https://127.0.0.1:{self.port}"
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, content
        finally:
            connection.close()

    def login(self, username: str, password: str) -> None:
        status, _headers, page = self.request("GET", "/login/")
        assert status == 200, status
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, headers, _ = self.request(
            "POST", "/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        assert status == 302 and headers["Location"] == "/", (username, status)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """gunicorn with production settings on a fresh copy, its demo accounts, and an unsubscribe link."""
    home = tmp_path_factory.mktemp("prod")
    checkout = fresh_checkout(home / "duban")
    shm = Path("/dev/shm")  # noqa: S108 (a database file of our own, named by pid, removed afterwards)
    database = shm if shm.is_dir() else home  # tmpfs: no fsync per migration
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_", "CI"))}
    env.pop("EMAIL_URL", None)
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{database / f'duban-walk-{os.getpid()}.sqlite3'}",
        REDIS_URL="",
        PYTHONUNBUFFERED="1",
    )
    python = [sys.executable, "manage.py"]

    def manage(*args: str) -> str:
        done = subprocess.run([*python, *args], cwd=checkout, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    accounts = json.loads(manage("demo", "--json"))
    token, open_report = manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from notifications.emails import unsubscribe_token;"
        " from reports.models import Commitment;"
        " print(unsubscribe_token(User.objects.get(username='admin').pk, 'digest'));"
        " print(Commitment.objects.filter(status='proposed').values_list('report_id', flat=True).first())",
    ).split()[-2:]
    port = free_port(GUNICORN_PORTS)
    log = open(home / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{port}", *GUNICORN_OPTIONS],
        cwd=checkout,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser(port).request("GET", "/login/")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (home / "gunicorn.log").read_text()[-3000:]
            time.sleep(0.3)
        log_path = home / "gunicorn.log"
        yield {"port": port, "accounts": accounts, "token": token, "open_report": open_report, "log": log_path}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        Path(env["DATABASE_URL"].removeprefix("sqlite:///")).unlink(missing_ok=True)


def account(production, role: str) -> dict:
    """The demo's first account of that role in 长征镇 (the superuser has none)."""
    return next(a for a in production["accounts"] if a["role"] == role and a["organisation"] in {"长征镇", "全部"})


def view_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def walk(browser: Browser, start: list[str]) -> dict[str, int]:
    """Follow same-site links breadth first; at most two URLs per shape, PAGES_PER_ROLE in all."""
    seen: dict[str, int] = {}
    shapes: Counter = Counter()
    queue = list(start)
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        shape = re.sub(r"\d+", "N", path)
        if path in seen or shapes[shape] >= 2 or path.startswith(("/logout", "/admin/", "/static/")):
            continue
        shapes[shape] += 1
        status, headers, content = browser.request("GET", path)
        seen[path] = status
        if status == 200 and headers.get("Content-Type", "").startswith("text/html"):
            queue += [html.unescape(link) for link in HREF.findall(content.decode("utf-8", "replace"))]
    return seen


@pytest.mark.parametrize("role", ROLES)
def test_every_role_walks_the_site_without_a_server_error(production, role):
    who = account(production, role)
    browser = Browser(production["port"])
    browser.login(who["username"], who["password"])
    start = ["/", "/reports/", "/reports/reconciliations/", "/notifications/preferences/", "/notifications/log/"]
    start.append(f"/reports/{production['open_report']}/")  # the demo's unreviewed report: commitments to edit
    seen = walk(browser, start)
    assert not {p: s for p, s in seen.items() if s >= 500}, production["log"].read_text()[-3000:]
    assert all(s in {200, 302, 403, 404} for s in seen.values()), seen
    reached = {view_name(p) for p, s in seen.items() if s == 200}
    # Every page of the site map that this role may see is reached by following links from the start page.
    # (Not linked: the login page, the unsubscribe link and the API docs, fetched below.)
    may_see = set(PAGES) - {"login", "notifications:unsubscribe", "api-docs"}
    if role in {"staff", "supervisor"}:
        may_see -= {"reports:commitment-edit"}  # editing commitments is the administrators' (403 by design)
    for name in sorted(may_see - reached):
        # Not linked for this role: a page without parameters must then be one it may not open (403).
        try:
            path = reverse(name)
        except NoReverseMatch:
            pytest.fail(f"{role} never reached {name}")
        status, _headers, _ = browser.request("GET", path)
        assert status == 403, f"{role} never reached {name}, which answers {status}"

    # The REST API as the same role: lists, and the detail endpoints of objects the walk saw.
    ids = {view_name(p): resolve(urlsplit(p).path).kwargs for p in seen if view_name(p)}
    api = ["/api/targets/", "/api/targets/overdue/", "/api/reports/", "/api/reconciliations/", "/api/schema/"]
    for name, kwargs_of in (("target-detail", "api-target"), ("reports:detail", "api-report")):
        if name in ids:
            api += [f"/api/{kwargs_of.split('-')[1]}s/{ids[name]['pk']}/{tail}" for tail in API_TAILS[kwargs_of]]
    for path in api:
        status, headers, _ = browser.request("GET", path, accept="application/json")
        assert status in {200, 403, 404}, (path, status)
        assert headers["Content-Type"].startswith(("application/json", "application/vnd.oai.openapi")), path


API_TAILS = {
    "api-target": ["", "progress/", "comments/", "milestones/", "evidence/"],
    "api-report": ["", "commitments/", "achievements/"],
}


def test_static_files_error_pages_and_the_unsubscribe_link(production):
    browser = Browser(production["port"])
    status, _headers, page = browser.request("GET", "/login/")
    stylesheet = re.search(rb'href="(/static/[^"]+\.css)"', page).group(1).decode()
    status, headers, content = browser.request("GET", stylesheet)
    assert status == 200 and headers["Content-Type"].startswith("text/css") and content
    status, headers, page = browser.request("GET", "/no-such-page/")
    assert status == 404 and "页面不存在" in page.decode() and "督办" in page.decode()
    status, headers, body = browser.request("GET", "/api/no-such-endpoint/", accept="application/json")
    assert status == 404 and json.loads(body) == {"error": "接口不存在。"}
    status, _headers, page = browser.request("GET", f"/notifications/unsubscribe/{production['token']}/")
    assert status == 200 and "督办摘要邮件" in page.decode()
    # A page that takes a whole number, given one Unicode calls a digit: the site's 400 page, in Chinese.
    who = account(production, "staff")
    browser.login(who["username"], who["password"])
    status, _headers, page = browser.request("GET", "/")
    target = re.search(rb'href="/targets/(\d+)/"', page).group(1).decode()
    status, _headers, page = browser.request("GET", f"/targets/{target}/?corrects=%C2%B2")
    assert status == 400 and "请求无效" in page.decode()


def test_api_docs_page(production):
    who = account(production, "staff")
    browser = Browser(production["port"])
    browser.login(who["username"], who["password"])
    assert "api-docs" in PAGES and API_PAGES  # the site map's entries walked here
    status, _headers, page = browser.request("GET", "/api/docs/")
    assert status == 200 and b"swagger" in page.lower()
