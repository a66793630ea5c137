"""Navigation entries contributed by apps (the core imports no app: apps register here from ``AppConfig.ready``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    visible: Callable[[object], bool]
    order: int = 100
    group: str = ""  # items sharing a group label are shown together in one dropdown


_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.key != item.key for existing in _ITEMS):
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: i.order)


def items_for(user) -> list[NavItem]:
    return [item for item in _ITEMS if item.visible(user)]
