"""The bug-report bundle: what the guide asks to attach, with every secret redacted.

``build_bundle(record, ctx)`` assembles the files (the run's outputs, ``summary.md`` and
what ``doctor.report.sources`` collects), passes each through ``ctx.redactor`` and adds
``manifest.json``; ``ReservedFile`` writes them as one ``.tar.gz`` that is created with
mode 0600 and never replaces what it should not.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import secrets
import stat
import tarfile
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from doctor import __version__
from doctor.formats import json as json_format
from doctor.formats.text import WIDTH
from doctor.formats.text import render as render_text
from doctor.i18n import tr
from doctor.report.backend_log import file_kind
from doctor.report.redact import MARK, RULE_IDS, Redactor
from doctor.report.sources.backend import backend_log_text
from doctor.report.sources.collect import first_phase
from doctor.report.sources.common import Content, Unavailable, deadline, gather, why
from doctor.report.sources.docker import BACKEND_TAIL, container_steps, docker_ps_text
from doctor.report.sources.environment import environment_text
from doctor.report.sources.transcript import transcript_text
from doctor.report.summary import SummaryParts, ai_for_summary, as_text, summary_markdown

if TYPE_CHECKING:
    from doctor.context import Context
    from doctor.session import RunRecord

MANIFEST_SCHEMA = "sse-doctor-report/1"
FILE_MODE = 0o600


def default_name(now: datetime) -> str:
    """``sse-doctor-report-20261127T103045Z.tar.gz`` for a UTC time."""
    return f"sse-doctor-report-{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}.tar.gz"


def redact_file(redactor: Redactor, name: str, content: Content) -> bytes:
    """The file's bytes: objects redacted deeply and written as JSON, then the text pass.

    A lone surrogate (from a backend's ``"\\ud800"``) is written as ``\\ud800``, so every
    file is valid UTF-8 and a JSON file stays valid JSON.
    """
    if isinstance(content, str):
        text = content
    else:
        redacted = redactor.redact_obj(content, file=name)
        text = json.dumps(redacted, ensure_ascii=False, indent=2, default=str) + "\n"
    return redactor.redact(text, file=name).encode("utf-8", "backslashreplace")


def manifest(files: Iterable[tuple[str, bytes]], redactor: Redactor, created_at: str) -> bytes:
    """Name, size, sha256 and redactions per rule of each file, and the totals per rule.

    It holds only names, sizes, digests and counts, so it is not passed through the
    redactor (its rule ids, like ``known-secret``, would look like secret names to it).
    """
    totals = dict.fromkeys(RULE_IDS, 0)
    entries = []
    for name, data in files:
        counts = {rule: n for rule, n in redactor.counts.get(name, {}).items() if n}
        for rule, n in counts.items():
            totals[rule] = totals.get(rule, 0) + n
        entries.append(
            {
                "name": name,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "redactions": counts,
            }
        )
    document = {
        "schema": MANIFEST_SCHEMA,
        "tool_version": __version__,
        "created_at": created_at,
        "files": entries,
        "redactions": totals,
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def build_bundle(record: RunRecord, ctx: Context) -> list[tuple[str, bytes]]:
    """Every bundle file, redacted, in archive order, ending with ``manifest.json``."""
    config = ctx.config
    redactor = ctx.redactor
    project_id = record.target.get("project_id")
    project_container = config.container_name(project_id) if project_id else None

    view, mongo, ai_http = first_phase(record, ctx, project_container)
    later: dict[str, Any] = {}
    if view.client is not None:
        later = gather(container_steps(view, config, project_container), deadline(config))
    tail = later.pop(BACKEND_TAIL, None)
    if config.backend_container and view.problem:
        tail = Unavailable(view.problem)

    makers: dict[str, Callable[[], Content]] = {
        "results.json": lambda: json_format.document(record.redacted(redactor, "results.json")),
        "run.txt": lambda: render_text(
            record.redacted(redactor, "run.txt"), max(1, config.verbose), False, WIDTH
        ),
        "sse-transcript.txt": lambda: transcript_text(record),
        "backend-log.txt": lambda: backend_log_text(
            config, record.target.get("run_id"), project_container, tail
        ),
        "docker-ps.txt": lambda: docker_ps_text(view, config),
        "environment.txt": lambda: environment_text(config, view, mongo),
    }
    raw = {name: _content(make) for name, make in makers.items()}
    for name, value in later.items():
        raw[_redacted_path(redactor, name)] = _content(lambda value=value: value)
    for path, value in ai_http.items():
        raw[f"ai-server/{path}.txt"] = value

    def quoted(name: str) -> str:
        return redactor.redact(as_text(raw.get(name, "")), file="summary.md")

    label, health, tasks = ai_for_summary(record, raw, view, project_container)
    parts = SummaryParts(
        run=quoted("run.txt"),
        transcript=quoted("sse-transcript.txt"),
        backend_log=quoted("backend-log.txt"),
        docker_ps=quoted("docker-ps.txt"),
        ai_label=redactor.redact(label, file="summary.md"),
        health=redactor.redact(health, file="summary.md"),
        tasks=redactor.redact(tasks, file="summary.md"),
    )
    summary = summary_markdown(record.redacted(redactor, "summary.md"), parts)
    files = [("summary.md", redact_file(redactor, "summary.md", summary))]
    files += [(name, redact_file(redactor, name, content)) for name, content in raw.items()]
    created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    files.append(("manifest.json", manifest(files, redactor, created_at)))
    return files


def _content(make: Callable[[], Any]) -> Content:
    """A file's content, or the sentence saying why there is none: a bundle is never lost."""
    try:
        value = make()
    except Exception as exc:  # one file that cannot be made must not cost the others
        value = exc
    if isinstance(value, BaseException):
        return tr("Could not read it: {reason}", reason=why(value)) + "\n"
    return value


def _redacted_path(redactor: Redactor, path: str) -> str:
    """An archive path whose container name cannot carry a secret into the tar headers."""
    redacted = redactor.redact(path, file="manifest.json")
    return redacted.replace(MARK, "REDACTED")


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

    def commit(self, files: Iterable[tuple[str, bytes]]) -> int:
        """Write the archive and move it into place; its size in bytes."""
        assert self._fd is not None
        fd, self._fd = self._fd, None
        try:
            with os.fdopen(fd, "wb") as raw:
                write_archive(raw, files)
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


def write_archive(out: io.BufferedIOBase, files: Iterable[tuple[str, bytes]]) -> None:
    """A gzip tar of the files, readable only by their owner once extracted."""
    now = int(time.time())
    seen: set[str] = set()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files:
            parts = name.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                directory = "/".join(parts[:depth])
                if directory not in seen:
                    seen.add(directory)
                    archive.addfile(_info(directory, 0, 0o700, now, tarfile.DIRTYPE))
            archive.addfile(_info(name, len(data), FILE_MODE, now), io.BytesIO(data))


def _info(name: str, size: int, mode: int, mtime: int, kind: bytes = tarfile.REGTYPE) -> Any:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime, info.type = size, mode, mtime, kind
    return info
