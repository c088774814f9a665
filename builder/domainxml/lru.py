"""A bounded memory of recent results, shared by the threads of a process (least recently used go).

The preview recomputes things on every keystroke that mostly have not changed since the last one;
what is kept here is keyed by the texts it was made from, so an edit anywhere is a new key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Kept(Generic[T]):
    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()  # app server threads (GUNICORN_THREADS) share it

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept for `key`, or make() (made outside the lock: two threads may both make it)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
