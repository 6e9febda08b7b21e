"""The known-secret rule's values: each secret in every form it takes, matched only where
it is a token of its own."""

from __future__ import annotations

import re

from doctor.report.redact_rules import MARK

_GLUE = "A-Za-z0-9_-"
_GLUED = re.compile(f"[{_GLUE}]")
# Before a secret that starts with a letter or digit: not one of those, or an escape
# (JSON \n, \u00e9; URL %0A) whose last character only looks like one.
_TOKEN_START = rf"(?:(?<![{_GLUE}])|(?<=\\[nrtbf])|(?<=\\u[0-9A-Fa-f]{{4}})|(?<=%[0-9A-Fa-f]{{2}}))"
_TOKEN_END = rf"(?![{_GLUE}])"


def _as_token(secret: str) -> str:
    """A pattern for the secret where it is a token of its own, not part of a longer word.

    A password ``password`` is redacted in ``password=password``, never in ``--password``.
    """
    start = _TOKEN_START if _GLUED.fullmatch(secret[0]) else ""
    end = _TOKEN_END if _GLUED.fullmatch(secret[-1]) else ""
    return start + re.escape(secret) + end


class SecretForms:
    """The known secret values in all their forms, and one pattern for them."""

    __slots__ = ("forms", "pattern")

    def __init__(self, forms: frozenset[str]) -> None:
        self.forms = forms
        alternatives = "|".join(_as_token(s) for s in sorted(forms, key=lambda s: (-len(s), s)))
        self.pattern = re.compile("(?P<s>" + alternatives + ")|" + re.escape(MARK))
