"""The host calls the panel added (prompt line, net-render flag, selection), on the mock."""

from __future__ import annotations

import pytest

from mock_pymxs import MAXScriptException, MockMax


def test_prompt_selection_and_net_render_flag(mock_max: MockMax) -> None:
    from vrdr_max.max_host import PymxsHost

    host = PymxsHost()
    host.show_prompt("vrdr: hello")
    assert mock_max.prompts == ["vrdr: hello"]
    assert host.select_nodes(["Floor", "no such node", "Ceiling"]) == 2
    assert mock_max.selection == ["Floor", "Ceiling"]
    assert host.select_nodes([]) == 0
    assert mock_max.selection == []
    assert host.is_network_render() is False  # outside #preRender: nothing to tell

    seen: list[bool] = []
    host.add_callback("preRender", lambda: seen.append(host.is_network_render()))
    mock_max.runtime.execute("max quick render")
    mock_max.net_render = True
    mock_max.runtime.execute("max quick render")
    host.remove_callbacks()
    assert seen == [False, True]


def test_the_mock_refuses_what_max_refuses(mock_max: MockMax) -> None:
    rt = mock_max.runtime
    with pytest.raises(MAXScriptException):
        rt.displayTempPrompt("text", "soon")
    with pytest.raises(MAXScriptException):
        rt.select(["Floor"])  # names are not nodes
    with pytest.raises(MAXScriptException):
        rt.callbacks.addScript(rt.Name("fileMerged"), lambda: None)  # no such event


def test_open_scene_fires_the_file_events_around_the_new_scene(mock_max: MockMax) -> None:
    rt = mock_max.runtime
    order: list[str] = []
    rt.callbacks.addScript(rt.Name("filePreOpen"),
                           lambda: order.append(f"pre {rt.maxFileName}"), id=rt.Name("t"))
    rt.callbacks.addScript(rt.Name("filePostOpen"),
                           lambda: order.append(f"post {rt.maxFileName}"), id=rt.Name("t"))
    mock_max.open_scene("clean")
    assert order == ["pre living_room_v012.max", "post studio_v003.max"]
    assert mock_max.scene_model.scene_path.endswith("studio_v003.max")
