"""A backend attribute that Django (or its test suite) may assign at run time, and whose
new value the backend must take into account at once: assigning it calls the backend's
``_rebuild()``. Shared by PolyCache and TieredCache."""
from __future__ import annotations

from typing import Any


def rebuilding_setting(name: str) -> property:
    slot = "_setting_" + name

    def get(self: Any) -> Any:
        return self.__dict__[slot]

    def set_(self: Any, value: Any) -> None:
        self.__dict__[slot] = value
        self._rebuild()

    return property(get, set_)
