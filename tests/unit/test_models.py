from __future__ import annotations

import pytest
from pydantic import ValidationError

from vrdr_max.models import AssetTransfer, DRSettings, RenderServer
from vrdr_max.ports import Engine, Mode, default_port, port_role


def test_default_ports_follow_engine_and_mode() -> None:
    assert DRSettings().default_port == 20204
    assert DRSettings(engine=Engine.GPU).default_port == 20206
    assert DRSettings(mode=Mode.DR2).default_port == 20208
    assert DRSettings(engine=Engine.GPU, mode=Mode.DR2).default_port == 20209
    assert default_port() == 20204
    assert port_role(20206) == "DR GPU"
    assert port_role(12345) is None


def test_add_server_uses_default_port_and_never_duplicates() -> None:
    settings = DRSettings()
    assert settings.add_server("render01")
    assert not settings.add_server("RENDER01", 20204)  # names compare case-insensitively
    assert settings.add_server("render01", 20205, enabled=False)
    assert [(s.host, s.port, s.enabled) for s in settings.servers] == [
        ("render01", 20204, True), ("render01", 20205, False)]


def test_remove_and_enable_by_host_or_port() -> None:
    settings = DRSettings()
    for port in (20204, 20205, 20206):
        settings.add_server("numa01", port)
    settings.add_server("other")
    assert settings.set_server_enabled("numa01", 20205, enabled=False) == 1
    assert [s.port for s in settings.enabled_servers if s.host == "numa01"] == [20204, 20206]
    assert settings.remove_server("numa01") == 3
    assert [s.host for s in settings.servers] == ["other"]
    assert settings.remove_server("absent") == 0


@pytest.mark.parametrize("bad", [{"host": "10.0.0.300", "port": 1}, {"host": "a;b", "port": 1},
                                 {"host": "ok", "port": 0}, {"host": "ok", "port": 70000}])
def test_render_server_rejects_bad_input(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RenderServer.model_validate(bad)


def test_cache_limit_keeps_what_the_file_can_hold() -> None:
    assert AssetTransfer(cache_limit=1.23456789).cache_limit == 1.234568
    with pytest.raises(ValidationError):
        AssetTransfer(cache_limit=-1)


def test_assignment_is_validated() -> None:
    server = RenderServer(host="render01", port=20204)
    with pytest.raises(ValidationError):
        server.host = "bad host"


def test_adding_many_servers_compares_each_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Adding N servers is linear: no server is compared with every one listed before it.
    looked_up = 0
    key = RenderServer.key

    def counting(self: RenderServer) -> tuple[str, int]:
        nonlocal looked_up
        looked_up += 1
        return key.fget(self)  # type: ignore[attr-defined, no-any-return]

    monkeypatch.setattr(RenderServer, "key", property(counting))
    settings = DRSettings()
    new = [RenderServer(host=f"10.1.{i // 256}.{i % 256}", port=20204) for i in range(400)]
    assert settings.add_servers(new) == 400
    assert settings.add_servers(new[:10]) == 0
    assert looked_up <= 2 * 410


def test_the_default_settings_constructed_are_the_validated_ones() -> None:
    """``vrdr check`` without a cfg constructs the default settings (no validator built)."""
    constructed, validated = DRSettings.model_construct(), DRSettings()
    assert constructed == validated and constructed.model_fields_set == set()
    assert constructed.model_dump(mode="json") == validated.model_dump(mode="json")
    assert type(constructed.servers) is type(validated.servers)
    assert type(constructed.assets) is type(validated.assets)
