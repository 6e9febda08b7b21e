"""JWT-shaped bearer tokens (HS256), signed with a per-stack secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Issues and verifies HS256 JWTs whose subject is a user id."""

    def __init__(self, lifetime_s: int = 3600) -> None:
        self._key = secrets.token_bytes(32)
        self._lifetime_s = lifetime_s

    def _sign(self, signing_input: str) -> str:
        return _b64(hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest())

    def issue(self, user_id: str) -> str:
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = {"sub": user_id, "exp": int(time.time()) + self._lifetime_s}
        payload = _b64(json.dumps(claims).encode())
        return f"{header}.{payload}.{self._sign(f'{header}.{payload}')}"

    def verify(self, token: str) -> str | None:
        """The token's user id, or None if it is malformed, forged or expired."""
        parts = token.split(".")
        if len(parts) != 3 or not hmac.compare_digest(
            parts[2], self._sign(f"{parts[0]}.{parts[1]}")
        ):
            return None
        try:
            claims = json.loads(_unb64(parts[1]))
        except ValueError:
            return None
        if claims.get("exp", 0) < time.time():
            return None
        return claims.get("sub")
