"""Machine formats are one valid document on stdout (or, for `stream --json`, valid NDJSON),
whatever the password, the backend's numbers, or the command."""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from doctor.cli import main
from doctor.testbed import Stack
from tests.helpers import local_args


def no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict(text: str) -> Any:
    """JSON as the standard has it: no NaN, no Infinity."""
    return json.loads(text, parse_constant=no_constant)


def doctor(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("password", ["null", "schema", "testsuite"])
def test_a_password_that_is_a_word_of_the_format_leaves_every_document_whole(
    stack: Stack, password: str, tmp_path: Path
) -> None:
    args = local_args(stack, password=password)
    code, out, _ = doctor("run", "--json", *args)
    document = strict(out)
    assert (document["schema"], document["target"]["run_id"]) == ("sse-doctor/1", None)
    assert document["diagnosis"][0]["id"] == "auth.bad-credentials"
    assert code == 1
    code, out, _ = doctor("run", "--format", "junit", *args)
    assert ET.fromstring(out.split("\n", 1)[1]).tag == "testsuites"
    bundle = tmp_path / "bundle.tar.gz"
    assert doctor("report", "-o", str(bundle), *args)[0] == 1
    with tarfile.open(bundle) as archive:
        for member in archive:
            if member.name.endswith(".json"):
                strict(archive.extractfile(member).read().decode("utf-8"))


def test_stream_json_is_one_object_per_sse_line_then_a_summary(stack: Stack) -> None:
    code, out, _ = doctor("stream", "--json", *local_args(stack))
    objects = [strict(line) for line in out.splitlines()]
    *lines, summary = objects
    assert {o["type"] for o in lines} == {"line"} and summary["type"] == "summary"
    assert lines[0]["line"] == "event: log" and lines[0]["time"].endswith("Z")
    assert summary["lines"] >= len(lines) > 10  # the summary counts the blank lines too
    assert [c["met"] for c in summary["criteria"]] == [True] * 6
    assert (summary["final_status"], summary["problems"], summary["exit_code"]) == ("DONE", [], 0)
    assert code == 0


def test_stream_json_says_why_it_stopped_before_the_stream(stack: Stack) -> None:
    code, out, _ = doctor("stream", "--json", *local_args(stack, password="wrong-password"))
    (summary,) = [strict(line) for line in out.splitlines()]
    (problem,) = summary["problems"]
    assert (problem["check"], problem["id"]) == ("backend.login", "auth.bad-credentials")
    assert summary["exit_code"] == code == 1
    assert "wrong-password" not in out


@pytest.mark.parametrize("name", ["junit", "markdown"])
def test_stream_refuses_a_format_that_must_be_one_document(stack: Stack, name: str) -> None:
    code, out, err = doctor("stream", "--format", name, *local_args(stack))
    assert (code, out) == (2, "")
    (line,) = err.strip().splitlines()
    assert line.startswith("sse-doctor: error: --format: stream writes text or, with --json")


@pytest.mark.parametrize("name", ["markdown", "json", "junit"])
def test_report_keeps_its_notice_off_a_machine_format(stack: Stack, name: str, tmp_path) -> None:
    bundle = tmp_path / "bundle.tar.gz"
    code, out, err = doctor("report", "-o", str(bundle), "--format", name, *local_args(stack))
    assert code == 0
    assert "Report bundle:" in err and "Report bundle" not in out
    if name == "json":
        assert strict(out)["exit_code"] == 0
    elif name == "junit":
        ET.fromstring(out.split("\n", 1)[1])
    else:
        assert out.startswith("## sse-doctor") and str(bundle) not in out
        assert out.rstrip().splitlines()[-1].startswith("pass: ")  # the document's last line
