"""A scene file is parsed by pydantic-core where it can, and read exactly as ``json`` reads it.

``mock_pymxs.scene`` tries pydantic-core's parser first (faster on a large scene, issue 18,
item 7) and leaves to ``json`` whatever that parser refuses, so a scene file is held to
``json``'s rules and messages. These tests hold the two parsers to the same answers.
"""

from __future__ import annotations

import json
import random
import types
from pathlib import Path

import pytest

import mock_pymxs
from mock_pymxs import scene as mock_scene
from mock_pymxs.errors import SceneFileError

# Texts where the parsers could differ: numbers at their limits, NaN and Infinity, escapes,
# repeated keys, whitespace, nesting, and what json refuses.
TEXTS = [
    "0", "-0", "-0.0", "1E5", "1.5e+3", "1e-400", "1e308", "1.7976931348623159e308",
    "2.2250738585072011e-308", "123456789012345678901234567890",
    "-123456789012345678901234567890.5", "9" * 4300, "-" + "9" * 4300, "9" * 4301,
    "1." + "9" * 5000, "NaN", "Infinity", "-Infinity", "[NaN, Infinity, -Infinity]",
    '{"a": 1, "a": 2, "b": 3}', '{"a": 1, "b": 2, "a": 3}', '{"": 0}', '{"\\u0041": 1}',
    '"\\/\\b\\f\\n\\r\\t\\"\\\\"', '"\\u00e9\\u4e2d"', '"\\ud83d\\ude00"', '"\\ud800"',
    '"\\udfff"', '"\x7f\u0080\U0001f600"', "\n\r\t[1,\n2]\n", "1 ", "[" * 300 + "]" * 300,
    # refused by json: pydantic-core must refuse them too
    "01", "-01", "00", "1.", ".5", "+1", "1e", "1e+", "0x10", "1_000", "-", "[-]", "nan",
    "-NaN", "inf", "Infinityx", "[1,]", '{"a": 1,}', "[1 2]", '{"a" 1}', "{1: 2}",
    "{'a': 1}", "tru", '"\\x"', '"\\u004"', '"\\U0041"', '"\x01"', '"\t"', '"a\x00b"',
    "[1] x", "[]]", '{"a": 1}}', "", " ", "\x0c 1", "\u00a01", "\ufeff{}",
]


LONE_SURROGATES = [
    '"\\ud800"', '"\\udc00"', '"\\udfff"', '"a\\ud800b"', '"\\ud800\\ud800"',
    '"\\ud800\\u0041"', '"\\udfff\\ud800"', '"\\ud800\\udc00\\udc00"',
    '"\\ud800\\\\"', '{"\\ud800": 1}', '["\\uDBFF", 1]',
]


def _json(text: str) -> tuple[str, str]:
    try:
        return "ok", repr(json.loads(text))
    except (ValueError, RecursionError):
        return "refused", ""


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_what_pydantic_core_takes_it_reads_as_json_does(text: str) -> None:
    fast = mock_scene._parsed_fast(text)
    if fast is not None:  # taken: the same values, types and key order as json's
        assert ("ok", repr(fast)) == _json(text)


@pytest.mark.parametrize("text", LONE_SURROGATES)
def test_pydantic_core_refuses_every_lone_surrogate(text: str) -> None:
    # So what it takes needs no search for them: json reads these, and the load refuses
    # them with the field's place (test_cli_hostile_scenes).
    assert any(0xD800 <= ord(c) <= 0xDFFF for c in json.dumps(json.loads(text),
                                                             ensure_ascii=False))
    assert mock_scene._parsed_fast(text) is None


def _value(rng: random.Random, depth: int = 0) -> object:
    if depth > 4 or rng.random() < 0.4:
        text = "".join(chr(rng.choice((rng.randint(0, 0x7F), rng.randint(0x80, 0xD7FF),
                                       rng.randint(0xE000, 0x10FFFF))))
                       for _ in range(rng.randint(0, 8)))
        return rng.choice([text, rng.randint(-10**25, 10**25), rng.uniform(-1e9, 1e9),
                           rng.random() * 10.0 ** rng.randint(-300, 300), True, False, None,
                           float("nan"), float("-inf")])
    if rng.random() < 0.5:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {str(_value(rng, 5)): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_documents_json_writes_read_the_same_through_either_parser() -> None:
    rng = random.Random(18_7)
    for _ in range(2000):
        text = json.dumps([_value(rng)], ensure_ascii=rng.random() < 0.5,
                          indent=rng.choice([None, 2]))
        fast = mock_scene._parsed_fast(text)
        assert fast is not None
        assert repr(fast) == repr(json.loads(text))


def test_a_scene_file_is_parsed_by_pydantic_core(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("json.loads used for a file pydantic-core parses")

    monkeypatch.setattr(mock_scene, "json", types.SimpleNamespace(
        loads=refuse, JSONDecodeError=json.JSONDecodeError))
    whole = mock_pymxs.bundled_scene("demo")
    monkeypatch.undo()
    assert whole == mock_pymxs.bundled_scene("demo")


def _json_says(text: str) -> str:
    """``json``'s own message on ``text``: its words differ between Python releases."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return f"line {exc.lineno} column {exc.colno}: {exc.msg}"
    raise AssertionError(f"json takes {text!r}")


@pytest.mark.parametrize(("text", "message"), [
    ('{"nodes": [' + "9" * 4301 + "]}", "a number of 4301 digits (at most 4300)"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"scene_path": "C:\\\\a\\ud800.max"}', "a lone surrogate (\\ud800)"),
    ('{"nodes": [1, 2,]}', _json_says('{"nodes": [1, 2,]}')),
])
def test_what_pydantic_core_refuses_gets_json_s_message(tmp_path: Path, text: str,
                                                       message: str) -> None:
    path = tmp_path / "scene.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SceneFileError, match=None) as caught:
        mock_pymxs.load_scene(path)
    assert message in str(caught.value)


def test_a_file_pydantic_core_parsed_is_not_searched_for_surrogates(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_text: str) -> object:
        raise AssertionError("searched for surrogate escapes after pydantic-core's parse")

    monkeypatch.setattr(mock_scene, "_SURROGATE_ESCAPE", types.SimpleNamespace(search=refuse))
    assert mock_pymxs.bundled_scene("demo").nodes


# Bytes that are not UTF-8, inside a string and outside one: a stray byte, a lone continuation
# byte, an overlong form, a truncated sequence, an encoded surrogate (CESU-8), beyond U+10FFFF.
NOT_UTF8 = [b"\xff", b"\x80", b"\xc0\xaf", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
            b"\xf8\x88\x80\x80\x80", b"\xe9"]


def _old_load(raw: bytes) -> tuple[str, str]:
    """A scene file's bytes read as before pydantic-core read them: decoded, then parsed."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return "not UTF-8", str(exc.start)
    if not text or text.isspace():
        return "empty", ""
    try:
        return "ok", repr(mock_scene._parsed(text, "scene.json"))
    except SceneFileError as exc:
        return "refused", str(exc)


def _new_load(raw: bytes) -> tuple[str, str]:
    fast = mock_scene._parsed_fast(raw.removeprefix(b"\xef\xbb\xbf"))
    return ("ok", repr(fast)) if fast is not None else _old_load(raw)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_file_s_bytes_read_by_pydantic_core_as_its_decoded_text(bom: bytes) -> None:
    raws = [bom + t.encode("utf-8", "surrogatepass") for t in [*TEXTS, *LONE_SURROGATES]]
    raws += [bom + b'{"scene_path": "C:\\\\a' + bad + b'.max"}' for bad in NOT_UTF8]
    raws += [bom + b'{"a' + bad + b'": 1}' for bad in NOT_UTF8]
    raws += [bom + bad + b"{}" for bad in NOT_UTF8] + [bom + b"{}" + bad for bad in NOT_UTF8]
    raws += [bom + bom + b"{}", bom + b"\xef\xbb", b"\xfe\xff\x00{\x00}", b"  \n"]
    rng = random.Random(18_75)
    raws += [bom + json.dumps([_value(rng)], ensure_ascii=False).encode("utf-8", "surrogatepass")
             for _ in range(500)]
    for raw in raws:
        assert _new_load(raw) == _old_load(raw), raw[:80]
    for bad in NOT_UTF8:  # never taken: the decode's message stands
        assert mock_scene._parsed_fast(b'"' + bad + b'"') is None


def test_a_scene_file_with_a_byte_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "scene.json"
    for bad in NOT_UTF8:
        raw = b'{"scene_path": "C:\\\\' + bad + b'"}'
        path.write_bytes(raw)
        with pytest.raises(SceneFileError) as caught:
            mock_pymxs.load_scene(path)
        assert str(caught.value) == f"scene.json: not UTF-8 text (byte {raw.index(bad)})"
