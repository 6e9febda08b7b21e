"""The stream observer against peers that send too much: bounded memory, a named end."""

from __future__ import annotations

import tracemalloc

import httpx
import pytest

from doctor.stream.observer import End, ObservedEvent, StreamObserver
from tests.clients.hostile import BOMB_MIB, hostile_server

PEAK_BUDGET = 16 << 20


def test_a_gzip_bomb_on_the_stream_is_read_to_its_end_in_bounded_memory() -> None:
    with hostile_server() as url, httpx.Client() as client:
        observer = StreamObserver(
            client, f"{url}/sse-bomb/stream", {}, probe_timeout=2, stream_timeout=10, idle_timeout=2
        )
        tracemalloc.start()
        try:
            obs = observer.observe()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert (obs.end, obs.error) == (End.EOF, None)
    assert obs.content_encoding == "gzip"
    assert obs.oversized_lines == 1  # 256 MiB of NUL bytes: one line, too long to keep
    assert obs.bytes_received < BOMB_MIB << 11
    assert peak < PEAK_BUDGET, f"{peak / (1 << 20):.1f} MiB held"


@pytest.mark.parametrize(
    "data", ['{"status": 1e999}', '{"status": NaN}', '{"status": -Infinity}', "[" * 100_000]
)
def test_data_no_json_document_can_carry_is_not_json(data: str) -> None:
    assert ObservedEvent(0.0, "status", data).payload() is None
