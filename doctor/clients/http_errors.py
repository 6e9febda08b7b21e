"""How HTTP failures become findings: one place for messages, categories, hints and evidence.

Check modules that talk HTTP use four things:

- ``category_for_status(code)``: 401/403/404 -> ``http-403-404``, 502/503/504 -> ``http-503``,
  anything else -> None (the caller decides).
- ``describe_http_error(exc, url, timeout)``: an :class:`HttpProblem` for an ``httpx`` exception.
  Timeouts are ``timeout``; refused connections, unknown hosts and answers that are not HTTP
  are ``prerequisite`` (the service is not running there). ``evidence["error"]`` names the kind
  (one of ``ERROR_KINDS``) so a caller can put its own hint on, say, a refused connection.
- ``response_evidence(answer, body=True)``: status, elapsed ms, content type and the first
  200 bytes of the body, secrets redacted (pass ``body=False`` for answers that may hold a
  token, like the login's).
- ``json_or_problem(answer, url, show_body=True)``: the decoded JSON, or an
  :class:`HttpProblem` saying what came instead ("expected JSON from …, got text/html: …").

The answers are ``doctor.clients.http.Answer``: bounded reads of whole bodies.
``host_port(url)``, ``body_snippet(answer)`` and ``detail(answer)`` are the small helpers.
"""

from __future__ import annotations

import json
import socket
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpx

from doctor.clients.http import Answer, BodyTooLarge
from doctor.i18n import tr
from doctor.model import Category
from doctor.report.redact import Redactor

BODY_BYTES = 200
"""How much of a body goes into evidence."""
SNIPPET_CHARS = 80
"""How much of an unexpected body goes into a message."""

ERROR_KINDS = (
    "too-large",
    "undecodable",
    "connection-refused",
    "dns",
    "connect-error",
    "connect-timeout",
    "read-timeout",
    "write-timeout",
    "pool-timeout",
    "not-http",
    "network",
    "http-status",
    "http-error",
)


class HttpProblem(NamedTuple):
    """What went wrong, ready for ``Check.failed(message, category, hint, evidence)``."""

    message: str
    category: Category | None
    hint: str | None
    evidence: dict[str, Any]


def category_for_status(code: int) -> Category | None:
    """The guide's category for an HTTP status, or None when it names none."""
    if code in (401, 403, 404):
        return Category.HTTP_403_404
    if code in (502, 503, 504):
        return Category.HTTP_503
    return None


def host_port(url: str) -> str:
    """``host:port`` of a URL, with the scheme's default port filled in."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def describe_http_error(exc: httpx.HTTPError, url: str, timeout: float) -> HttpProblem:
    """Message, category, hint and evidence for an exception raised while requesting ``url``."""
    kind = _kind(exc)
    evidence: dict[str, Any] = {"url": url, "error": kind, "exception": type(exc).__name__}
    where = host_port(url)
    if kind == "too-large":
        message = tr("{url} answered with a body too long to read: {reason}", url=url, reason=exc)
        return HttpProblem(message, Category.PREREQUISITE, Category.PREREQUISITE.hint, evidence)
    if kind == "undecodable":
        message = tr(
            "{url} answered with a body that cannot be decoded: {reason}", url=url, reason=exc
        )
        return HttpProblem(message, Category.PREREQUISITE, Category.PREREQUISITE.hint, evidence)
    if kind == "connection-refused":
        message = tr("Nothing listens at {where} (connection refused).", where=where)
        return HttpProblem(message, Category.PREREQUISITE, Category.PREREQUISITE.hint, evidence)
    if kind == "dns":
        host = urlsplit(url).hostname
        message = tr("Cannot resolve the host name {host} of {url}.", host=host, url=url)
        hint = tr("Check the host name in the URL, and DNS.")
        return HttpProblem(message, Category.PREREQUISITE, hint, evidence)
    if kind == "connect-timeout":
        message = tr("No connection to {where} within {seconds:g} s.", where=where, seconds=timeout)
        return HttpProblem(message, Category.TIMEOUT, Category.TIMEOUT.hint, evidence)
    if kind in ("read-timeout", "write-timeout", "pool-timeout"):
        message = tr("{url} did not answer within {seconds:g} s.", url=url, seconds=timeout)
        return HttpProblem(message, Category.TIMEOUT, Category.TIMEOUT.hint, evidence)
    if kind == "not-http":
        message = tr(
            "{url} closed the connection or did not answer HTTP: {reason}",
            url=url,
            reason=_reason(exc),
        )
        return HttpProblem(message, Category.PREREQUISITE, Category.PREREQUISITE.hint, evidence)
    if isinstance(exc, httpx.HTTPStatusError):
        code = exc.response.status_code
        evidence["status"] = code
        category = category_for_status(code) or Category.PREREQUISITE
        message = tr("{url} answered HTTP {status}.", url=url, status=code)
        return HttpProblem(message, category, category.hint, evidence)
    message = tr("Request to {url} failed: {reason}", url=url, reason=_reason(exc))
    return HttpProblem(message, Category.PREREQUISITE, Category.PREREQUISITE.hint, evidence)


def _kind(exc: httpx.HTTPError) -> str:
    if isinstance(exc, BodyTooLarge):
        return "too-large"
    if isinstance(exc, httpx.DecodingError):
        return "undecodable"
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect-timeout"
    if isinstance(exc, httpx.ReadTimeout):
        return "read-timeout"
    if isinstance(exc, httpx.WriteTimeout):
        return "write-timeout"
    if isinstance(exc, httpx.PoolTimeout):
        return "pool-timeout"
    if isinstance(exc, httpx.ConnectError):
        cause = _root_cause(exc)
        if isinstance(cause, ConnectionRefusedError):
            return "connection-refused"
        if isinstance(cause, socket.gaierror):
            return "dns"
        return "connect-error"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return "not-http"
    if isinstance(exc, httpx.TransportError):
        return "network"
    if isinstance(exc, httpx.HTTPStatusError):
        return "http-status"
    return "http-error"


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _root_cause(exc: BaseException) -> BaseException:
    seen = {id(exc)}
    while (nxt := exc.__cause__ or exc.__context__) is not None and id(nxt) not in seen:
        seen.add(id(nxt))
        exc = nxt
    return exc


_BODY_REDACTOR = Redactor()
"""Pattern rules only: an error page may echo cookies or Authorization headers."""


def body_snippet(answer: Answer, limit: int = BODY_BYTES) -> str:
    """The first ``limit`` bytes of an answer's body, as text, with secrets redacted."""
    return _BODY_REDACTOR.redact(answer.content[:limit].decode("utf-8", "replace"))


def detail(answer: Answer) -> str | None:
    """The ``detail`` of a JSON error answer, as text (FastAPI's error shape)."""
    try:
        data = answer.json()
    except ValueError:
        return None
    value = data.get("detail") if isinstance(data, dict) else None
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return _BODY_REDACTOR.redact(text[: SNIPPET_CHARS * 3])


def response_evidence(answer: Answer, body: bool = True) -> dict[str, Any]:
    """Small facts about an answer; ``body=False`` leaves the body out."""
    evidence: dict[str, Any] = {
        "status": answer.status_code,
        "elapsed_ms": answer.elapsed_ms,
        "content_type": answer.headers.get("content-type", ""),
    }
    if body:
        evidence["body"] = body_snippet(answer)
    return evidence


def json_or_problem(
    answer: Answer, url: str, show_body: bool = True
) -> tuple[Any, HttpProblem | None]:
    """``(data, None)`` when the answer is JSON, else ``(None, problem)``.

    Something other than the backend's API (a proxy's error page, a web front end at the
    wrong prefix) answering where JSON is expected is a ``prerequisite`` finding.
    """
    if "html" not in answer.content_type:
        try:
            return answer.json(), None
        except ValueError:
            pass
    shown = answer.content_type or tr("(no content type)")
    if show_body:
        snippet = " ".join(body_snippet(answer, SNIPPET_CHARS).split())
        message = tr(
            "Expected JSON from {url}, got {content_type}: {snippet}",
            url=url,
            content_type=shown,
            snippet=snippet,
        )
    else:
        message = tr("Expected JSON from {url}, got {content_type}.", url=url, content_type=shown)
    hint = tr(
        "Check --backend-url and --api-prefix: something other than the backend's API answered."
    )
    evidence = response_evidence(answer, body=show_body)
    return None, HttpProblem(message, Category.PREREQUISITE, hint, evidence)
