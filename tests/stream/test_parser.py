"""Conformance tests for doctor.stream.parser, derived from the WHATWG HTML
"event stream interpretation" rules, plus chunking invariance."""

from __future__ import annotations

import dataclasses
import itertools
import re
import time
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doctor.stream.parser import ServerSentEvent, SSEParser

BOM = b"\xef\xbb\xbf"


def parse(data: bytes, *, split: int | None = None, **kwargs) -> list[ServerSentEvent]:
    """Feed ``data`` whole (or in pieces of ``split`` bytes), then close."""
    parser = SSEParser(**kwargs)
    events: list[ServerSentEvent] = []
    step = split or max(1, len(data))
    for i in range(0, len(data), step):
        events += parser.feed(data[i : i + step])
    events += parser.close()
    return events


def datas(data: bytes, **kwargs) -> list[str]:
    return [ev.data for ev in parse(data, **kwargs)]


def ev(data: str, event: str = "message", id: str | None = None, retry: int | None = None):
    return ServerSentEvent(event=event, data=data, id=id, retry=retry)


# --- the event object -------------------------------------------------------


def test_event_is_frozen_and_compares_by_value():
    [got] = parse(b"event: log\ndata: hi\n\n")
    assert got == ServerSentEvent("log", "hi", None, None)
    assert hash(got) == hash(ServerSentEvent("log", "hi", None, None))
    assert (got.event, got.data, got.id, got.retry) == ("log", "hi", None, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.data = "changed"  # type: ignore[misc]
    assert not hasattr(got, "__dict__")


# --- decoding -----------------------------------------------------------------


def test_leading_bom_is_stripped():
    assert datas(BOM + b"data: a\n\n") == ["a"]


def test_leading_bom_split_across_chunks_is_stripped():
    assert datas(BOM + b"data: a\n\n", split=1) == ["a"]


def test_only_one_bom_is_stripped():
    # The second BOM stays: the first field name becomes "\ufeffdata", which is ignored.
    assert datas(BOM + BOM + b"data: a\n\ndata: b\n\n") == ["b"]


def test_bom_later_in_the_stream_is_not_stripped():
    parser = SSEParser()
    assert parser.feed(b"data: a\n\n") == [ev("a")]
    assert parser.feed(BOM + b"data: b\n\ndata: c\n\n") == [ev("c")]


def test_bom_inside_data_value_is_kept():
    assert datas(b"data: \xef\xbb\xbfx\n\n") == ["\ufeffx"]


def test_multibyte_utf8_split_at_every_byte():
    text = "data: 開始執行 Agent 😀 é\n\n"
    raw = text.encode()
    for cut in range(1, len(raw)):
        parser = SSEParser()
        events = parser.feed(raw[:cut]) + parser.feed(raw[cut:]) + parser.close()
        assert events == [ev("開始執行 Agent 😀 é")], cut


def test_invalid_utf8_becomes_replacement_character():
    assert datas(b"data: a\xffb\n\n") == ["a\ufffdb"]
    # Maximal-subpart replacement, as the WHATWG UTF-8 decoder does.
    assert datas(b"data: \xed\xa0\x80\n\n") == ["\ufffd\ufffd\ufffd"]
    assert datas(b"data: \xe2\x82z\n\n") == ["\ufffdz"]


def test_truncated_sequence_before_line_end_is_replaced_not_merged():
    parser = SSEParser()
    assert parser.feed(b"data: \xe2\x82") == []
    assert parser.feed(b"\n\n") == [ev("\ufffd")]


# --- line ends ----------------------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"])
def test_each_line_end(eol):
    stream = eol.join([b"event: e", b"data: 1", b"data: 2", b"", b"data: 3", b"", b""])
    assert parse(stream) == [ev("1\n2", "e"), ev("3")]


def test_mixed_line_ends():
    assert datas(b"data: a\rdata: b\ndata: c\r\n\r\ndata: d\n\r") == ["a\nb\nc", "d"]


def test_cr_cr_is_two_line_ends():
    assert datas(b"data: a\r\rdata: b\r\r") == ["a", "b"]


def test_lf_cr_is_two_line_ends():
    assert datas(b"data: a\n\rdata: b\n\n") == ["a", "b"]


def test_crlf_split_across_chunks_is_one_line_end():
    parser = SSEParser()
    assert parser.feed(b"data: a\r") == []
    # If this LF were a line end of its own it would be a blank line and dispatch "a".
    assert parser.feed(b"\ndata: b\r") == []
    assert parser.feed(b"\n\r") == [ev("a\nb")]
    assert parser.feed(b"\n") == []
    assert parser.feed(b"data: c\n\n") == [ev("c")]


def test_pending_lf_swallow_survives_an_empty_chunk():
    parser = SSEParser()
    assert parser.feed(b"data: a\r") == []
    assert parser.feed(b"") == []
    assert parser.feed(b"\ndata: b\n\n") == [ev("a\nb")]


def test_text_after_cr_starting_with_a_split_character_is_not_eaten():
    parser = SSEParser()
    assert parser.feed(b"data: a\r") == []
    assert parser.feed(b"\xe2") == []  # decodes to nothing yet
    assert parser.feed(b"\x82\xacdata: b\n\n") == [ev("a")]  # the line "€data: b" is unknown


def test_cr_at_chunk_end_dispatches_without_waiting_for_more_bytes():
    parser = SSEParser()
    assert parser.feed(b"data: a\r\r") == [ev("a")]
    assert parser.feed(b"data: b\n\r") == [ev("b")]


def test_cr_at_chunk_end_reaches_on_line_immediately():
    seen: list[str] = []
    parser = SSEParser(on_line=lambda line, t: seen.append(line))
    parser.feed(b"data: a\r")
    assert seen == ["data: a"]
    parser.feed(b"\n")
    assert seen == ["data: a"]


# --- fields -------------------------------------------------------------------


def test_comments_are_ignored():
    assert datas(b": hello\ndata: a\n:\ndata: b\n: bye\n\n") == ["a\nb"]


def test_comment_only_block_does_not_dispatch():
    assert parse(b": keep-alive\n\n:\n\n") == []


def test_field_without_colon_has_empty_value():
    assert datas(b"data\n\n") == [""]
    assert datas(b"data\ndata\n\n") == ["\n"]
    # "event" with no colon sets an empty type, which dispatches as "message".
    assert parse(b"event: x\nevent\ndata: a\n\n") == [ev("a")]


def test_data_without_value_yields_empty_line():
    assert datas(b"data:\n\n") == [""]
    assert datas(b"data: a\ndata:\ndata: b\n\n") == ["a\n\nb"]


def test_only_one_space_after_colon_is_stripped():
    assert datas(b"data:x\n\n") == ["x"]
    assert datas(b"data: x\n\n") == ["x"]
    assert datas(b"data:  x\n\n") == [" x"]
    assert datas(b"data: \n\n") == [""]
    assert datas(b"data:\tx\n\n") == ["\tx"]
    assert parse(b"event:  x\ndata: a\n\n") == [ev("a", " x")]


def test_only_the_first_colon_separates():
    assert datas(b"data: a: b:c\n\n") == ["a: b:c"]


def test_field_names_are_exact():
    assert parse(b"Data: a\ndata : b\n data: c\n\n") == []


def test_unknown_fields_are_ignored():
    assert datas(b"foo: bar\ndata: a\nbaz\n\n") == ["a"]


def test_data_lines_join_with_lf_and_trailing_lf_is_removed():
    assert datas(b"data: a\ndata: b\ndata: c\n\n") == ["a\nb\nc"]
    assert datas(b"data: a\ndata:\n\n") == ["a\n"]


def test_event_type_defaults_to_message():
    assert parse(b"data: a\n\n") == [ev("a", "message")]
    assert parse(b"event:\ndata: a\n\n") == [ev("a", "message")]


def test_event_type_last_one_wins_and_resets_after_dispatch():
    assert parse(b"event: a\nevent: b\ndata: 1\n\ndata: 2\n\n") == [ev("1", "b"), ev("2")]


def test_event_type_resets_after_a_block_without_data():
    assert parse(b"event: a\n\ndata: 2\n\n") == [ev("2")]


def test_empty_data_buffer_does_not_dispatch():
    assert parse(b"\n\n\n") == []
    assert parse(b"event: x\n\n") == []
    assert parse(b"retry: 10\n\n") == []
    assert parse(b"id: 1\n\n") == []


def test_id_only_block_updates_last_event_id_without_dispatching():
    parser = SSEParser()
    assert parser.feed(b"id: 7\n\n") == []
    assert parser.last_event_id == "7"
    assert parser.feed(b"data: a\n\n") == [ev("a", id="7")]


def test_id_is_none_until_set():
    parser = SSEParser()
    assert parser.feed(b"data: a\n\n") == [ev("a", id=None)]
    assert parser.last_event_id is None


def test_id_persists_across_events_and_empty_id_resets_it():
    assert parse(
        b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: 2\ndata: d\n\nid:\ndata: e\n\n"
    ) == [
        ev("a", id="1"),
        ev("b", id="1"),
        ev("c", id=""),
        ev("d", id="2"),
        ev("e", id=""),
    ]


def test_id_applies_to_the_event_it_is_in_whatever_the_order():
    assert parse(b"data: a\nid: 5\n\n") == [ev("a", id="5")]


def test_id_containing_nul_is_ignored():
    assert parse(b"id: a\x00b\ndata: x\n\n") == [ev("x", id=None)]
    assert parse(b"id: 1\ndata: x\n\nid: 2\x00\ndata: y\n\n") == [
        ev("x", id="1"),
        ev("y", id="1"),
    ]


def test_last_event_id_is_committed_at_the_blank_line():
    parser = SSEParser()
    parser.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b\n")
    assert parser.last_event_id == "1"
    parser.close()
    assert parser.last_event_id == "1"


def test_retry_with_ascii_digits_is_taken():
    parser = SSEParser()
    assert parser.feed(b"retry: 1500\ndata: a\n\ndata: b\n\n") == [
        ev("a", retry=1500),
        ev("b", retry=None),
    ]
    assert parser.retry == 1500
    assert parse(b"retry:0042\ndata: a\n\n") == [ev("a", retry=42)]


@pytest.mark.parametrize(
    "value",
    ["15s", "-1", "+1", " 15", "15 ", "1.5", "", "١٢", "²", "1_000", "0x10"],
)
def test_retry_without_only_ascii_digits_is_ignored(value):
    parser = SSEParser()
    stream = f"retry: 100\ndata: a\n\nretry: {value}\ndata: b\n\n".encode()
    assert parser.feed(stream) == [ev("a", retry=100), ev("b", retry=None)]
    assert parser.retry == 100


def test_retry_only_block_sets_reconnection_time_without_dispatching():
    parser = SSEParser()
    assert parser.feed(b"retry: 3000\n\n") == []
    assert parser.retry == 3000


def test_retry_with_absurdly_many_digits_does_not_raise():
    assert datas(b"retry: " + b"9" * 5000 + b"\ndata: a\n\n") == ["a"]


# --- end of stream ------------------------------------------------------------


def test_unterminated_event_is_discarded_at_close():
    parser = SSEParser()
    assert parser.feed(b"data: a\n\ndata: b\n") == [ev("a")]
    assert parser.close() == []
    assert parser.discarded_event is True


def test_final_line_without_terminator_is_discarded():
    lines: list[str] = []
    parser = SSEParser(on_line=lambda line, t: lines.append(line))
    assert parser.feed(b"data: a\n\ndata: b") == [ev("a")]
    assert parser.close() == []
    assert lines == ["data: a", ""]
    assert parser.unterminated_line == "data: b"
    assert parser.discarded_event is True


def test_clean_end_reports_nothing_discarded():
    parser = SSEParser()
    parser.feed(b"data: a\n\n")
    assert parser.close() == []
    assert parser.unterminated_line == ""
    assert parser.discarded_event is False


def test_truncated_utf8_at_close_is_discarded():
    parser = SSEParser()
    assert parser.feed(b"data: a\n\ndata: \xe2\x82") == [ev("a")]
    assert parser.close() == []
    assert parser.unterminated_line == "data: \ufffd"


# --- line length cap ----------------------------------------------------------


def test_oversized_line_is_dropped_and_counted():
    stream = b"data: short\n\ndata: a\ndata: " + b"x" * 1000 + b"\n\ndata: ok\n\n"
    for split in (None, 1, 7, 64):
        parser = SSEParser(max_line_bytes=16)
        events = []
        step = split or len(stream)
        for i in range(0, len(stream), step):
            events += parser.feed(stream[i : i + step])
        assert events == [ev("short"), ev("a"), ev("ok")], split
        assert parser.oversized_lines == 1
        assert parser.longest_dropped_line == 1006


def test_oversized_line_is_treated_as_absent():
    # The long line sits between a data line and the blank line that ends the event.
    assert datas(b"data: a\n" + b"y" * 100 + b"\r\n\r\n", max_line_bytes=20) == ["a"]
    assert datas(b"data: a\n" + b"y" * 100 + b"\r\n\r\n", max_line_bytes=20, split=3) == ["a"]


def test_line_cap_counts_utf8_bytes_and_is_inclusive():
    exact = "data: éé".encode()  # 10 bytes, 8 characters
    over = "data: ééé".encode()  # 12 bytes, 9 characters
    parser = SSEParser(max_line_bytes=10)
    assert parser.feed(exact + b"\n\n" + over + b"\n\n") == [ev("éé")]
    assert parser.oversized_lines == 1
    assert parser.longest_dropped_line == 12


def test_oversized_line_is_not_passed_to_on_line():
    lines: list[str] = []
    parser = SSEParser(max_line_bytes=8, on_line=lambda line, t: lines.append(line))
    parser.feed(b"data: 1\n" + b"z" * 50 + b"\n\n")
    assert lines == ["data: 1", ""]


def test_oversized_line_unterminated_at_close_is_counted():
    parser = SSEParser(max_line_bytes=8)
    parser.feed(b"data: " + b"q" * 100)
    assert parser.close() == []
    assert parser.oversized_lines == 1
    assert parser.discarded_event is True


def test_endless_line_does_not_grow_memory():
    cap = 4096
    parser = SSEParser(max_line_bytes=cap)
    piece = b"w" * 65536
    tracemalloc.start()
    try:
        parser.feed(b"data: ")
        for _ in range(8):  # warm up
            parser.feed(piece)
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for _ in range(300):  # ~20 MB with no line end
            assert parser.feed(piece) == []
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak - base < 4 * len(piece)
    assert parser.feed(b"\ndata: after\n\n") == [ev("after")]
    assert parser.oversized_lines == 1
    assert parser.longest_dropped_line == 6 + 308 * 65536


def test_endless_data_lines_without_a_blank_line_do_not_grow_memory():
    parser = SSEParser(max_event_chars=100_000)
    piece = b"data: 0123456789\n" * 4000  # 64 KiB of data lines, no event ends
    tracemalloc.start()
    try:
        for _ in range(4):  # warm up: the cap is passed once
            parser.feed(piece)
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for _ in range(300):  # ~20 MB of one event's data
            assert parser.feed(piece) == []
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak - base < 2_000_000
    assert parser.oversized_events == 1
    assert parser.feed(b"\ndata: after\n\n") == [ev("after")]  # the long one is not dispatched
    assert parser.close() == [] and parser.discarded_event is False


def test_an_event_over_the_data_cap_is_dropped_across_chunks():
    # The cap is checked between chunks (one chunk is at most 64 KiB, bounded already).
    stream = b"data: a\n\n" + b"data: 12345\n" * 10 + b"\ndata: b\n\n"
    for split in (1, 5, 12):
        parser = SSEParser(max_event_chars=20)
        events = [
            e for i in range(0, len(stream), split) for e in parser.feed(stream[i : i + split])
        ]
        assert events == [ev("a"), ev("b")], split
        assert parser.oversized_events == 1


def test_line_trickling_in_one_character_per_chunk_stays_compact():
    body = "開" * 60_000  # 180,000 bytes, under the cap
    raw = body.encode()
    parser = SSEParser(max_line_bytes=200_000)
    parser.feed(b"data: ")
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for i in range(0, len(raw), 3):
            parser.feed(raw[i : i + 3])
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    # The text itself is 120 kB as a str; one object per piece would hold several MB.
    assert held < 400_000
    assert parser.feed(b"\n\n") == [ev(body)]


def test_long_line_under_the_cap_is_kept():
    body = "v" * 200_000
    assert datas(f"data: {body}\n\n".encode(), split=1000) == [body]


# --- raw lines for the transcript ----------------------------------------------


def test_on_line_receives_every_raw_line_with_its_chunk_time():
    seen: list[tuple[str, float]] = []
    parser = SSEParser(on_line=lambda line, t: seen.append((line, t)))
    parser.feed(BOM + b": hi\r\nevent: log\ndata: a", received_at=1.0)
    parser.feed(b"b\rfoo\n\nid\x00x\r", received_at=2.5)
    parser.feed(b"\n", received_at=3.0)
    parser.feed(b"\xff\n", received_at=4.0)
    assert seen == [
        (": hi", 1.0),
        ("event: log", 1.0),
        ("data: ab", 2.5),
        ("foo", 2.5),
        ("", 2.5),
        ("id\x00x", 2.5),
        ("\ufffd", 4.0),
    ]


def test_on_line_defaults_to_monotonic_time():
    seen: list[float] = []
    parser = SSEParser(on_line=lambda line, t: seen.append(t))
    before = time.monotonic()
    parser.feed(b"data: a\n\n")
    after = time.monotonic()
    assert len(seen) == 2
    assert all(before <= t <= after for t in seen)


def test_max_line_bytes_must_be_positive():
    with pytest.raises(ValueError):
        SSEParser(max_line_bytes=0)


# --- any chunking gives the spec's answer ----------------------------------------


def reference_parse(data: bytes, max_line_bytes: int = 1 << 20):
    """A literal, whole-stream transcription of the spec, for comparison."""
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    *lines, _unterminated = re.split(r"\r\n|\r|\n", text)
    events, raw = [], []
    data_buf, event_buf, id_buf, retry_buf, retry = "", "", None, None, None
    for line in lines:
        if len(line.encode()) > max_line_bytes:
            continue
        raw.append(line)
        if line == "":
            if data_buf == "":
                event_buf, retry_buf = "", None
                continue
            if data_buf.endswith("\n"):
                data_buf = data_buf[:-1]
            events.append(ServerSentEvent(event_buf or "message", data_buf, id_buf, retry_buf))
            data_buf, event_buf, retry_buf = "", "", None
            continue
        if line.startswith(":"):
            continue
        if ":" in line:
            name, value = line.split(":", 1)
            if value.startswith(" "):
                value = value[1:]
        else:
            name, value = line, ""
        if name == "event":
            event_buf = value
        elif name == "data":
            data_buf += value + "\n"
        elif name == "id":
            if "\0" not in value:
                id_buf = value
        elif name == "retry" and value and all(c in "0123456789" for c in value):
            retry_buf = retry = int(value)
    return events, raw, retry


NAMES = ["data", "event", "id", "retry", "foo", "", "Data", "dat", "data ", "\ufeffdata"]
VALUE_CHARS = st.sampled_from([*"ab:1 0\x00\ufeff\t", "é", "開", "😀", "٣"])


@st.composite
def sse_lines(draw) -> bytes:
    kind = draw(st.sampled_from(["field", "field", "bare", "comment", "blank", "blank", "junk"]))
    if kind == "blank":
        return b""
    if kind == "junk":
        return draw(st.sampled_from([b"\xff", b"\xe2\x82", b"\xed\xa0\x80", b"data: \xc3"]))
    value = draw(st.text(VALUE_CHARS, max_size=12))
    if kind == "comment":
        return (":" + value).encode()
    name = draw(st.sampled_from(NAMES))
    if kind == "bare":
        return name.encode()
    sep = draw(st.sampled_from([":", ": ", ":  "]))
    return (name + sep + value).encode()


@st.composite
def streams(draw) -> tuple[bytes, list[int]]:
    prefix = draw(st.sampled_from([b"", BOM, BOM + BOM]))
    lines = draw(st.lists(sse_lines(), max_size=30))
    parts = [prefix]
    for line in lines:
        parts.append(line)
        parts.append(draw(st.sampled_from([b"\n", b"\r", b"\r\n"])))
    if draw(st.booleans()):
        parts.pop()  # leave the last line unterminated
    data = b"".join(parts)
    cuts = draw(st.lists(st.integers(0, len(data)), max_size=12))
    return data, sorted(cuts)


def run_chunks(data: bytes, cuts: list[int], max_line_bytes: int):
    seen: list[str] = []
    parser = SSEParser(max_line_bytes=max_line_bytes, on_line=lambda line, t: seen.append(line))
    events = []
    bounds = [0, *cuts, len(data)]
    for start, end in itertools.pairwise(bounds):
        events += parser.feed(data[start:end], received_at=0.0)
    events += parser.close()
    return events, seen, parser


@settings(max_examples=400, deadline=None)
@given(streams(), st.sampled_from([1 << 20, 6, 12, 20]))
def test_any_chunking_matches_whole_stream_and_reference(stream, cap):
    data, cuts = stream
    whole_events, whole_lines, whole = run_chunks(data, [], cap)
    split_events, split_lines, split = run_chunks(data, cuts, cap)
    assert split_events == whole_events
    assert split_lines == whole_lines
    assert (split.last_event_id, split.retry, split.oversized_lines) == (
        whole.last_event_id,
        whole.retry,
        whole.oversized_lines,
    )
    assert split.unterminated_line == whole.unterminated_line

    ref_events, ref_lines, ref_retry = reference_parse(data, cap)
    assert whole_events == ref_events
    assert whole_lines == ref_lines
    assert whole.retry == ref_retry
