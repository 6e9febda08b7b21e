"""The problem catalogue: every id the code names is in it, and README's table is it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from doctor.catalogue import BY_ID, PROBLEMS
from doctor.diagnosis import EXPLAINS

ROOT = Path(__file__).resolve().parent.parent
ID = re.compile(r"^[a-z]+(?:\.[a-z-]+)+$")


def _named_ids() -> dict[str, str]:
    """Every string that the code passes as a problem id, and where."""
    named: dict[str, str] = {}
    for path in sorted((ROOT / "checks").glob("*.py")) + sorted((ROOT / "doctor").rglob("*.py")):
        if "testbed" in path.parts or "locale" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            first = node.args[0]
            is_id = isinstance(first, ast.Constant) and ID.fullmatch(str(first.value))
            if name in ("found", "fail", "warn", "StreamProblem") and is_id:
                named.setdefault(first.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return named


def test_every_id_the_code_names_is_in_the_catalogue() -> None:
    named = _named_ids()
    assert len(named) > 30
    assert {pid: where for pid, where in named.items() if pid not in BY_ID} == {}


def test_ids_are_unique_dotted_and_documented() -> None:
    ids = [problem.id for problem in PROBLEMS]
    assert len(ids) == len(set(ids))
    assert all(ID.fullmatch(pid) for pid in ids), ids
    assert all(problem.title and problem.evidence and problem.fix for problem in PROBLEMS)


def test_the_issue_s_ids_are_all_there() -> None:
    required = {
        "sse.double-framed", "sse.upstream-unreachable", "network.container-unresolvable",
        "sse.upstream-cut", "run.not-found", "run.failed", "agent.no-api-key", "agent.postgres",
        "sse.keepalive-only", "sse.error-event", "sse.not-tested", "sse.observation-cut",
        "sse.buffered", "sse.gzip", "sse.wrong-content-type", "sse.no-status", "backend.down",
        "backend.hang", "auth.bad-credentials", "auth.token-invalid", "project.not-found",
        "project.forbidden", "project.not-ready", "container.stopped", "image.missing",
        "mongodb.down",
    }  # fmt: skip
    assert required <= BY_ID.keys()


def test_what_explains_what_names_catalogue_ids() -> None:
    for cause, effects in EXPLAINS.items():
        assert cause in BY_ID and effects <= BY_ID.keys(), cause


def test_readme_lists_the_catalogue_with_its_categories() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z.-]+)` \| ([^|]+) \|", readme, re.MULTILINE))
    for problem in PROBLEMS:
        assert problem.id in rows, problem.id
        shown = rows[problem.id].strip()
        wanted = f"`{problem.category.value}`" if problem.category else shown
        assert shown == wanted, problem.id
    assert "| `3` | inconclusive" in readme
