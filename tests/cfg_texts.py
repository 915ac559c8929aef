"""Hypothesis strategies for V-Ray cfg texts: servers, options, near misses, hostile bytes.

Shared by the cfg layer's property tests (tests/unit/test_cfgfile_props.py) and the command
line's (tests/unit/test_cli_cfg.py), so both draw from the same hostile texts.
"""

from __future__ import annotations

from hypothesis import strategies as st

from vrdr_max.cfgfile import DISPATCHER_KEY, OPTION_KEYS
from vrdr_max.models import RenderServer

hosts = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
    st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,12}[A-Za-z0-9](\.[a-z][a-z0-9]{0,6}){0,2}",
                  fullmatch=True),
)
ports = st.integers(1, 65535)
servers = st.builds(RenderServer, host=hosts, port=ports, enabled=st.booleans()) | st.builds(
    lambda host, first, width, enabled: RenderServer(
        host=host, port=first, port_end=min(first + width, 65535), enabled=enabled),
    hosts, ports, st.integers(0, 16), st.booleans())


def server_line(host: str, port: int, flag: int, form: int) -> str:
    return [f"{host} {flag} {port}", f"{host} {flag}", f"{host} {max(port, 2)}",
            # what people type: tabs and runs of blanks between fields and after them, a host
            # in capitals (the same host to the duplicate check), an IPv6 host in brackets
            f"{host}\t{flag}  {port} \t", f" {host.upper()} {flag}\t{port}",
            f"[{host}] {flag} {port}" if ":" in host else f"{host}  {flag}"][form]


def option_line(key: str, data: st.DataObject) -> str:
    if key == DISPATCHER_KEY:
        return f"{key} {data.draw(hosts)} {data.draw(ports)} {data.draw(st.sampled_from('01'))}"
    if key == "max_servers":
        return f"{key} {data.draw(st.integers(0, 99))}"
    if key == "cache_limit":
        # V-Ray writes %f (six decimals); people and scripts write any number of them
        decimals = data.draw(st.from_regex(r"[0-9]{0,9}", fullmatch=True))
        return f"{key} {data.draw(st.integers(0, 10**6))}.{decimals}"
    if key == "cache_limit_type":
        return f"{key} {data.draw(st.sampled_from('012'))}"
    return f"{key} {data.draw(st.sampled_from('01'))}"


NEAR_MISSES = [
    "10.0.0.300 1 20204", "a;b 1 20204", "1 1 20204", "  1 20204", "node01 1 0",
    "node01 1 65536", "node01 2 20204", "node01 1 20212-20204", "node01 1 20204 x",
    "node_01 1 20204", "# node01 1 20204", "node01,1,20204", "max_servers abc",
    "restart_slaves", "cache_limit -5", "Restart_Slaves 1", "node01 1 +20204", "node01 -1",
    "n\u00f6de 1 20204", "node01 1 2020\u0664", f"{DISPATCHER_KEY} 10.0.0.5 20208",
    "node01 0x1 20204", "[::1] 1 20204 ::", "\u00a0node01 1 20204",
    "# restart_slaves 1", "  max_servers 3", "\tcache_limit 2.5", "x max_servers 1",
    "max_servers_x 1", "node01 1 20204 max_servers", "\u3000max_servers 2",
    # comments after fields, non-ASCII digits (str.isdigit and int accept them), signs, leading
    # zeros, flags other than 0/1, ports out of range or too long to read, odd blanks
    "node01 1 20204 # rack 3", "node01 1 20204#3", "node01 1 \uff12\uff10\uff12\uff10\uff14",
    "node01 \uff11 20204", "\u0661\u0660.0.0.1 1 20204", "node01 1 020204", "node01 01 20204",
    "node01 +1 20204", "node01 2", "node01 yes 20204", "node01 1 0", "node01 1 65535",
    "node01 1 " + "9" * 4301, "node01 1 1-" + "9" * 4300, "max_servers " + "9" * 4301,
    "cache_limit " + "9" * 400, "node01\x0b1\x0c20204", "[::1 1 20204", "::1] 1 20204",
    "x" * 5000, "node01 1 20204\r", "restart_slaves 1 # on",
]
junk_chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(
    " \t")
junk = st.one_of(st.sampled_from(NEAR_MISSES), st.text(junk_chars, max_size=24))


@st.composite
def cfg_texts(draw: st.DrawFn) -> str:
    data = draw(st.data())
    kinds = draw(st.lists(st.sampled_from(["server", "option", "junk", "blank"]), max_size=24))
    lines: list[str] = []
    for kind in kinds:
        if kind == "server":
            lines.append(server_line(draw(hosts), draw(ports), draw(st.integers(0, 1)),
                                     draw(st.integers(0, 5))))
        elif kind == "option":
            lines.append(option_line(draw(st.sampled_from(sorted(OPTION_KEYS))), data))
        elif kind == "junk":
            lines.append(draw(junk))
        else:
            lines.append(draw(st.sampled_from(["", " ", "\t", "  \t "])))
    endings = draw(st.lists(st.sampled_from(["\n", "\r\n"]), min_size=len(lines),
                            max_size=len(lines)))
    text = "".join(line + end for line, end in zip(lines, endings, strict=True))
    last = draw(st.sampled_from(["kept", "none", "cr"]))
    if lines and last != "kept":  # no terminator on the last line, or a lone CR
        text = text[: -len(endings[-1])] + ("\r" if last == "cr" else "")
    return ("\ufeff" if draw(st.booleans()) else "") + text
