"""Traditional Chinese output: a complete catalog, aligned tables, the guide's stream lines."""

from __future__ import annotations

import ast
import json
import re
import socket
import string
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len

from doctor import model
from doctor.catalogue import BY_ID, PROBLEMS
from doctor.cli import main
from doctor.config import Config
from doctor.diagnosis import diagnose
from doctor.formats import text
from doctor.i18n import detect_language, sentences, set_language
from doctor.locale.zh_tw import CATALOG
from doctor.model import BASES, Category, Check, Result, Status
from doctor.registry import load_checks
from doctor.session import RunRecord
from doctor.team.table import HEADER
from doctor.testbed import Stack, doctor_args

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path
    for package in ("doctor", "checks")
    for path in (ROOT / package).rglob("*.py")
    if "locale" not in path.relative_to(ROOT).parts
)
DATA_DRIVEN = {
    "check.title",
    "run.check.title",
    "c.title",
    "label",
    "_CATEGORY_TITLES[self]",
    "_CATEGORY_HINTS[self]",
    "LAYER_NAMES.get(layer, layer)",
    "entry.fix",
    "entry.title",
    "finding.basis",
    "one if count == 1 else many",
    "h",  # a column heading of sse-doctor status: doctor.team.table.HEADER
}
"""The non-constant arguments tr() may get: titles, labels and names gathered below."""
SAME_IN_BOTH = {"MongoDB", "AI Server"}
"""Product names that are also layer headings: the only entries left as they are."""
CLOCK = r"^\[\d\d:\d\d:\d\d\.\d{3}\] "
MARK_ROW = re.compile(r"^  ([✓!✗−]) (\S+)( +)(?=\S)")
"""A result row: its mark (indented by two), the check id, where the message column starts."""


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """The language is process-wide: leave it as the other tests expect it."""
    yield
    set_language("en")


@pytest.fixture
def no_locale(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "SSE_DOCTOR_LANG", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --------------------------------------------------------------------------------------
# The catalog
# --------------------------------------------------------------------------------------


def _tr_calls() -> Iterator[tuple[str, ast.Call, dict[str, str]]]:
    """Every tr(...) call in the packages, with its module's string constants."""
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            node.targets[0].id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr":
                yield str(path.relative_to(ROOT)), node, constants
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ntr":
                for template in node.args[1:3]:
                    call = ast.Call(func=ast.Name("tr"), args=[template], keywords=[])
                    call.lineno = node.lineno
                    yield str(path.relative_to(ROOT)), call, constants


def message_ids() -> dict[str, str]:
    """Each message id and where it comes from."""
    ids: dict[str, str] = {}
    for where, call, constants in _tr_calls():
        argument = call.args[0] if call.args else None
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            ids.setdefault(argument.value, where)
        elif isinstance(argument, ast.Name) and argument.id in constants:
            ids.setdefault(constants[argument.id], where)
    for check in load_checks():
        if check.source == "sse-doctor":
            ids.setdefault(check.title, f"title of {check.id}")
    for cid, label in model.CRITERIA:
        ids.setdefault(label, f"label of {cid}")
    for category, title in model._CATEGORY_TITLES.items():
        ids.setdefault(title, f"title of {category.value}")
    for category, hint in model._CATEGORY_HINTS.items():
        ids.setdefault(hint, f"hint of {category.value}")
    for layer, name in model.LAYER_NAMES.items():
        ids.setdefault(name, f"name of layer {layer}")
    for entry in PROBLEMS:
        ids.setdefault(entry.title, f"title of problem {entry.id}")
        ids.setdefault(entry.fix, f"fix of problem {entry.id}")
    for basis in BASES:
        ids.setdefault(basis, "a finding's basis")
    for heading in HEADER:
        ids.setdefault(heading, "a column of sse-doctor status")
    return ids


def placeholders(template: str) -> list[tuple[str, str, str | None]]:
    return sorted(
        (name, spec or "", conversion)
        for _, name, spec, conversion in string.Formatter().parse(template)
        if name is not None
    )


def test_every_tr_argument_is_a_template_or_a_known_data_value() -> None:
    wrong = []
    for where, call, constants in _tr_calls():
        argument = call.args[0] if call.args else None
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            continue
        if isinstance(argument, ast.Name) and argument.id in constants:
            continue
        shown = ast.unparse(argument) if argument is not None else "(nothing)"
        if shown not in DATA_DRIVEN:
            wrong.append(f"{where}:{call.lineno}: tr({shown})")
    assert not wrong, "tr() needs a constant English template:\n" + "\n".join(wrong)


def test_every_message_has_a_traditional_chinese_entry() -> None:
    ids = message_ids()
    assert len(ids) > 250
    problems = []
    for english, where in ids.items():
        chinese = CATALOG.get(english)
        if not chinese or not chinese.strip():
            problems.append(f"missing ({where}): {english!r}")
        elif chinese == english and english not in SAME_IN_BOTH:
            problems.append(f"not translated ({where}): {english!r}")
        elif placeholders(chinese) != placeholders(english):
            problems.append(f"placeholders differ ({where}): {english!r} -> {chinese!r}")
    assert not problems, "\n".join(problems)


def test_the_catalog_has_no_stale_entries() -> None:
    ids = message_ids()
    stale = [english for english in CATALOG if english not in ids]
    assert not stale, f"catalog entries no code uses: {stale}"
    assert {english for english, chinese in CATALOG.items() if chinese == english} == SAME_IN_BOTH


def test_the_guides_wording_is_reused() -> None:
    assert [CATALOG[label] for _, label in model.CRITERIA] == [
        "能夠成功建立 SSE 連線",
        "能夠接收到 `event: log` 事件",
        "能夠接收到日誌內容 `data: ...`",
        "能夠接收到 `event: status` 完成事件",
        "串流正常結束（不是因為錯誤中斷）",
        "最終狀態查詢顯示 DONE 或 FAILED",
    ]
    titles = {c.value: CATALOG[t] for c, t in model._CATEGORY_TITLES.items()}
    assert titles["http-403-404"] == "403/404 錯誤"
    assert titles["http-503"] == "503 錯誤"
    assert titles["timeout"] == "連線超時"
    assert titles["no-events"] == "沒有事件"
    hints = {c.value: CATALOG[h] for c, h in model._CATEGORY_HINTS.items()}
    assert hints["http-403-404"].startswith("檢查專案 ID 和權限")
    assert hints["http-503"].startswith("容器可能未啟動或 AI Server 未運行")
    assert hints["timeout"].startswith("檢查 Docker 網路設定")
    assert hints["no-events"].startswith("檢查 AI Server 是否正確記錄 task_logs")


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------


def test_a_failing_run_in_chinese_keeps_its_table_aligned_at_80_columns(
    stack_factory: Callable[..., Stack],
    capsys: pytest.CaptureFixture[str],
    no_locale: pytest.MonkeyPatch,
) -> None:
    no_locale.setenv("COLUMNS", "80")
    stack = stack_factory(faults=("foreign-project",))
    args = doctor_args(stack, "--no-docker", timeout=1, idle_timeout=1)
    code = main(["run", "--lang", "zh-TW", "--no-color", *args])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == 1
    forbidden = BY_ID["project.forbidden"]
    assert "可能的問題" in lines
    assert f"  1. {CATALOG[forbidden.title]} [project.forbidden, http-403-404, 觀察到]" in lines
    assert f"     → {CATALOG[forbidden.fix]}" in lines
    assert "成功標準：未評估（沒有觀察串流）。" in lines

    api = [line for line in lines if line.startswith("API：")]
    assert len(api) == 1  # the header's API line is printed whole, never wrapped (as in English)
    assert max(cell_len(line) for line in lines if line not in api) <= 80
    assert not [line for line in lines if line.endswith("…")], "a table cell was cut"
    columns, rows, table = set(), 0, False
    for line in lines:
        row = MARK_ROW.match(line)
        if row:
            columns.add(cell_len(row.group(0)))
            rows, table = rows + 1, True
        elif not line:
            table = False
        elif table:  # a wrapped message, a hint: in the message column too
            indent = len(line) - len(line.lstrip(" "))
            columns.add(indent - 2 if line.lstrip().startswith("$ ") else indent)
    assert rows >= 8
    assert len(columns) == 1, f"message column starts at cells {sorted(columns)}:\n{out}"


def test_a_line_of_wide_characters_that_fills_the_column_is_not_cut() -> None:
    class Stream(Check):
        id, layer, title = "sse.stream", "sse", "SSE stream"

    full = "串" * 32 + "a"  # 65 cells: the whole message column at width 80
    message = f"{full} 後面還有。"
    result = Result("sse.stream", Status.FAIL, message, Category.STREAM_ERROR, "提示。")
    record = RunRecord(
        started_at="2026-11-27T10:30:45+00:00",
        duration_ms=10,
        config=Config(),
        target={"backend_url": "http://localhost:8000"},
        checks=[Stream()],
        results=[result],
        criteria={},
        diagnosis=diagnose([result], [Stream()]),
    )
    lines = text.render(record, width=80).splitlines()
    assert f"  ✗ sse.stream {full}" in lines
    assert "…" not in "".join(lines)


def test_off_a_terminal_without_columns_the_text_is_100_wide(no_locale: pytest.MonkeyPatch) -> None:
    assert text.output_width() == text.WIDTH == 100
    no_locale.setenv("COLUMNS", "72")
    assert text.output_width() == 72


def test_the_checks_listing_aligns_chinese_titles(
    capsys: pytest.CaptureFixture[str], no_locale: pytest.MonkeyPatch
) -> None:
    no_locale.setenv("SSE_DOCTOR_LANG", "zh-TW")
    assert main(["checks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["ID", "層級", "標題"]
    assert any("專案容器運行中" in line for line in lines)
    rows = {line.split()[0]: line for line in lines[1:]}
    starts = {cell_len(lines[0][: lines[0].index("標題")])}
    for check in load_checks():
        row = rows[check.id]
        starts.add(cell_len(row[: row.index(CATALOG[check.title])]))
    assert len(starts) == 1, "\n".join(lines)


def test_the_stream_prints_the_guides_lines(
    stack: Stack, capsys: pytest.CaptureFixture[str], no_locale: pytest.MonkeyPatch
) -> None:
    args = doctor_args(stack, "--run", stack.run_id, timeout=1, idle_timeout=1)
    code = main(["stream", "--lang", "zh-TW", *args])
    lines = capsys.readouterr().out.splitlines()
    assert re.match(CLOCK + r"📡 開始測試 SSE 串流\.\.\.$", lines[0])
    watched = f"✅ 觀察指定的 Run {stack.run_id}（DONE）；它已結束，所以串流會重播所有日誌。"
    assert lines[1] == watched
    assert lines[2] == "開始接收 SSE 事件（按 Ctrl+C 停止）："
    end = next(i for i, line in enumerate(lines) if line.startswith("✅ 串流結束"))
    assert re.match(r"^✅ 串流結束！共接收 \d+ 行$", lines[end])
    received = lines[3:end]
    assert len(received) >= 4 and len(received) % 2 == 0
    assert all(re.match(CLOCK + r"📨 事件類型: event: \w+$", line) for line in received[::2])
    assert all(re.match(CLOCK + r"📄 資料: data: .+$", line) for line in received[1::2])
    assert re.match(CLOCK + r"📨 事件類型: event: log$", received[0])
    assert re.match(CLOCK + r"📨 事件類型: event: status$", received[-2])
    assert re.match(CLOCK + r'📄 資料: data: \{"status": "success"', received[-1])
    assert "  [x] 能夠成功建立 SSE 連線" in lines
    assert lines[-1] == "最終狀態：DONE"
    assert code == 0


# --------------------------------------------------------------------------------------
# Choosing the language
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "zh_TW.UTF-8"}, "zh-TW"),
        ({"LANG": "zh_Hant_TW"}, "zh-TW"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh-TW"),
        ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8", "LANG": "zh_TW"}, "en"),
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh-TW"),
    ],
)
def test_the_locale_picks_the_language(environ: dict[str, str], expected: str) -> None:
    assert detect_language(environ) == expected


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("environ", "option", "expected"),
    [
        ({"LANG": "zh_TW.UTF-8"}, None, "zh-TW"),
        ({"LC_ALL": "zh_CN.UTF-8"}, None, "en"),
        ({"LANG": "zh_TW.UTF-8", "SSE_DOCTOR_LANG": "en"}, None, "en"),
        ({"LANG": "en_US.UTF-8", "SSE_DOCTOR_LANG": "zh-TW"}, None, "zh-TW"),
        ({"SSE_DOCTOR_LANG": "en"}, "zh-TW", "zh-TW"),
        ({"LANG": "zh_TW.UTF-8", "SSE_DOCTOR_LANG": "zh-TW"}, "en", "en"),
    ],
)
def test_lang_option_beats_environment_beats_locale(
    environ: dict[str, str],
    option: str | None,
    expected: str,
    capsys: pytest.CaptureFixture[str],
    no_locale: pytest.MonkeyPatch,
) -> None:
    for name, value in environ.items():
        no_locale.setenv(name, value)
    url = f"http://127.0.0.1:{_closed_port()}"
    args = ["run", "--backend-url", url, "--only", "backend.liveness", "--no-docker", "--json"]
    code = main([*args, "--timeout", "1", *(["--lang", option] if option else [])])
    message = json.loads(capsys.readouterr().out)["results"][0]["message"]
    assert code == 1
    if expected == "zh-TW":
        assert "沒有服務在監聽（連線被拒）" in message
    else:
        assert "(connection refused)" in message


def test_json_in_chinese_changes_only_the_texts(
    stack_factory: Callable[..., Stack],
    capsys: pytest.CaptureFixture[str],
    no_locale: pytest.MonkeyPatch,
) -> None:
    stack = stack_factory(faults=("foreign-project",))
    args = ["run", "--json", *doctor_args(stack, "--no-docker", timeout=1, idle_timeout=1)]
    documents = {}
    for lang in ("en", "zh-TW"):
        assert main([*args, "--lang", lang]) == 1
        documents[lang] = json.loads(capsys.readouterr().out)
    en, zh = documents["en"], documents["zh-TW"]
    assert list(zh) == list(en)
    for key in ("schema", "tool_version", "summary", "exit_code"):
        assert zh[key] == en[key]
    assert list(zh["target"]) == list(en["target"])
    facts = {key: value for key, value in en["target"].items() if key != "api"}
    assert {key: zh["target"][key] for key in facts} == facts
    assert zh["target"]["api"] != en["target"]["api"]  # what the API offers, in words
    for ours, theirs in zip(zh["results"], en["results"], strict=True):
        assert list(ours) == list(theirs)
        for key in ("id", "layer", "status", "category", "problem", "basis"):
            assert ours[key] == theirs[key]
        assert list(ours["evidence"]) == list(theirs["evidence"])
        assert ours["title"] == CATALOG[theirs["title"]]
        assert ours["message"] != theirs["message"]
        assert (ours["hint"] is None) == (theirs["hint"] is None)
    for ours, theirs in zip(zh["criteria"], en["criteria"], strict=True):
        assert (ours["id"], ours["met"]) == (theirs["id"], theirs["met"])
        assert ours["label"] == CATALOG[theirs["label"]]
    assert [d["category"] for d in zh["diagnosis"]] == ["http-403-404"]
    for ours, theirs in zip(zh["diagnosis"], en["diagnosis"], strict=True):
        for key in ("id", "severity", "basis", "checks"):
            assert ours[key] == theirs[key]
        assert ours["title"] != theirs["title"]
    assert zh["diagnosis"][0]["hint"] == CATALOG[BY_ID["project.forbidden"].fix]


def test_sentences_take_a_space_after_an_english_stop_and_none_after_a_chinese_one() -> None:
    assert sentences("It failed.", "See why.") == "It failed. See why."
    joined = sentences("無法查詢任務狀態。", "原因請見其他結果。")
    assert joined == "無法查詢任務狀態。原因請見其他結果。"
    assert sentences("只有一句") == "只有一句"


def test_a_skipped_final_status_in_chinese_has_no_space_between_its_sentences(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["demo", "--fault", "ai-down", "--lang", "zh-TW", "--no-color", "--json"])
    final = next(
        r for r in json.loads(capsys.readouterr().out)["results"] if r["id"] == "sse.final_status"
    )
    assert code == 1
    assert final["message"].endswith("無法查詢任務狀態。原因請見其他結果。")
