"""The add-on configures the documented components without overriding users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object

from scrapy_newsclean import Addon, ErrorPageMiddleware

README = Path(__file__).resolve().parents[1] / "README.md"


def documented_manual_configuration() -> dict[str, Any]:
    """The README's "By hand, without the add-on" settings block, executed."""
    text = README.read_text(encoding="utf-8")
    block = text.split("By hand, without the add-on", 1)[1]
    code = block.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return {k: v for k, v in namespace.items() if k.isupper()}


MANUAL = documented_manual_configuration()


def test_manual_configuration_names_every_component() -> None:
    assert sorted(MANUAL) == [
        "DOWNLOADER_MIDDLEWARES",
        "EXTENSIONS",
        "ITEM_PIPELINES",
        "SPIDER_MIDDLEWARES",
    ]


def components(settings: Settings, name: str) -> list[Any]:
    """The enabled components in order, import strings resolved to classes."""
    return [
        load_object(path) if isinstance(path, str) else path
        for path in build_component_list(settings.getwithbase(name))
    ]


def with_addon(user: dict[str, Any]) -> Settings:
    settings = Settings(user)
    Addon().update_settings(settings)
    return settings


@pytest.mark.parametrize("name", sorted(MANUAL))
def test_addon_equals_documented_manual_configuration(name: str) -> None:
    assert components(with_addon({}), name) == components(Settings(MANUAL), name)


def test_user_priority_is_kept() -> None:
    user = {"DOWNLOADER_MIDDLEWARES": {"scrapy_newsclean.ErrorPageMiddleware": 10}}
    settings = with_addon(user)
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares == {"scrapy_newsclean.ErrorPageMiddleware": 10}


def test_user_can_disable_one_component() -> None:
    user = {"DOWNLOADER_MIDDLEWARES": {ErrorPageMiddleware: None}}
    settings = with_addon(user)
    assert ErrorPageMiddleware not in components(settings, "DOWNLOADER_MIDDLEWARES")


def test_master_switch_leaves_settings_alone() -> None:
    settings = Settings({"NEWSCLEAN_ENABLED": False})
    with pytest.raises(NotConfigured) as excinfo:
        Addon().update_settings(settings)
    assert excinfo.value.args == ()  # bare: Scrapy logs no warning
    assert settings.getdict("DOWNLOADER_MIDDLEWARES") == {}
