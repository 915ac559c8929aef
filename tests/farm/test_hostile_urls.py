"""The Web Service URL a careless user gives: one line, exit 2, never the password."""

from __future__ import annotations

from pathlib import Path

import pytest

from vrdr_max.errors import InputError
from vrdr_max.farm.urls import parse_service_url

from .helpers import PASSWORD, USER, Env, Vrdr, assert_no_secret


@pytest.mark.parametrize("text", [
    f"http://{USER}:{PASSWORD}@[::1",
    f"http://{USER}:{PASSWORD}@deadline01:99999",
    f"http://{USER}:{PASSWORD}@dead line:8082",
])
def test_a_broken_url_with_a_login_never_repeats_the_password(
        text: str, env: Env, vrdr: Vrdr) -> None:
    with pytest.raises(InputError) as bad:
        parse_service_url(text)
    assert_no_secret(str(bad.value))
    run = vrdr("farm", "workers", "--deadline", text)
    assert run.code == 2 and run.err.count("\n") == 1  # vrdr() checks out/err for the secret


@pytest.mark.parametrize("path", ["/d\u00e9adline", "/a b", "/x\x1b[2J", "/a\r\nX-Evil: 1"])
def test_a_url_path_outside_rfc_3986_is_bad_input(path: str, env: Env, vrdr: Vrdr) -> None:
    text = f"http://127.0.0.1:8082{path}"
    with pytest.raises(InputError, match="path"):
        parse_service_url(text)
    run = vrdr("farm", "workers", "--deadline", text)
    assert run.code == 2 and run.err.count("\n") == 1


@pytest.mark.parametrize("content", [None, b"not a certificate"], ids=["missing", "not PEM"])
def test_a_ca_file_that_cannot_be_used_is_named(tmp_path: Path, content: bytes | None) -> None:
    from vrdr_max.farm.http import WebService

    ca_file = tmp_path / "studio-ca.pem"
    if content is not None:
        ca_file.write_bytes(content)
    service = WebService(parse_service_url("https://127.0.0.1:9"), ca_file=str(ca_file),
                         timeout=1.0, retries=0)
    with pytest.raises(InputError) as bad:
        service.get("/api/pools")
    assert str(bad.value).startswith(f'farm.ca_file "{ca_file}": ')
    assert "\n" not in str(bad.value)


@pytest.mark.parametrize("text", ["http://[v1.x]:8082", "http://[deadline01]:8082",
                                  "http://[10.0.0.5]:8082"])
def test_brackets_hold_an_ipv6_address_only(text: str) -> None:
    # "[v1.x]" is an IP literal in the URL's grammar: vrdr must not look up "v1.x" as a name.
    with pytest.raises(InputError, match=r"IPv6|brackets"):
        parse_service_url(text)


def test_a_huge_url_is_quoted_cut_short() -> None:
    with pytest.raises(InputError) as bad:
        parse_service_url("x" * 100_000)
    assert len(str(bad.value)) < 400 and "..." in str(bad.value)
