"""The stream's transcript: its ends in memory, the middle on disk, whatever the stream sends."""

from __future__ import annotations

from doctor.stream.transcript import Transcript, utc_iso

START = 1_780_000_000.0


def test_the_ends_stay_in_memory_and_the_middle_is_read_back_from_disk_in_order() -> None:
    transcript = Transcript(START, keep=3)
    for n in range(10):
        transcript.add(n * 0.5, f"data: {n}")
    assert (transcript.count, transcript.in_memory, transcript.spilled) == (10, 6, 4)
    assert [text for _, text in transcript.head] == ["data: 0", "data: 1", "data: 2"]
    assert [text for _, text in transcript.tail] == ["data: 7", "data: 8", "data: 9"]
    shown = list(transcript.lines())
    assert shown == [f"{utc_iso(START + n * 0.5)} data: {n}" for n in range(10)]
    transcript.add(5.0, "data: 10")  # reading did not end the transcript
    assert list(transcript.lines())[-1] == f"{utc_iso(START + 5.0)} data: 10"
    transcript.close()


def test_long_lines_count_against_the_memory_budget() -> None:
    transcript = Transcript(START, keep=1000, keep_chars=100)
    for n in range(50):
        transcript.add(float(n), f"data: {n:02d} " + "x" * 40)
    held = [*transcript.head, *transcript.tail]
    assert sum(len(text) for _, text in held) <= 200
    assert transcript.in_memory == 4
    assert transcript.spilled == 46
    assert len(list(transcript.lines())) == 50


def test_past_the_spill_files_size_lines_are_counted_not_kept() -> None:
    transcript = Transcript(START, keep=2, spill_chars=100)
    for n in range(100):
        transcript.add(float(n), f"data: {n}")
    assert transcript.count == 100
    assert transcript.spilled + transcript.dropped == 96
    assert transcript.dropped > 80
    shown = list(transcript.lines())
    assert f"… {transcript.dropped} lines not kept …" in shown
    assert shown[-1].endswith("data: 99")
