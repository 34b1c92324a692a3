"""Run the EverShop parity suite against a real EverShop 2.2.1 on the machine's PostgreSQL 15.

    .venv/bin/python tools/evershop/harness.py [--keep] [pytest arguments...]

`make test-evershop` calls this. Steps, each timed:

1. install  tools/evershop/package.json + package-lock.json (@evershop/evershop 2.2.1 and the
            `concat-stream` it imports without declaring), installed at the locked versions with
            `npm install --no-save` (this image's npm config writes lock files that `npm ci`
            then rejects: they lack other platforms' optional packages) into a cache folder
            outside the clone: $CUSTOMER_GATEWAY_EVERSHOP_CACHE, else
            ${XDG_CACHE_HOME:-~/.cache}/customer-gateway/evershop-2.2.1. Skipped when the cache
            holds an install of the same lock file.
2. postgres make sure the en_US.UTF-8 locale exists (localedef, after installing Debian's
            `locales` when localedef or its sources are missing; the cluster may already be
            running: a new backend sees a new locale), start the `15/main` cluster if it is down
            (stopped again at the end), create a login role.
3. build    `evershop build` into the cache, skipped when it was built from the same install.
Then once per collation, en_US.UTF-8 (the official postgres image's default) and C.UTF-8 (the
cluster default of Debian's and the EverShop quick start's databases):
4. database a fresh database created with that collation (no fallback: a collation that cannot
            be had fails the run).
5. start    `evershop start` (NODE_ENV=production, so the rate limiter is on) on 127.0.0.1 and
            a free port, fresh JWT secrets; it runs its migrations, then listens.
6. admin    `evershop user:create` (EverShop's own CLI; it exits 0 even when it fails, so the row
            is checked in admin_user afterwards).
7. suite    pytest tests/evershop_real (the path given explicitly: `make test` ignores it) with
            EVERSHOP_URL & co. in its environment, but without test_pool_exhaustion.py. After
            the last collation EverShop is restarted and tests/evershop_real/
            test_pool_exhaustion.py runs alone (EVERSHOP_DESTRUCTIVE=1): it leaves that process
            hanging, by design. A run in which any test skipped fails (pytest's JUnit report is
            read), as does one that ran no test.
8. teardown always (exceptions, Ctrl-C, SIGTERM): stop EverShop's process group, drop the database
            and role, stop the cluster if step 2 started it. `--keep` leaves the last database,
            role and cluster in place for debugging (EverShop is still stopped).

`--collation en_US.UTF-8` (or C.UTF-8; repeatable) runs only those collations.
Exit status: 0 when every run passed without skips, 1 when a test failed or skipped, 2 when the
set-up failed (the log file is named).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Final, TextIO
from xml.etree import ElementTree

import httpx

ROOT: Final = Path(__file__).resolve().parents[2]
HERE: Final = Path(__file__).resolve().parent
EVERSHOP_VERSION: Final = "2.2.1"
CLUSTER: Final = ("15", "main")
DB_NAME: Final = "customer_gateway_evershop"
DB_ROLE: Final = "customer_gateway_evershop"
ADMIN_EMAIL: Final = "admin@example.com"
ADMIN_NAME: Final = "Admin"  # the emulator's admin is called "Admin" too (JWT `user` claims)
# The parity suite runs once per collation: both must pass (issue 14, item 7).
COLLATIONS: Final = ("en_US.UTF-8", "C.UTF-8")
START_TIMEOUT: Final = 180.0
ENV: Final = dict(os.environ)  # noqa: TID251 - a command-line tool, not the gateway


class SetupError(Exception):
    """A step failed; the message says which and where its log is."""


def say(message: str) -> None:
    sys.stderr.write(f"[test-evershop] {message}\n")
    sys.stderr.flush()


def run(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    log: TextIO | None = None,
    stdin: str | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command; its output goes to `log` (or is captured when there is none)."""
    result = subprocess.run(  # noqa: S603 - fixed argument lists, no shell
        list(command),
        cwd=cwd,
        env=env,
        input=stdin,
        text=True,
        stdout=log if log is not None else subprocess.PIPE,
        stderr=subprocess.STDOUT if log is not None else subprocess.PIPE,
        check=False,
    )
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip()[-2000:]
        raise SetupError(f"{' '.join(command[:4])} … exited {result.returncode}: {detail}")
    return result


@dataclass
class Timings:
    steps: list[tuple[str, float]] = field(default_factory=list)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.steps.append((name, time.monotonic() - started))

    def report(self) -> str:
        return ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.steps)


def cache_dir() -> Path:
    explicit = ENV.get("CUSTOMER_GATEWAY_EVERSHOP_CACHE")
    if explicit:
        return Path(explicit)
    base = ENV.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "customer-gateway" / f"evershop-{EVERSHOP_VERSION}"


def fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


# -- 1. install ---------------------------------------------------------------------------------


def install(cache: Path, logs: Path) -> bool:
    """Install into the cache unless it already holds this lock file; True when it ran."""
    manifest, lock = HERE / "package.json", HERE / "package-lock.json"
    wanted = fingerprint(manifest, lock)
    stamp = cache / ".installed"
    installed = cache / "node_modules/@evershop/evershop/package.json"
    if stamp.exists() and stamp.read_text() == wanted and installed.exists():
        return False
    stamp.unlink(missing_ok=True)
    (cache / ".built").unlink(missing_ok=True)
    shutil.copyfile(manifest, cache / "package.json")
    shutil.copyfile(lock, cache / "package-lock.json")
    with (logs / "install.log").open("w") as log:
        try:
            run(
                ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--loglevel=warn"],
                cwd=cache,
                env=ENV,
                log=log,
            )
        except SetupError:
            raise SetupError(f"npm install failed: see {logs / 'install.log'}") from None
    stamp.write_text(wanted)
    return True


# -- 2. postgres --------------------------------------------------------------------------------


@dataclass
class Postgres:
    port: int
    started_cluster: bool
    password: str = field(default_factory=lambda: secrets.token_hex(16))
    collation: str = COLLATIONS[0]

    @property
    def url(self) -> str:
        return f"postgresql://{DB_ROLE}:{self.password}@127.0.0.1:{self.port}/{DB_NAME}"

    def env(self) -> dict[str, str]:
        return {
            "DB_HOST": "127.0.0.1",
            "DB_PORT": str(self.port),
            "DB_NAME": DB_NAME,
            "DB_USER": DB_ROLE,
            "DB_PASSWORD": self.password,
            "DB_SSLMODE": "disable",
        }


def as_postgres(command: Sequence[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return ["sudo", "-n", "-u", "postgres", *command]


def superuser_sql(port: int, sql: str, *, database: str = "postgres", check: bool = True) -> str:
    result = run(
        as_postgres(
            [
                "psql",
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-p",
                str(port),
                "-d",
                database,
            ]
        ),
        stdin=sql,
        check=check,
    )
    return result.stdout.strip()


def cluster_status() -> tuple[int, str]:
    result = run(["pg_lsclusters", "--no-header"])
    for line in result.stdout.splitlines():
        fields = line.split()
        if tuple(fields[:2]) == CLUSTER:
            return int(fields[2]), fields[3]
    raise SetupError(f"PostgreSQL cluster {'/'.join(CLUSTER)} not found (pg_lsclusters)")


def locale_names() -> set[str]:
    return set(run(["locale", "-a"], check=False).stdout.lower().split())


def ensure_locale() -> bool:
    """Generate en_US.UTF-8 when it is missing, installing what that needs; else fail.

    True when it was generated now: a running postmaster keeps the locale archive it mapped at
    start (its backends inherit it), so the cluster must then be restarted to see it.
    """
    if "en_us.utf8" in locale_names():
        return False
    if os.geteuid() != 0:
        raise SetupError(
            "the en_US.UTF-8 locale is missing and only root can generate it: run "
            "`localedef -i en_US -f UTF-8 en_US.UTF-8` as root (Debian: the `locales` package)"
        )
    sources = Path("/usr/share/i18n/locales/en_US"), Path("/usr/share/i18n/charmaps/UTF-8.gz")
    if shutil.which("localedef") is None or not all(path.exists() for path in sources):
        say("installing Debian's `locales` package (localedef and its sources)")
        apt_env = {**ENV, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-qq"], env=apt_env)
        run(["apt-get", "install", "-y", "-q", "locales"], env=apt_env)
    say("generating the en_US.UTF-8 locale (localedef)")
    run(["localedef", "-i", "en_US", "-f", "UTF-8", "en_US.UTF-8"])
    if "en_us.utf8" not in locale_names():
        raise SetupError("localedef ran but `locale -a` still lacks en_US.UTF-8")
    return True


def start_cluster() -> tuple[int, bool]:
    """The cluster's port, and whether it had to be started (then it is stopped at the end)."""
    generated = ensure_locale()
    port, status = cluster_status()
    if status == "online":
        if generated:
            restart_cluster()
        return port, False
    say(f"starting PostgreSQL cluster {'/'.join(CLUSTER)}")
    run(["pg_ctlcluster", *CLUSTER, "start"])
    return port, True


def restart_cluster() -> None:
    say(f"restarting PostgreSQL cluster {'/'.join(CLUSTER)} (it must load the new locale)")
    run(["pg_ctlcluster", *CLUSTER, "restart"])


def create_database(
    port: int, started_cluster: bool, collation: str, *, restarted: bool = False
) -> Postgres:
    db = Postgres(port=port, started_cluster=started_cluster, collation=collation)
    drop_database(db)
    superuser_sql(port, f"CREATE ROLE {DB_ROLE} LOGIN PASSWORD '{db.password}';")
    created = run(
        as_postgres(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-p", str(port)]),
        stdin=(
            f"CREATE DATABASE {DB_NAME} OWNER {DB_ROLE} TEMPLATE template0 ENCODING 'UTF8' "
            f"LC_COLLATE '{collation}' LC_CTYPE '{collation}';"
        ),
        check=False,
    )
    if created.returncode != 0 and "invalid locale name" in created.stderr and not restarted:
        # The locale exists (ensure_locale) but this postmaster started before it did.
        restart_cluster()
        return create_database(port, started_cluster, collation, restarted=True)
    if created.returncode != 0:
        raise SetupError(
            f"cannot create the database with collation {collation}: {created.stderr.strip()}"
        )
    return db


def drop_database(db: Postgres) -> None:
    superuser_sql(
        db.port,
        f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE);\nDROP ROLE IF EXISTS {DB_ROLE};",
    )


# -- 3. build / 5. start / 6. admin -------------------------------------------------------------


def evershop_command(cache: Path, *arguments: str) -> list[str]:
    node = shutil.which("node") or "node"
    return [node, str(cache / "node_modules/@evershop/evershop/dist/bin/evershop.js"), *arguments]


def base_env(db: Postgres) -> dict[str, str]:
    env = {key: value for key, value in ENV.items() if not key.startswith(("DB_", "JWT_"))}
    env.update(db.env())
    env.update({"SUPPRESS_NO_CONFIG_WARNING": "1", "TZ": "UTC", "NODE_ENV": "production"})
    return env


def build(cache: Path, db: Postgres, logs: Path) -> bool:
    """`evershop build` unless this install was built already; True when it ran."""
    stamp, wanted = cache / ".built", (cache / ".installed").read_text()
    if stamp.exists() and stamp.read_text() == wanted and (cache / ".evershop/build").is_dir():
        return False
    stamp.unlink(missing_ok=True)
    with (logs / "build.log").open("w") as log:
        # On a database without tables the settings bootstrap logs an error; the build goes on.
        result = run(evershop_command(cache, "build"), cwd=cache, env=base_env(db), log=log)
    if result.returncode != 0 or not (cache / ".evershop/build").is_dir():
        raise SetupError(f"evershop build failed: see {logs / 'build.log'}")
    stamp.write_text(wanted)
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Shop:
    process: subprocess.Popen[bytes]
    url: str
    env: dict[str, str]
    log: Path


def start_shop(cache: Path, db: Postgres, logs: Path) -> Shop:
    port = free_port()
    env = base_env(db)
    env.update(
        {
            "PORT": str(port),
            "JWT_ADMIN_SECRET": secrets.token_hex(24),
            "JWT_ADMIN_REFRESH_SECRET": secrets.token_hex(24),
            "JWT_CUSTOMER_SECRET": secrets.token_hex(24),
            "JWT_CUSTOMER_REFRESH_SECRET": secrets.token_hex(24),
            "EVERSHOP_LISTEN_HOST": "127.0.0.1",
            "NODE_OPTIONS": f"--import={(HERE / 'listen-localhost.mjs').as_uri()}",
        }
    )
    log_path = logs / "evershop.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            evershop_command(cache, "start"),
            cwd=cache,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the subscriber and cron children too
        )
    shop = Shop(process=process, url=f"http://127.0.0.1:{port}", env=env, log=log_path)
    try:
        wait_until_listening(shop)
    except BaseException:
        stop_shop(shop)  # never leave a half-started shop behind
        raise
    return shop


def wait_until_listening(shop: Shop) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if shop.process.poll() is not None:
            raise SetupError(f"evershop start exited ({shop.process.returncode}): see {shop.log}")
        try:
            # /healthz is exempt from the rate limiter; any answer means it is listening.
            httpx.get(f"{shop.url}/healthz", timeout=2.0)
        except httpx.TransportError:
            time.sleep(0.5)
            continue
        return
    raise SetupError(f"evershop did not listen within {START_TIMEOUT:.0f}s: see {shop.log}")


def stop_shop(shop: Shop) -> None:
    if shop.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shop.process.pid, signal.SIGTERM)
        try:
            shop.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(shop.process.pid, signal.SIGKILL)
            shop.process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):  # children that outlived the parent
        os.killpg(shop.process.pid, signal.SIGKILL)


def create_admin(cache: Path, db: Postgres, shop: Shop, password: str, logs: Path) -> None:
    with (logs / "admin.log").open("w") as log:
        run(
            evershop_command(
                cache,
                "user:create",
                "--email",
                ADMIN_EMAIL,
                "--password",
                password,
                "--name",
                ADMIN_NAME,
            ),
            cwd=cache,
            env={key: value for key, value in shop.env.items() if key != "NODE_OPTIONS"},
            log=log,
        )
    count = superuser_sql(
        db.port,
        f"SELECT count(*) FROM admin_user WHERE email = '{ADMIN_EMAIL}' AND status;",  # noqa: S608
        database=DB_NAME,
    )
    if count != "1":
        raise SetupError(f"evershop user:create did not create the admin: see {logs / 'admin.log'}")


# -- 7. suite -----------------------------------------------------------------------------------


DESTRUCTIVE: Final = "tests/evershop_real/test_pool_exhaustion.py"
SUITE: Final = "tests/evershop_real"
NO_TESTS_COLLECTED: Final = 5  # pytest's exit status


@dataclass(frozen=True)
class SuiteResult:
    status: int
    tests: int
    skipped: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return self.status == 0 and self.tests > 0 and not self.skipped


def run_suite(
    db: Postgres,
    shop: Shop,
    password: str,
    pytest_args: Sequence[str],
    report: Path,
    *,
    destructive: bool = False,
) -> SuiteResult:
    env = dict(ENV)
    env.update(
        {
            "EVERSHOP_URL": shop.url,
            "EVERSHOP_ADMIN_EMAIL": ADMIN_EMAIL,
            "EVERSHOP_ADMIN_PASSWORD": password,
            "EVERSHOP_JWT_ADMIN_SECRET": shop.env["JWT_ADMIN_SECRET"],
            "EVERSHOP_JWT_ADMIN_REFRESH_SECRET": shop.env["JWT_ADMIN_REFRESH_SECRET"],
            "EVERSHOP_JWT_CUSTOMER_SECRET": shop.env["JWT_CUSTOMER_SECRET"],
            "EVERSHOP_DB_URL": db.url,
        }
    )
    if destructive:
        env["EVERSHOP_DESTRUCTIVE"] = "1"
        targets = [DESTRUCTIVE]
    else:
        targets = [SUITE, f"--ignore={DESTRUCTIVE}"]
    report.unlink(missing_ok=True)
    command = [sys.executable, "-m", "pytest", "-q", "-rs", *targets, f"--junitxml={report}"]
    status = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [*command, *pytest_args], cwd=ROOT, env=env, check=False
    ).returncode
    tests, skipped = read_junit(report)
    return SuiteResult(status, tests, skipped)


def read_junit(report: Path) -> tuple[int, tuple[str, ...]]:
    """(tests run, names of the skipped ones) from pytest's JUnit XML report."""
    if not report.exists():
        return 0, ()
    root = ElementTree.parse(report).getroot()  # noqa: S314 - pytest's own report
    tests = 0
    skipped = []
    for case in root.iter("testcase"):
        tests += 1
        if case.find("skipped") is not None:
            skipped.append(f"{case.get('classname')}::{case.get('name')}")
    return tests, tuple(skipped)


def judge(label: str, result: SuiteResult, *, selection: bool) -> int:
    """pytest's status, made a failure when a test skipped or (unless the caller selected
    tests) when none ran: a parity run that proves nothing must not pass."""
    if result.skipped:
        say(f"{label}: {len(result.skipped)} tests skipped — a parity run may skip none:")
        for name in result.skipped:
            say(f"  skipped: {name}")
        return result.status or 1
    if result.tests == 0:
        if selection:
            return 0  # the caller's -k / path selected nothing here
        say(f"{label}: no test ran")
        return result.status or 1
    return result.status


# -- driver -------------------------------------------------------------------------------------


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def parse_arguments(argv: Sequence[str]) -> tuple[bool, tuple[str, ...], list[str]]:
    """(--keep, the collations, pytest's arguments)."""
    keep = False
    collations: list[str] = []
    rest: list[str] = []
    items = iter(argv)
    for arg in items:
        if arg == "--keep":
            keep = True
        elif arg == "--collation" or arg.startswith("--collation="):
            value = arg.partition("=")[2] or next(items, "")
            if value not in COLLATIONS:
                raise SystemExit(f"--collation is one of {', '.join(COLLATIONS)}")
            collations.append(value)
        else:
            rest.append(arg)
    return keep, tuple(collations) or COLLATIONS, rest


def main(argv: Sequence[str]) -> int:
    keep, collations, pytest_args = parse_arguments(argv)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    logs = cache / "logs"
    logs.mkdir(exist_ok=True)
    timings = Timings()
    db: Postgres | None = None
    shop: Shop | None = None
    started_cluster = False
    statuses: list[tuple[str, int]] = []
    status = 2
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one run per cache (and database) at a time
        try:
            say(f"cache: {cache}")
            with timings.step("install"):
                say("install: npm install" if install(cache, logs) else "install: cached")
            with timings.step("postgres"):
                port, started_cluster = start_cluster()
                db = create_database(port, started_cluster, collations[0])
            with timings.step("build"):
                say("build: evershop build" if build(cache, db, logs) else "build: cached")
            for index, collation in enumerate(collations):
                label = collation.split(".")[0]
                if index:
                    db = create_database(port, started_cluster, collation)
                say(f"postgres: database {DB_NAME} on port {db.port}, collation {db.collation}")
                with timings.step(f"start {label}"):
                    shop = start_shop(cache, db, logs)
                    say(f"start: EverShop {EVERSHOP_VERSION} at {shop.url} (log: {shop.log})")
                password = secrets.token_urlsafe(18)
                with timings.step(f"admin {label}"):
                    create_admin(cache, db, shop, password, logs)
                with timings.step(f"suite {label}"):
                    result = run_suite(db, shop, password, pytest_args, logs / f"suite-{label}.xml")
                statuses.append(
                    (f"suite {label}", judge(f"suite {label}", result, selection=bool(pytest_args)))
                )
                stop_shop(shop)
                shop = None
                if index == len(collations) - 1:
                    with timings.step("restart"):
                        shop = start_shop(cache, db, logs)
                        say(f"restart: a fresh EverShop process for {DESTRUCTIVE}")
                    with timings.step("pool-exhaustion"):
                        result = run_suite(
                            db,
                            shop,
                            password,
                            pytest_args,
                            logs / "pool-exhaustion.xml",
                            destructive=True,
                        )
                    statuses.append(
                        (
                            "pool-exhaustion",
                            judge("pool-exhaustion", result, selection=bool(pytest_args)),
                        )
                    )
                    stop_shop(shop)
                    shop = None
                elif not keep:
                    drop_database(db)
            status = 1 if any(code for _, code in statuses) else 0
            say(
                "results: "
                + ", ".join(f"{name} {'ok' if not code else 'FAILED'}" for name, code in statuses)
            )
        except SetupError as error:
            say(f"set-up failed: {error}")
            status = 2
        finally:
            with timings.step("teardown"):
                if shop is not None:
                    stop_shop(shop)
                if db is not None and not keep:
                    with contextlib.suppress(SetupError):
                        drop_database(db)
                if started_cluster and not keep:
                    say(f"stopping PostgreSQL cluster {'/'.join(CLUSTER)}")
                    run(["pg_ctlcluster", *CLUSTER, "stop"], check=False)
            say(f"timings: {timings.report()}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
