"""The effective configuration: CLI options, then SSE_DOCTOR_* variables, then sse-doctor.toml."""

from __future__ import annotations

import re
import sys
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CONFIG_FILE = "sse-doctor.toml"
ENV_PREFIX = "SSE_DOCTOR"
FORMATS = ("text", "json", "markdown", "junit")
PROJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
"""What may follow the container prefix in a Docker container name (use ``fullmatch``)."""
RUN_ID = re.compile(r"[^\x00-\x20\x7f/?#]{1,128}")
"""A run id: one URL path segment, no spaces or control characters (use ``fullmatch``)."""
LATEST_RUN = "latest"
"""``--run latest``: the project's newest run."""
_NAME_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REGISTRY = r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?/)?"
IMAGE_REF = re.compile(
    rf"{_REGISTRY}{_NAME_PART}(?:/{_NAME_PART})*(?::\w[\w.-]{{0,127}})?(?:@sha256:[0-9a-f]{{64}})?"
)
"""A Docker image reference, as the engine accepts it (use ``fullmatch``)."""
MAX_SECONDS = 24 * 3600.0


class ConfigError(Exception):
    """A bad option value; the message names the option."""

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"{option}: {problem}")
        self.option = option


@dataclass(frozen=True)
class Config:
    """Every setting of a doctor run. Timeouts are in seconds."""

    backend_url: str = "http://localhost:8000"
    api_prefix: str = "/api/v1"
    email: str | None = None
    username: str | None = None
    password: str | None = None
    token: str | None = None
    project: str | None = None
    run: str | None = None
    new_run: bool = False
    mongo_uri: str = "mongodb://localhost:27017"
    mongo_db: str = "refactor_agent"
    docker_host: str | None = None
    base_image: str = "refactor-base:latest"
    container_prefix: str = "refactor-project-"
    ai_url: str | None = None
    no_docker: bool = False
    timeout: float = 5.0
    stream_timeout: float = 120.0
    idle_timeout: float = 30.0
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    format: str = "text"
    verbose: int = 0
    no_color: bool = False
    lang: str = "en"
    strict: bool = False
    """Warnings exit 1 too (for CI)."""
    backend_log: str | None = None
    backend_container: str | None = None

    def api(self, path: str) -> str:
        """The full URL of an API path below the prefix."""
        return f"{self.backend_url}{self.api_prefix}{path}"

    def container_name(self, project_id: str) -> str:
        return f"{self.container_prefix}{project_id}"

    def public(self) -> dict[str, Any]:
        """The settings safe to show: secrets reduced to whether they are set."""
        from doctor.report.redact import redact_uri

        shown = asdict(self)
        for name in ("password", "token"):
            shown[f"{name}_set"] = shown.pop(name) is not None
        for name in ("backend_url", "ai_url", "mongo_uri", "docker_host"):
            shown[name] = redact_uri(shown[name]) if shown[name] else shown[name]
        return shown

    def uri_secrets(self) -> list[str]:
        """Passwords written into the configured URIs."""
        from doctor.report.redact import uri_password

        uris = (self.backend_url, self.ai_url, self.mongo_uri, self.docker_host)
        return [secret for uri in uris if uri and (secret := uri_password(uri))]


def load_file(path: Path | None) -> dict[str, Any]:
    """Settings from a TOML file (``[sse-doctor]`` table or top level); {} when absent."""
    explicit = path is not None
    path = path or Path.cwd() / CONFIG_FILE
    if not path.is_file():
        if explicit:
            raise ConfigError("--config", f"no such file: {path}")
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("--config", f"cannot read {path}: {exc}") from None
    table = data.get("sse-doctor", data)
    if not isinstance(table, dict):
        raise ConfigError("--config", f"{path}: [sse-doctor] must be a table")
    settings = {key.replace("-", "_"): value for key, value in table.items()}
    for name, value in settings.items():
        _check_setting(name, value)
    return settings


def _check_setting(name: str, value: Any) -> None:
    """Raise ConfigError unless ``value`` fits the setting: its kind follows its default."""
    if name not in {f.name for f in fields(Config)}:
        raise ConfigError("--config", f"unknown setting {name!r}")
    default = getattr(Config, name)
    if isinstance(default, bool):
        kind, fits = "true or false", isinstance(value, bool)
    elif isinstance(default, (int, float)):
        kind = "a number"
        fits = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif isinstance(default, tuple):
        kind = "a list of strings"
        fits = isinstance(value, list) and all(isinstance(item, str) for item in value)
    else:
        kind, fits = "a string", isinstance(value, str)
    if not fits:
        raise ConfigError("--config", f"{name.replace('_', '-')} must be {kind}")


def validate(config: Config) -> Config:
    """Return ``config`` with URLs normalised, or raise ConfigError naming the bad option."""
    backend_url = _http_url("--backend-url", config.backend_url)
    ai_url = _http_url("--ai-url", config.ai_url) if config.ai_url else None
    prefix = "/" + config.api_prefix.strip("/") if config.api_prefix.strip("/") else ""
    _mongo_uri(config.mongo_uri)
    for option, value in (
        ("--timeout", config.timeout),
        ("--stream-timeout", config.stream_timeout),
        ("--idle-timeout", config.idle_timeout),
    ):
        if not 0 < value <= MAX_SECONDS:  # also false for NaN
            raise ConfigError(option, f"must be between 0 and {MAX_SECONDS:g} seconds, not {value}")
    if config.project is not None and not PROJECT_ID.fullmatch(config.project):
        raise ConfigError("--project", f"{config.project!r} cannot be part of a container name")
    if config.run is not None and not RUN_ID.fullmatch(config.run):
        raise ConfigError("--run", f"{config.run!r} is not a run id")
    if not IMAGE_REF.fullmatch(config.base_image):
        raise ConfigError("--base-image", f"{config.base_image!r} is not an image name")
    if config.run and config.new_run:
        raise ConfigError("--new-run", "cannot be combined with --run")
    if config.format not in FORMATS:
        raise ConfigError("--format", f"must be one of {', '.join(FORMATS)}")
    if not PROJECT_ID.fullmatch(config.container_prefix + "x"):
        raise ConfigError("--container-prefix", f"{config.container_prefix!r} is not a valid name")
    return replace(config, backend_url=backend_url, ai_url=ai_url, api_prefix=prefix)


def _http_url(option: str, value: str) -> str:
    from doctor.report.redact import redact_uri

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ConfigError(option, f"{redact_uri(value)!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(option, f"{redact_uri(value)!r} is not an http(s) URL")
    return value.rstrip("/")


def _mongo_uri(value: str) -> None:
    """Reject a MongoDB URI pymongo cannot use; ``mongodb+srv://`` is left to the check."""
    scheme = urlsplit(value).scheme
    if scheme not in ("mongodb", "mongodb+srv"):
        raise ConfigError("--mongo-uri", "must start with mongodb:// or mongodb+srv://")
    if scheme == "mongodb+srv":  # parsing it looks up DNS: the check reports that
        return
    from pymongo.errors import PyMongoError
    from pymongo.uri_parser import parse_uri

    from doctor.report.redact import Redactor, uri_password

    try:
        parse_uri(value)
    except (PyMongoError, ValueError) as exc:
        problem = Redactor([s for s in [uri_password(value)] if s]).redact(str(exc))
        raise ConfigError("--mongo-uri", f"not usable: {problem}") from None
