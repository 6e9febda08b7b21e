"""Bounded reads: every body is capped as it is decoded, whatever a peer sends."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Iterator

import httpx
import pytest

from doctor.clients.decoding import Decoder, UnsupportedEncoding
from doctor.clients.http import MAX_BODY_BYTES, BodyTooLarge, fetch
from tests.clients.hostile import hostile_server
from tests.helpers import doctor_json

PEAK_BUDGET = 4 * MAX_BODY_BYTES
"""What a capped read may hold at its peak: the body, a piece, and the client's buffers."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with hostile_server() as url:
        yield url


def peak_of_fetch(url: str) -> tuple[BaseException | None, int]:
    """What ``fetch`` raised for ``url``, and the most memory Python held meanwhile."""
    raised: BaseException | None = None
    with httpx.Client(timeout=2) as client:
        tracemalloc.start()
        try:
            fetch(client, "GET", url, total=2)
        except httpx.HTTPError as exc:
            raised = exc
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return raised, peak


@pytest.mark.parametrize("path", ["/bomb/openapi.json", "/endless/openapi.json"])
def test_a_gzip_bomb_and_an_endless_body_are_cut_at_the_limit_while_decoded(
    server: str, path: str
) -> None:
    raised, peak = peak_of_fetch(server + path)
    assert isinstance(raised, BodyTooLarge)
    assert peak < PEAK_BUDGET, f"{peak / (1 << 20):.1f} MiB held"


def test_an_encoding_the_doctor_does_not_read_is_a_decoding_error(server: str) -> None:
    raised, _ = peak_of_fetch(server + "/br/openapi.json")
    assert isinstance(raised, httpx.DecodingError) and not isinstance(raised, BodyTooLarge)
    assert "'br' is not supported" in str(raised)


@pytest.mark.parametrize("kind", ["bomb", "endless", "br"])
def test_a_backend_that_sends_such_a_body_is_not_the_api_in_one_line(server: str, kind) -> None:
    code, document = doctor_json(
        "--backend-url", f"{server}/{kind}", "--token", "tok-0123456789",
        "--no-docker", "--only", "backend", "--timeout", "2",
    )  # fmt: skip
    liveness = document["results"][0]
    assert (liveness["id"], liveness["problem"]) == ("backend.liveness", "backend.not-api")
    said = "cannot be decoded" if kind == "br" else "body too long to read"
    assert said in liveness["message"]
    assert code == 1


def test_the_decoder_hands_out_bounded_pieces_of_every_encoding() -> None:
    text = b"event: log\ndata: {}\n\n" * 50_000
    members = gzip.compress(text[:1000]) + gzip.compress(text[1000:])
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    encoded = {
        "gzip": members,
        "deflate": zlib.compress(text),
        "Deflate ": raw_deflate.compress(text) + raw_deflate.flush(),
        "identity": text,
        "": text,
    }
    for encoding, body in encoded.items():
        decoder = Decoder(encoding, piece=4096)
        pieces = [p for i in range(0, len(body), 1000) for p in decoder.feed(body[i : i + 1000])]
        assert b"".join(pieces) == text, encoding
        assert max(map(len, pieces)) <= 4096, encoding


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, gzip", "compress"])
def test_other_encodings_are_refused_before_a_byte_is_read(encoding: str) -> None:
    with pytest.raises(UnsupportedEncoding):
        Decoder(encoding)


def test_a_body_that_is_not_what_its_encoding_says_is_a_zlib_error() -> None:
    with pytest.raises(zlib.error):
        list(Decoder("gzip").feed(b"plain text, not gzip"))
