"""Bring up (and down) a local Prefect server with plantrack's deployments and a process worker.

``python -m flows.stack up`` (``make prefect``) does, in order, what an operator would:

1. starts ``prefect server start`` on 127.0.0.1 (its own ``PREFECT_HOME``, ``var/prefect`` by
   default) in the background, with its log in that home;
2. waits until ``/api/health`` answers (the server needs about 10 s here; a work pool created
   before that gets a ``ConnectError``);
3. creates the ``plantrack`` process work pool and deploys every deployment of
   ``prefect.yaml`` from the repository root (the worker runs the flows from this checkout);
4. starts a process worker on that pool, also in the background, and waits until the server
   sees it.

The worker inherits this process's environment: ``PLANTRACK_DATABASE_URL``,
``PLANTRACK_SMTP_URL``, ``PLANTRACK_MAIL_REDIRECT``... are read by the flows when they run.
``python -m flows.stack down`` stops both; ``status`` says what runs. The test suite brings a
stack up this way on a free port (``tests/test_prefect_stack.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POOL = "plantrack"
DEFAULT_HOME = ROOT / "var" / "prefect"


class StackError(Exception):
    """A step of bringing the stack up failed; the message says which and where its log is."""


def _prefect() -> str:
    beside = Path(sys.executable).with_name("prefect")
    return str(beside) if beside.exists() else "prefect"


def stack_environment(home: Path, port: int) -> dict[str, str]:
    """The environment of the server, the CLI steps and the worker."""
    env = dict(os.environ)
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_CLI_COLORS="false",
    )
    env.pop("PREFECT_PROFILES_PATH", None)
    return env


def api(port: int, path: str, body: dict | None = None, timeout: float = 10) -> object:
    """One call of the server's REST API (POST when ``body`` is given); the JSON answer.
    A busy server's 502/503 is retried with back-off."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    for attempt in range(5):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            # The server answers 503 while its SQLite database is busy; Prefect's own client
            # retries those too.
            if exc.code not in (502, 503) or attempt == 4:
                raise
            time.sleep(0.5 * 2**attempt)


def _healthy(port: int) -> bool:
    try:
        return api(port, "health", timeout=2) is True
    except (OSError, urllib.error.URLError, ValueError):
        return False


def _start(command: list[str], env: dict, log: Path, pid_file: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: ``down`` stops it and its children
        )
    pid_file.write_text(str(process.pid))
    return process


def _run(command: list[str], env: dict, log: Path, what: str) -> None:
    with log.open("ab") as out:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise StackError(f"{what} failed (exit {done.returncode}); see {log}")


def _wait(test, timeout: float, what: str, log: Path, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if test():
            return
        if process is not None and process.poll() is not None:
            raise StackError(f"{what}: the process ended (exit {process.returncode}); see {log}")
        time.sleep(0.5)
    raise StackError(f"{what}: not ready after {timeout:.0f} s; see {log}")


def up(home: Path = DEFAULT_HOME, port: int = 4200, timeout: float = 120) -> dict[str, str]:
    """Start server, pool, deployments and worker; returns the environment to talk to them."""
    home.mkdir(parents=True, exist_ok=True)
    env = stack_environment(home, port)
    if _healthy(port):
        raise StackError(f"a Prefect server already answers on port {port}: stop it first (python -m flows.stack down)")
    prefect = _prefect()
    server_log, worker_log, steps_log = home / "server.log", home / "worker.log", home / "steps.log"
    server = _start([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env, server_log, home / "server.pid")
    _wait(lambda: _healthy(port), timeout, "the Prefect server", server_log, server)
    _run([prefect, "work-pool", "create", POOL, "--type", "process", "--overwrite"], env, steps_log, "creating the work pool")
    _run([prefect, "--no-prompt", "deploy", "--all"], env, steps_log, "deploying prefect.yaml")
    worker = _start([prefect, "worker", "start", "--pool", POOL, "--name", f"{POOL}-worker"], env, worker_log, home / "worker.pid")

    def worker_seen() -> bool:
        try:
            workers = api(port, f"work_pools/{POOL}/workers/filter", {})
        except (OSError, urllib.error.URLError, ValueError):
            return False
        return any(w.get("name") == f"{POOL}-worker" for w in workers)

    _wait(worker_seen, timeout, "the process worker", worker_log, worker)
    return {"PREFECT_API_URL": env["PREFECT_API_URL"], "PREFECT_HOME": str(home)}


def down(home: Path = DEFAULT_HOME) -> list[str]:
    """Stop the worker, then the server (each with its children); returns what was stopped."""
    stopped = []
    for name in ("worker", "server"):
        pid_file = home / f"{name}.pid"
        if not pid_file.exists():
            continue
        pid = int(pid_file.read_text())
        try:
            os.killpg(pid, signal.SIGTERM)
            for _ in range(40):
                os.killpg(pid, 0)
                time.sleep(0.25)
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        pid_file.unlink()
        stopped.append(name)
    return stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["up", "down", "status"])
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME, help="PREFECT_HOME of the stack (default var/prefect)")
    parser.add_argument("--port", type=int, default=4200)
    options = parser.parse_args(argv)
    home = options.home.resolve()
    try:
        if options.action == "up":
            env = up(home, options.port)
            print(f"Prefect server, deployments and worker are up: UI at http://127.0.0.1:{options.port}/")
            print("To use the CLI against it:")
            print(f"  export PREFECT_API_URL={env['PREFECT_API_URL']} PREFECT_HOME={env['PREFECT_HOME']}")
            print(f"Logs: {home}/server.log, {home}/worker.log; stop with: python -m flows.stack down --home {home}")
        elif options.action == "down":
            stopped = down(home)
            print("stopped: " + (", ".join(stopped) or "nothing was running"))
        else:
            print(f"server on port {options.port}: {'up' if _healthy(options.port) else 'not answering'}")
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
