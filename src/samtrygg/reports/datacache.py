"""Results computed from the reports, cached under the data's fingerprint.

The weekly picture, the signals, the quarterly ranking and the hotspot grid are read far more often than
the reports change (every coordinator opens the same week on Monday; an analyst recomputes the ranking
for every change of weights). They are cached in Django's cache (shared by every app process when that
is Redis, per process otherwise) under a key made of what the result depends on, the language, and two
versions of the data: :func:`~samtrygg.reports.aggregates.fingerprint` (any new, changed or deleted report,
or a changed area outline) and :func:`reference_version` (areas, categories and organisations: their names,
severities, populations, sensitivity), so any change computes it afresh. Nothing cached here decides
anything: a cold or evicted cache only costs time.
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


def reference_version() -> str:
    """Changes when an area, category or organisation is added, renamed, re-weighted, moved or switched off
    (three small tables, read whole: a few hundred rows at most)."""
    from samtrygg.accounts.models import Organization
    from samtrygg.areas.models import Area
    from samtrygg.categories.models import Category

    rows = (
        list(Area.objects.order_by("id").values_list("id", "code", "name", "kind", "parent_id", "population",
                                                      "is_active")),
        list(Category.objects.order_by("id").values_list("id", "code", "name", "name_en", "sort_order",
                                                          "severity", "sensitivity", "is_active")),
        list(Organization.objects.order_by("id").values_list("id", "code", "name", "sees_sensitive",
                                                              "is_active")),
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def versions() -> tuple[str, str]:
    """The data's two versions (five small index reads); read once when one request uses several caches."""
    return aggregates.fingerprint(), reference_version()


def key(namespace: str, *parts, data_versions: tuple[str, str] | None = None) -> str:
    """The cache key of a result: its namespace, what it depends on, the language and the data's versions."""
    text = repr((parts, get_language(), data_versions or versions()))
    return f"{namespace}:{hashlib.sha256(text.encode()).hexdigest()}"


def cached(namespace: str, parts: tuple, compute: Callable[[], T], *, seconds: int = SECONDS,
           data_versions: tuple[str, str] | None = None) -> T:
    """``compute()``'s result for ``parts``, from the cache when the data has not changed since (give
    ``data_versions`` from :func:`versions` to read them once for several results). A result of None (the
    computation failed and said why elsewhere) is not kept."""
    cache_key = key(namespace, *parts, data_versions=data_versions)
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(cache_key, value, seconds)
    return value
