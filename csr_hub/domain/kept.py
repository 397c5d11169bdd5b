"""A bounded, thread-safe keep of values built once per process (the least recently used go first)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Iterable, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    """At most ``size`` values by key (a number, or what a function returns when values are stored: a
    setting read then); a value found or stored is the most recent. Safe across a worker's threads."""

    def __init__(self, size: int | Callable[[], int]) -> None:
        self._rows: OrderedDict[Hashable, V] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._rows.get(key)
            if found is not None:
                self._rows.move_to_end(key)
            return found

    def get_many(self, keys: Iterable[Hashable]) -> list[V | None]:
        with self._lock:
            return [self._rows.get(key) for key in keys]

    def put(self, *pairs: tuple[Hashable, V]) -> None:
        with self._lock:
            for key, value in pairs:
                self._rows[key] = value
                self._rows.move_to_end(key)
            size = self._size() if callable(self._size) else self._size
            while len(self._rows) > size:
                self._rows.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)
