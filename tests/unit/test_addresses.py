from __future__ import annotations

import re
from pathlib import Path

import pytest

from vrdr_max.addresses import format_endpoint, validate_host
from vrdr_max.cli.main import main
from vrdr_max.errors import InputError
from vrdr_max.hostport import parse_endpoint, split_endpoint, validate_port
from vrdr_max.loopback import is_loopback


@pytest.mark.parametrize(("text", "expected"), [
    ("10.0.0.1", "10.0.0.1"),
    ("render-07", "render-07"),
    ("Node7.farm.example", "Node7.farm.example"),
    ("fe80:0:0::1", "fe80::1"),
    ("[::1]", "::1"),
    ("  spaced  ", "spaced"),
])
def test_valid_hosts(text: str, expected: str) -> None:
    assert validate_host(text) == expected


@pytest.mark.parametrize(("text", "says"), [
    ("10.0.0.300", "300 > 255"),
    ("10.0.0", "needs 4 numbers"),
    ("a;b", "semicolon"),
    ("host name", "space"),
    ('"quoted"', "quote"),
    ("back\\slash", "backslash"),
    ("", "empty"),
    ("-leading", "invalid label"),
    ("under_score", "invalid label"),
    ("a..b", "invalid label"),
    ("x" * 64, "invalid label"),
    ("1::2::3", "IPv6"),
])
def test_invalid_hosts_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(InputError, match=says):
        validate_host(text)


@pytest.mark.parametrize("port", ["0", "65536", "-1", "http", ""])
def test_invalid_ports(port: str) -> None:
    with pytest.raises(InputError):
        validate_port(port)


def test_port_bounds() -> None:
    assert validate_port("1") == 1
    assert validate_port(65535) == 65535


@pytest.mark.parametrize(("text", "expected"), [
    ("10.0.0.1", ("10.0.0.1", None)),
    ("10.0.0.1:20206", ("10.0.0.1", 20206)),
    ("fe80::1", ("fe80::1", None)),
    ("[fe80::1]:20204", ("fe80::1", 20204)),
    ("[::1]", ("::1", None)),
])
def test_split_endpoint(text: str, expected: tuple[str, int | None]) -> None:
    assert split_endpoint(text) == expected


@pytest.mark.parametrize("text", ["[::1", "[::1]x", "[10.0.0.1]:5", "host:0", ":20204"])
def test_bad_endpoints(text: str) -> None:
    with pytest.raises(InputError):
        split_endpoint(text)


def test_parse_endpoint_default_port_and_format_round_trip() -> None:
    assert parse_endpoint("render01", 20204) == ("render01", 20204)
    host, port = parse_endpoint("[2001:db8::7]:20206", 20204)
    assert format_endpoint(host, port) == "[2001:db8::7]:20206"
    assert format_endpoint("render01", 1) == "render01:1"


@pytest.mark.parametrize(("host", "expected"), [
    ("localhost", True), ("127.0.0.1", True), ("127.9.9.9", True), ("::1", True),
    ("10.0.0.1", False), ("render01", False),
])
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


@pytest.mark.parametrize("text", ["\u00b2.1.1.1", "\u0661\u0660.0.0.1", "r\u00e9nder01"])
def test_non_ascii_hosts_are_rejected_not_crashed(text: str) -> None:
    with pytest.raises(InputError, match="non-ASCII"):
        validate_host(text)


def test_non_ascii_digits_are_not_a_port() -> None:
    with pytest.raises(InputError, match="not a number"):
        validate_port("\u0662\u0660\u0662\u0660\u0664")


# --- ipaddress is the one authority (issue 10, item 12) ---------------------------------------

@pytest.mark.parametrize(("text", "says"), [
    ("010.000.000.005", "leading zeros"),
    ("0x7f.1.1.1", "not a valid IPv4 address"),
    ("1.2.3.4.5", "needs 4 numbers, has 5"),
    ("10.0.0.260", "260 > 255"),
    ("10.0.0.5.", "trailing dot"),
    ("host.123", "a name cannot end in a number"),
    ("host..", 'invalid label ""'),
    ("[::1", "stray bracket"),
    ("::1]", "stray bracket"),
    ("[[::1]]", "stray bracket"),
    ("[node01]", "bracket"),
    ("fe80::1%$(reboot)", "zone id"),
    ("fe80::1%eth0;ls", "semicolon"),
    ("fe80::1%\u00e9th0", "non-ASCII"),
    ("fe80::1%", "zone id"),
])
def test_hosts_ipaddress_rejects_are_refused_not_rewritten(text: str, says: str) -> None:
    with pytest.raises(InputError, match=re.escape(says)):
        validate_host(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("fe80::1%eth0", "fe80::1%eth0"),
    ("fe80::1%12", "fe80::1%12"),
    ("node01.farm.", "node01.farm."),
    ("123abc.example", "123abc.example"),
    ("0.0.0.0", "0.0.0.0"),
    ("255.255.255.255", "255.255.255.255"),
])
def test_hosts_still_accepted(text: str, expected: str) -> None:
    assert validate_host(text) == expected


@pytest.mark.parametrize("token", ["010.000.000.005", "0x7f.1.1.1", "1.2.3.4.5", "10.0.0.260",
                                   "host..", "[::1", "fe80::1%$(x)"])
def test_servers_add_refuses_what_ipaddress_rejects_and_leaves_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], token: str) -> None:
    cfg = tmp_path / "vray_dr.cfg"
    cfg.write_bytes(b"node01 1 20204\r\n")
    assert main(["servers", "add", "--cfg", str(cfg), "node02", token]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert cfg.read_bytes() == b"node01 1 20204\r\n"
