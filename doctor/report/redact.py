"""The one redactor applied to every output of the tool and every bundle file.

This module is the engine (:class:`Redactor`, :func:`redact_uri`); the patterns and their
replacements are in ``doctor.report.redact_rules``, the secret-holding names in
``doctor.report.redact_names``, the known secrets' forms in ``doctor.report.redact_secrets``.

A :class:`Redactor` replaces secrets with ``[REDACTED]``.  Some rules keep a
readable prefix (``Bearer [REDACTED]``, ``OPENAI_API_KEY=[REDACTED]``,
``mongodb://[REDACTED]@host``).  Rules run in this order, each with a stable
id used in :attr:`Redactor.counts`; a secret is counted once, by the first
(most specific) rule that replaces it:

``pem-private-key``
    whole ``-----BEGIN … PRIVATE KEY----- … -----END … PRIVATE KEY-----``
    blocks, also with JSON ``\\n`` escapes; an unterminated block is redacted
    up to the first character that cannot belong to it.
``known-secret``
    the exact values registered with the constructor or :meth:`add_secret`
    (login password, token, API keys), also in their URL-encoded and
    JSON-escaped forms, wherever they stand as a token of their own: not
    glued to an ASCII letter, digit, ``_`` or ``-`` (a JSON ``\\n`` or a URL
    ``%20`` right before counts as a boundary), so a password ``password``
    leaves ``--password`` alone.  The values of cookies that a ``Cookie:`` or
    ``Set-Cookie:`` header in the text carries become known secrets too, in
    that text and every later one.
``uri-credentials``
    the user-info of any ``scheme://user:pass@host`` (mongodb+srv, http,
    redis, postgres…): ``scheme://[REDACTED]@host``.
``authorization-header``
    ``Authorization:``/``Proxy-Authorization:`` values, in header dumps and
    in JSON / dict-repr forms; the scheme word (``Bearer``, ``Basic``…) is kept.
``cookie``
    ``Cookie:`` and ``Set-Cookie:`` values (the whole value), same forms.
``bearer``
    any ``Bearer <token68>`` (a token of 8+ characters that holds a digit or
    punctuation, or of 20+ characters, so that prose stays intact).
``token-query``
    URL query/fragment parameters with an obviously sensitive name
    (``token``, ``access_token``, ``api_key``, ``apikey``, ``client_secret``,
    ``signature``, ``key``…; and ``pwd``, ``pass`` as passwords).  A browser
    ``EventSource`` cannot send headers, so SSE URLs often carry the token.
``password-field``
    values of fields that are a password (``password``, ``passwd``, ``pwd``,
    ``new_password``, ``passwordConfirmation``…) as ``"password": "…"``,
    ``password=…`` (form bodies, query strings) or ``password: …``.
``env-secret``
    values of other names that hold a secret: the name contains KEY (as a
    word or suffix: ``API_KEY``, ``apiKey``), TOKEN (``GITHUB_TOKEN``,
    ``csrftoken``), SECRET, PASSWORD, PASSWD, PASSPHRASE, CREDENTIAL or JWT,
    or ends in PASS or PWD after another word (``DB_PASS``, ``MYSQL_PWD``), AUTH
    (``AUTH``, ``REDIS_AUTH``), SESSION or a session id (``SESSION_ID``,
    ``JSESSIONID``, ``PHPSESSID``), case-insensitively (the shell's ``PWD`` is
    no password); as ``NAME=value`` (also a whole quoted string, which is
    how ``docker inspect`` lists container env), ``"NAME": "value"`` or
    ``NAME: value``; at the start of a line (env files, ``export``, YAML) the
    value is the rest of the line.  Names that describe a secret rather than hold it are left
    alone: ``max_tokens``, ``token_count``, ``token_type``, ``key_id``,
    ``SECRET_NAME``, ``PASSWORD_FILE``, ``monkey``, ``keyboard``, a bare ``key``…
``jwt``
    three (or five) base64url segments starting with ``eyJ``.
``api-key-shape``
    well-known key formats: OpenAI ``sk-…``/``sk-proj-…``, Anthropic
    ``sk-ant-…``, AWS access key ids (``AKIA…``, ``ASIA…``), GitHub
    (``ghp_ gho_ ghu_ ghs_ ghr_ github_pat_``), Slack ``xox[baprs]-``,
    Google ``AIza…``, Hugging Face ``hf_…``, Stripe ``sk_live_``/``rk_live_``.

Guarantees: redaction is idempotent (redacting redacted text changes nothing
and counts nothing), JSON text stays valid JSON (values are replaced inside
their quotes; an unquoted sensitive scalar becomes ``"[REDACTED]"``), and
ordinary text is left alone: timestamps, UUIDs, hex ids, run ids, URLs
without credentials, the word "password" in prose.  A planted secret value
that holds no ``[`` or ``]`` never survives redaction.

Speed: patterns are compiled once, case-insensitive words are searched in a
lower-case copy, and most rules are skipped by a substring check; a dense
backend log redacts at 20 to 30 MB/s, in time linear in its size.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

from doctor.report.redact_names import classify_name, is_sensitive_name
from doctor.report.redact_rules import (
    MARK,
    RULE_IDS,
    SCALARS_NOT_SECRET,
    cookie_values,
    redact_text,
)
from doctor.report.redact_secrets import SecretForms

__all__ = [
    "MARK",
    "RULE_IDS",
    "Redactor",
    "classify_name",
    "is_sensitive_name",
    "redact_uri",
]

MIN_SECRET_LEN = 4
MAX_PASSES = 4
"""A text is redacted again while a pass still changes it, at most this many times."""
_ENV_ENTRY = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)=(?P<v>.*)", re.DOTALL)


class Redactor:
    """Redact secrets from text and objects; count what was redacted per file and rule.

    ``counts`` maps file name (``""`` for unnamed) to rule id to the number of
    replacements.  The instance is safe to share between threads: the set of
    secrets is swapped in atomically and counts are merged under a lock.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: SecretForms | None = None
        self.counts: dict[str, dict[str, int]] = {}
        for s in secrets:
            self.add_secret(s)

    def add_secret(self, value: str) -> None:
        """Register an exact secret value; values shorter than 4 characters are ignored.

        Its URL-encoded and JSON-escaped forms are registered too.  A value
        that is part of the marker itself (``REDACTED``) cannot be told apart
        from redacted text and is ignored.
        """
        self._learn(value)

    def _learn(self, value: str) -> bool:
        """Register *value* (see add_secret); True when that added a form not known yet."""
        if not isinstance(value, str) or len(value) < MIN_SECRET_LEN:
            return False
        forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
        new = {f for f in forms if len(f) >= MIN_SECRET_LEN and f not in MARK}
        with self._lock:
            old = self._secrets.forms if self._secrets is not None else frozenset()
            if new <= old:
                return False
            self._secrets = SecretForms(old | new)
        return True

    def redact(self, text: str, file: str = "") -> str:
        """Return *text* with every secret replaced; add the replacements to ``counts[file]``."""
        counts: dict[str, int] = {}
        out = self._text(text, counts) if text else text
        self._merge(file, counts)
        return out

    def _text(self, text: str, counts: dict[str, int]) -> str:
        """One text redacted. The values of cookies it sets or sends become known secrets
        (for this text and every later one): an error page often repeats them in prose."""
        r = redact_text(text, self._secrets)
        learned = False
        if "ookie" in text or "OOKIE" in text:
            for value in cookie_values(text):
                learned = self._learn(value) or learned
        # Again while a pass redacts something: the other places a cookie's value shows, and
        # what a replacement uncovers (a key glued to a JWT hides the JWT from its rule).
        passes = 1
        while (learned or r.counts) and passes < MAX_PASSES:
            before = r.text
            r2 = redact_text(before, self._secrets)
            for rule, n in r2.counts.items():
                r.counts[rule] = r.counts.get(rule, 0) + n
            r.set(r2.text)
            learned, passes = False, passes + 1
            if r2.text == before:
                break
        for rule, n in r.counts.items():
            counts[rule] = counts.get(rule, 0) + n
        return r.text

    def redact_obj(self, obj: Any, file: str = "") -> Any:
        """Deep-copy dicts, lists and tuples, redacting every string in them.

        The value of a dict entry whose key names a secret (``password``,
        ``api_key``, ``OPENAI_API_KEY``, ``authorization``, ``cookie``…) is
        replaced wholesale by ``"[REDACTED]"`` (None, booleans and empty values
        are kept).  A string that is entirely ``NAME=value`` with such a name
        (a container env entry) keeps only ``NAME=``.  Other objects are
        returned as they are.
        """
        counts: dict[str, int] = {}
        out = self._obj(obj, counts, {})
        self._merge(file, counts)
        return out

    def _obj(self, obj: Any, counts: dict[str, int], memo: dict[int, Any]) -> Any:
        if isinstance(obj, str):
            return self._str(obj, counts)
        if isinstance(obj, dict):
            if id(obj) in memo:
                return memo[id(obj)]
            out: dict[Any, Any] = {}
            memo[id(obj)] = out
            for k, v in obj.items():
                rule = classify_name(k) if isinstance(k, str) else None
                nk = self._str(k, counts) if isinstance(k, str) else k
                if rule is not None and not _empty_value(v):
                    if v != MARK:
                        counts[rule] = counts.get(rule, 0) + 1
                    out[nk] = MARK
                else:
                    out[nk] = self._obj(v, counts, memo)
            return out
        if isinstance(obj, list):
            if id(obj) in memo:
                return memo[id(obj)]
            lst: list[Any] = []
            memo[id(obj)] = lst
            lst.extend(self._obj(v, counts, memo) for v in obj)
            return lst
        if isinstance(obj, tuple):
            items = [self._obj(v, counts, memo) for v in obj]
            return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
        return obj

    def _str(self, s: str, counts: dict[str, int]) -> str:
        if not s:
            return s
        # A whole string "NAME=value" (container env): the value may hold spaces.
        m = _ENV_ENTRY.fullmatch(s)
        if m is not None:
            rule = classify_name(m.group("name"))
            v = m.group("v")
            if rule is not None and v.strip().lower() not in SCALARS_NOT_SECRET:
                if v != MARK:
                    counts[rule] = counts.get(rule, 0) + 1
                return m.group("name") + "=" + MARK
        return self._text(s, counts)

    def _merge(self, file: str, counts: dict[str, int]) -> None:
        with self._lock:
            per_file = self.counts.setdefault(file, {})
            for rule, n in counts.items():
                per_file[rule] = per_file.get(rule, 0) + n

    def total(self, file: str | None = None) -> int:
        """Number of replacements so far, for one file or for all files."""
        with self._lock:
            if file is not None:
                return sum(self.counts.get(file, {}).values())
            return sum(sum(d.values()) for d in self.counts.values())


def _empty_value(v: Any) -> bool:
    return v is None or isinstance(v, bool) or v == "" or v == [] or v == {}


# ---------------------------------------------------------------------------
# URIs
# ---------------------------------------------------------------------------


def redact_uri(uri: str) -> str:
    """Redact a single URI for display: user-info and sensitive query parameters.

    ``mongodb://user:pw@host:27017/db?authSource=admin`` becomes
    ``mongodb://[REDACTED]@host:27017/db?authSource=admin``; scheme, hosts,
    port and path are kept; ``?token=…``/``?password=…``-style parameters
    (query and fragment) get ``[REDACTED]`` values.
    """
    return Redactor().redact(uri) if uri else uri


def uri_password(uri: str) -> str | None:
    """The password in a URI's user-info, decoded, or None."""
    userinfo, at, _ = urlsplit(uri).netloc.rpartition("@")
    _, colon, password = userinfo.partition(":")
    return unquote(password) if at and colon and password else None
