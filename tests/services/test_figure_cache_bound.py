"""Without Redis, the report cache keeps at most ``local_bytes`` in the process, dropping the oldest first."""

from __future__ import annotations

from csr_hub.services.reporting.cache import FigureCache


def test_the_local_store_keeps_to_its_byte_bound_oldest_out_first():
    cache = FigureCache(ttl=60, local_bytes=10_000)
    keys = [cache.key("page", i) for i in range(10)]
    for k in keys:
        cache.store(k, "x" * 3000)  # pickled: a little over 3,000 bytes each
    kept = [k for k in keys if cache.lookup(k) is not None]
    assert kept == keys[-3:]  # three fit under 10,000 bytes, the newest
    assert cache._size <= 10_000

    cache.store(keys[-1], "y" * 100)  # replacing an entry counts its new size only
    assert cache.lookup(keys[-1]) == "y" * 100 and cache._size <= 10_000

    cache.store(cache.key("page", "huge"), "z" * 20_000)  # larger than the bound: not kept, nothing dropped
    assert [k for k in keys if cache.lookup(k) is not None] == keys[-3:]

    cache.bump()  # a write: everything goes
    assert cache._size == 0 and all(cache.lookup(cache.key("page", i)) is None for i in range(10))
