"""Configuration: CLI over SSE_DOCTOR_* over sse-doctor.toml over defaults; bad values exit 2."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import click
import pytest

from doctor import __version__
from doctor.cli import main
from doctor.cli.options import build_config, stack_options, use_color
from doctor.config import Config, ConfigError, validate


def resolve(args: list[str]) -> Config:
    """The Config the shared options produce for ``args``, as the commands see it."""
    seen: list[Config] = []

    @click.command()
    @stack_options
    def probe(**options) -> None:
        seen.append(build_config(options))

    probe.main(args=args, standalone_mode=False)
    return seen[0]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in (
        "SSE_DOCTOR_TIMEOUT",
        "SSE_DOCTOR_BACKEND_URL",
        "SSE_DOCTOR_ONLY",
        "SSE_DOCTOR_LANG",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_defaults(in_tmp: Path) -> None:
    config = resolve([])
    assert config.backend_url == "http://localhost:8000"
    assert config.api_prefix == "/api/v1"
    assert config.timeout == 5.0
    assert config.format == "text"


def test_precedence_cli_env_file_default(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (in_tmp / "sse-doctor.toml").write_text(
        '[sse-doctor]\ntimeout = 3\nbackend-url = "http://file:1"\nidle_timeout = 7\n'
    )
    assert resolve([]).timeout == 3.0
    assert resolve([]).idle_timeout == 7.0
    monkeypatch.setenv("SSE_DOCTOR_TIMEOUT", "2.5")
    assert resolve([]).timeout == 2.5
    assert resolve(["--timeout", "1"]).timeout == 1.0
    assert resolve([]).backend_url == "http://file:1"


def test_explicit_config_file_and_repeatable_env(in_tmp: Path, monkeypatch) -> None:
    other = in_tmp / "other.toml"
    other.write_text('only = ["backend", "sse"]\n')
    assert resolve(["--config", str(other)]).only == ("backend", "sse")
    monkeypatch.setenv("SSE_DOCTOR_ONLY", "mongodb,docker")
    assert resolve([]).only == ("mongodb", "docker")


def test_json_flag_and_language(in_tmp: Path, monkeypatch) -> None:
    assert resolve(["--json"]).format == "json"
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert resolve([]).lang == "zh-TW"
    assert resolve(["--lang", "en"]).lang == "en"


def test_public_view_hides_secrets() -> None:
    config = Config(password="hunter22", token="tok-123456", mongo_uri="mongodb://u:pw1234@h:1/db")
    shown = config.public()
    assert shown["password_set"] is True and shown["token_set"] is True
    assert "password" not in shown and "token" not in shown
    assert "pw1234" not in repr(shown)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--backend-url", "not a url"], "--backend-url"),
        (["--backend-url", "ftp://x"], "--backend-url"),
        (["--backend-url", "http://h:99999"], "--backend-url"),
        (["--timeout", "-1"], "--timeout"),
        (["--timeout", "abc"], "--timeout"),
        (["--idle-timeout", "0"], "--idle-timeout"),
        (["--mongo-uri", "postgres://x"], "--mongo-uri"),
        (["--project", "../etc"], "--project"),
        (["--project", "x;rm -rf /"], "--project"),
        (["--run", "r1", "--new-run"], "--new-run"),
        (["--only", "no.such.check"], "--only"),
        (["--skip", "nolayer"], "--skip"),
        (["--format", "yaml"], "--format"),
        (["--base-image", "Refactor-Base:latest"], "--base-image"),
        (["--mongo-uri", "mongodb://u:p@host:99999999"], "--mongo-uri"),
        (["--run", "a/b"], "--run"),
        (["--timeout", "inf"], "--timeout"),
        (["--config", "/nonexistent/sse-doctor.toml"], "--config"),
        (["--config", "sse-doctor.toml\x00x"], "--config"),
        (["--docker-host", "tcp://[::1"], "--docker-host"),
        (["--docker-host", "ftp://127.0.0.1"], "--docker-host"),
        (["--docker-host", "127.0.0.1:2375"], "--docker-host"),
        (["--docker-host", "tcp://127.0.0.1:http"], "--docker-host"),
        (["--docker-host", "ssh://"], "--docker-host"),
        (["--docker-host", "unix://"], "--docker-host"),
        (["--mongo-uri", "mongodb://[::1"], "--mongo-uri"),
        (["--backend-url", "http://127.0.0.1:0"], "--backend-url"),
        (["--ai-url", "http://127.0.0.1:0/"], "--ai-url"),
        (["--backend-url", "http://xn--/"], "--backend-url"),
        (["--backend-url", "http://a..b/"], "--backend-url"),
        (["--ai-url", f"http://{'a' * 64}.example/"], "--ai-url"),
        (["--backend-url", f"http://{'a.' * 127}aa/"], "--backend-url"),
        (["--mongo-db", ""], "--mongo-db"),
        *((["--mongo-db", f"refactor{c}agent"], "--mongo-db") for c in '/\\. "$\x00'),
        (["--mongo-db", "d" * 64], "--mongo-db"),
        (["--mongo-db", "é" * 32], "--mongo-db"),
        (["--docker-network", "refactor network"], "--docker-network"),
        (["--docker-network", "-net"], "--docker-network"),
        (["--backend-container", "api;id"], "--backend-container"),
        (["--mongo-uri", "mongodb://127.0.0.1:0"], "--mongo-uri"),
        (["--mongo-uri", "mongodb://h1:27017,h2:0/db"], "--mongo-uri"),
        (["--mongo-uri", "mongodb://xn--/"], "--mongo-uri"),
        (["--mongo-uri", "mongodb://db..local/"], "--mongo-uri"),
        (["--mongo-uri", f"mongodb://{'é' * 64}.example/"], "--mongo-uri"),
        (["--docker-host", "tcp://xn--:2375"], "--docker-host"),
        (["--docker-host", "ssh://deploy@build..host"], "--docker-host"),
        (["--docker-host", "tcp://127.0.0.1:0"], "--docker-host"),
    ],
)
def test_bad_values_exit_2_with_one_line_naming_the_option(
    args: list[str], option: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", *args]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert option in lines[0]
    assert lines[0].startswith("sse-doctor: error:")
    assert captured.out == ""


def test_bad_config_file_is_one_line(in_tmp: Path, capsys) -> None:
    (in_tmp / "sse-doctor.toml").write_text("timeout = [unclosed\n")
    assert main(["run"]) == 2
    assert "--config" in capsys.readouterr().err
    (in_tmp / "sse-doctor.toml").write_text("colour = 1\n")
    assert main(["run"]) == 2
    assert "unknown setting 'colour'" in capsys.readouterr().err


def test_validate_normalises() -> None:
    config = validate(Config(backend_url="http://h:8000/", api_prefix="api/v1/"))
    assert config.backend_url == "http://h:8000"
    assert config.api_prefix == "/api/v1"
    assert config.api("/projects") == "http://h:8000/api/v1/projects"
    with pytest.raises(ConfigError):
        validate(Config(container_prefix="bad prefix "))


class FakeStream:
    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.mark.parametrize(
    ("terminal", "no_color_option", "env", "expected"),
    [
        (True, False, {}, True),
        (False, False, {}, False),
        (True, True, {}, False),
        (True, False, {"NO_COLOR": ""}, False),
        (True, False, {"TERM": "dumb"}, False),
    ],
)
def test_colour_only_on_a_terminal_that_wants_it(
    terminal: bool, no_color_option: bool, env: dict[str, str], expected: bool, monkeypatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config(no_color=no_color_option)
    assert use_color(config, FakeStream(terminal)) is expected


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"sse-doctor, version {__version__}"


@pytest.mark.parametrize("command", ["run", "checks"])
def test_unknown_language_from_the_environment_is_one_line(
    command: str, in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("SSE_DOCTOR_LANG", "fr")
    assert main([command]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "SSE_DOCTOR_LANG" in line and "'fr'" in line


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timeout = [1]\n", "timeout must be a number"),
        ("timeout = true\n", "timeout must be a number"),
        ("no-docker = 1\n", "no-docker must be true or false"),
        ('only = "backend"\n', "only must be a list of strings"),
        ("backend-url = 8000\n", "backend-url must be a string"),
    ],
)
def test_a_setting_of_the_wrong_kind_is_one_line(
    text: str, message: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "sse-doctor.toml").write_text(text)
    assert main(["run"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == f"sse-doctor: error: --config: {message}"


def test_a_bad_url_is_named_without_its_password(in_tmp: Path, capsys) -> None:
    assert main(["run", "--backend-url", "http://admin:hunter22@localhost:99999"]) == 2
    assert main(["run", "--mongo-uri", "mongodb://admin:hunter22@db:99999999"]) == 2
    errors = capsys.readouterr().err
    assert "hunter22" not in errors
    assert errors.count("sse-doctor: error:") == 2


def test_a_deeply_nested_config_file_is_one_line(in_tmp: Path, capsys) -> None:
    (in_tmp / "sse-doctor.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    assert main(["run"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("sse-doctor: error: --config:") and "nested" in line


def test_a_config_file_may_start_with_a_byte_order_mark(in_tmp: Path) -> None:
    (in_tmp / "sse-doctor.toml").write_bytes(b"\xef\xbb\xbftimeout = 3\n")
    assert resolve([]).timeout == 3.0


def test_a_config_file_that_is_a_pipe_is_refused_without_blocking(in_tmp: Path, capsys) -> None:
    os.mkfifo(in_tmp / "pipe.toml")
    assert main(["run", "--config", str(in_tmp / "pipe.toml")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "--config" in line and "not a regular file (a named pipe)" in line


@pytest.mark.parametrize(
    ("file", "args", "run", "new_run"),
    [
        ('run = "r-file"\n', ["--new-run"], None, True),
        ("new-run = true\n", ["--run", "r-cli"], "r-cli", False),
        ('run = "r-file"\n', [], "r-file", False),
    ],
)
def test_the_command_line_overrides_the_files_run(
    file: str, args: list[str], run: str | None, new_run: bool, in_tmp: Path
) -> None:
    (in_tmp / "sse-doctor.toml").write_text(file)
    config = resolve(args)
    assert (config.run, config.new_run) == (run, new_run)


def test_the_environment_overrides_the_files_run(in_tmp: Path, monkeypatch) -> None:
    (in_tmp / "sse-doctor.toml").write_text('run = "r-file"\n')
    monkeypatch.setenv("SSE_DOCTOR_NEW_RUN", "1")
    assert (resolve([]).run, resolve([]).new_run) == (None, True)
    monkeypatch.delenv("SSE_DOCTOR_NEW_RUN")


def test_run_and_new_run_from_the_same_place_still_conflict(in_tmp: Path, capsys) -> None:
    (in_tmp / "sse-doctor.toml").write_text('run = "r1"\nnew-run = true\n')
    assert main(["run"]) == 2
    assert "cannot be combined" in capsys.readouterr().err


@pytest.mark.parametrize(
    "config",
    [
        Config(backend_url="http://my_backend:8000", ai_url="http://bücher.example:9000/"),
        Config(backend_url="http://[::1]:8000", ai_url="http://xn--bcher-kva.example."),
        Config(mongo_db="refactor_agent-2", docker_host="unix:///var/run/docker.sock"),
        Config(docker_host="tcp://127.0.0.1:2375"),
        Config(docker_host="ssh://deploy@build-host:2222"),
        Config(docker_host="npipe:////./pipe/docker_engine"),
        Config(docker_host="fd://"),
        Config(mongo_db="d" * 63, mongo_uri="mongodb://u:p@h1:27017,h2:27018/db"),
        Config(mongo_uri="mongodb://bücher.example/", docker_host="tcp://☃.example:2375"),
        Config(mongo_uri="mongodb://%2Ftmp%2Fmongodb-27017.sock"),
    ],
)
def test_usable_values_pass_validation(config: Config) -> None:
    validate(config)


def test_a_bad_docker_host_is_named_without_its_password(in_tmp: Path, capsys) -> None:
    assert main(["run", "--docker-host", "ssh://admin:hunter22@"]) == 2
    assert main(["run", "--docker-host", "tcp://admin:hunter22@[::1"]) == 2
    errors = capsys.readouterr().err
    assert "hunter22" not in errors and errors.count("sse-doctor: error: --docker-host") == 2


@pytest.mark.parametrize("password", ["S3cr3t/Pass", "S3cr3t#Pass", "S3cr3t?Pass", "S3cr3t Pass"])
@pytest.mark.parametrize("option", ["--backend-url", "--ai-url", "--mongo-uri", "--docker-host"])
def test_a_password_that_splits_the_url_is_never_echoed(
    option: str, password: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scheme = {"--mongo-uri": "mongodb", "--docker-host": "ssh"}.get(option, "http")
    assert main(["run", option, f"{scheme}://admin:{password}@127.0.0.1:1/x"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"sse-doctor: error: {option}: '{scheme}://[REDACTED]@127.0.0.1:1/x'")
    assert "S3cr3t" not in line and "Pass" not in line and "admin" not in line


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_password_stdin_reads_the_first_line(in_tmp: Path, monkeypatch) -> None:
    monkeypatch.setenv("SSE_DOCTOR_PASSWORD", "from-the-environment")
    stdin_of(monkeypatch, b" pass word \r\nsecond line\n")
    assert resolve(["--password-stdin"]).password == " pass word "


@pytest.mark.parametrize("data", [b"", b"\n", b"   \nsecond\n"])
def test_password_stdin_refuses_an_empty_first_line(data: bytes, in_tmp: Path, monkeypatch) -> None:
    stdin_of(monkeypatch, data)
    with pytest.raises(ConfigError, match="--password-stdin: standard input holds no secret"):
        resolve(["--password-stdin"])


def test_password_stdin_refuses_a_terminal(in_tmp: Path, monkeypatch) -> None:
    leader, follower = os.openpty()
    with os.fdopen(follower, "r") as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        with pytest.raises(ConfigError, match="standard input is a terminal"):
            resolve(["--password-stdin"])
    os.close(leader)


def test_password_stdin_and_password_on_the_command_line_conflict(in_tmp: Path, monkeypatch):
    stdin_of(monkeypatch, b"pw-stdin\n")
    with pytest.raises(ConfigError, match="--password-stdin: cannot be combined with --password"):
        resolve(["--password-stdin", "--password", "pw-flag"])


def test_token_file_reads_the_first_line(in_tmp: Path, monkeypatch) -> None:
    (in_tmp / "token").write_text("  tok-123456  \nignored\n")
    monkeypatch.setenv("SSE_DOCTOR_TOKEN", "from-the-environment")
    assert resolve(["--token-file", str(in_tmp / "token")]).token == "tok-123456"
    monkeypatch.setenv("SSE_DOCTOR_TOKEN_FILE", str(in_tmp / "token"))
    assert resolve(["--token", "from-the-flag"]).token == "from-the-flag"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file holds no secret"),
        (b"\n\ntok\n", "the file holds no secret"),
        (b"\xff\xfe tok\n", "cannot read"),
        (None, "not a regular file (a named pipe)"),
    ],
)
def test_a_token_file_without_a_token_is_one_line(
    content: bytes | None, message: str, in_tmp: Path, capsys
) -> None:
    path = in_tmp / "token"
    if content is None:
        os.mkfifo(path)
    else:
        path.write_bytes(content)
    assert main(["run", "--token-file", str(path)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("sse-doctor: error:") and "--token-file" in line and message in line


def test_token_file_and_token_on_the_command_line_conflict(in_tmp: Path, capsys) -> None:
    (in_tmp / "token").write_text("tok-123456\n")
    assert main(["run", "--token-file", str(in_tmp / "token"), "--token", "t"]) == 2
    assert "cannot be combined with --token" in capsys.readouterr().err


def test_the_help_warns_that_flags_show_in_ps(capsys) -> None:
    assert main(["run", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Other users see command-line flags in `ps`: prefer SSE_DOCTOR_PASSWORD" in text
    assert "prefer SSE_DOCTOR_TOKEN or --token-file" in text
    assert "--password-stdin" in text


def test_docker_network_and_backend_container_from_each_place(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert resolve([]).docker_network == "refactor-network"
    assert resolve([]).backend_container is None
    (in_tmp / "sse-doctor.toml").write_text(
        '[sse-doctor]\ndocker-network = "file-net"\nbackend-container = "file-api"\n'
    )
    assert (resolve([]).docker_network, resolve([]).backend_container) == ("file-net", "file-api")
    monkeypatch.setenv("SSE_DOCTOR_DOCKER_NETWORK", "env-net")
    monkeypatch.setenv("SSE_DOCTOR_BACKEND_CONTAINER", "env-api")
    assert (resolve([]).docker_network, resolve([]).backend_container) == ("env-net", "env-api")
    config = resolve(["--docker-network", "cli-net", "--backend-container", "refactor-api"])
    assert (config.docker_network, config.backend_container) == ("cli-net", "refactor-api")


@pytest.mark.parametrize("command", ["run", "report", "stream"])
def test_backend_container_is_an_option_of_every_stack_command(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"]) == 0
    shown = capsys.readouterr().out
    assert "--backend-container" in shown and "--docker-network" in shown
