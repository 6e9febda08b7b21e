"""Writing the bundle: its archive path, the private temporary file, and the archive.

``archive_root`` names the one top-level directory every member lives under;
``ReservedFile`` checks the path before the run and writes the ``.tar.gz`` through a private
temporary file (mode 0600 from its first byte) that never replaces what it should not;
``manifest`` lists each file's size, sha256 and redactions.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import secrets
import stat
import tarfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from doctor import __version__
from doctor.report.backend_log import file_kind
from doctor.report.redact import RULE_IDS, Redactor

MANIFEST_SCHEMA = "sse-doctor-report/1"
FILE_MODE = 0o600
DIR_MODE = 0o700
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
DEFAULT_ROOT = "sse-doctor-report"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.+@-]")


def archive_root(path: Path) -> str:
    """The top-level directory inside the archive: the file's name without ``.tar.gz``.

    ``sse-doctor-report-20261127T103045Z.tar.gz`` holds ``sse-doctor-report-20261127T103045Z/``;
    characters that do not belong in one path component become ``_``.
    """
    name = path.name
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return _UNSAFE.sub("_", name).lstrip(".") or DEFAULT_ROOT


def redaction_totals(redactor: Redactor, names: Iterable[str]) -> dict[str, int]:
    """Redactions per rule over the files ``names``, every rule listed."""
    totals = dict.fromkeys(RULE_IDS, 0)
    for name in names:
        for rule, n in redactor.counts.get(name, {}).items():
            totals[rule] = totals.get(rule, 0) + n
    return totals


def manifest(
    files: Iterable[tuple[str, bytes]], redactor: Redactor, created_at: str, root: str
) -> bytes:
    """Name (relative to the top-level directory ``root``), size, sha256 and redactions per
    rule of each file, and the totals per rule.

    It holds only names, sizes, digests and counts, so it is not passed through the
    redactor (its rule ids, like ``known-secret``, would look like secret names to it).
    """
    files = list(files)
    entries = [
        {
            "name": name,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "redactions": {r: n for r, n in redactor.counts.get(name, {}).items() if n},
        }
        for name, data in files
    ]
    document = {
        "schema": MANIFEST_SCHEMA,
        "tool_version": __version__,
        "created_at": created_at,
        "root": root,
        "files": entries,
        "redactions": redaction_totals(redactor, [name for name, _ in files]),
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


class RefusedPath(OSError):
    """A bundle path that sse-doctor will not write: the message says why."""


_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV}


class ReservedFile:
    """The bundle's path, checked before the run, and a private temporary file beside it.

    The path must be a new file in an existing directory or, with ``force``, an existing
    regular file; never a symbolic link, a FIFO, a device or the file ``protect`` (the
    backend log). The archive is written to ``.sse-doctor-<random>.part`` (created with
    O_EXCL and mode 0600, so it is never readable by others), then linked to the path,
    which fails if a file appeared there meanwhile, or with ``force`` renamed over it.
    """

    def __init__(self, path: Path, force: bool = False, protect: Path | None = None) -> None:
        self.path = path
        self.force = force
        self.protect = protect
        self._replaces()
        self._temp = path.parent / f".sse-doctor-{secrets.token_hex(8)}.part"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        self._fd: int | None = os.open(self._temp, flags, FILE_MODE)

    def _replaces(self) -> bool:
        """True when the path is a file to replace, False when it is new; else OSError."""
        if not stat.S_ISDIR(os.stat(self.path.parent).st_mode):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), self.path.parent)
        try:
            found = os.lstat(self.path)
        except FileNotFoundError:
            return False
        if not stat.S_ISREG(found.st_mode):
            raise RefusedPath(f"it is {file_kind(found.st_mode)}, not a regular file")
        if not self.force:
            raise RefusedPath("it already exists (--force replaces a regular file)")
        if self.protect is not None:
            try:
                log = os.stat(self.protect)
            except OSError:
                log = None
            if log is not None and (log.st_dev, log.st_ino) == (found.st_dev, found.st_ino):
                raise RefusedPath("it is the --backend-log file")
        return True

    @property
    def root(self) -> str:
        """The archive's top-level directory."""
        return archive_root(self.path)

    def commit(self, files: Iterable[tuple[str, bytes]]) -> int:
        """Write the archive and move it into place; its size in bytes."""
        assert self._fd is not None
        fd, self._fd = self._fd, None
        try:
            with os.fdopen(fd, "wb") as raw:
                write_archive(raw, files, self.root)
            size = os.stat(self._temp).st_size
            if self._replaces():  # checked again: the run took a while
                os.replace(self._temp, self.path)
            else:
                try:
                    os.link(self._temp, self.path)  # never over a file that appeared meanwhile
                except OSError as exc:
                    if exc.errno not in _NO_HARD_LINKS:
                        raise
                    os.replace(self._temp, self.path)  # a file system without hard links
        finally:
            self._temp.unlink(missing_ok=True)
        return size

    def discard(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            self._temp.unlink(missing_ok=True)


def write_archive(out: io.BufferedIOBase, files: Iterable[tuple[str, bytes]], root: str) -> None:
    """A gzip tar of the files under the one directory ``root``, readable only by their
    owner once extracted (files 0600, directories 0700)."""
    now = int(time.time())
    seen: set[str] = set()
    with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, data in files:
            parts = [root, *name.split("/")[:-1]]
            for depth in range(1, len(parts) + 1):
                directory = "/".join(parts[:depth])
                if directory not in seen:
                    seen.add(directory)
                    archive.addfile(_info(directory, 0, DIR_MODE, now, tarfile.DIRTYPE))
            member = f"{root}/{name}"
            archive.addfile(_info(member, len(data), FILE_MODE, now), io.BytesIO(data))


def _info(name: str, size: int, mode: int, mtime: int, kind: bytes = tarfile.REGTYPE) -> Any:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime, info.type = size, mode, mtime, kind
    return info
