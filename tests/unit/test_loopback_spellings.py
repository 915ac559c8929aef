"""Loopback written every way ``ipaddress`` accepts it is loopback, on every Python 3ds Max ships.

``IPv6Address("::ffff:127.0.0.1").is_loopback`` is False on Python 3.10-3.12 and True on 3.13,
so these tests run on each interpreter (3ds Max 2024 = 3.10, 2025/2026 = 3.11, 2027 = 3.13),
e.g. ``UV_PROJECT_ENVIRONMENT=.venv-py3.10 uv run --python <python3.10> pytest <this file>``.
The spellings are generated here and checked against ``ipaddress`` itself (it must read each one
as the intended address), never against vrdr's code.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vrdr_max.addresses import validate_host
from vrdr_max.loopback import is_loopback, names_this_machine

IPV4_MAPPED_PREFIX = 0xFFFF << 32


@st.composite
def ipv6_spelling(draw: st.DrawFn, value: int, *, mixed: bool = False) -> str:
    """One spelling of the IPv6 address ``value``: padding, case, one ``::`` run, dotted tail."""
    groups = [(value >> (16 * (7 - i))) & 0xFFFF for i in range(8)]
    tail = ""
    if mixed:
        tail = str(ipaddress.IPv4Address(value & 0xFFFFFFFF))
        groups = groups[:6]
    words = []
    for g in groups:
        digits = f"{g:x}"
        pad = draw(st.integers(0, 4 - len(digits)))
        word = "0" * pad + digits
        words.append(word.upper() if draw(st.booleans()) else word)
    zero_runs = [(i, j) for i in range(len(words)) for j in range(i + 1, len(words) + 1)
                 if all(groups[k] == 0 for k in range(i, j))]
    if zero_runs and draw(st.booleans()):
        i, j = draw(st.sampled_from(zero_runs))
        head, rest = ":".join(words[:i]), ":".join(words[j:])
        if tail:
            rest = f"{rest}:{tail}" if rest else tail
        text = f"{head}::{rest}"
    else:
        text = ":".join([*words, tail] if tail else words)
    if draw(st.booleans()):
        text = f"[{text}]"
    assert int(ipaddress.IPv6Address(text.strip("[]"))) == value, text  # ipaddress reads it so
    return text


loopback_v4 = st.integers(0, 2**24 - 1).map(lambda n: (127 << 24) | n)
other_v4 = st.integers(0, 2**32 - 1).filter(lambda n: n >> 24 != 127)


@given(loopback_v4)
def test_127_slash_8_is_loopback(value: int) -> None:
    assert is_loopback(str(ipaddress.IPv4Address(value)))


@given(st.data())
def test_every_spelling_of_ipv6_loopback_is_loopback(data: st.DataObject) -> None:
    assert is_loopback(data.draw(ipv6_spelling(1)))


@given(loopback_v4, st.data())
def test_ipv4_mapped_loopback_is_loopback_in_hex_and_dotted_form(value: int,
                                                                  data: st.DataObject) -> None:
    mapped = IPV4_MAPPED_PREFIX | value
    assert is_loopback(data.draw(ipv6_spelling(mapped)))
    assert is_loopback(data.draw(ipv6_spelling(mapped, mixed=True)))


@given(other_v4, st.data())
def test_other_addresses_in_every_spelling_are_not(value: int, data: st.DataObject) -> None:
    assert not is_loopback(str(ipaddress.IPv4Address(value)))
    mapped = IPV4_MAPPED_PREFIX | value
    assert not is_loopback(data.draw(ipv6_spelling(mapped)))
    assert not is_loopback(data.draw(ipv6_spelling(mapped, mixed=True)))


@pytest.mark.parametrize("host", [
    "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1", "0000:0000:0000:0000:0000:0000:0000:0001",
    "::0:1", "[::1]", "::1%eth0", "::ffff:7f00:1", "::FFFF:127.9.8.7", "0:0:0:0:0:ffff:127.0.0.1",
    "LOCALHOST", "localhost.", "localhost.localdomain",
])
def test_named_spellings(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", [
    "::", "::2", "::127.0.0.1",  # unspecified, another address, IPv4-compatible (not mapped)
    "::ffff:10.0.0.1", "64:ff9b::127.0.0.1", "127.0.0.1.example", "localhost2", "render01",
])
def test_near_misses_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


@pytest.mark.parametrize("text", ["::ffff:7f00:1", "::FFFF:127.0.0.1", "0:0:0:0:0:ffff:7f00:1"])
def test_ipv4_mapped_addresses_have_one_spelling_on_every_python(text: str) -> None:
    # Python 3.13 writes ::ffff:127.0.0.1, earlier versions ::ffff:7f00:1: a cfg written by
    # 3ds Max 2027 and one written by 2024 must say the same.
    assert validate_host(text) == "::ffff:127.0.0.1"


@pytest.mark.parametrize(("host", "workstation", "expected"), [
    ("WS042", "ws042", True),
    ("ws042.studio.example", "WS042", True),
    ("ws042", "ws042.studio.example.", True),
    ("ws042.other.example", "ws042.studio.example", False),
    ("ws0420", "ws042", False),
    ("10.0.0.42", "10", False),
    ("127.0.0.2", None, True),
    ("render01", None, False),
])
def test_names_this_machine(host: str, workstation: str | None, expected: bool) -> None:
    assert names_this_machine(host, workstation) is expected
