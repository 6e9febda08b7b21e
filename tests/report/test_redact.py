"""Tests for doctor.report.redact: every rule, idempotence, no false positives, counts."""

from __future__ import annotations

import collections
import json
import threading
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from doctor.report.redact import MARK, RULE_IDS, Redactor, classify_name, redact_uri

OPENAI = "sk-proj-Q3v9Xw2LmN8pR4tY6uI0oP1aS5dF7gH9jK2lZ4xC6vB8nM0q"
ANTHROPIC = "sk-ant-api03-Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1Jh0Gf9Ed8Cb7Aa6-Qq1Ww2Ee3RrAA"
DB_PASSWORD = "s3cr3t pa$$ w0rd&more"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiJ1c2VyQGV4YW1wbGUuY29tIiwiZXhwIjoxNzA2ODY4MjQ1fQ"
    ".Hs3q0bC1xW9yV2dQ8kL5mN7pR4tY6uI0oP1aS5dF7gE"
)

DOCKER_INSPECT = json.dumps(
    [
        {
            "Id": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "Created": "2024-02-02T10:30:41.123456789Z",
            "State": {"Status": "running", "Running": True, "ExitCode": 0},
            "Name": "/refactor-project-65b1c2d3e4f5a6b7c8d9e0f1",
            "Config": {
                "Hostname": "9f86d081884c",
                "Env": [
                    f"OPENAI_API_KEY={OPENAI}",
                    f"ANTHROPIC_API_KEY={ANTHROPIC}",
                    f"DB_PASSWORD={DB_PASSWORD}",
                    "MONGODB_URL=mongodb://refactor:hunter22@mongodb:27017/refactor",
                    "MAX_TOKENS=4096",
                    "PROJECT_ID=65b1c2d3e4f5a6b7c8d9e0f1",
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                ],
                "Image": "refactor-base:latest",
                "Labels": {"com.example.project": "65b1c2d3e4f5a6b7c8d9e0f1"},
            },
            "NetworkSettings": {
                "Ports": {"8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": "49153"}]}
            },
        }
    ],
    indent=4,
)

CURL_DUMP = f"""\
*   Trying 127.0.0.1:8000...
* Connected to localhost (127.0.0.1) port 8000 (#0)
> GET /api/v1/projects/65b1c2d3e4f5a6b7c8d9e0f1/agent/runs/3f2b9c1e/stream HTTP/1.1
> Host: localhost:8000
> User-Agent: curl/7.88.1
> Accept: text/event-stream
> Authorization: Bearer {JWT}
> Cookie: session=Zm9vYmFyYmF6cXV4; csrftoken=a8f5f167f44f4964e6c998dee827110c
>
< HTTP/1.1 200 OK
< content-type: text/event-stream; charset=utf-8
< set-cookie: session=bmV3c2Vzc2lvbnZhbHVl; Path=/; HttpOnly; SameSite=Lax
<
event: log
data: 2024-02-02T10:30:45.000Z 開始執行 Agent
"""

ORDINARY = [
    "2024-02-02 10:30:45,123 [INFO] 開始串流 AI Server 日誌: "
    "refactor-project-65b1c2d3e4f5a6b7c8d9e0f1, run_id=3f2b9c1e-8d7a-4c2b-9e1f-0a1b2c3d4e5f",
    "2024-02-02 10:30:45,234 [DEBUG] [SSE] event: log",
    "2024-02-02 10:30:45,235 [DEBUG] [SSE] data: 2024-02-02T10:30:45.000Z 初始化 LLM...",
    "2024-02-02 10:31:20,500 [INFO] SSE 串流結束: run_id=3f2b9c1e-8d7a-4c2b-9e1f-0a1b2c3d4e5f",
    '127.0.0.1:53422 - "GET /api/v1/projects/65b1c2d3e4f5a6b7c8d9e0f1/agent/runs HTTP/1.1" 200 OK',
    "[WARN] login failed for a@example.com: wrong email or password",
    "Please check your password and try again.",
    "POST http://localhost:8000/api/v1/auth/login 401 Unauthorized",
    "http://127.0.0.1:8000/openapi.json https://example.com/docs?page=2&sort=asc#section-3",
    "uuid 123e4567-e89b-12d3-a456-426614174000 "
    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    '{"model": "gpt-4o", "max_tokens": 4096, "token_count": 812, "total_tokens": 900}',
    '{"usage": {"prompt_tokens": 12, "completion_tokens": 34}, "token_type": "bearer"}',
    "keyboard: us, monkey=12, tokenizer: cl100k_base, sort_key=created_at, key=run_id",
    "Bearer authentication failed: missing bearer token in request",
    "Exited (137) 3 minutes ago   refactor-project-65b1c2d3e4f5a6b7c8d9e0f1",
    "docker run -d --name mongodb -p 27017:27017 mongo:7",
    "wget -O- http://localhost:8000/health",
    "secret sauce, token economy, key points: none of these are values",
    "AI Server is not running; check task_logs. Cookies are disabled.",
    "ObjectId('65b1c2d3e4f5a6b7c8d9e0f1') at 2024-02-02T10:30:45.123456+08:00",
    "email=a@example.com next=/dashboard tab=settings",
    "ssh git@github.com:org/repo.git",
]


def redacted(text: str, secrets: tuple[str, ...] = ()) -> tuple[str, dict[str, int]]:
    r = Redactor(secrets)
    out = r.redact(text, "f.txt")
    return out, r.counts["f.txt"]


# ---------------------------------------------------------------------------
# Rules, with realistic samples
# ---------------------------------------------------------------------------


def test_docker_inspect_env_list() -> None:
    out, counts = redacted(DOCKER_INSPECT)
    for secret in (OPENAI, ANTHROPIC, DB_PASSWORD, "hunter22"):
        assert secret not in out
    doc = json.loads(out)  # still valid JSON
    env = doc[0]["Config"]["Env"]
    assert env[:4] == [
        f"OPENAI_API_KEY={MARK}",
        f"ANTHROPIC_API_KEY={MARK}",
        f"DB_PASSWORD={MARK}",
        f"MONGODB_URL=mongodb://{MARK}@mongodb:27017/refactor",
    ]
    assert env[4:] == json.loads(DOCKER_INSPECT)[0]["Config"]["Env"][4:]
    assert doc[0]["Id"] == json.loads(DOCKER_INSPECT)[0]["Id"]
    assert doc[0]["Name"] == "/refactor-project-65b1c2d3e4f5a6b7c8d9e0f1"
    assert counts == {"env-secret": 3, "uri-credentials": 1}


def test_docker_inspect_as_object() -> None:
    r = Redactor()
    doc = json.loads(DOCKER_INSPECT)
    out = r.redact_obj(doc, "inspect.json")
    assert out[0]["Config"]["Env"][:3] == [
        f"OPENAI_API_KEY={MARK}",
        f"ANTHROPIC_API_KEY={MARK}",
        f"DB_PASSWORD={MARK}",  # the whole value, although it holds spaces
    ]
    assert out[0]["Config"]["Env"][4:] == doc[0]["Config"]["Env"][4:]
    assert doc[0]["Config"]["Env"][0] == f"OPENAI_API_KEY={OPENAI}"  # input untouched
    assert r.counts["inspect.json"] == {"env-secret": 3, "uri-credentials": 1}


def test_curl_verbose_headers() -> None:
    out, counts = redacted(CURL_DUMP)
    assert JWT not in out
    assert "Zm9vYmFyYmF6cXV4" not in out and "bmV3c2Vzc2lvbnZhbHVl" not in out
    assert f"> Authorization: Bearer {MARK}\n" in out
    assert f"> Cookie: {MARK}\n" in out
    assert f"< set-cookie: {MARK}\n" in out
    assert "> Accept: text/event-stream\n" in out
    assert "data: 2024-02-02T10:30:45.000Z 開始執行 Agent" in out
    assert counts == {"authorization-header": 1, "cookie": 2}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "{'authorization': 'Bearer abc.def-123_xyz', 'accept': 'text/event-stream'}",
            f"{{'authorization': 'Bearer {MARK}', 'accept': 'text/event-stream'}}",
        ),
        (
            '{"Authorization": "Basic dXNlcjpwYXNzd29yZA==", "Host": "localhost"}',
            f'{{"Authorization": "Basic {MARK}", "Host": "localhost"}}',
        ),
        (
            'curl -N -H "Authorization: Bearer YOUR_TOKEN" http://localhost:8000/x',
            f'curl -N -H "Authorization: Bearer {MARK}" http://localhost:8000/x',
        ),
        ("Proxy-Authorization: Basic Zm9vOmJhcg==", f"Proxy-Authorization: Basic {MARK}"),
        ("authorization=opaque-token-value-1", f"authorization={MARK}"),
        (
            "Authorization: Digest username=admin, nonce=abc, response=6629fae4",
            f"Authorization: Digest {MARK}",
        ),
    ],
)
def test_authorization_header_forms(text: str, expected: str) -> None:
    out, counts = redacted(text)
    assert out == expected
    assert counts == {"authorization-header": 1}


def test_bearer_anywhere() -> None:
    text = f"upstream call failed (headers={{Bearer {JWT}}}) token from cache bearer abcdefgh1234"
    out, counts = redacted(text)
    assert out == f"upstream call failed (headers={{Bearer {MARK}}}) token from cache bearer {MARK}"
    assert counts == {"bearer": 2}


def test_backend_log_stream_token_in_query() -> None:
    line = (
        '2024-02-02 10:30:45,100 [INFO] uvicorn.access: 127.0.0.1:53422 - "GET '
        "/api/v1/projects/65b1c2d3e4f5a6b7c8d9e0f1/agent/runs/3f2b9c1e/stream"
        f'?token={JWT}&since=0 HTTP/1.1" 200'
    )
    out, counts = redacted(line)
    assert out == line.replace(JWT, MARK)
    assert counts == {"token-query": 1}


@pytest.mark.parametrize(
    "param", ["token", "access_token", "api_key", "apikey", "client_secret", "X-Amz-Signature"]
)
def test_token_query_names(param: str) -> None:
    url = f"http://localhost:8000/stream?run=1&{param}=v4lue-0123456789&x=y#frag"
    out, counts = redacted(url)
    assert out == f"http://localhost:8000/stream?run=1&{param}={MARK}&x=y#frag"
    assert counts == {"token-query": 1}


@pytest.mark.parametrize(
    ("query", "rule"),
    [("key", "token-query"), ("pwd", "password-field"), ("pass", "password-field")],
)
def test_short_query_names_are_secrets_of_any_length(query: str, rule: str) -> None:
    """Not only in redact_uri: a log line with ``?pwd=`` is redacted just the same."""
    for value in ("x1", "short", "0123456789abcdefXYZ"):
        out, counts = redacted(f"GET /maps?{query}={value}&q=1 200")
        assert out == f"GET /maps?{query}={MARK}&q=1 200"
        assert counts == {rule: 1}


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        (
            "mongodb://refactor:p%40ss@mongodb:27017/refactor?authSource=admin",
            f"mongodb://{MARK}@mongodb:27017/refactor?authSource=admin",
        ),
        (
            "mongodb+srv://admin:S3cret@cluster0.ab1cd.mongodb.net/db?retryWrites=true",
            f"mongodb+srv://{MARK}@cluster0.ab1cd.mongodb.net/db?retryWrites=true",
        ),
        ("redis://:redispass@redis:6379/0", f"redis://{MARK}@redis:6379/0"),
        ("postgres://app:pw@db/app", f"postgres://{MARK}@db/app"),
        ("https://user:p@ss@example.com/x", f"https://{MARK}@example.com/x"),
        ("mongodb://u:p@h1:27017,h2:27017/db", f"mongodb://{MARK}@h1:27017,h2:27017/db"),
    ],
)
def test_uri_credentials(uri: str, expected: str) -> None:
    out, counts = redacted(f"connecting to {uri} ...")
    assert out == f"connecting to {expected} ..."
    assert counts == {"uri-credentials": 1}
    assert redact_uri(uri) == expected


def test_redact_uri_query_and_fragment() -> None:
    assert redact_uri("mongodb://user:pw@host:27017/db?authSource=admin") == (
        f"mongodb://{MARK}@host:27017/db?authSource=admin"
    )
    assert redact_uri("http://h/stream?token=abc&password=x&pwd=y&keep=1#access_token=z") == (
        f"http://h/stream?token={MARK}&password={MARK}&pwd={MARK}&keep=1#access_token={MARK}"
    )
    assert (
        redact_uri("http://localhost:8000/api/v1/health") == "http://localhost:8000/api/v1/health"
    )
    assert redact_uri("") == ""


PEM = """-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MaqlCm1Pn/AkUJxq
bLxTzM1EeI1Y5+0cTpWJZQBBVBdUzVxv9r1hVx0NmL8uFh2A7bqK4BY9Xjaz+2Ux
-----END RSA PRIVATE KEY-----"""


def test_pem_private_key() -> None:
    text = f"key file contents:\n{PEM}\nnext line"
    out, counts = redacted(text)
    assert out == (
        "key file contents:\n"
        f"-----BEGIN RSA PRIVATE KEY-----{MARK}-----END RSA PRIVATE KEY-----\nnext line"
    )
    assert counts == {"pem-private-key": 1}
    # the same key inside JSON, with \n escapes; the document stays valid JSON
    doc = json.dumps({"ssh_key_path": "/root/.ssh/id", "pem": PEM})
    out, counts = redacted(doc)
    assert "MIIEpAIBAAKCAQEA" not in out
    assert json.loads(out)["pem"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert counts == {"pem-private-key": 1}


def test_pem_unterminated_and_other_kinds() -> None:
    out, _ = redacted("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n[INFO] next")
    assert out == f"-----BEGIN OPENSSH PRIVATE KEY-----{MARK}[INFO] next"
    out, _ = redacted(PEM.replace("RSA ", "ENCRYPTED "))
    assert "MIIE" not in out
    public = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----"
    assert redacted(public)[0] == public


def test_jwt() -> None:
    out, counts = redacted(f'{{"sub": "x", "claims": "{JWT}"}} and bare {JWT}.')
    assert out == f'{{"sub": "x", "claims": "{MARK}"}} and bare {MARK}.'
    assert counts == {"jwt": 2}


@pytest.mark.parametrize(
    "key",
    [
        OPENAI,
        "sk-abcdefghijklmnopqrstuvwxyz012345",
        ANTHROPIC,
        "AKIAIOSFODNN7EXAMPLE",
        "ASIAY34FZKBOKMUTVV7A",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "xoxp-123456789012-abcdef",
        "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
        "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
    ],
)
def test_api_key_shapes(key: str) -> None:
    out, counts = redacted(f"calling the provider with {key} now")
    assert out == f"calling the provider with {MARK} now"
    assert counts == {"api-key-shape": 1}


def test_api_key_shape_needs_a_word_boundary() -> None:
    for text in ("task-0123456789abcdefghijklmn", "risk-assessment-of-the-whole-thing"):
        assert redacted(text)[0] == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"email": "a@b.c", "password": "hunter2!"}',
            f'{{"email": "a@b.c", "password": "{MARK}"}}',
        ),
        ("username=a%40b.c&password=p%40ss%21&grant_type=password", None),
        ("POST /login?email=a@b.c&password=hunter2", f"POST /login?email=a@b.c&password={MARK}"),
        ("login(email='a@b.c', password='hunter2!')", f"login(email='a@b.c', password='{MARK}')"),
        ('{"new_password": "x1y2z3", "passwordConfirmation": "x1y2z3"}', None),
        ("password: hunter2", f"password: {MARK}"),
    ],
)
def test_password_field(text: str, expected: str | None) -> None:
    out, counts = redacted(text)
    if expected is None:
        assert set(counts) == {"password-field"}
        assert "p%40ss" not in out and "x1y2z3" not in out
        assert "grant_type=password" in out or "grant_type" not in text
    else:
        assert out == expected
        assert counts == {"password-field": 1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("export GITHUB_TOKEN=abc123def456", f"export GITHUB_TOKEN={MARK}"),
        ("AWS_SECRET_ACCESS_KEY = wJalrXUtnFEMI/K7MDENG", f"AWS_SECRET_ACCESS_KEY = {MARK}"),
        ("DB_PASSWORD=a value with spaces", f"DB_PASSWORD={MARK}"),
        ("  MONGO_INITDB_ROOT_PASSWORD: example", f"  MONGO_INITDB_ROOT_PASSWORD: {MARK}"),
        (
            "[INFO] config loaded llm_api_key=abc123 model=gpt-4o",
            f"[INFO] config loaded llm_api_key={MARK} model=gpt-4o",
        ),
        ('{"apiKey": "abc123", "model": "x"}', f'{{"apiKey": "{MARK}", "model": "x"}}'),
        ('{"client_secret": 123456}', f'{{"client_secret": "{MARK}"}}'),
        ("{'X-Auth-Token': 'abc123'}", f"{{'X-Auth-Token': '{MARK}'}}"),
        ('"SLACK_CREDENTIALS=a b c"', f'"SLACK_CREDENTIALS={MARK}"'),
        ("[DEBUG] secret_key=s3cr3t;next=1", f"[DEBUG] secret_key={MARK};next=1"),
        ("secret_key=s3cr3t;next=1", f"secret_key={MARK}"),  # line start: rest of line
    ],
)
def test_env_secret(text: str, expected: str) -> None:
    out, counts = redacted(text)
    assert out == expected
    assert counts == {"env-secret": 1}


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("OPENAI_API_KEY", "env-secret"),
        ("apiKey", "env-secret"),
        ("APIKEY", "env-secret"),
        ("GITHUB_TOKEN", "env-secret"),
        ("csrftoken", "env-secret"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret"),
        ("DB_PASSWORD", "env-secret"),
        ("GOOGLE_APPLICATION_CREDENTIALS", "env-secret"),
        ("password", "password-field"),
        ("new_password", "password-field"),
        ("passwordConfirmation", "password-field"),
        ("Authorization", "authorization-header"),
        ("Set-Cookie", "cookie"),
        ("max_tokens", None),
        ("token_count", None),
        ("token_type", None),
        ("AWS_ACCESS_KEY_ID", None),
        ("SECRET_NAME", None),
        ("PASSWORD_FILE", None),
        ("monkey", None),
        ("keyboard", None),
        ("key", None),
        ("sort_key", None),
        ("tokenizer", None),
        ("PWD", None),
        ("pwd", "password-field"),
        ("run_id", None),
    ],
)
def test_classify_name(name: str, rule: str | None) -> None:
    assert classify_name(name) == rule


def test_known_secrets_in_any_form() -> None:
    r = Redactor(["hunter2!x y"])
    r.add_secret("tok")  # too short: ignored
    r.add_secret("")
    r.add_secret("REDACTED")  # indistinguishable from the marker: ignored
    text = (
        'login with hunter2!x y failed; body={"pw": "hunter2!x y"} '
        "form=pw=hunter2%21x%20y&q=hunter2%21x+y tok REDACTED"
    )
    out = r.redact(text, "run.txt")
    assert "hunter2" not in out
    assert out.endswith(" tok REDACTED")
    assert r.counts["run.txt"] == {"known-secret": 4}
    assert r.redact(out, "run.txt") == out
    assert r.counts["run.txt"] == {"known-secret": 4}


def test_known_secret_without_any_shape() -> None:
    r = Redactor()
    r.add_secret("correcthorsebatterystaple")
    assert r.redact("note: correcthorsebatterystaple.") == f"note: {MARK}."


SHORT_SECRET_NAMES = [
    "DB_PASS",
    "MYSQL_PWD",
    "AUTH",
    "REDIS_AUTH",
    "SESSION",
    "SESSION_ID",
    "APP_SESSION_ID",
    "SESSIONID",
    "JSESSIONID",
    "PHPSESSID",
    "sessionId",
    "db_pass",
]


@pytest.mark.parametrize("name", SHORT_SECRET_NAMES)
def test_short_secret_names(name: str) -> None:
    assert classify_name(name) == "env-secret"
    assert Redactor().redact_obj([f"{name}=s3cr3t value"]) == [f"{name}={MARK}"]
    assert redacted(f"{name}=s3cr3t-value")[0] == f"{name}={MARK}"


@pytest.mark.parametrize(
    "name", ["PWD", "pass", "bypass", "passed", "AUTH_TYPE", "SESSION_TIMEOUT", "session_count"]
)
def test_names_that_only_look_short_and_secret(name: str) -> None:
    assert classify_name(name) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "2024-02-02 10:30:45,100 [DEBUG] connect db_pass=s3cr3t host=mongodb",
            f"2024-02-02 10:30:45,100 [DEBUG] connect db_pass={MARK} host=mongodb",
        ),
        (
            "2024-02-02 10:30:45,100 [INFO] ftp login user=bob pwd=hunter2 ok",
            f"2024-02-02 10:30:45,100 [INFO] ftp login user=bob pwd={MARK} ok",
        ),
        ("PWD=/home/dev", "PWD=/home/dev"),
        ("SESSION_ID=8c1f0e6a", f"SESSION_ID={MARK}"),
    ],
)
def test_short_secret_names_in_log_lines(line: str, expected: str) -> None:
    assert redacted(line)[0] == expected


def test_a_cookie_the_server_sets_is_redacted_where_it_is_repeated() -> None:
    sid = "Zx81kQ0pLmN4vB7c"
    page = (
        f"HTTP/1.1 502 Bad Gateway\nSet-Cookie: sid={sid}; Path=/; HttpOnly\n\n"
        f"<p>Upstream failed for your session (sid={sid}). Quote {sid} to support.</p>"
    )
    r = Redactor()
    out = r.redact(page, "page")
    assert sid not in out
    assert "Set-Cookie: [REDACTED]" in out and f"(sid={MARK}). Quote {MARK} to" in out
    assert r.counts["page"] == {"cookie": 1, "known-secret": 2}
    assert r.redact(f"later: sid={sid}", "later") == f"later: sid={MARK}"
    assert r.redact(out, "again") == out and r.counts["again"] == {}


def test_cookie_values_that_are_no_secret_are_not_learned() -> None:
    r = Redactor()
    r.redact("Set-Cookie: lang=en; theme=dark; n=12345678; Path=/; Max-Age=31536000")
    for word in ("en", "dark", "12345678", "31536000"):
        assert r.redact(f"x {word} y") == f"x {word} y"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Check --email and --password", "Check --email and --password"),
        ("password_reset and passwords", "password_reset and passwords"),
        ("login with password.", f"login with {MARK}."),
        ('{"password": "password"}', f'{{"{MARK}": "{MARK}"}}'),
    ],
)
def test_known_secrets_only_as_tokens(text: str, expected: str) -> None:
    assert Redactor(["password"]).redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("xhunter22 hunter22x", "xhunter22 hunter22x"),
        ("(hunter22)", f"({MARK})"),
        ('"first line\\nhunter22"', f'"first line\\n{MARK}"'),
        ('"caf\\u00e9hunter22"', f'"caf\\u00e9{MARK}"'),
        ("q=a%20hunter22&x=1", f"q=a%20{MARK}&x=1"),
        ("密碼hunter22錯誤", f"密碼{MARK}錯誤"),
    ],
)
def test_known_secrets_after_escapes_and_other_scripts(text: str, expected: str) -> None:
    assert Redactor(["hunter22"]).redact(text) == expected


# ---------------------------------------------------------------------------
# Idempotence, false positives, counts
# ---------------------------------------------------------------------------

SAMPLES = [DOCKER_INSPECT, CURL_DUMP, PEM, JWT, OPENAI, *ORDINARY]


@pytest.mark.parametrize("text", SAMPLES)
def test_idempotent(text: str) -> None:
    r = Redactor(["hunter22"])
    once = r.redact(text, "a")
    twice = r.redact(once, "b")
    assert twice == once
    assert r.counts["b"] == {}


@pytest.mark.parametrize("line", ORDINARY)
def test_no_false_positives(line: str) -> None:
    out, counts = redacted(line)
    assert out == line
    assert counts == {}


def test_counts_per_file_and_rule() -> None:
    r = Redactor()
    r.redact(CURL_DUMP, "sse-transcript.txt")
    r.redact(f"token={JWT}", "backend-log.txt")
    r.redact("?token=abc&token=def", "backend-log.txt")
    r.redact("nothing to see", "summary.md")
    r.redact(JWT)
    assert r.counts == {
        "sse-transcript.txt": {"authorization-header": 1, "cookie": 2},
        "backend-log.txt": {"env-secret": 1, "token-query": 2},
        "summary.md": {},
        "": {"jwt": 1},
    }
    assert r.total() == 7
    assert r.total("backend-log.txt") == 3
    assert set(RULE_IDS) >= {rule for d in r.counts.values() for rule in d}


def test_time_is_linear_on_one_long_line() -> None:
    doc = [{"name": f"n{i}", "api_key": f"k{i}abc", "max_tokens": 5} for i in range(30000)]
    text = json.dumps(doc)  # about 2 MB on a single line, 60000 candidate names
    start = time.perf_counter()
    out = Redactor().redact(text)
    assert time.perf_counter() - start < 5
    assert out.count(MARK) == 30000


def test_redact_obj() -> None:
    Point = collections.namedtuple("Point", "x y")
    obj = {
        "headers": {"Authorization": f"Bearer {JWT}", "Accept": "text/event-stream"},
        "login": {"email": "a@b.c", "password": "hunter2!"},
        "api_key": None,  # nothing to hide
        "max_tokens": 4096,
        "nested": [("mongodb://u:p@h/db", 3), Point(OPENAI, 1.5)],
        "settings": {"OPENAI_API_KEY": {"value": "x", "source": "env"}},
        "evidence": {"status": 503, "body": "upstream error"},
    }
    r = Redactor()
    out = r.redact_obj(obj, "results.json")
    assert out == {
        "headers": {"Authorization": MARK, "Accept": "text/event-stream"},
        "login": {"email": "a@b.c", "password": MARK},
        "api_key": None,
        "max_tokens": 4096,
        "nested": [(f"mongodb://{MARK}@h/db", 3), Point(MARK, 1.5)],
        "settings": {"OPENAI_API_KEY": MARK},
        "evidence": {"status": 503, "body": "upstream error"},
    }
    assert isinstance(out["nested"][1], Point)
    assert obj["login"]["password"] == "hunter2!"
    assert r.counts["results.json"] == {
        "authorization-header": 1,
        "password-field": 1,
        "uri-credentials": 1,
        "api-key-shape": 1,
        "env-secret": 1,
    }
    assert r.redact_obj(out, "again") == out
    assert r.counts["again"] == {}


def test_redact_obj_keeps_other_objects_and_cycles() -> None:
    marker = object()
    loop: list[object] = [marker]
    loop.append(loop)
    out = Redactor().redact_obj(loop)
    assert out[0] is marker
    assert out[1] is out


def test_threads_share_one_redactor() -> None:
    r = Redactor()
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            secret = f"thread-secret-{i:04d}"
            r.add_secret(secret)
            for _ in range(50):
                assert secret not in r.redact(f"x {secret} y", "shared")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert r.counts["shared"]["known-secret"] == 8 * 50


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

SECRET_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="[]")


@settings(max_examples=300, deadline=None)
@given(
    secret=st.text(SECRET_ALPHABET, min_size=4, max_size=40),
    before=st.text(max_size=60),
    after=st.text(max_size=60),
    copies=st.integers(1, 3),
)
def test_planted_secret_never_survives(secret: str, before: str, after: str, copies: int) -> None:
    """Wherever the secret is a token of its own (see test_known_secrets_only_as_tokens)."""
    assume(secret not in MARK)
    r = Redactor()
    r.add_secret(secret)
    text = before + (" " + secret + " " + after) * copies
    out = r.redact(text)
    assert secret not in out
    assert r.redact(out) == out


FRAGMENTS = st.sampled_from(
    [
        *ORDINARY,
        JWT,
        OPENAI,
        "Authorization: Bearer ",
        "Cookie: a=b",
        "?token=",
        "&password=",
        "password=",
        '"password": "',
        '"',
        "'",
        "OPENAI_API_KEY=",
        "mongodb://u:p@",
        "host/db",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----END RSA PRIVATE KEY-----",
        "MIIEpAIBAAKCAQEA",
        "\n",
        " ",
        "=",
        ":",
        "#",
        "[REDACTED]",
        "secret: ",
        "bearer abcdef123456",
    ]
)


def test_a_jwt_glued_to_an_api_key_is_redacted_in_one_pass() -> None:
    """The key's rule eats the JWT's header; what it uncovers is redacted too (hypothesis
    found it: once left the payload, the signature and a second JWT glued after it)."""
    jwt = (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyQGV4YW1wbGUuY29tIn0."
        "Hs3q0bC1xW9yV2dQ8kL5mN7pR4tY6uI0oP1aS5dF7gE"
    )
    r = Redactor()
    once = r.redact("sk-proj-Q3v9Xw2LmN8pR4tY6uI0oP1aS5dF7gH9jK2lZ4xC6vB8nM0q" + jwt + jwt, "a")
    assert "eyJ" not in once and "Hs3q0bC1" not in once
    assert r.redact(once, "b") == once


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=12))
def test_idempotent_on_mixed_text(parts: list[str]) -> None:
    r = Redactor(["hunter22"])
    once = r.redact("".join(parts), "a")
    assert r.redact(once, "b") == once
    assert r.counts["b"] == {}


JSON_KEYS = st.sampled_from(
    (
        "password",
        "api_key",
        "OPENAI_API_KEY",
        "token",
        "Authorization",
        "Cookie",
        "name",
        "url",
        "max_tokens",
        "env",
        "headers",
    )
)
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(max_size=20),
        st.sampled_from([JWT, OPENAI, "Bearer abc123def", "mongodb://u:p@h/db", "DB_PASSWORD=x y"]),
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(JSON_KEYS, children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.sampled_from([None, 2]))
def test_json_stays_valid(doc: object, indent: int | None) -> None:
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    out = Redactor().redact(text)
    json.loads(out)
    for secret in (JWT, OPENAI, "abc123def", "u:p@"):
        assert secret not in out
