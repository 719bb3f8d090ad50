"""Speed where people wait: `plantrack import` and the dashboard's upload, timed.

Prints, each as the median of a few runs (wall time, seconds; for the commands also the CPU time
of the processes they ran, which a busy machine inflates less):

- the CLI's start-up (`plantrack --help`);
- `plantrack import` of a 40,000-character plan with `--registry plan_definitions --registry
  examples/2025`, cold (no catalogue cache on disk) and warm (the cache written by the run before);
- the catalogue's load in process, cold (parsed and checked) and cached (nothing changed);
- the dashboard's upload of the same plan, posted to the import page of a running app through an
  ASGI round trip (Starlette's TestClient), after a first upload has loaded the catalogue.

The 40,000-character document is made from a tuning plan of the corpus (552/KH-UBND, ~26,000
characters) by appending its own text again up to 40,000 characters. Usage:

    PYTHONPATH=$PWD .venv/bin/python bench/import_speed.py [--runs 5] [--document PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent.parent / "shared" / "corpus" / "plans" / "192068354fd1ffe5_552-KH-UBND.txt"
for candidate in (Path("/work/shared/corpus/plans/192068354fd1ffe5_552-KH-UBND.txt"),):
    if not SOURCE.exists() and candidate.exists():
        SOURCE = candidate
REGISTRIES = ("plan_definitions", "examples/2025")
SIZE = 40_000


def document_of(folder: Path, source: Path = SOURCE) -> Path:
    """A plan of ``SIZE`` characters: ``source``, then the lines of its second half again (as often as needed),
    cut at a line's end."""
    text = source.read_text(encoding="utf-8")
    half = text.splitlines()[len(text.splitlines()) // 2:]
    for line in half * (SIZE // max(1, len(text)) + 1):
        if len(text) + len(line) + 1 > SIZE:
            break
        text += "\n" + line
    path = folder / "ke-hoach-40k.txt"
    path.write_text(text, encoding="utf-8")
    return path


CPU: dict[str, list[float]] = {}  # CPU seconds (user + system) of the processes a command ran and waited for


def _wall(command: list[str], env: dict, name: str = "") -> float:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    if name:
        CPU.setdefault(name, []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return took


def _median(times: list[float], cpu: list[float] | None = None) -> str:
    text = f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, n={len(times)})"
    return text + (f"; CPU {statistics.median(cpu):.2f} s" if cpu else "")


def cli_times(document: Path, runs: int, folder: Path) -> dict[str, list[float]]:
    cache = folder / "cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLANTRACK_CACHE_DIR": str(cache)}
    python = sys.executable
    command = [python, "-m", "plantrack.cli", "import", str(document), "-o", str(folder / "draft")]
    for registry in REGISTRIES:
        command += ["--registry", registry]
    found: dict[str, list[float]] = {"help": [], "cold": [], "warm": []}
    for _ in range(runs):
        found["help"].append(_wall([python, "-m", "plantrack.cli", "--help"], env, "help"))
    for _ in range(runs):
        subprocess.run(["rm", "-rf", str(cache)], check=True)
        found["cold"].append(_wall(command, env, "cold"))
        found["warm"].append(_wall(command, env, "warm"))
    return found


def catalogue_times(runs: int) -> dict[str, list[float]]:
    from plantrack import loader

    folders = [ROOT / r for r in REGISTRIES]
    found: dict[str, list[float]] = {"cold": [], "cached": []}
    for _ in range(runs):
        start = time.perf_counter()
        loader.load_catalogue(*folders)
        found["cold"].append(time.perf_counter() - start)
    try:
        from plantrack.catalogue_cache import cached_catalogue as cached
    except ImportError:  # before the cache
        cached = None
    if cached is not None:
        cached(*folders)
        for _ in range(runs):
            start = time.perf_counter()
            cached(*folders)
            found["cached"].append(time.perf_counter() - start)
    return found


def upload_times(document: Path, runs: int, folder: Path) -> list[float]:
    from starlette.testclient import TestClient

    from plantrack.accounts import Role, add_account
    from plantrack.keys import demo_keyring
    from plantrack.store.database import Store
    from plantrack.web.app import create_app

    now = dt.datetime(2025, 12, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    store = Store(f"sqlite:///{folder / 'web.db'}")
    with store.transaction() as session:
        add_account(session, "dieuphoi", "Điều phối", "mat-khau-du-dai-123", now, Role.COORDINATOR)
    app = create_app(store, demo_keyring("import-speed"), lambda: now, folder / "uploads", "http://testserver",
                     definitions=tuple(ROOT / r for r in REGISTRIES))
    from plantrack.web.guards import ImportThrottle

    app.state.import_throttle = ImportThrottle(per_account="1000/hour")
    body = document.read_bytes()
    times = []
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/dang-nhap")
        token = _csrf(page.text)
        signed = client.post("/dang-nhap", data={"csrf": token, "login": "dieuphoi", "password": "mat-khau-du-dai-123"})
        if signed.status_code >= 400:
            raise SystemExit(f"sign-in failed: {signed.status_code}")
        token = _csrf(client.get("/nhap-ke-hoach").text)
        for number in range(runs + 1):
            start = time.perf_counter()
            answer = client.post("/nhap-ke-hoach", data={"csrf": token}, files={"document": (document.name, body, "text/plain")})
            took = time.perf_counter() - start
            if answer.status_code != 200:
                raise SystemExit(f"upload failed: {answer.status_code}")
            if number:  # the first upload warms the server (templates, the catalogue where it is cached)
                times.append(took)
    store.engine.dispose()
    return times


def _csrf(html: str) -> str:
    import re

    return re.search(r'name="csrf" value="([^"]+)"', html)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--document", type=Path, default=None, help="a plan to import instead of the 40,000-character one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-speed-") as name:
        folder = Path(name)
        document = args.document or document_of(folder)
        print(f"document: {document.name}, {len(document.read_text(encoding='utf-8')):,} characters; registries: {', '.join(REGISTRIES)}")
        cli = cli_times(document, args.runs, folder)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (wall times grow with it; CPU times less)")
        print(f"plantrack --help (start-up):        {_median(cli['help'], CPU.get('help'))}")
        print(f"plantrack import, cold:             {_median(cli['cold'], CPU.get('cold'))}")
        print(f"plantrack import, warm:             {_median(cli['warm'], CPU.get('warm'))}")
        catalogue = catalogue_times(args.runs)
        print(f"catalogue load, cold (in process):  {_median(catalogue['cold'])}")
        if catalogue["cached"]:
            print(f"catalogue load, cached:             {_median(catalogue['cached'])}")
        else:
            print("catalogue load, cached:             (no cache in this version)")
        print(f"dashboard upload (ASGI round trip): {_median(upload_times(document, args.runs, folder))}")


if __name__ == "__main__":
    main()
