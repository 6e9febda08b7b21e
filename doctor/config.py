"""The effective configuration: CLI options, then SSE_DOCTOR_* variables, then sse-doctor.toml."""

from __future__ import annotations

import ipaddress
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
DOCKER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")
"""A Docker container or network name (use ``fullmatch``)."""
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
DOCKER_SCHEMES = ("unix", "tcp", "ssh", "npipe", "fd")
MONGO_DB_FORBIDDEN = '/\\. "$\x00'
"""Characters MongoDB does not allow in a database name (on any platform)."""
MAX_MONGO_DB_BYTES = 63
_ENCODE_IN_USERINFO = (
    "a user name or password holding '/', '?', '#' or a space must be percent-encoded "
    "(%2F, %3F, %23, %20)"
)


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
    docker_network: str = "refactor-network"
    """The user-defined network the backend and the project containers share."""
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
    quiet: bool = False
    """Print the verdict only."""
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
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a BOM is not TOML
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("--config", f"cannot read {path}: {exc}") from None
    except RecursionError:
        raise ConfigError("--config", f"cannot read {path}: it is nested too deeply") from None
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
    if config.mongo_db is not None:
        _mongo_db(config.mongo_db)
    if config.docker_host:
        _docker_host(config.docker_host)
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
    if not DOCKER_NAME.fullmatch(config.docker_network):
        raise ConfigError("--docker-network", f"{config.docker_network!r} is not a network name")
    if config.backend_container is not None and not DOCKER_NAME.fullmatch(
        config.backend_container.removeprefix("/")
    ):
        raise ConfigError(
            "--backend-container", f"{config.backend_container!r} is not a container name"
        )
    if not PROJECT_ID.fullmatch(config.container_prefix + "x"):
        raise ConfigError("--container-prefix", f"{config.container_prefix!r} is not a valid name")
    return replace(config, backend_url=backend_url, ai_url=ai_url, api_prefix=prefix)


def shown_url(value: str) -> str:
    """``value`` as an error message may show it: nothing before its last ``@`` but the scheme.

    Unlike the redactor's rules this does not stop at ``/ ? #`` or a space, which a password
    the user forgot to percent-encode may hold (urlsplit then sees another authority).
    """
    from doctor.report.redact import MARK, redact_uri

    head, at, tail = value.rpartition("@")
    if at:
        scheme, sep, _ = head.partition("://")
        value = (scheme + sep if sep else "") + MARK + "@" + tail
    return redact_uri(value)


def _url_parts(option: str, value: str) -> Any:
    """urlsplit's view of ``value``, or ConfigError; the message never shows the user-info."""
    shown = shown_url(value)
    userinfo = value.partition("://")[2].rpartition("@")[0]
    if any(c in "/?#" or c.isspace() for c in userinfo):
        raise ConfigError(option, f"{shown!r}: {_ENCODE_IN_USERINFO}")
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ConfigError(option, f"{shown!r} is not a URL: it holds a space or control character")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        problem = "bad port" if "port" in str(exc).lower() else "bad host"
        raise ConfigError(option, f"{shown!r} is not a URL ({problem})") from None
    if port == 0:
        raise ConfigError(option, f"{shown!r}: port 0 is not a port")
    return parts


def _http_url(option: str, value: str) -> str:
    parts = _url_parts(option, value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(option, f"{shown_url(value)!r} is not an http(s) URL")
    problem = _host_problem(parts.hostname)
    if problem:
        raise ConfigError(option, f"{shown_url(value)!r}: the host name {problem}")
    return value.rstrip("/")


def _host_problem(host: str, socket_rules: bool = False) -> str | None:
    """Why the client could not use the host name, or None: httpx encodes it by IDNA 2008
    (the ``idna`` package); pymongo and docker-py leave it to the socket layer's IDNA 2003
    (``socket_rules``), which allows more (a symbol such as ☃)."""
    import idna

    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    name = host[:-1] if host.endswith(".") else host
    if len(name) > 253:
        return "is longer than 253 characters"
    for label in name.split("."):
        if not label:
            return "has an empty label (two dots in a row?)"
        try:
            if not label.isascii():
                label = (label.encode("idna") if socket_rules else idna.encode(label)).decode()
            elif label.startswith("xn--"):  # an A-label must decode
                idna.decode(label)
        except UnicodeError as exc:  # idna.IDNAError is one
            return f"has a bad label {label!r} ({exc})"
        if len(label) > 63:
            return f"has a label longer than 63 characters ({label[:20]!r}…)"
    return None


def _mongo_uri(value: str) -> None:
    """Reject a MongoDB URI pymongo cannot use; ``mongodb+srv://`` is left to the check."""
    scheme = value.partition("://")[0] if "://" in value else ""
    if scheme not in ("mongodb", "mongodb+srv"):
        raise ConfigError("--mongo-uri", "must start with mongodb:// or mongodb+srv://")
    _url_parts("--mongo-uri", value.split(",")[0] if scheme == "mongodb" else value)
    if scheme == "mongodb+srv":  # parsing it looks up DNS: the check reports that
        return
    from pymongo.errors import PyMongoError
    from pymongo.uri_parser import parse_uri

    from doctor.report.redact import Redactor

    try:
        nodes = parse_uri(value)["nodelist"]
    except (PyMongoError, ValueError) as exc:
        userinfo = value.partition("://")[2].rpartition("@")[0]
        secrets = [userinfo, userinfo.partition(":")[2]]
        problem = Redactor([s for s in secrets if s]).redact(str(exc))
        raise ConfigError("--mongo-uri", f"not usable: {problem}") from None
    for host, port in nodes:
        problem = None if host.endswith(".sock") else _host_problem(host, socket_rules=True)
        if port == 0:
            problem = "has port 0, which is not a port"
        if problem:
            raise ConfigError("--mongo-uri", f"{shown_url(value)!r}: the host {host} {problem}")


def _mongo_db(name: str) -> None:
    """Reject a name MongoDB refuses for a database."""
    if not name:
        raise ConfigError("--mongo-db", "must not be empty")
    bad = sorted({c for c in name if c in MONGO_DB_FORBIDDEN})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise ConfigError("--mongo-db", f"{name!r} holds characters MongoDB forbids: {shown}")
    if len(name.encode("utf-8", "surrogatepass")) > MAX_MONGO_DB_BYTES:
        raise ConfigError("--mongo-db", f"longer than {MAX_MONGO_DB_BYTES} bytes")


def _docker_host(value: str) -> None:
    """Reject an engine URL docker-py cannot use."""
    scheme = value.partition("://")[0].lower() if "://" in value else ""
    if scheme not in DOCKER_SCHEMES:
        schemes = ", ".join(f"{name}://" for name in DOCKER_SCHEMES)
        raise ConfigError("--docker-host", f"{shown_url(value)!r} must start with {schemes}")
    parts = _url_parts("--docker-host", value)
    if scheme in ("unix", "npipe") and not (parts.netloc or parts.path):
        raise ConfigError("--docker-host", f"{shown_url(value)!r} names no socket")
    if scheme in ("tcp", "ssh") and not parts.hostname:
        raise ConfigError("--docker-host", f"{shown_url(value)!r} names no host")
    problem = _host_problem(parts.hostname, socket_rules=True) if scheme in ("tcp", "ssh") else None
    if problem:
        raise ConfigError("--docker-host", f"{shown_url(value)!r}: the host name {problem}")
