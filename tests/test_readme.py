"""README.md's examples are the output of this version: each marked block is run again and
compared, with what differs from run to run (ids, ports, times) masked."""

from __future__ import annotations

import contextlib
import io
import shlex

import pytest

from doctor.cli import main
from tests.helpers import masked, readme_blocks


def blocks() -> list[tuple[str, int, str]]:
    found = readme_blocks("demo-output")
    assert found, "README.md has no demo-output block"
    return found


@pytest.mark.parametrize(("command", "columns", "shown"), blocks())
def test_the_readme_shows_what_the_command_prints(
    command: str, columns: int, shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    words = shlex.split(command)
    assert words[0] == "sse-doctor"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(words[1:])
    assert masked(out.getvalue().rstrip("\n")) == masked(shown)
