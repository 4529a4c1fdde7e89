"""A large synthetic city for the scale benchmarks: the demo city's generator, tiled.

The demo city (:mod:`samtrygg.demo.geography`, 25 districts) is copied side by side in a grid until there
are ``areas`` districts ("tiles" 30 km apart; the last tile may keep only some of its districts), under one
city-wide area that contains them all (so every report also counts in two areas, as in the demo). Each
tile × year is one call of :func:`samtrygg.demo.generator.generate` (seasons, weekday/hour profiles,
outbreaks, organisations and descriptions as in the demo) with its own seed, shifted to its tile and thinned
to the number of reports wanted, so the data of a given tile and year is the same whatever the total length:
a 2-year city is the last two years of the 10-year city at the same density.

Loading goes through the normal import path: each chunk becomes an import table of text cells (as an
uploaded file or an API bulk request does), is checked by :func:`samtrygg.imports.validation.validate`
(organisation, category, time, coordinates, personal-data scan, point-in-polygon) and written by
:func:`samtrygg.imports.importer.import_validated` (reports, area/place links, the pre-aggregated counts,
one audit entry per chunk), one transaction per chunk.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import shapely
from django.db import connection, transaction

from samtrygg.analysis import geo
from samtrygg.areas.models import Area
from samtrygg.imports import importer
from samtrygg.imports.parsing import Table
from samtrygg.imports.validation import load_context, validate

from . import generator, geography, loader

TILE_SPACING = 30_000.0  # metres between copies of the demo town
CODE_PREFIX = "scale-"
CITY_CODE = "scale-city"
SECONDS_PER_YEAR = 365.25 * 24 * 3600


@dataclass
class Tile:
    index: int
    dx: float
    dy: float
    districts: list[int]  # indices into geography.districts kept in this tile


@dataclass
class Progress:
    chunks: int = 0
    reports: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.reports / self.seconds if self.seconds else 0.0


def tiles(areas: int) -> list[Tile]:
    n_districts = len(geography.build().districts)
    count = math.ceil(areas / n_districts)
    columns = math.ceil(math.sqrt(count))
    out = []
    for t in range(count):
        keep = min(n_districts, areas - t * n_districts)
        out.append(Tile(t, (t % columns) * TILE_SPACING, (t // columns) * TILE_SPACING, list(range(keep))))
    return out


def ensure_areas(layout: list[Tile]) -> None:
    """The city-wide area and one district area per kept district of every tile (idempotent)."""
    geo_ = geography.build()
    shapes = []
    specs = []
    for tile in layout:
        for d in tile.districts:
            district = geo_.districts[d]
            shapes.append(shapely.transform(district.polygon, lambda c, t=tile: c + np.array([t.dx, t.dy])))
            specs.append((f"{CODE_PREFIX}{tile.index}-{district.code}",
                          f"{district.spec.name} {tile.index + 1}", district.spec.population))
    city = Area.objects.filter(code=CITY_CODE).first() or Area(code=CITY_CODE)
    city.name, city.kind, city.population, city.is_active = "Storstaden", "municipality", \
        sum(p for *_, p in specs), True
    city.set_geometry(shapely.box(*shapely.total_bounds(shapes)).buffer(100))
    city.save()
    for (code, name, population), shape in zip(specs, shapes, strict=True):
        area = Area.objects.filter(code=code).first() or Area(code=code)
        area.name, area.kind, area.population, area.parent, area.is_active = name, "district", population, city, True
        area.set_geometry(shape)
        area.save()


def _seed(seed: int, tile: int, year: int) -> int:
    return seed * 100_003 + tile * 1_009 + year


def chunks(*, areas: int, years: int, reports: int, end: dt.datetime, seed: int = 1) -> Iterator[Table]:
    """Import tables in time order (oldest year first), one per year × tile."""
    geo_ = geography.build()
    layout = tiles(areas)
    orgs = [code for code, *_ in generator.ORGS]
    per_year = reports / years
    kept_share = [len(t.districts) / len(geo_.districts) for t in layout]
    # Reports per tile-year in proportion to its kept districts (weighted by the demo's own mix below).
    base = len(generator.generate(geo_, seed=_seed(seed, 0, 0), years=1.0, end=end, scale=0.1)) * 10
    total_share = sum(kept_share)
    for k in range(years - 1, -1, -1):  # k years before `end`; oldest first
        chunk_end = end - dt.timedelta(seconds=k * SECONDS_PER_YEAR)
        chunk_start = chunk_end - dt.timedelta(seconds=SECONDS_PER_YEAR)
        for tile, share in zip(layout, kept_share, strict=True):
            want = round(per_year * share / total_share)
            scale = 1.15 * want / (base * share)
            data = generator.generate(geo_, seed=_seed(seed, tile.index, k), years=1.0, end=chunk_end,
                                      scale=scale)
            start64 = np.datetime64(chunk_start.astimezone(dt.UTC).replace(tzinfo=None), "s")
            keep = (data.occurred_at > start64) & np.isin(data.district, tile.districts)
            idx = np.flatnonzero(keep)
            rng = np.random.default_rng(_seed(seed, tile.index, k) + 7)
            if len(idx) > want:
                idx = np.sort(rng.choice(idx, want, replace=False))
            yield _table(data, idx, tile, orgs)


def _table(data: generator.DemoReports, idx: np.ndarray, tile: Tile, orgs: list[str]) -> Table:
    when = np.datetime_as_string(data.occurred_at[idx], unit="s")
    x = data.x[idx] + tile.dx
    y = data.y[idx] + tile.dy
    rows = [
        {"occurred_at": f"{w}+00:00", "category": c, "x": f"{xx:.1f}", "y": f"{yy:.1f}",
         "organization": orgs[o], "quantity": str(q), "description": d}
        for w, c, xx, yy, o, q, d in zip(when.tolist(), data.category[idx].tolist(), x.tolist(), y.tolist(),
                                         data.organization[idx].tolist(), data.quantity[idx].tolist(),
                                         data.description[idx].tolist(), strict=True)
    ]
    columns = ["occurred_at", "category", "x", "y", "organization", "quantity", "description"]
    return Table(columns, rows, list(range(2, len(rows) + 2)), "line", geo.SWEREF)


def generate_scale(*, areas: int = 100, years: int = 10, reports: int = 5_000_000, seed: int = 1,
                   end: dt.datetime | None = None,
                   progress: Callable[[Progress, int], None] | None = None) -> Progress:
    """Create the areas and load the reports through the importer. Returns counts and timing."""
    if areas < 1 or years < 1 or reports < 0:
        raise ValueError("areas and years must be at least 1, reports not negative")
    end = end or dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        loader.ensure_organizations()
        loader.ensure_sensitive_category()
        ensure_areas(tiles(areas))
    if connection.vendor == "postgresql":
        # A bulk load: commits need not wait for the disk (a crash loses at most the last chunks, never
        # consistency). Only this session; the importer itself is unchanged.
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    ctx = load_context(crs=geo.SWEREF)
    done = Progress()
    for table in chunks(areas=areas, years=years, reports=reports, end=end, seed=seed):
        started = time.perf_counter()
        v = validate(table, ctx)
        if v.errors:
            line, reason = v.errors[0]
            raise ValueError(f"generated row {line} was refused: {reason}")
        importer.import_validated(v, source="import", summary="generate-scale")
        done.seconds += time.perf_counter() - started
        done.chunks += 1
        done.reports += v.valid
        if progress is not None:
            progress(done, v.valid)
    if connection.vendor == "postgresql":
        # Fresh statistics: before autovacuum gets to the new rows the planner believes the tables are
        # nearly empty and picks sequential scans (the report list took 2.8 s instead of 0.1 s at 1M).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return done
