"""Results computed from the reports, cached under the versions of the data they read.

The weekly picture, the signals, the quarterly ranking, the hotspot grid and the map's clusters are read far
more often than the reports they count change (every coordinator opens the same week on Monday; an analyst
recomputes the ranking for every change of weights). They are cached in Django's cache (shared by every app
process when that is Redis, per process otherwise) under a key made of what the result depends on, the
language, and two versions of the data:

- :func:`~samtrygg.reports.aggregates.fingerprint` of the *weeks the result reads* (``window``): raised by
  every new, changed or deleted report in those weeks, so a report arriving today leaves last week's
  picture and last quarter's ranking cached, while a report back-dated into last week recomputes them;
- :func:`reference_version`: areas, categories and organisations (names, severities, populations,
  sensitivity).

Nothing cached here decides anything: a cold or evicted cache only costs time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

from . import aggregates

T = TypeVar("T")
SECONDS = 300
Window = tuple[date | None, date | None]
Versions = tuple[str, str]


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


def versions(window: Window = (None, None)) -> Versions:
    """The data's versions for results reading the weeks of ``window`` (first and last day; None = open);
    read once when one request fills several caches over the same weeks."""
    return aggregates.fingerprint(*window), reference_version()


def key(namespace: str, *parts, data_versions: Versions) -> str:
    """The cache key of a result: its namespace, what it depends on, the language and the data's versions."""
    text = repr((parts, get_language(), data_versions))
    return f"{namespace}:{hashlib.sha256(text.encode()).hexdigest()}"


def cached(namespace: str, parts: tuple, compute: Callable[[], T], *, window: Window = (None, None),
           seconds: int = SECONDS, data_versions: Versions | None = None) -> T:
    """``compute()``'s result for ``parts``, from the cache when nothing in the weeks of ``window`` (every
    week by default) nor the reference data has changed since. ``data_versions`` (from :func:`versions`)
    stands in for ``window`` when several results of one request read the same weeks. A result of None
    (the computation failed and said why elsewhere) is not kept."""
    cache_key = key(namespace, *parts, data_versions=data_versions or versions(window))
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(cache_key, value, seconds)
    return value
