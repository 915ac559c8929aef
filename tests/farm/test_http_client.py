"""The Web Service client: retries only for reads, timeouts, TLS, no proxy, no credential leaks."""

from __future__ import annotations

import socket
import ssl

import pytest

from vrdr_max.errors import InputError
from vrdr_max.farm.credentials import Credentials, credentials_for
from vrdr_max.farm.errors import (
    FarmAuthError,
    FarmHTTPError,
    FarmUnreachableError,
)
from vrdr_max.farm.http import WebService, redact
from vrdr_max.farm.urls import parse_service_url

from .fake_deadline import FakeDeadline
from .helpers import PASSWORD, SECRETS, TOKEN, USER, assert_no_secret


def _service(farm: FakeDeadline, **options: object) -> WebService:
    login = Credentials(USER, PASSWORD)
    return WebService(parse_service_url(farm.url), login, timeout=1.0, backoff=0.01,
                      **options)


def test_reads_are_retried_writes_are_not(farm: FakeDeadline) -> None:
    service = _service(farm)
    farm.fail[("GET", "/api/pools")] = 503
    farm.fail[("POST", "/api/jobs")] = 503
    with pytest.raises(FarmHTTPError) as read:
        service.get("/api/pools")
    with pytest.raises(FarmHTTPError) as write:
        service.send("POST", "/api/jobs", {"JobInfo": {}})
    assert len(farm.sent("GET", "/api/pools")) == 3
    assert len(farm.sent("POST", "/api/jobs")) == 1
    assert read.value.status == 503 and read.value.url == f"{farm.url}/api/pools"
    assert str(write.value).startswith(f"POST {farm.url}/api/jobs: HTTP 503")


def test_a_500_on_a_read_is_not_retried(farm: FakeDeadline) -> None:
    farm.fail[("GET", "/api/groups")] = 500
    with pytest.raises(FarmHTTPError):
        _service(farm).get("/api/groups")
    assert len(farm.sent("GET", "/api/groups")) == 1


def test_the_environment_proxy_is_never_used(farm: FakeDeadline,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as trap:  # a "proxy" that refuses: using it would fail the request
        trap.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{trap.getsockname()[1]}"
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        assert _service(farm).get("/api/pools") == ["dr", "sim"]
    assert farm.sent("GET", "/api/pools")


def test_no_answer_within_the_timeout_names_the_url(farm: FakeDeadline) -> None:
    with socket.socket() as mute:  # accepts the connection (backlog), never answers
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        url = parse_service_url(f"http://127.0.0.1:{mute.getsockname()[1]}")
        service = WebService(url, timeout=0.2, retries=0)
        with pytest.raises(FarmUnreachableError, match=r"GET http://127\.0\.0\.1:\d+/api/jobs\?"
                                                       r"IdOnly=true: no answer within 0\.2 s"):
            service.get("/api/jobs", "IdOnly=true")


def test_https_checks_the_certificate_against_the_system_cas(farm: FakeDeadline) -> None:
    https = WebService(parse_service_url(f"https://127.0.0.1:{farm.port}"), timeout=1.0,
                       retries=0)
    context = https._connection()._context
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    with pytest.raises(FarmUnreachableError, match="TLS failed"):  # the fake speaks plain HTTP
        https.get("/api/pools")


def test_an_error_answer_is_quoted_without_the_password(farm: FakeDeadline,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(farm, "route", lambda *a: (500, f"bad login {USER}:{PASSWORD} {TOKEN}"))
    with pytest.raises(FarmHTTPError) as failed:
        _service(farm).get("/api/pools")
    text = str(failed.value)
    assert "bad login artist:***" in text
    assert_no_secret(text, repr(failed.value))


def test_401_is_an_auth_error_naming_url_status_and_user(farm: FakeDeadline) -> None:
    service = WebService(parse_service_url(farm.url), Credentials(USER, "nope"), timeout=1.0)
    with pytest.raises(FarmAuthError) as refused:
        service.get("/api/pools")
    assert refused.value.status == 401
    assert str(refused.value).startswith(f"GET {farm.url}/api/pools: HTTP 401")
    assert "nope" not in str(refused.value)
    assert len(farm.sent("GET", "/api/pools")) == 1


def test_credentials_hide_the_password() -> None:
    login = Credentials(USER, PASSWORD)
    assert_no_secret(repr(login), str(login))
    assert login.authorization() == f"Basic {TOKEN}"
    assert set(SECRETS) <= set(login.secrets())  # and the escaped forms of the password
    assert_no_secret(repr(WebService(parse_service_url("http://127.0.0.1:1"), login)))


def test_password_from_env_then_prompt_never_argv() -> None:
    assert credentials_for(None) is None
    env = {"VRDR_DEADLINE_PASSWORD": PASSWORD}
    assert credentials_for(USER, env) == Credentials(USER, PASSWORD)
    asked: list[str] = []
    typed = credentials_for(USER, {}, prompt=lambda text: asked.append(text) or "typed",
                            interactive=True)
    assert typed == Credentials(USER, "typed") and asked == [f"Deadline password for {USER}: "]
    with pytest.raises(InputError, match="set VRDR_DEADLINE_PASSWORD"):
        credentials_for(USER, {}, interactive=False)
    with pytest.raises(InputError, match="without ':'"):
        credentials_for("a:b", env)


@pytest.mark.parametrize(("text", "expected"), [
    ("http://deadline01:8082", "http://deadline01:8082"),
    ("https://deadline01", "https://deadline01:443"),
    ("http://[::1]:8082/", "http://[::1]:8082"),
    ("HTTP://10.0.0.5:8082/proxy/deadline/", "http://10.0.0.5:8082/proxy/deadline"),
])
def test_service_urls(text: str, expected: str) -> None:
    assert parse_service_url(text).text == expected


@pytest.mark.parametrize(("text", "says"), [
    ("deadline01:8082", "http://"),
    ("http://:8082", "no host"),
    ("http://deadline01:0", "out of range"),
    ("http://deadline01:99999", "not a URL"),
    ("http://a;b:8082", "semicolon"),
    ("http://deadline01:8082/?x=1", "query"),
    (f"http://{USER}:{PASSWORD}@deadline01:8082", "never in the URL"),
])
def test_bad_service_urls(text: str, says: str) -> None:
    with pytest.raises(InputError, match=says) as bad:
        parse_service_url(text)
    assert_no_secret(str(bad.value))


def test_redact_cuts_the_longest_secret_first() -> None:
    assert redact("a PWX b PW", ("PW", "PWX")) == "a *** b ***"
