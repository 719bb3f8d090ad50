"""A loaded catalogue kept while its files are unchanged.

``cached_catalogue(*folders)`` is ``loader.load_catalogue(*folders)`` without the work when the
same files were loaded before and none has changed: the key is every definition file's path,
modification time (ns), change time and size, as ``definition_files`` finds them now (a file
added, removed, edited or touched is a new key), and the code that reads them. Kept in process
(the dashboard: one catalogue per set of folders, the latest few) and, given ``cache_dir``, on
disk as a pickle (the command line: one process per command); a cache entry is never trusted
for files other than the ones it was made from, and a folder that is not the user's own, or
that others may write, is not used. A catalogue with problems is never kept: ``DefinitionError``
is raised each time, with its lines. The catalogue returned is shared: callers read it, never
change it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import threading
from collections import OrderedDict
from pathlib import Path

from .catalogue import Catalogue
from .loader import definition_files, load_catalogue

KEPT = 4  # catalogues kept in process
_KEPT: OrderedDict[str, Catalogue] = OrderedDict()
_LOCK = threading.Lock()
_CODE = Path(__file__).resolve().parent


def fingerprint(folders: tuple[Path, ...]) -> str:
    """The key of what ``load_catalogue(*folders)`` would read now: each file's path, times and
    size, and the loader's own code (a new version reads the files anew)."""
    parts = [sys.version, *(str(Path(f).resolve()) for f in folders)]
    for path in (p for folder in folders for p in definition_files(Path(folder))):
        stat = path.stat()
        parts.append(f"{path.resolve()}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_size}")
    for path in sorted(_CODE.glob("*.py")) + sorted((_CODE / "rules").glob("*.py")):
        stat = path.stat()
        parts.append(f"{path.name}\0{stat.st_mtime_ns}\0{stat.st_size}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cached_catalogue(*folders: Path, cache_dir: Path | None = None) -> Catalogue:
    """``load_catalogue(*folders)``, from the cache where its files are unchanged (see the
    module's contract); raises ``DefinitionError`` as it does."""
    folders = tuple(Path(f) for f in folders)
    key = fingerprint(folders)
    with _LOCK:
        if key in _KEPT:
            _KEPT.move_to_end(key)
            return _KEPT[key]
    catalogue = _from_disk(cache_dir, key) if cache_dir is not None else None
    if catalogue is None:
        catalogue = load_catalogue(*folders)
        if cache_dir is not None:
            _to_disk(cache_dir, key, catalogue)
    with _LOCK:
        _KEPT[key] = catalogue
        while len(_KEPT) > KEPT:
            _KEPT.popitem(last=False)
    return catalogue


def clear() -> None:
    """Forget the catalogues kept in process."""
    with _LOCK:
        _KEPT.clear()


def default_cache_dir() -> Path:
    """``$PLANTRACK_CACHE_DIR``, else ``$XDG_CACHE_HOME/plantrack``, else ``~/.cache/plantrack``
    (the command line is an entry point: it may read the environment)."""
    if os.environ.get("PLANTRACK_CACHE_DIR"):
        return Path(os.environ["PLANTRACK_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "plantrack"


def _private(folder: Path) -> bool:
    """A folder only its owner (this user) may write: a pickle from anywhere else could run code."""
    try:
        stat = folder.stat()
    except OSError:
        return False
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


def _from_disk(folder: Path, key: str) -> Catalogue | None:
    path = folder / f"catalogue-{key}.pickle"
    if not _private(folder) or not path.is_file():
        return None
    try:
        with path.open("rb") as stream:
            found = pickle.load(stream)
    except Exception:  # noqa: BLE001  (a damaged or foreign entry is read anew)
        return None
    return found if isinstance(found, Catalogue) else None


def _to_disk(folder: Path, key: str, catalogue: Catalogue) -> None:
    """Write the entry atomically (a temporary file renamed); past ``KEPT`` entries the oldest go. A cache
    that cannot be written is no error: the next run loads the files again."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _private(folder):
            return
        temporary = folder / f".catalogue-{key}.{os.getpid()}.tmp"
        with temporary.open("wb") as stream:
            pickle.dump(catalogue, stream, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(folder / f"catalogue-{key}.pickle")
        entries = sorted(folder.glob("catalogue-*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEPT:]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return
