"""Reading a bundle back, as support-bundle's ``analyze`` does: ``sse-doctor analyze``.

:func:`open_bundle` reads a ``.tar.gz`` (or an extracted directory) into memory, never onto
disk: members with an absolute path, ``..``, links or devices are refused, and every read
is bounded. It checks each file against the manifest's size and sha256, and rebuilds the
run from ``results.json`` as a ``RunRecord`` the formats can render.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tarfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from doctor.config import Config
from doctor.diagnosis import Finding
from doctor.formats.json import SCHEMA as RESULTS_SCHEMA
from doctor.model import Category, Check, Result, Status
from doctor.report.archive import MANIFEST_SCHEMA
from doctor.session import RunRecord

MAX_MEMBERS = 5000
MAX_FILE_BYTES = 64 << 20
MAX_TOTAL_BYTES = 256 << 20


class NotABundle(Exception):
    """The path is not an sse-doctor bundle; the message says why, in one line."""


@dataclass
class OpenedBundle:
    """A bundle's files (by their name under its top-level directory) and what they say."""

    root: str
    files: dict[str, bytes]
    manifest: dict[str, Any]
    results: dict[str, Any]
    mismatched: list[str] = field(default_factory=list)
    """Files whose size or sha256 differs from the manifest's."""
    absent: list[str] = field(default_factory=list)
    """Files the manifest lists that the bundle lacks."""
    unlisted: list[str] = field(default_factory=list)
    """Files the bundle holds that the manifest does not list."""

    @property
    def intact(self) -> bool:
        return not (self.mismatched or self.absent or self.unlisted)

    @property
    def exit_code(self) -> int:
        """The exit status the run recorded."""
        code = self.results.get("exit_code")
        return code if isinstance(code, int) and not isinstance(code, bool) else 1


def open_bundle(path: Path) -> OpenedBundle:
    """Read and check the bundle at ``path``; NotABundle when it is none."""
    try:
        found = _from_directory(path) if path.is_dir() else _from_archive(path)
    except OSError as exc:
        raise NotABundle(f"cannot read it: {exc.strerror or exc}") from None
    root, files = _under_root(found)
    manifest = _json(files, "manifest.json")
    if manifest.get("schema") != MANIFEST_SCHEMA or not isinstance(manifest.get("files"), list):
        raise NotABundle(f"its manifest.json is not an {MANIFEST_SCHEMA} manifest")
    results = _json(files, "results.json")
    if results.get("schema") != RESULTS_SCHEMA:
        raise NotABundle(f"its results.json is not an {RESULTS_SCHEMA} document")
    opened = OpenedBundle(root, files, manifest, results)
    listed = set()
    for entry in manifest["files"]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise NotABundle("its manifest.json lists a file without a name")
        name = entry["name"]
        listed.add(name)
        data = files.get(name)
        if data is None:
            opened.absent.append(name)
        elif entry.get("size") != len(data) or entry.get("sha256") != _sha256(data):
            opened.mismatched.append(name)
    opened.unlisted = sorted(set(files) - listed - {"manifest.json"})
    record_of(results)  # a results.json the formats cannot show is no bundle either
    return opened


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(files: Mapping[str, bytes], name: str) -> dict[str, Any]:
    if name not in files:
        raise NotABundle(f"it holds no {name}")
    try:
        document = json.loads(files[name])
    except ValueError:
        raise NotABundle(f"its {name} is not valid JSON") from None
    if not isinstance(document, dict):
        raise NotABundle(f"its {name} is not a JSON object")
    return document


def _safe_name(name: str) -> str:
    """The member's path, or NotABundle for one that could land outside the directory."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise NotABundle(f"member {name!r} has an absolute path")
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        raise NotABundle(f"member {name!r} has '..' in its path")
    return "/".join(part for part in parts if part != ".")


def _from_archive(path: Path) -> dict[str, bytes]:
    from doctor.report.backend_log import open_regular

    files: dict[str, bytes] = {}
    total = 0
    with open_regular(path) as raw:
        try:
            with tarfile.open(fileobj=raw, mode="r:*") as archive:
                for count, member in enumerate(archive):
                    if count >= MAX_MEMBERS:
                        raise NotABundle(f"it has more than {MAX_MEMBERS} members")
                    name = _safe_name(member.name)
                    if member.isdir():
                        continue
                    if not member.isfile():
                        raise NotABundle(f"member {member.name!r} is not a regular file")
                    total += member.size
                    if member.size > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES:
                        raise NotABundle(f"member {member.name!r} is larger than a bundle holds")
                    extracted = archive.extractfile(member)
                    assert extracted is not None  # a regular file
                    files[name] = extracted.read(MAX_FILE_BYTES + 1)
        except (tarfile.TarError, EOFError, zlib.error):
            raise NotABundle("it is not a .tar.gz archive, or a damaged one") from None
    return files


def _from_directory(path: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for folder, directories, names in os.walk(path, followlinks=False):
        for name in [*directories, *names]:
            full = Path(folder) / name
            mode = os.lstat(full).st_mode
            relative = full.relative_to(path).as_posix()
            if stat.S_ISLNK(mode) or not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise NotABundle(f"{relative} is not a regular file or directory")
            if stat.S_ISDIR(mode):
                continue
            if len(files) >= MAX_MEMBERS:
                raise NotABundle(f"it has more than {MAX_MEMBERS} files")
            with full.open("rb") as file:
                data = file.read(MAX_FILE_BYTES + 1)
            total += len(data)
            if len(data) > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES:
                raise NotABundle(f"{relative} is larger than a bundle holds")
            files[relative] = data
    return files


def _under_root(found: dict[str, bytes]) -> tuple[str, dict[str, bytes]]:
    """The top-level directory and the files by their names under it."""
    if "manifest.json" in found:  # an extracted directory's inside, or a flat bundle
        return "", found
    tops = {name.split("/", 1)[0] for name in found}
    if len(tops) == 1:
        (top,) = tops
        if f"{top}/manifest.json" in found:
            return top, {name.split("/", 1)[1]: data for name, data in found.items()}
    if len(tops) > 1:
        raise NotABundle("its files are not under one top-level directory")
    raise NotABundle("it holds no manifest.json")


class _StoredCheck(Check):
    """A check as results.json names it."""

    def __init__(self, check_id: str, layer: str, title: str) -> None:
        self.id, self.layer, self.title = check_id, layer, title  # type: ignore[misc]


def _category(value: Any) -> Category | None:
    try:
        return Category(value) if value else None
    except ValueError:
        return None


def record_of(results: Mapping[str, Any]) -> RunRecord:
    """The run that results.json records, to render as ``sse-doctor run`` does."""
    try:
        checks: list[Check] = []
        outcomes: list[Result] = []
        for item in results.get("results") or ():
            checks.append(_StoredCheck(str(item["id"]), str(item["layer"]), str(item["title"])))
            outcomes.append(
                Result(
                    check_id=str(item["id"]),
                    status=Status(item["status"]),
                    message=str(item.get("message") or ""),
                    category=_category(item.get("category")),
                    hint=item.get("hint"),
                    evidence=dict(item.get("evidence") or {}),
                    duration_ms=int(item.get("duration_ms") or 0),
                    problem=item.get("problem"),
                    basis=str(item.get("basis") or "observed"),
                )
            )
        diagnosis = [
            Finding(
                id=str(item["id"]),
                category=_category(item.get("category")),
                severity=str(item["severity"]),
                basis=str(item.get("basis") or "observed"),
                title=str(item.get("title") or ""),
                checks=tuple(item.get("checks") or ()),
                hint=str(item.get("hint") or ""),
                evidence=dict(item.get("evidence") or {}),
            )
            for item in results.get("diagnosis") or ()
        ]
        criteria = {str(c["id"]): c.get("met") for c in results.get("criteria") or ()}
        target = dict(results.get("target") or {})
        target.setdefault("backend_url", "-")
        return RunRecord(
            started_at=str(results.get("started_at") or ""),
            duration_ms=int(results.get("duration_ms") or 0),
            config=Config(),
            target=target,
            checks=checks,
            results=outcomes,
            criteria=criteria,
            diagnosis=diagnosis,
            left_out=[(int(n["count"]), str(n["why"])) for n in results.get("not_run") or ()],
            cancelled=bool(results.get("cancelled")),
            interrupted=bool(results.get("interrupted")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise NotABundle(f"its results.json is not an {RESULTS_SCHEMA} document ({exc})") from None


def diagnosis_document(opened: OpenedBundle) -> dict[str, Any]:
    """``analyze --json``: the diagnosis part of results.json and the bundle's integrity."""
    results = opened.results
    return {
        "schema": "sse-doctor-analysis/1",
        "bundle": {
            "root": opened.root,
            "created_at": opened.manifest.get("created_at"),
            "tool_version": opened.manifest.get("tool_version"),
            "files": len(opened.files),
            "intact": opened.intact,
            "mismatched": opened.mismatched,
            "absent": opened.absent,
            "unlisted": opened.unlisted,
        },
        "target": results.get("target"),
        "diagnosis": results.get("diagnosis"),
        "criteria": results.get("criteria"),
        "summary": results.get("summary"),
        "exit_code": opened.exit_code,
    }
