"""Small-count suppression for published aggregate tables (no Django).

A count of 1–4 is shown as ``"<5"``: with so few incidents in one area, category and month, a reader who
knows the neighbourhood might tell who or what is meant. Zero is shown as 0: it says nothing about anyone,
and "none" and "a few" mean different things to a reader.

Suppressing cells is only half the job: a published total (a row or column sum, or a larger area that is
the sum of smaller ones) gives a suppressed cell back by subtraction. Callers therefore publish no sums
over suppressed cells (see :mod:`samtrygg.opendata.counts`).
"""

from __future__ import annotations

MIN_COUNT = 5
SUPPRESSED = f"<{MIN_COUNT}"


def shown(count: int, minimum: int = MIN_COUNT) -> int | str:
    """The count as published: 0 and counts of ``minimum`` or more as they are, 1 … minimum-1 as "<minimum"."""
    if count < 0:
        raise ValueError(f"a count cannot be negative: {count}")
    if is_small(count, minimum):
        return f"<{minimum}"
    return int(count)


def is_small(count: int, minimum: int = MIN_COUNT) -> bool:
    """1 … minimum-1: a count that is published as "<minimum" (0 says nothing about anyone)."""
    return 0 < count < minimum


def is_suppressed(value: int | str) -> bool:
    return isinstance(value, str)
