"""Real servers for the load and fault tests: gunicorn serving Duban, a throwaway PostgreSQL cluster, a small
district's worth of staff and targets, and a plain HTTP client.

Everything listens on loopback only, on the ports given to these tests (gunicorn 8301-8309, PostgreSQL
5433-5439), and every process is started in its own session so teardown can stop it, children and all.

`python -m tests.integration.servers seed --targets N --writers N` (cwd: the project root, DATABASE_URL set)
migrates the database and seeds it, printing the ids and tokens as JSON: how the restart test fills the private
cluster, which the test process itself is not connected to.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
GUNICORN_PORTS = range(8301, 8310)
POSTGRES_PORTS = range(5433, 5440)


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(ports: range) -> int:
    for port in ports:
        if port_free(port):
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


def database_url(settings_dict: dict) -> str:
    """The URL of a Django database's settings (e.g. the pytest-django test database), for another process."""
    user = quote(settings_dict["USER"] or "", safe="")
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


def server_env(database: str, **extra: str) -> dict[str, str]:
    """The environment of a server process: this test's database, no debug pages, loopback hosts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        DATABASE_URL=database,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 10) -> None:
    """Signal the process group, then SIGKILL whatever is left after `grace` seconds."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --- HTTP ----------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: dict | list | str
    headers: dict[str, str]
    started: float  # time.monotonic() when the request was sent
    finished: float


def call(
    port: int,
    method: str,
    path: str,
    *,
    token: str | None,
    body: dict | None = None,
    headers=None,
    timeout: float = 15,
) -> Reply:
    """One request on a fresh connection, with a staff member's API token (None: anonymous)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        sent = {"Accept": "application/json", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Token {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        raw = response.read().decode()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw
        return Reply(response.status, parsed, dict(response.getheaders()), started, time.monotonic())
    finally:
        connection.close()


def version_of(reply: Reply) -> int:
    """The target version in an ETag ("<id>-<version>")."""
    return int(reply.headers["ETag"].strip('"').rsplit("-", 1)[1])


# --- gunicorn --------------------------------------------------------------------------------


class Gunicorn:
    """`gunicorn config.wsgi` on a loopback port, logging to a file; `with Gunicorn(...) as server:`."""

    def __init__(self, env: dict[str, str], logs: Path, *, workers: int = 2, threads: int = 8) -> None:
        self.env = env
        self.log_path = logs / "gunicorn.log"
        self.workers = workers
        self.threads = threads
        self.port = 0
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        self.log = open(self.log_path, "w")  # closed in __exit__
        try:
            for _attempt in range(3):  # another run may bind the free port between our check and gunicorn's bind
                self.port = free_port(GUNICORN_PORTS)
                self.process = subprocess.Popen(
                    self._command(), cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
                if self._ready(timeout=30):
                    return self
            raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def _command(self) -> list[str]:
        command = [GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
        command += ["--worker-class", "gthread", "--threads", str(self.threads), "--timeout", "30"]
        # --preload: Django is imported once, in the master, before the workers fork (half the start-up CPU).
        return [*command, "--preload", "--error-logfile", "-", "--log-level", "warning"]

    def _ready(self, timeout: float) -> bool:
        """True once Django answers; False if gunicorn exited (e.g. the port was taken)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with contextlib.suppress(OSError):
                # An anonymous API call: 401/403 means Django answered, without touching the database.
                if call(self.port, "GET", "/api/targets/", token=None, timeout=5).status in (401, 403):
                    return True
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        import psutil

        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def log_tail(self, lines: int = 40) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            _stop_group(self.process, signal.SIGKILL)  # the test is over: nothing is left to finish
        self.log.close()


# --- a private PostgreSQL cluster --------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian layout), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


class PrivateCluster:
    """A throwaway PostgreSQL cluster: trust auth, fsync off, loopback only, run as the `postgres` OS user
    (initdb refuses root). It may be stopped and started at will; __exit__ removes it."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.port = 0
        self.home: Path | None = None

    def _as_postgres(self, *command: str, timeout: float = 60) -> None:
        runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*runner, *command], capture_output=True, text=True, timeout=timeout, cwd=self.home, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}\n{self.log_tail()}")

    def __enter__(self) -> PrivateCluster:
        self.home = Path(tempfile.mkdtemp(prefix="duban-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres", "postgres")
        self.data = self.home / "data"
        try:
            self._as_postgres(
                str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--locale=C.UTF-8", "--no-sync", "--no-instructions",
            )  # fmt: skip
            settings = {
                "listen_addresses": "'127.0.0.1'",
                "unix_socket_directories": f"'{self.home}'",
                "fsync": "off",  # throwaway data: speed over durability
                "synchronous_commit": "off",
                "full_page_writes": "off",
                "max_connections": 40,
            }
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.write("".join(f"{name} = {value}\n" for name, value in settings.items()))
            for attempt in range(3):  # another run may bind the free port between our check and the server's bind
                self.port = free_port(POSTGRES_PORTS)
                with (self.data / "postgresql.conf").open("a") as conf:
                    conf.write(f"port = {self.port}\n")  # the last setting wins
                try:
                    self.start()
                    break
                except RuntimeError:
                    if attempt == 2:
                        raise
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        self._pg_ctl("start", "-l", str(self.home / "server.log"))

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def _pg_ctl(self, *args: str) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30", *args)

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')

    def rows(self, dbname: str, sql: str, params=()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(dbname), connect_timeout=10) as db:
            return db.execute(sql, params).fetchall()

    def log_tail(self, lines: int = 20) -> str:
        log = (self.home / "server.log") if self.home else None
        if log is None or not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def __exit__(self, *exc) -> None:
        if self.home is None:
            return
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self.stop("immediate")
        shutil.rmtree(self.home, ignore_errors=True)


# --- seed data ---------------------------------------------------------------------------------


def seed(*, targets: int, writers: int) -> dict:
    """A town with one department, `writers` staff members with API tokens, and `targets` targets they lead.

    Rows are bulk-inserted (the load is what is under test, not accepting commitments): ids and tokens come back.
    """
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from targets.models import Membership, Organisation, Target

    town = Organisation.objects.create(name="负载测试镇")
    department = town.departments.create(name="经济发展办")
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"writer{i:03d}", email=f"writer{i:03d}@example.org") for i in range(writers)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=town, department=department, role="staff") for u in users
    )
    tokens = Token.objects.bulk_create(Token(user=u, key=Token.generate_key()) for u in users)
    rows = Target.objects.bulk_create(
        Target(
            organisation=town,
            lead_department=department,
            title=f"重点项目{i:03d}建设",
            metric="投资额",
            unit="元",
            target_value=1_000_000,
            plan_year=2026,
            due_date=date(2026, 12, 31),
        )
        for i in range(targets)
    )
    return {"targets": [t.pk for t in rows], "tokens": [t.key for t in tokens]}


def main() -> None:
    import argparse

    import django
    from django.core.management import call_command

    parser = argparse.ArgumentParser(description="Migrate the DATABASE_URL database and seed it; print JSON.")
    parser.add_argument("command", choices=["seed"])
    parser.add_argument("--targets", type=int, required=True)
    parser.add_argument("--writers", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    print(json.dumps(seed(targets=args.targets, writers=args.writers)))


if __name__ == "__main__":
    main()


# --- a private Redis ---------------------------------------------------------------------------

REDIS_PORTS = range(6390, 6400)


class PrivateRedis:
    """`redis-server` on a loopback port of its own, no persistence: it can be killed and started again on the
    same port (Redis going away and coming back) without touching the shared Redis other tests use."""

    def __init__(self, logs: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.logs = logs
        self.port = free_port(REDIS_PORTS)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        log = open(self.logs / f"redis-{self.port}.log", "a")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.process.log = log
        deadline = time.monotonic() + 10
        while not _answers(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start on {self.port}")
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        if self.process is not None:
            _stop_group(self.process, signal.SIGKILL)
            self.process.log.close()
            self.process = None


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2) as probe:
        probe.sendall(b"PING\r\n")
        return probe.recv(16).startswith(b"+PONG")
    return False
