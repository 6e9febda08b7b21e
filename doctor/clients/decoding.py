"""A body's Content-Encoding decoded in bounded pieces, so a small body cannot fill memory.

httpx's decoders inflate a whole network chunk at once: 64 KiB of a gzip bomb become 64 MiB
before a caller can count them. :class:`Decoder` inflates with zlib's ``max_length``
instead, handing out at most ``piece`` bytes at a time, so a reader that stops at its limit
holds that limit plus one piece, whatever the ratio. gzip (members one after another too),
zlib-wrapped and raw deflate are read; any other encoding (br, zstd, several layered)
raises :class:`UnsupportedEncoding` at once, before a byte is read.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

ACCEPTED = "gzip, deflate"
"""What the doctor asks for in ``Accept-Encoding``: what :class:`Decoder` reads."""
PIECE_BYTES = 64 << 10
_GZIP_OR_ZLIB = zlib.MAX_WBITS | 32
_RAW_DEFLATE = -zlib.MAX_WBITS


class UnsupportedEncoding(ValueError):
    """A Content-Encoding the doctor does not decode."""


class Decoder:
    """Incremental decoding of one body; ``feed`` each raw chunk in the order it came."""

    def __init__(self, encoding: str, piece: int = PIECE_BYTES) -> None:
        names = [name.strip().lower() for name in encoding.split(",")]
        names = [name for name in names if name not in ("", "identity")]
        if len(names) > 1 or (names and names[0] not in ("gzip", "x-gzip", "deflate")):
            raise UnsupportedEncoding(f"Content-Encoding {encoding.strip()!r} is not supported")
        self.piece = piece
        self._z = zlib.decompressobj(_GZIP_OR_ZLIB) if names else None
        self._raw_fallback = names == ["deflate"]
        """Some servers send deflate without its zlib header; tried once, at the start."""

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of ``data``, in pieces of at most ``piece`` bytes.

        Raises ``zlib.error`` for a body that is not what its encoding says.
        """
        if self._z is None:
            for start in range(0, len(data), self.piece):
                yield data[start : start + self.piece]
            return
        while True:
            try:
                out = self._z.decompress(data, self.piece)
            except zlib.error:
                if not self._raw_fallback:
                    raise
                self._raw_fallback = False
                self._z = zlib.decompressobj(_RAW_DEFLATE)
                continue
            self._raw_fallback = False
            if out:
                yield out
            if self._z.eof:  # a gzip member ended: another may follow
                data = self._z.unused_data
                if not data:
                    return
                self._z = zlib.decompressobj(_GZIP_OR_ZLIB)
                continue
            data = self._z.unconsumed_tail
            if not data and len(out) < self.piece:  # a full piece may leave output pending
                return


def decoded(encoding: str, chunks: Iterable[bytes], piece: int = PIECE_BYTES) -> Iterator[bytes]:
    """The body sent as ``chunks`` in ``encoding``, decoded in pieces of at most ``piece``
    bytes; raises :class:`UnsupportedEncoding` or ``zlib.error`` as :class:`Decoder` does."""
    decoder = Decoder(encoding, piece)
    for chunk in chunks:
        yield from decoder.feed(chunk)
