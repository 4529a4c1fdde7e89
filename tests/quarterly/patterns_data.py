"""Factory data for the time-pattern and near-repeat tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from samtrygg.quarterly.quarters import Quarter
from tests.factories import CENTRE_X, CENTRE_Y, make_report


def near_repeat_reports(user, quarter: Quarter | None = None, *, category_code="stold", n_seeds=24, seed=1):
    """``n_seeds`` burglaries spread over a 3 km square and over the quarter, each followed 1-4 days later by
    one within 60 m: a clear near-repeat pattern (2 × n_seeds reports)."""
    q = quarter or Quarter.last_complete()
    rng = np.random.default_rng(seed)
    start = q.start().astimezone(UTC) + timedelta(hours=10)
    days = (q.end() - q.start()).days - 6
    reports = []
    for _ in range(n_seeds):
        x = CENTRE_X + rng.uniform(-1500, 1500)
        y = CENTRE_Y + rng.uniform(-1500, 1500)
        when = start + timedelta(days=int(rng.integers(0, days)), hours=int(rng.integers(0, 10)))
        reports.append(make_report(user, category_code=category_code, x=x, y=y, when=when))
        angle = rng.uniform(0, 2 * np.pi)
        reports.append(make_report(user, category_code=category_code, x=x + 50 * np.cos(angle),
                                   y=y + 50 * np.sin(angle), when=when + timedelta(days=int(rng.integers(1, 5)))))
    return reports


def local(year, month, day, hour=12, minute=0):
    from samtrygg.quarterly.quarters import STOCKHOLM

    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)
