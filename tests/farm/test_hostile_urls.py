"""The Web Service URL a careless user gives: one line, exit 2, never the password."""

from __future__ import annotations

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
