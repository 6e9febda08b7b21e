"""Which field, variable and header names hold a secret (``classify_name``)."""

from __future__ import annotations

import functools
import re

_MAX_NAME_LEN = 128

_NAME_WORDS = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")

# A last word that says the value describes a secret instead of holding it.
_QUALIFIERS = frozenset(
    {"count", "counts", "len", "length", "size", "limit", "limits", "max", "min"}
    | {"type", "types", "kind", "usage", "used", "expires", "expiry", "expiration"}
    | {"ttl", "url", "uri", "endpoint", "file", "path", "dir", "name", "names", "id"}
    | {"ids", "prefix", "suffix", "format", "header", "field", "hint", "policy"}
    | {"source", "algorithm", "alg", "version", "required", "enabled", "set"}
    | {"present", "valid", "invalid", "missing", "error", "errors", "status", "env", "var"}
)
_PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase"})
_PASSWORD_AFFIXES = frozenset(
    {"new", "old", "current", "confirm", "confirmation", "again", "repeat", "user"}
    | {"login", "hash", "2", "1", "input", "form", "plain", "plaintext"}
)
_SHORT_PASSWORDS = frozenset({"pass", "pwd"})
"""Last words that make a password of a longer name only: ``pass`` alone is too common."""
_SESSION_ID = ["session", "id"]
_NOT_A_KEY = frozenset({"monkey", "donkey", "turkey", "hockey", "jockey", "whiskey", "keys", "key"})
_KEY_NOT_SECRET_BEFORE = frozenset(
    {"sort", "primary", "foreign", "cache", "partition", "routing", "shard", "index"}
    | {"unique", "composite", "row", "column", "object", "lookup", "dict", "map"}
    | {"group", "hot", "short", "idempotency", "dedup", "dedupe", "cursor", "page"}
)
_HEADER_NAMES = {
    "authorization": "authorization-header",
    "proxy-authorization": "authorization-header",
    "cookie": "cookie",
    "set-cookie": "cookie",
}


@functools.lru_cache(maxsize=4096)
def classify_name(name: str) -> str | None:
    """Return the rule id that covers a field/variable/key named *name*, or None.

    ``"password-field"`` for fields that are a password, ``"env-secret"`` for
    other secret-holding names, ``"authorization-header"``/``"cookie"`` for
    those header names, None for everything else.
    """
    if len(name) > _MAX_NAME_LEN:
        return None
    low = name.strip().lower()
    if low in _HEADER_NAMES:
        return _HEADER_NAMES[low]
    if low == "pwd":  # upper case, it is the shell's working directory
        return None if name.strip() == "PWD" else "password-field"
    words = [w.lower().rstrip("0123456789") or w for w in _NAME_WORDS.split(name) if w]
    if not words:
        return None
    last = words[-1]
    if last == "session" or last.endswith(("sessionid", "sessid")) or words[-2:] == _SESSION_ID:
        return "env-secret"  # SESSION, SESSIONID, JSESSIONID, PHPSESSID, *_SESSION_ID
    if len(words) > 1 and words[-1] in _QUALIFIERS:
        return None
    if words[-1] == "auth" or (len(words) > 1 and words[-1] in _SHORT_PASSWORDS):
        return "env-secret"  # AUTH, REDIS_AUTH; DB_PASS, MYSQL_PWD
    if any(w in _PASSWORD_WORDS for w in words) and all(
        w in _PASSWORD_WORDS or w in _PASSWORD_AFFIXES for w in words
    ):
        return "password-field"
    for i, w in enumerate(words):
        if (
            "password" in w
            or "passwd" in w
            or "passphrase" in w
            or "secret" in w
            or "credential" in w
            or w == "jwt"
            or w.endswith("token")
            or w.startswith("apikey")
        ):
            return "env-secret"
        if (w.endswith("key") or w.endswith("keys")) and w not in _NOT_A_KEY:
            return "env-secret"
        if w in ("key", "keys") and i > 0 and words[i - 1] not in _KEY_NOT_SECRET_BEFORE:
            return "env-secret"
    return None


def is_sensitive_name(name: str) -> bool:
    """True when a value stored under *name* must be redacted wholesale."""
    return classify_name(name) is not None
