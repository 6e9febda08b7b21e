"""HS256 JWTs as the backend issues them, and its ``Invalid token: …`` reasons when they fail.

The reasons are python-jose's messages, which the real backend puts after ``Invalid token: ``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time

LIFETIME_S = 86400
"""``expires_in`` of the real backend's login answer."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenError(ValueError):
    """Why a token is not accepted, in python-jose's words."""


class TokenSigner:
    """Issues and verifies HS256 JWTs whose subject is a user id."""

    def __init__(self, lifetime_s: int = LIFETIME_S, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)
        self.lifetime_s = lifetime_s

    def _sign(self, signing_input: str) -> str:
        return _b64(hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest())

    @property
    def key(self) -> bytes:
        """The signing key: a backend in a container verifies with the same one."""
        return self._key

    def issue(self, user_id: str, email: str, lifetime_s: int | None = None) -> str:
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        now = int(time.time())
        life = self.lifetime_s if lifetime_s is None else lifetime_s
        claims = {"sub": user_id, "email": email, "exp": now + life, "iat": now}
        payload = _b64(json.dumps(claims).encode())
        return f"{header}.{payload}.{self._sign(f'{header}.{payload}')}"

    def verify(self, token: str) -> str:
        """The token's user id; TokenError with python-jose's reason otherwise."""
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("Not enough segments")
        try:
            json.loads(_unb64(parts[0]))
        except (ValueError, binascii.Error) as exc:
            raise TokenError(f"Invalid header string: {exc}") from None
        if not hmac.compare_digest(parts[2], self._sign(f"{parts[0]}.{parts[1]}")):
            raise TokenError("Signature verification failed.")
        claims = json.loads(_unb64(parts[1]))
        if claims.get("exp", 0) < time.time():
            raise TokenError("Signature has expired.")
        return str(claims.get("sub", ""))
