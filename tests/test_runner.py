"""The runner: concurrency, deadlines on blocking sockets, skips and error isolation."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from doctor.config import Config
from doctor.context import Context
from doctor.model import Category, Check, Result, Status
from doctor.runner import Progress, run_checks


@pytest.fixture
def silent_listener() -> Iterator[tuple[str, int]]:
    """A TCP listener that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def make_check(check_id: str, body, layer: str = "backend", depends_on=(), after=(), deadline=None):
    """A check class whose run() calls ``body(ctx)``."""

    class Probe(Check):
        def run(self, ctx: Context) -> Result:
            return body(self, ctx)

    Probe.id, Probe.layer, Probe.title = check_id, layer, f"probe {check_id}"
    Probe.depends_on, Probe.after = tuple(depends_on), tuple(after)
    if deadline is not None:
        Probe.deadline = lambda self, ctx: deadline
    return Probe()


def blocking_read(address: tuple[str, int]):
    def body(check: Check, ctx: Context) -> Result:
        with socket.create_connection(address) as conn:
            conn.recv(1)  # no socket timeout: only the runner can end this
        return check.passed("answered")

    return body


def ok(check: Check, ctx: Context) -> Result:
    return check.passed("fine")


def context(timeout: float = 1.0) -> Context:
    return Context(Config(timeout=timeout))


def test_independent_checks_run_at_the_same_time() -> None:
    barrier = threading.Barrier(3, timeout=5)

    def meet(check: Check, ctx: Context) -> Result:
        barrier.wait()  # breaks unless all three are running at once
        return check.passed("met")

    checks = [make_check(f"meet.{i}", meet, deadline=10) for i in range(3)]
    results = run_checks(checks, context())
    assert [r.status for r in results] == [Status.PASS] * 3


def test_deadline_ends_a_check_blocked_in_a_socket(silent_listener) -> None:
    checks = [
        make_check("hang", blocking_read(silent_listener), deadline=1.0),
        make_check("fine", ok),
    ]
    started = time.monotonic()
    hang, fine = run_checks(checks, context())
    elapsed = time.monotonic() - started
    assert hang.status == Status.FAIL
    assert hang.category == Category.TIMEOUT
    assert hang.evidence["elapsed_ms"] >= 1000
    assert "probe hang" in hang.message
    assert fine.status == Status.PASS
    assert elapsed < 4  # the deadline fired (1 s), with generous slack


def test_wall_time_is_the_longest_chain_not_the_sum(silent_listener) -> None:
    checks = [
        make_check(f"hang.{i}", blocking_read(silent_listener), deadline=1.0) for i in range(4)
    ]
    started = time.monotonic()
    results = run_checks(checks, context())
    elapsed = time.monotonic() - started
    assert all(r.category == Category.TIMEOUT for r in results)
    assert elapsed < 3.5  # four 1 s deadlines in parallel, far below their 4 s sum


def test_failed_dependency_skips_dependants_with_the_reason(silent_listener) -> None:
    checks = [
        make_check("root", blocking_read(silent_listener), deadline=1.0),
        make_check("child", ok, depends_on=["root"]),
        make_check("grandchild", ok, depends_on=["child"]),
    ]
    root, child, grandchild = run_checks(checks, context())
    assert root.status == Status.FAIL
    assert child.status == Status.SKIP
    assert "root" in child.message
    assert child.evidence == {"blocked_by": "root"}
    assert grandchild.status == Status.SKIP
    assert "child" in grandchild.message


def test_missing_dependency_skips() -> None:
    (result,) = run_checks([make_check("lonely", ok, depends_on=["absent"])], context())
    assert result.status == Status.SKIP
    assert "absent" in result.message


def test_warn_lets_dependants_run() -> None:
    checks = [
        make_check("soft", lambda c, ctx: c.warned("meh")),
        make_check("next", ok, depends_on=["soft"]),
    ]
    assert [r.status for r in run_checks(checks, context())] == [Status.WARN, Status.PASS]


def test_exception_becomes_error_and_the_run_goes_on() -> None:
    def boom(check: Check, ctx: Context) -> Result:
        raise RuntimeError("socket exploded")

    checks = [
        make_check("boom", boom),
        make_check("fine", ok),
        make_check("dep", ok, depends_on=["boom"]),
    ]
    boom_result, fine, dep = run_checks(checks, context())
    assert boom_result.status == Status.ERROR
    assert "socket exploded" in boom_result.message
    assert fine.status == Status.PASS
    assert dep.status == Status.SKIP


def test_wrong_return_type_is_an_error() -> None:
    (result,) = run_checks([make_check("bad", lambda c, ctx: "pass")], context())
    assert result.status == Status.ERROR
    assert "str" in result.message


def test_after_orders_without_skipping() -> None:
    order: list[str] = []

    def record(check: Check, ctx: Context) -> Result:
        order.append(check.id)
        return (
            check.failed("no", Category.PREREQUISITE) if check.id == "first" else check.passed("")
        )

    checks = [
        make_check("second", record, after=["first"]),
        make_check("first", record),
    ]
    second, first = run_checks(checks, context())
    assert order == ["first", "second"]
    assert first.status == Status.FAIL and second.status == Status.PASS


def test_progress_observer_sees_every_check() -> None:
    started: list[str] = []
    finished: list[tuple[str, Status]] = []
    progress = Progress(
        on_start=lambda c: started.append(c.id),
        on_result=lambda c, r: finished.append((c.id, r.status)),
    )
    checks = [
        make_check("a", ok),
        make_check("b", ok, depends_on=["a"]),
        make_check("c", ok, depends_on=["x"]),
    ]
    run_checks(checks, context(), progress)
    assert sorted(started) == ["a", "b"]
    assert sorted(finished) == [("a", Status.PASS), ("b", Status.PASS), ("c", Status.SKIP)]


def test_time_spent_in_a_prompt_does_not_count_against_the_deadline() -> None:
    answered = threading.Event()

    def slow_user(question, choices, secret) -> str:
        answered.wait(1.5)  # the user takes longer than the check's deadline
        return "yes"

    def asks(check: Check, ctx: Context) -> Result:
        return check.passed(ctx.ask("continue?") or "")

    ctx = Context(Config(timeout=1.0), ask=slow_user)
    (result,) = run_checks([make_check("asks", asks, deadline=0.5)], ctx)
    assert result.status == Status.PASS
    assert result.message == "yes"


def test_a_skip_late_in_the_list_unblocks_an_earlier_check() -> None:
    checks = [
        make_check("b", ok, depends_on=["a"]),
        make_check("a", ok, depends_on=["not-selected"]),
    ]
    b, a = run_checks(checks, context())
    assert a.status == Status.SKIP and "not-selected" in a.message
    assert b.status == Status.SKIP and "a did not pass" in b.message


@pytest.mark.parametrize("deadline", [float("inf"), float("nan"), -1.0, 1e300])
def test_an_unusable_deadline_gets_the_default_one(deadline: float) -> None:
    (result,) = run_checks([make_check("odd", ok, deadline=deadline)], context())
    assert result.status == Status.PASS


def test_an_unexpected_network_failure_is_categorised(silent_listener) -> None:
    def read_with_timeout(check: Check, ctx: Context) -> Result:
        with socket.create_connection(silent_listener, timeout=0.2) as conn:
            conn.recv(1)
        return check.passed("answered")

    def refused(check: Check, ctx: Context) -> Result:
        closed = socket.create_server(("127.0.0.1", 0))
        address = closed.getsockname()
        closed.close()
        socket.create_connection(address, timeout=1).close()
        return check.passed("connected")

    timed_out, not_there = run_checks(
        [make_check("slow", read_with_timeout), make_check("gone", refused)], context()
    )
    assert (timed_out.status, timed_out.category) == (Status.ERROR, Category.TIMEOUT)
    assert (not_there.status, not_there.category) == (Status.ERROR, Category.PREREQUISITE)
    assert not_there.hint == Category.PREREQUISITE.hint


def test_an_uncategorised_error_is_a_problem_in_the_verdict_and_the_exit_status() -> None:
    from doctor.formats import renderer
    from doctor.session import run_doctor

    def bad_host(check: Check, ctx: Context) -> Result:
        ("x" * 64 + ".example").encode("idna")  # the IDNA codec refuses a 64-byte label
        return check.passed("resolved")

    record, ctx = run_doctor(
        Config(),
        checks=[
            make_check("plugin.idna", bad_host),
        ],
    )
    ctx.close()
    (result,) = record.results
    assert (result.status, result.problem) == (Status.ERROR, "check.error")
    assert "UnicodeError" in result.message
    assert record.exit_code == 1
    closing = renderer("text")(record, 0, False, 100).rstrip().splitlines()[-1]
    assert closing.startswith("✗ 1 problem found")
