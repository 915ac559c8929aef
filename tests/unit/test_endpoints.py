"""Pasted server text read line by line, with a verdict and why (issue 16.14)."""

from __future__ import annotations

import pytest

import vrdr_max as vr
from vrdr_max.endpoints import EndpointLine, LineVerdict, parse_endpoint_line
from vrdr_max.errors import InputError
from vrdr_max.models import DRSettings
from vrdr_max.ports import Engine, Mode

OK, EMPTY, INVALID, SUSPECT = (LineVerdict.OK, LineVerdict.EMPTY, LineVerdict.INVALID,
                               LineVerdict.SUSPECT)


@pytest.mark.parametrize(("text", "verdict", "entry", "given"), [
    ("render01", OK, ("render01", 20204, None, True), False),
    ("render01:20205", OK, ("render01", 20205, None, True), True),
    ("  render01 20205  \r\n", OK, ("render01", 20205, None, True), True),
    ("render01\t20205", OK, ("render01", 20205, None, True), True),
    ("10.0.0.5,20206", OK, ("10.0.0.5", 20206, None, True), True),
    ("[2001:db8::7]:20205", OK, ("2001:db8::7", 20205, None, True), True),
    ("2001:DB8::7", OK, ("2001:db8::7", 20204, None, True), False),
    ("render01 1 20204", OK, ("render01", 20204, None, True), True),
    ("render01 0 20204-20212", OK, ("render01", 20204, 20212, False), True),
    ("node 05", SUSPECT, ("node", 5, None, True), True),
    ("node:05", SUSPECT, ("node", 5, None, True), True),
    ("node 7", SUSPECT, ("node", 7, None, True), True),
    ("node05:80", SUSPECT, ("node05", 80, None, True), True),
    ("render01 1", SUSPECT, ("render01", 20204, None, True), False),
    ("render01 0", SUSPECT, ("render01", 20204, None, False), False),
    ("", EMPTY, None, False),
    ("   \t ", EMPTY, None, False),
    ("# the night farm", EMPTY, None, False),
    ("render node 05", INVALID, None, False),
    ("render01:", INVALID, None, False),
    ("10.0.0.300", INVALID, None, False),
    ("render01 0 20212-20204", INVALID, None, False),
    ("render01:0", INVALID, None, False),
    ("a'b", INVALID, None, False),
])
def test_each_line_reads_as_a_server_nothing_invalid_or_suspect(
        text: str, verdict: LineVerdict, entry: tuple[object, ...] | None, given: bool) -> None:
    line = parse_endpoint_line(text, 20204)
    assert (line.verdict, line.entry, line.port_given) == (verdict, entry, given)
    assert line.ok is (verdict is OK)
    assert bool(line.reason) is (verdict in (INVALID, SUSPECT))
    assert line.text == text.rstrip("\r\n")


def test_reasons_say_how_a_typo_was_read_and_what_was_meant() -> None:
    assert parse_endpoint_line("node 05", 20204).reason == (
        'read as host node port 5, but the port is written "05", with a leading zero; '
        "did you mean the host node05?")
    assert parse_endpoint_line("render node 05", 20204).reason == (
        '"render node 05" is not one server: a host name has no spaces; expected host, '
        "host:port, host port or a cfg line (did you mean rendernode05?)")
    assert parse_endpoint_line("10.0.0.300", 20204).reason == (
        'host "10.0.0.300" is not a valid IPv4 address (300 > 255)')


def test_many_lines_and_the_package_exports() -> None:
    lines = vr.parse_endpoint_lines("render01\n\nnode 05\nrender02:20205\n", 20204)
    assert [line.verdict for line in lines] == [OK, EMPTY, SUSPECT, OK]
    assert all(isinstance(line, vr.EndpointLine) for line in lines)
    assert vr.LineVerdict is LineVerdict
    assert EndpointLine is vr.EndpointLine


@pytest.mark.parametrize(("text", "port", "expected"), [
    ("render01:20205", None, ("render01", 20205)),
    ("[::1]:20205", None, ("::1", 20205)),
    ("::1", None, ("::1", 20208)),
    ("render01", None, ("render01", 20208)),
    ("render01:20205", 20205, ("render01", 20205)),
])
def test_add_server_reads_a_port_in_the_host(text: str, port: int | None,
                                             expected: tuple[str, int]) -> None:
    settings = DRSettings(engine=Engine.CPU, mode=Mode.DR2)
    assert settings.add_server(text, port)
    assert (settings.servers[0].host, settings.servers[0].port) == expected
    assert not settings.add_server(text, port)  # listed now


@pytest.mark.parametrize(("text", "port", "message"), [
    ("render01:20205", 20206, "render01:20205 names port 20205, but port 20206 was given"),
    ("render01:abc", None, 'port "abc" is not a number'),
    ("[render01]:20205", None, "brackets are only for IPv6"),
])
def test_add_server_refuses_a_bad_or_conflicting_port(text: str, port: int | None,
                                                      message: str) -> None:
    settings = DRSettings()
    with pytest.raises(InputError, match=message.replace("[", r"\[")):
        settings.add_server(text, port)
    assert settings.servers == []


@pytest.mark.parametrize(("text", "ambiguous"), [
    ("node 05", True),           # the machine node05, or host node on port 5?
    ("render01:020204", True),   # a leading zero
    ("render01 1", True),        # a V-Ray 2 cfg line, or port 1?
    ("render01:1001", False),    # unusual, but written out plainly
    ("render01 1 80", False),
])
def test_a_suspect_line_says_whether_it_reads_two_ways(text: str, ambiguous: bool) -> None:
    line = parse_endpoint_line(text, 20204)
    assert line.verdict is LineVerdict.SUSPECT
    assert line.ambiguous is ambiguous
