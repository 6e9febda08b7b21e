"""`sse-doctor analyze BUNDLE`: a real bundle read back, a tampered one, and what is no bundle."""

from __future__ import annotations

import io
import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from doctor.cli import main
from doctor.testbed import Stack
from tests.helpers import local_args


def analyze(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["analyze", "--no-color", "--lang", "en", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rewrite(source: Path, target: Path, change: dict[str, bytes | None]) -> None:
    """A copy of the archive with some members' contents replaced (None: left out)."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read() if member.isfile() else None
            short = member.name.split("/", 1)[-1]
            if member.isfile() and short in change:
                data = change[short]
                if data is None:
                    continue
                member.size = len(data)
            new.addfile(member, io.BytesIO(data) if data is not None else None)


def test_a_real_bundle_reads_back_with_its_diagnosis(
    stack_factory: Callable[..., Stack], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_factory(profile_name="v1")
    bundle = tmp_path / "issue-42.tar.gz"
    assert main(["report", "-o", str(bundle), *local_args(stack), "--lang", "en"]) == 1
    capsys.readouterr()
    with tarfile.open(bundle) as archive:
        results = json.loads(archive.extractfile("issue-42/results.json").read())
    ids = [finding["id"] for finding in results["diagnosis"]]
    assert "sse.double-framed" in ids

    code, out, _ = analyze(capsys, str(bundle))
    assert code == results["exit_code"] == 1
    assert "Every file matches the manifest's sha256" in out and "under issue-42/" in out
    for finding in results["diagnosis"]:
        assert f"[{finding['id']}," in out and finding["hint"].split()[0] in out
    assert "[x] SSE connection established" in out and "[ ] `event: log` events received" in out
    assert out.rstrip().endswith("Recorded exit status: 1")

    code, out, err = analyze(capsys, "--json", str(bundle))
    document = json.loads(out)
    assert code == 1 and err == ""
    assert document["diagnosis"] == results["diagnosis"]
    assert document["criteria"] == results["criteria"] and document["exit_code"] == 1
    assert document["bundle"]["intact"] is True and document["bundle"]["root"] == "issue-42"

    extracted = tmp_path / "extracted"
    with tarfile.open(bundle) as archive:
        archive.extractall(extracted, filter="data")
    for directory in (extracted, extracted / "issue-42"):
        code, out, _ = analyze(capsys, str(directory))
        assert code == 1 and "Every file matches" in out and "[sse.double-framed," in out

    tampered = tmp_path / "tampered.tar.gz"
    rewrite(bundle, tampered, {"run.txt": b"nothing to see\n", "docker-ps.txt": None})
    code, out, _ = analyze(capsys, str(tampered))
    assert code == 1  # the recorded exit status, and what does not match is said
    assert "sha256 does not match the manifest: run.txt" in out
    assert "listed in the manifest but missing: docker-ps.txt" in out
    code, out, err = analyze(capsys, "--json", str(tampered))
    assert json.loads(out)["bundle"]["mismatched"] == ["run.txt"]
    assert "sha256 does not match the manifest: run.txt" in err


def archive_with(path: Path, *members: tuple[str, bytes | None, bytes]) -> Path:
    """A .tar.gz of (name, data or None for a directory, type) members."""
    with tarfile.open(path, "w:gz") as archive:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = "/etc/passwd"
            info.size = len(data or b"")
            archive.addfile(info, io.BytesIO(data) if data else None)
    return path


MANIFEST = json.dumps({"schema": "sse-doctor-report/1", "files": []}).encode()
FILE, LINK = tarfile.REGTYPE, tarfile.SYMTYPE


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("text", "not a .tar.gz archive"),
        ("escape", "has '..' in its path"),
        ("absolute", "has an absolute path"),
        ("link", "is not a regular file"),
        ("no manifest", "holds no manifest.json"),
        ("no results", "holds no results.json"),
        ("other schema", "not an sse-doctor-report/1 manifest"),
    ],
)
def test_what_is_not_a_bundle_is_refused_in_one_line(
    kind: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    path = work / "bundle.tar.gz"
    if kind == "text":
        path.write_text("just a text file\n")
    else:
        members = {
            "escape": [("b/../../escaped.txt", b"x", FILE)],
            "absolute": [(str(tmp_path / "absolute.txt"), b"x", FILE)],
            "link": [("b/manifest.json", MANIFEST, FILE), ("b/run.txt", None, LINK)],
            "no manifest": [("b/run.txt", b"x", FILE)],
            "no results": [("b/manifest.json", MANIFEST, FILE)],
            "other schema": [("b/manifest.json", b'{"schema": "other"}', FILE)],
        }[kind]
        archive_with(path, *members)
    before = sorted(os.listdir(tmp_path)), sorted(os.listdir(work))
    code, out, err = analyze(capsys, str(path))
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith(f"sse-doctor: error: {path}: not an sse-doctor bundle: "), line
    assert reason in line and "Traceback" not in err
    assert (sorted(os.listdir(tmp_path)), sorted(os.listdir(work))) == before  # nothing extracted
