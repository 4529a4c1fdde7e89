"""Results computed from the reports, cached under the data's fingerprint.

The weekly picture, the signals, the quarterly ranking and the hotspot grid are read far more often than
the reports change (every coordinator opens the same week on Monday; an analyst recomputes the ranking
for every change of weights). They are cached in Django's cache (shared by every app process when that
is Redis, per process otherwise) under a key made of what the result depends on plus
:func:`~samtrygg.reports.aggregates.fingerprint`, so any new, changed or deleted report, or a changed
area outline, computes it afresh. Nothing cached here decides anything: a cold or evicted cache only
costs time. A caller that builds several cached parts in one request may read the fingerprint once and
pass it along.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

from . import aggregates

T = TypeVar("T")
SECONDS = 300
_MISSING = object()


def key(namespace: str, *parts, fingerprint: str | None = None) -> str:
    """The cache key of a result: its namespace, what it depends on, the language and the data's fingerprint."""
    text = repr((parts, get_language(), fingerprint if fingerprint is not None else aggregates.fingerprint()))
    return f"{namespace}:{hashlib.sha256(text.encode()).hexdigest()}"


def cached(namespace: str, parts: tuple, compute: Callable[[], T], *, seconds: int = SECONDS,
           fingerprint: str | None = None) -> T:
    """``compute()``'s result for ``parts``, from the cache when the data has not changed since."""
    cache_key = key(namespace, *parts, fingerprint=fingerprint)
    value = cache.get(cache_key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(cache_key, value, seconds)
    return value
