"""A month of a large city's reports, written straight into the table (one executemany, no area links or audit):
the map's browser test and benchmarks/map_clustering.py need tens of thousands of points quickly, not the import
path (bulk_create spends seconds preparing 20 000 model instances on a busy machine)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

CENTRE_X, CENTRE_Y = 647_800.0, 6_638_600.0  # the test city (tests.factories)
CODES = ["klotter", "skadegorelse", "nedskrapning", "stold", "ordningsstorning", "belysning", "brand"]


def bulk_month(organization, n: int, *, year: int = 2025, month: int = 3, seed: int = 7) -> int:
    """``n`` reports in ``month``: 60 % spread over 12 × 12 km, 40 % in eight hotspots (σ 300 m)."""
    from django.db import connection, transaction

    from samtrygg.analysis.geo import sweref_to_wgs84
    from samtrygg.categories.models import Category
    from samtrygg.reports.models import Report, Source

    rng = np.random.default_rng(seed)
    spread = int(n * 0.6)
    x = np.concatenate([rng.uniform(-6000, 6000, spread), np.zeros(n - spread)])
    y = np.concatenate([rng.uniform(-6000, 6000, spread), np.zeros(n - spread)])
    hot = rng.uniform(-4000, 4000, (8, 2))
    which = rng.integers(0, 8, n - spread)
    x[spread:] = hot[which, 0] + rng.normal(0, 300, n - spread)
    y[spread:] = hot[which, 1] + rng.normal(0, 300, n - spread)
    x, y = x + CENTRE_X, y + CENTRE_Y
    lon, lat = sweref_to_wgs84(x, y)
    start = datetime(year, month, 1, tzinfo=UTC).timestamp()
    seconds = rng.uniform(0, 28 * 86400, n)
    ids = dict(Category.objects.filter(code__in=CODES).values_list("code", "id"))
    cats = [ids[c] for c in CODES]
    now = connection.ops.adapt_datetimefield_value(datetime.now(UTC))
    rows = [(organization.pk, cats[i % len(cats)],
             connection.ops.adapt_datetimefield_value(datetime.fromtimestamp(start + seconds[i], tz=UTC)),
             float(x[i]), float(y[i]), float(lat[i]), float(lon[i]), now, now) for i in range(n)]
    table = Report._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (organization_id, category_id, occurred_at, x, y, lat, lon, created_at, updated_at, "
            f"source, quantity, description, attributes) "
            f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, '{Source.IMPORT}', 1, '', '{{}}')", rows)
    return n
