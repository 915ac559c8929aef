"""The mock's fast crossings answer, count and refuse as its plain ways do (issue 18.7).

A large scene's read crosses into the mock 30,000 times, so the hot wrappers count a crossing
inline (one step that also refuses a thread without ``mxstoken()``), absolute paths are told
by one pattern, and ``mapPaths.getFullFilePath`` gives up on a file name no listed file has
before it searches each folder. Each test holds a shortcut to what the plain way answers.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_pymxs import MockMax, install, vfs
from mock_pymxs.pymxs_module import mxstoken
from mock_pymxs.runtime import resolve_map_path
from mock_pymxs.session import THREAD_MESSAGE
from mock_pymxs.vfs import VirtualFiles

# -- every kind of crossing refuses a thread without mxstoken ----------------------------------


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[MockMax]:
    mock = install("demo", plugcfg_dir=tmp_path)
    yield mock
    mock.uninstall()


def _crossings(rt: Any) -> dict[str, Callable[[], object]]:
    """One crossing of each kind, through wrappers the main thread got (not counted here)."""
    renderer = rt.renderers.current  # MaxObject (a renderer)
    bitmap = next(iter(rt.getClassInstances(rt.Bitmaptexture)))  # MaxObject (a map)
    light = next(iter(rt.lights))  # Node
    map_paths = rt.mapPaths  # Interface
    full_path = map_paths.getFullFilePath  # Function
    class_of = rt.classOf
    return {
        "rt.lights": lambda: rt.lights,  # a runtime global
        "get Bitmaptexture.filename": lambda: bitmap.filename,  # a map's table property
        "get Bitmaptexture.name": lambda: bitmap.name,  # a map's name (not in its table)
        "get V_Ray_6__update_2_1.system_distributedRender":
            lambda: renderer.system_distributedRender,
        "get VRayLight.isHidden": lambda: light.isHidden,  # a node property
        "get mapPaths.getFullFilePath": lambda: map_paths.getFullFilePath,  # an interface's
        "call mapPaths.getFullFilePath": lambda: full_path("fabric_sofa.jpg"),  # a method
        "call classOf": lambda: class_of(light),  # a global function
        "set VRayLight.isHidden": lambda: setattr(light, "isHidden", False),  # a write
        "get VRayLight.name": lambda: light.getmxsprop("name"),  # pymxs' explicit read
    }


def _in_thread(fn: Callable[[], object], *, token: bool) -> BaseException | None:
    caught: list[BaseException] = []

    def work() -> None:
        try:
            if token:
                with mxstoken():
                    fn()
            else:
                fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            caught.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return caught[0] if caught else None


def test_every_kind_of_crossing_refuses_a_thread_without_mxstoken(demo: MockMax) -> None:
    rt = demo.runtime
    for name, cross in _crossings(rt).items():
        demo.calls.reset()
        refused = _in_thread(cross, token=False)
        assert isinstance(refused, RuntimeError) and str(refused) == THREAD_MESSAGE, name
        assert demo.calls.total == 0, name  # refused before it is counted
        assert _in_thread(cross, token=True) is None, name
        assert demo.calls[name] == 1, name
        assert demo.calls.total == 1, name
        refused_again = _in_thread(cross, token=False)  # the token went with its block
        assert isinstance(refused_again, RuntimeError), name


def test_the_main_thread_crosses_after_its_own_mxstoken_and_a_reset(demo: MockMax) -> None:
    rt = demo.runtime
    with mxstoken():
        _ = rt.lights
    demo.calls.reset()
    _ = rt.lights
    bitmap = next(iter(rt.getClassInstances(rt.Bitmaptexture)))
    _ = bitmap.filename
    assert demo.calls.snapshot() == {"rt.lights": 1, "rt.getClassInstances": 1,
                                     "rt.Bitmaptexture": 1, "call getClassInstances": 1,
                                     "get Bitmaptexture.filename": 1}


def test_a_thread_refused_while_another_holds_the_token(demo: MockMax) -> None:
    rt = demo.runtime
    entered, done = threading.Event(), threading.Event()
    seen: list[BaseException | None] = []

    def holder() -> None:
        with mxstoken():
            entered.set()
            done.wait(10)

    keeper = threading.Thread(target=holder)
    keeper.start()
    try:
        assert entered.wait(10)
        seen.append(_in_thread(lambda: rt.lights, token=False))
    finally:
        done.set()
        keeper.join()
    assert isinstance(seen[0], RuntimeError)


# -- absolute paths: one pattern, the string tests' answers ------------------------------------


def plain_is_absolute(path: str) -> bool:
    r"""``C:\`` with an ASCII letter, or two separators, either kind (the rule as written)."""
    head = path[:3].replace("/", "\\")
    return head.startswith("\\\\") or (
        len(head) == 3 and head[1:] == ":\\" and head[0].isascii() and head[0].isalpha())


def test_absolute_paths_are_told_as_the_string_tests_tell_them() -> None:
    alphabet = ["C", "z", "1", "é", "Ä", "\u017f", ":", "\\", "/", " ", ".", "\n"]
    texts = ["".join(p) for n in range(5) for p in itertools.product(alphabet, repeat=n)]
    wrong = [t for t in texts if vfs.is_absolute(t) != plain_is_absolute(t)]
    assert wrong == []
    assert vfs.is_absolute("C:\\a") and vfs.is_absolute("//srv/s") and vfs.is_absolute("\\/x")
    assert not vfs.is_absolute("é:\\a") and not vfs.is_absolute("C:a")


# -- mapPaths.getFullFilePath: a name no listed file has is found nowhere -----------------------


def plain_resolve(files: VirtualFiles, map_paths: list[str], scene_path: str, path: str) -> str:
    """``resolve_map_path`` as its rule reads: every folder searched, both spellings."""
    if not path:
        return ""
    absolute = vfs.is_absolute(path)
    if absolute and files.is_file(path):
        return path
    name = vfs.basename(path)
    rel = name if absolute else path
    folders = ([vfs.normalize(scene_path).rsplit("\\", 1)[0]] if scene_path else []) + list(
        map_paths)
    for folder in folders:
        for candidate in dict.fromkeys((vfs.join(folder, rel), vfs.join(folder, name))):
            if files.is_file(candidate):
                return candidate
    return ""


def test_map_paths_resolve_as_every_folder_searched_while_files_change() -> None:
    rng = random.Random(7)
    folders = ["D:\\maps", "\\\\fs\\share\\tex", "C:\\scenes", "C:\\scenes\\sub", "C:\\"]
    names = ["a.jpg", "B.PNG", "sub", "c d.exr", "Ä.tif", "maps", ""]

    def some_path() -> str:
        shape = rng.randrange(5)
        name = rng.choice(names)
        if shape == 0:
            return name
        if shape == 1:
            return f"sub\\{name}"
        folder = rng.choice(folders)
        text = f"{folder}\\{name}" if shape == 2 else f"{folder}/{name}/"
        return text.upper() if rng.random() < 0.3 else text

    files = VirtualFiles()
    for _ in range(3000):
        action = rng.random()
        if action < 0.25:
            files.add(some_path())
        elif action < 0.35:
            listed = list(files._files.values())
            if listed:
                files.remove(rng.choice(listed))
        else:
            map_paths = rng.sample(folders, rng.randrange(3))
            scene = rng.choice(["", "C:\\scenes\\s.max", "\\\\fs\\share\\x.max"])
            path = some_path()
            assert resolve_map_path(files, map_paths, scene, path) == plain_resolve(
                files, map_paths, scene, path), (path, map_paths, scene)


def test_a_name_is_held_by_any_folder_and_forgotten_when_removed() -> None:
    files = VirtualFiles(["D:\\maps\\Wood.JPG"])
    assert files.holds_name("wood.jpg") and not files.holds_name("stone.jpg")
    files.add("\\\\fs\\s\\Stone.jpg")  # after the names were asked for
    assert files.holds_name("STONE.JPG")
    files.remove("d:/maps/wood.jpg")
    assert not files.holds_name("wood.jpg")
    assert resolve_map_path(files, ["D:\\maps"], "", "stone.jpg") == ""
    assert resolve_map_path(files, ["\\\\fs\\s"], "", "C:\\x\\stone.jpg") == "\\\\fs\\s\\stone.jpg"


def test_a_path_found_as_given_is_an_absolute_listed_file_while_files_change() -> None:
    rng = random.Random(11)
    spellings = ["D:\\maps\\a.jpg", "d:/MAPS/a.jpg", "D:\\maps\\\\a.jpg\\", "maps\\a.jpg",
                 "\\\\fs\\s\\b.png", "//FS/s/b.png", "C:\\b.png", "C:b.png", "", "a.jpg",
                 "\u017f:\\a.jpg", "D:\\maps"]
    files = VirtualFiles(rng.sample(spellings, 4))
    for _ in range(2000):
        path = rng.choice(spellings)
        action = rng.random()
        if action < 0.2:
            files.add(path)
        elif action < 0.3 and files.is_file(path):
            files.remove(path)
        assert files.found_as_given(path) == (vfs.is_absolute(path) and files.is_file(path)), \
            path


def test_get_full_file_path_answers_as_resolve_map_path(demo: MockMax) -> None:
    rt, st = demo.runtime, demo.scene
    full_path = rt.mapPaths.getFullFilePath
    paths = [*st.files._files.values(), *st.files._spelled, "fabric_sofa.jpg", "",
             "C:\\nowhere\\fabric_sofa.jpg", "D:/TEXTURES/concrete_wall.png", "textures"]
    for path in paths:
        assert full_path(path) == resolve_map_path(st.files, st.map_paths, st.scene_path,
                                                   path), path
    st.files.remove(paths[0])
    assert full_path(paths[0]) == resolve_map_path(st.files, st.map_paths, st.scene_path,
                                                   paths[0])


# -- a map's or material's property read: the class's reads kept per spelling ------------------


def _answer(read: Callable[[], object]) -> object:
    try:
        value = read()
    except Exception as exc:  # noqa: BLE001 - the answer compared is the error itself
        return ("raised", type(exc).__name__, str(exc))
    return (type(value).__name__, str(value))


def _reads_as_plain(mock: MockMax, make: Callable[[], Any], spellings: list[str],
                    label: str) -> None:
    """Each spelling, twice (the second from the class's kept reads), read through a fresh
    wrapper from ``make`` answers and counts as ``_Counted.__getattr__``, the plain read."""
    from mock_pymxs.values import _Counted

    for name in spellings * 2:
        wrapper = make()
        mock.calls.reset()
        fast = _answer(lambda w=wrapper, n=name: getattr(w, n))
        fast_calls = mock.calls.snapshot()
        mock.calls.reset()
        plain = _answer(lambda w=wrapper, n=name: _Counted.__getattr__(w, n))
        assert (fast, fast_calls) == (plain, mock.calls.snapshot()), (label, name)


@pytest.mark.parametrize("scene", ["demo", "gpu", "clean", "scanline"])
def test_an_object_s_reads_answer_and_count_as_the_plain_read(tmp_path: Path,
                                                              scene: str) -> None:
    # MaxObject.__getattr__ finds a spelling read before without a call, and a map's or
    # material's name without _get; the plain read is _Counted.__getattr__ (count, then _get).
    from mock_pymxs.values import MaxObject

    mock = install(scene, plugcfg_dir=tmp_path)
    st = mock.scene
    objs = list(st.all_objects())
    objs += [o.sub for o in (st.current, st.production) if o is not None and o.sub]
    objs += st.missing_objects[:3]
    kept = {id(o.cls): (o.cls, dict(o.cls.reads)) for o in objs}  # the classes are shared
    try:
        rng = random.Random(scene)
        for o in objs:
            spellings = ["name", "NAME", "Name", "classID", "classid", "filename", "FileName",
                         "HDRIMapName", "nope", "_private", "__dunder__", "V_Ray_settings",
                         *(p.name for p in o.cls.props),
                         *("".join(rng.choice((c.lower(), c.upper())) for c in p.name)
                           for p in o.cls.props)]
            _reads_as_plain(mock, lambda o=o: MaxObject(mock._session, o), spellings,
                            o.cls.name)
    finally:
        mock.uninstall()
        for cls, reads in kept.values():
            cls.reads.clear()
            cls.reads.update(reads)


def test_a_name_python_keeps_for_itself_is_never_a_kept_read(demo: MockMax) -> None:
    # A plugin class known from a scene file takes the property names the file gives, "_x"
    # too; Python keeps "_..." names for the wrapper itself, so reading one through Python
    # is refused, even after the class's read of it was asked for directly.
    from mock_pymxs import classes
    from mock_pymxs.state import ObjState
    from mock_pymxs.values import MaxObject

    info = classes.declared_class("Foo_Scatter", classes.GEOMETRY, {"_x": 1, "y": 2})  # new
    wrapper = MaxObject(demo._session, ObjState(info))
    assert info.read_of("_x") == ("get Foo_Scatter._x", "_x", False)
    assert info.read_of("y") == ("get Foo_Scatter.y", "y", False)
    assert wrapper.y == 2
    with pytest.raises(AttributeError):
        _ = wrapper._x


# -- the client's files listed at C speed, their folders made when first asked ----------------


def test_paths_are_normalized_at_c_speed_as_one_by_one() -> None:
    alphabet = ["C", "\u0130", ":", "\\", "/", " ", "."]
    texts = ["".join(p) for n in range(6) for p in itertools.product(alphabet, repeat=n)]
    assert vfs._normalized(texts) == [vfs.normalize(t) for t in texts]


def _answers(files: VirtualFiles, probes: list[str]) -> list[object]:
    return [(files.is_file(p), files.exists(p), files.found_as_given(p),
             files.holds_name(vfs.basename(p)) if p else None,
             files.matching(p, "*"), files.matching(p, "?.JPG")) for p in probes]


def test_files_listed_at_once_or_one_by_one_answer_the_same_while_they_change() -> None:
    rng = random.Random(3)
    parts = ["C:", "c:", "D:", "\\\\fs\\share", "//FS/share", "sub", "Sub", "a.jpg", "B.JPG",
             "c d.exr", "\u00c4.tif", "\u0130.png", ""]
    for _ in range(60):
        paths = ["\\".join(rng.choice(parts) for _ in range(rng.randrange(1, 5)))
                 + rng.choice(["", "\\", "/"]) for _ in range(rng.randrange(1, 30))]
        at_once = VirtualFiles(paths)
        one_by_one = VirtualFiles()
        for path in paths:
            one_by_one.add(path)
        eager = VirtualFiles(paths)
        eager.exists("")  # its folders made now: kept up to date by every change below
        assert at_once._files == one_by_one._files
        assert list(at_once._files) == list(one_by_one._files)
        assert at_once._spelled == one_by_one._spelled
        for _ in range(20):
            path = rng.choice([*paths, *at_once._files.values(), "C:\\sub\\a.jpg"])
            if rng.random() < 0.5:
                for files in (at_once, one_by_one, eager):
                    files.add(path)
            elif at_once.is_file(path):
                for files in (at_once, one_by_one, eager):
                    files.remove(path)
            probes = rng.sample([*paths, *at_once._files.values(), "C:", "c:\\", "C:\\SUB",
                                 "\\\\fs\\share", "\\\\FS\\share\\sub"], 6)
            if rng.random() < 0.3:  # the folders asked for at a random point
                assert _answers(at_once, probes) == _answers(eager, probes)
            assert _answers(one_by_one, probes) == _answers(eager, probes)
        fresh = VirtualFiles(list(at_once._files.values()))
        assert _folders(at_once) == _folders(eager) == _folders(fresh)


def _folders(files: VirtualFiles) -> object:
    """The folders as made from the files (a folder emptied by a removal stays, empty)."""
    dirs, in_folder = files._folders()
    return dirs, {folder: names for folder, names in in_folder.items() if names}


def test_a_file_under_the_root_beside_a_name_alone_counts_in_the_root() -> None:
    # Before: "\\x.jpg" and "a.jpg" were one folder's files, counted with "a.jpg"'s parents
    # (none): the root held nothing, and removing "\\x.jpg" raised KeyError.
    files = VirtualFiles(["a.jpg", "\\x.jpg"])
    assert files.exists("\\")
    files.remove("\\x.jpg")
    assert not files.exists("\\") and files.is_file("a.jpg")


def test_a_name_alone_and_the_same_name_under_the_root_are_two_files() -> None:
    # Before: both held one place in the folder "" (removing the second raised KeyError).
    files = VirtualFiles(["c d.exr", "\\c d.exr", "C:\\c d.exr"])
    files.exists("C:\\")  # the folders made
    files.remove("c d.exr")
    assert files.is_file("\\c d.exr") and files.exists("\\")
    files.remove("\\c d.exr")
    assert not files.exists("\\") and files.matching("C:\\", "*") == ["C:\\c d.exr"]


def test_objects_wrapped_by_column_are_the_wrappers_made_one_by_one(demo: MockMax) -> None:
    from mock_pymxs.values import MaxObject, wrap_objects

    session, objs = demo._session, demo.scene.all_objects()
    fast = wrap_objects(session, objs)
    plain = [MaxObject(session, o) for o in objs]
    assert [type(w) for w in fast] == [type(w) for w in plain]
    assert all(f._s is p._s and f._o is p._o and f == p for f, p in zip(fast, plain, strict=True))
    assert len({id(w) for w in fast}) == len(objs)  # a fresh wrapper each, as pymxs gives
    assert [str(w) for w in fast] == [str(w) for w in plain]
    assert wrap_objects(session, []) == []


@pytest.mark.parametrize("scene", ["demo", "gpu", "clean", "scanline"])
def test_a_node_s_reads_answer_and_count_as_the_plain_read(tmp_path: Path, scene: str) -> None:
    # Node.__getattr__ keeps each class's reads per spelling (count name, getter, property);
    # the plain read is _Counted.__getattr__ (_owner, _canon, then _get).
    from mock_pymxs.values import Node

    mock = install(scene, plugcfg_dir=tmp_path)
    nodes = list(mock.scene.nodes)
    kept = {id(n.base.cls): (n.base.cls, dict(n.base.cls.node_reads)) for n in nodes}
    try:
        rng = random.Random(scene)
        for node in nodes:
            props = [p.name for p in node.base.cls.props]
            spellings = ["name", "NAME", "isHidden", "ishidden", "isFrozen", "renderable",
                         "target", "Material", "baseObject", "layer", "nope", "_private",
                         "__dunder__", "filename", *props,
                         *("".join(rng.choice((c.lower(), c.upper())) for c in p) for p in props)]
            _reads_as_plain(mock, lambda n=node: Node(mock._session, n), spellings, str(node))
    finally:
        mock.uninstall()
        for cls, reads in kept.values():
            cls.node_reads.clear()
            cls.node_reads.update(reads)
