"""The redaction rules: compiled patterns and how each replaces what it matches.

``redact_text`` applies them in the order of ``RULE_IDS`` (see ``doctor.report.redact``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from doctor.report.redact_names import classify_name

if TYPE_CHECKING:
    from doctor.report.redact_secrets import SecretForms

MARK = "[REDACTED]"

RULE_IDS = (
    "pem-private-key",
    "known-secret",
    "uri-credentials",
    "authorization-header",
    "cookie",
    "bearer",
    "token-query",
    "password-field",
    "env-secret",
    "jwt",
    "api-key-shape",
)


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
SCALARS_NOT_SECRET = frozenset({"", "true", "false", "null", "none", "nil", "undefined"})

_PEM = re.compile(
    r"-----BEGIN (?P<kind>[A-Z0-9 ]*?)PRIVATE KEY-----"
    r"(?P<body>[A-Za-z0-9+/=\s\\:,.\-]*?)"
    r"(?:(?P<end>-----END (?P=kind)PRIVATE KEY-----)|(?=[^A-Za-z0-9+/=\s\\:,.\-])|\Z)"
)

# user-info of an authority: up to the last "@" before the end of the authority
_URI_USERINFO = re.compile(r"://(?P<v>[^\s/?#\"'<>\\]+)@")

# The header rules are matched at the positions of their (case-insensitive) anchor word.
_AUTH = re.compile(
    r"(?i)(?P<pre>authorization(?P<kq>\\?[\"'])?\s*[:=]\s*(?P<vq>\\?[\"'])?)"
    r"(?:(?:bearer|basic|token|jwt|apikey)\s+(?P<v1>[^\s\"'\\,;{}]+)"
    r"|(?:digest|negotiate|ntlm|hoba|mutual|[a-z0-9]+-hmac-[a-z0-9-]+)\s+"
    r"(?P<v2>[^\"'\\\r\n]*[^\s\"'\\])"
    r"|(?P<v3>[^\s\"'\\,;{}]+))"
)
_COOKIE = re.compile(
    r"(?i)(?P<pre>cookie(?P<kq>\\?[\"'])?[ \t]*[:=][ \t]*(?P<vq>\\?[\"'])?)"
    r"(?P<v1>[^\"'\\\r\n]*[^\s\"'\\])"
)
_BEARER = re.compile(r"(?i)bearer\s+(?P<v1>[A-Za-z0-9\-._~+/]+=*)")
_BEARER_SPECIAL = re.compile(r"[0-9\-._~+/=]")

QUERY_PARAM = re.compile(r"(?P<sep>[?&#;])(?P<name>[A-Za-z0-9_.\-]+)=(?P<v>[^&#\s\"'<>\\]*)")
_QUERY_NAMES = frozenset(
    {"token", "access_token", "refresh_token", "id_token", "auth_token", "authtoken", "key"}
    | {"api_key", "apikey", "api-key", "x-api-key", "client_secret", "secret", "jwt"}
    | {"signature", "sig", "x-amz-signature", "x-amz-credential", "x-amz-security-token"}
    | {"session_token", "access-token", "accesstoken", "private_token", "bearer"}
)

# Key/value forms are found from the keywords a secret-holding name contains
# (authorization and cookie have their own rules; dict keys use classify_name).
_QUERY_PASSWORDS = frozenset({"pwd", "pass", "passwd"})
_KW = "key|token|secret|pass|pwd|credential|jwt|auth|sess"
_KW_LOW = re.compile(_KW)
_KW_CI = re.compile(_KW, re.IGNORECASE)
_KW_LITERALS = ("key", "token", "secret", "pass", "pwd", "credential", "jwt", "auth", "sess")
_NAME_RUN = re.compile(r"[A-Za-z0-9_.\-]*")
_JSON_SEP = re.compile(r"[ \t]*:[ \t]*")
_LINE_SEP = re.compile(r"[ \t]*=[ \t]*|:[ \t]+")
_COLON_SEP = re.compile(r":[ \t]*")
_DQ_BODY = re.compile(r"(?:\\.|[^\"\\\r\n])*")
_SQ_BODY = re.compile(r"(?:\\.|[^'\\\r\n])*")
_JSON_SCALAR = re.compile(r"[^\s,{}\[\]\"'\\]+")
_REST_OF_LINE = re.compile(r"[^\r\n]*[^\s]")
# an unquoted value; "#" ends it only where a URL fragment parameter follows
_PLAIN_VALUE = re.compile(r"(?:[^\s\"',;&\\<>#]|#(?![A-Za-z0-9_.\-]+=))+")

_JWT = re.compile(
    r"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+){0,2}"
)

# (literal that must be present, pattern): each pattern starts with a literal, which
# lets the regex engine skip ahead fast
_API_KEYS = (
    ("sk-", re.compile(r"sk-[A-Za-z0-9_\-]{20,}")),
    ("k_live_", re.compile(r"(?:sk|rk)_live_[A-Za-z0-9]{16,}")),
    ("A", re.compile(r"A(?:KIA|SIA|GPA|IDA|ROA|IPA|NPA|NVA|BIA|CCA)[0-9A-Z]{16}(?![0-9A-Za-z])")),
    ("gh", re.compile(r"gh[pousr]_[A-Za-z0-9]{20,}")),
    ("github_pat_", re.compile(r"github_pat_[A-Za-z0-9_]{22,}")),
    ("xox", re.compile(r"xox[baprs]-[A-Za-z0-9\-]{10,}")),
    ("AIza", re.compile(r"AIza[0-9A-Za-z_\-]{35}")),
    ("hf_", re.compile(r"hf_[A-Za-z0-9]{30,}")),
)

_ANCHORS = {
    word: (re.compile(word), re.compile(word, re.IGNORECASE))
    for word in ("authorization", "cookie", "bearer")
}

Span = tuple[int, int, str]  # replace text[start:end] by the string


class _Run:
    """One redaction of one text: the text, its lower-case twin, and the counts."""

    __slots__ = ("_low", "counts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._low: str | None = None
        self.counts: dict[str, int] = {}

    def hit(self, rule: str) -> None:
        self.counts[rule] = self.counts.get(rule, 0) + 1

    @property
    def low(self) -> str:
        if self._low is None:
            self._low = self.text.lower()
        return self._low

    def set(self, new: str) -> None:
        if new is not self.text:
            self.text, self._low = new, None

    def sub(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> None:
        self.set(pattern.sub(repl, self.text))

    def positions(self, low_re: re.Pattern[str], ci_re: re.Pattern[str]) -> Iterator[int]:
        """Start positions of a case-insensitive word, found in the lower-case twin."""
        low = self.low
        if len(low) == len(self.text):  # lower() kept every index in place
            return (m.start() for m in low_re.finditer(low))
        return (m.start() for m in ci_re.finditer(self.text))

    def sub_at(self, positions: Iterable[int], at: Callable[[str, int, int], Span | None]) -> None:
        """Apply ``at(text, pos, done)`` at each position; it returns a span to replace."""
        text = self.text
        out: list[str] = []
        done = 0
        for pos in positions:
            if pos < done:
                continue
            span = at(text, pos, done)
            if span is None:
                continue
            start, end, replacement = span
            out.append(text[done:start])
            out.append(replacement)
            done = end
        if out:
            out.append(text[done:])
            self.set("".join(out))


def _word_start(text: str, pos: int) -> bool:
    if pos == 0:
        return True
    c = text[pos - 1]
    return not (c.isalnum() or c == "_")


def redact_text(text: str, run_secrets: SecretForms | None) -> _Run:
    r = _Run(text)
    if "PRIVATE KEY-----" in r.text:
        r.sub(_PEM, _sub_pem(r))
    if run_secrets is not None and any(f in r.text for f in run_secrets.forms):
        r.sub(run_secrets.pattern, _sub_secret(r))
    if "://" in r.text and "@" in r.text:
        r.sub(_URI_USERINFO, _sub_userinfo(r))
    for word, pattern, rule in (
        ("authorization", _AUTH, "authorization-header"),
        ("cookie", _COOKIE, "cookie"),
        ("bearer", _BEARER, "bearer"),
    ):
        if word in r.low:
            r.sub_at(r.positions(*_ANCHORS[word]), _at_header(r, pattern, rule))
    if "=" in r.text:
        r.sub(QUERY_PARAM, _sub_query(r))
    low = r.low
    if any(k in low for k in _KW_LITERALS):
        r.sub_at(r.positions(_KW_LOW, _KW_CI), _at_key_value(r))
    if "eyJ" in r.text:
        r.sub(_JWT, _sub_shape(r, "jwt"))
    for literal, pattern in _API_KEYS:
        if literal in r.text:
            r.sub(pattern, _sub_shape(r, "api-key-shape"))
    return r


Sub = Callable[[re.Match[str]], str]


def _sub_pem(r: _Run) -> Sub:
    def sub(m: re.Match[str]) -> str:
        if not m.group("body").strip():
            return m.group(0)
        r.hit("pem-private-key")
        kind = m.group("kind")
        head = f"-----BEGIN {kind}PRIVATE KEY-----{MARK}"
        return head + f"-----END {kind}PRIVATE KEY-----" if m.group("end") else head

    return sub


def _sub_secret(r: _Run) -> Sub:
    def sub(m: re.Match[str]) -> str:
        if m.group("s") is None:  # the marker itself
            return m.group(0)
        r.hit("known-secret")
        return MARK

    return sub


def _sub_userinfo(r: _Run) -> Sub:
    def sub(m: re.Match[str]) -> str:
        if m.group("v") == MARK:
            return m.group(0)
        r.hit("uri-credentials")
        return "://" + MARK + "@"

    return sub


def _at_header(
    r: _Run, pattern: re.Pattern[str], rule: str
) -> Callable[[str, int, int], Span | None]:
    def at(text: str, pos: int, done: int) -> Span | None:
        if not _word_start(text, pos):
            return None
        m = pattern.match(text, pos)
        if m is None:
            return None
        groups = m.groupdict()
        if groups.get("kq") and not groups.get("vq"):  # a dict/JSON key, unquoted value
            sm = _JSON_SCALAR.match(text, m.end("pre"))
            if sm is None or sm.group().lower() in SCALARS_NOT_SECRET:
                return None
            r.hit(rule)  # keep the JSON valid: a quoted marker
            return sm.start(), sm.end(), groups["kq"] + MARK + groups["kq"]
        group = next(g for g in ("v1", "v2", "v3") if groups.get(g) is not None)
        v = groups[group]
        if v == MARK or v.lower() in SCALARS_NOT_SECRET:
            return None
        if rule == "bearer" and (len(v) < 8 or (len(v) < 20 and not _BEARER_SPECIAL.search(v))):
            return None
        r.hit(rule)
        return m.start(group), m.end(group), MARK

    return at


def _sub_query(r: _Run) -> Sub:
    def sub(m: re.Match[str]) -> str:
        v = m.group("v")
        if not v or v == MARK:
            return m.group(0)
        name = m.group("name").lower()
        if name in _QUERY_NAMES:
            rule = "token-query"
        elif name in _QUERY_PASSWORDS or classify_name(name) == "password-field":
            rule = "password-field"
        else:
            return m.group(0)
        r.hit(rule)
        return m.group("sep") + m.group("name") + "=" + MARK

    return sub


def _at_key_value(r: _Run) -> Callable[[str, int, int], Span | None]:
    """Find the name around a keyword, then its value in one of the supported forms."""
    seen_end = -1

    def at(text: str, pos: int, done: int) -> Span | None:
        nonlocal seen_end
        if pos < seen_end:  # another keyword of a name already looked at
            return None
        start = pos
        while start > 0 and text[start - 1] in _NAME_CHARS:
            start -= 1
        end = _NAME_RUN.match(text, pos).end()
        seen_end = end
        if start < done:
            return None
        rule = classify_name(text[start:end])
        if rule not in ("password-field", "env-secret"):
            return None
        span = _value_span(text, start, end)
        if span is None:
            return None
        vstart, vend, _ = span
        value = text[vstart:vend]
        if value == MARK or value.strip().lower() in SCALARS_NOT_SECRET:
            return None
        r.hit(rule)
        return span

    return at


def _quoted_body(text: str, pos: int, quote_char: str) -> tuple[int, int] | None:
    """Span of the string body that starts at *pos* and ends before *quote_char*."""
    m = (_DQ_BODY if quote_char == '"' else _SQ_BODY).match(text, pos)
    if text[m.end() : m.end() + 1] != quote_char:
        return None
    return pos, m.end()


def _value_span(text: str, start: int, end: int) -> Span | None:
    """The value of the name text[start:end], as (start, end, replacement), or None."""
    before = text[start - 1] if start > 0 else ""
    after = text[end : end + 1]
    if before in ("'", '"'):
        if after == before:  # "NAME": value (JSON, Python dict repr)
            pos = _JSON_SEP.match(text, end + 1)
            if pos is None or pos.group() == "":
                return None
            vpos = pos.end()
            q = text[vpos : vpos + 1]
            if q in ("'", '"'):
                body = _quoted_body(text, vpos + 1, q)
                return None if body is None else (*body, MARK)
            m = _JSON_SCALAR.match(text, vpos)
            # an unquoted scalar becomes a quoted marker so JSON stays valid
            return None if m is None else (m.start(), m.end(), before + MARK + before)
        if after == "=":  # "NAME=value" as a whole string (docker inspect Env)
            body = _quoted_body(text, end + 1, before)
            if body is not None:
                return (*body, MARK)
    if _at_line_start(text, start):  # NAME=value / NAME: value at line start: rest of line
        sep = _LINE_SEP.match(text, end)
        if sep is not None:
            m = _REST_OF_LINE.match(text, sep.end())
            if m is not None:
                return m.start(), m.end(), MARK
    if after == "=":
        vpos = end + 1
    elif after == ":":
        vpos = _COLON_SEP.match(text, end).end()
        if text.startswith("//", vpos):  # a URL, not a value
            return None
    else:
        return None
    q = text[vpos : vpos + 1]
    if q in ("'", '"'):
        body = _quoted_body(text, vpos + 1, q)
        return None if body is None else (*body, MARK)
    m = _PLAIN_VALUE.match(text, vpos)
    if m is None or (after == ":" and _prose(m.group())):
        return None
    return m.start(), m.end(), MARK


def _prose(value: str) -> bool:
    """A word after ``name:`` in a sentence ("Invalid token: Not enough segments"), not a
    secret: short, letters only, and not glued to more of the same value."""
    return len(value) < 8 and value.isalpha()


def _at_line_start(text: str, pos: int) -> bool:
    """True when only blanks, or ``export``, come before *pos* on its line."""
    i = pos
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i >= 6 and i < pos and text.startswith("export", i - 6):
        i -= 6
        while i > 0 and text[i - 1] in " \t":
            i -= 1
    return i == 0 or text[i - 1] in "\r\n"


def _sub_shape(r: _Run, rule: str) -> Sub:
    def sub(m: re.Match[str]) -> str:
        start, end = m.span()
        s = m.string
        if start > 0 and s[start - 1] in _TOKEN_CHARS:  # part of a longer word
            return m.group(0)
        if rule == "jwt" and end < len(s) and s[end] in _TOKEN_CHARS:
            return m.group(0)
        r.hit(rule)
        return MARK

    return sub


_COOKIE_ATTRIBUTES = frozenset(
    {"path", "domain", "expires", "max-age", "samesite", "secure", "httponly", "priority"}
    | {"partitioned", "version", "comment"}
)


def cookie_values(text: str) -> list[str]:
    """The values of the cookies that ``Cookie:`` and ``Set-Cookie:`` headers in *text* carry.

    Only values that look like a session id (8+ characters, not a number or a word like
    ``true``) are returned: they are secrets wherever else they show up.
    """
    found = []
    for pos in (m.start() for m in _ANCHORS["cookie"][1].finditer(text)):
        m = _COOKIE.match(text, pos) if _word_start(text, pos) else None
        if m is None:
            continue
        for pair in m.group("v1").split(";"):
            name, eq, value = pair.partition("=")
            value = value.strip().strip('"')
            if (
                eq
                and name.strip().lower() not in _COOKIE_ATTRIBUTES
                and len(value) >= 8
                and not value.isdigit()
                and " " not in value
                and MARK not in value
                and value.lower() not in SCALARS_NOT_SECRET
            ):
                found.append(value)
    return found
