"""How fast is `samtrygg import-reports` on a 100 000-row canonical CSV, next to the raw insert speed?

    python benchmarks/import_reports.py [--rows N]

Runs on a fresh SQLite database in a temporary directory, and also on PostgreSQL when DATABASE_URL names a
PostgreSQL server (the database `bench_imports` on that server is dropped and created; set BENCH_PG_DB to use
another name). Each database is measured in its own subprocess (Django is configured once per process).

Printed per database:
- importer: the full command-line path (read, validate, project, point-in-polygon, insert reports and their
  area/place links, audit) — `call_command("import_reports", FILE, "--org", CODE)`;
- re-import: the same file again (every row matched by external_id, nothing changed);
- raw insert: `executemany` of an INSERT with the same report columns and the already-computed values, in one
  transaction: the limit the database itself sets for writing these rows, without any checking.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CENTRE_X, CENTRE_Y = 647_800.0, 6_638_600.0


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    import numpy as np

    from samtrygg.analysis import geo

    rng = np.random.default_rng(seed)
    # Points inside the 4 areas (2 × 2 km squares around the centre); a few inside the park.
    x = CENTRE_X + rng.uniform(-1990, 1990, rows)
    y = CENTRE_Y + rng.uniform(-1990, 1990, rows)
    lon, lat = geo.sweref_to_wgs84(x, y)
    start = np.datetime64("2024-01-01T00:00")
    minutes = rng.integers(0, 2 * 365 * 24 * 60, rows)
    # Local Stockholm times; none between 02:00 and 03:00 so no row falls in the spring DST gap.
    minutes = np.where((minutes // 60) % 24 == 2, minutes + 60, minutes)
    cats = ["klotter", "skadegorelse", "Brand", "stold", "Nedskräpning", "ordningsstorning"]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("external_id,occurred_at,category,lat,lon,quantity,description,source_system\n")
        for i in range(rows):
            when = str(start + np.timedelta64(int(minutes[i]), "m"))
            fh.write(f"E{i},{when},{cats[i % len(cats)]},{lat[i]:.6f},{lon[i]:.6f},{1 + i % 3},"
                     f"Rapport {i},bench\n")


def setup_db():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    import shapely

    from samtrygg.accounts.models import Organization
    from samtrygg.areas.models import Area, Place

    org, _ = Organization.objects.get_or_create(code="bench", defaults={"name": "Benchmark"})
    for i, (dx, dy) in enumerate([(-1000, -1000), (1000, -1000), (-1000, 1000), (1000, 1000)]):
        area = Area(code=f"a{i}", name=f"Area {i}", kind="district")
        area.set_geometry(shapely.box(CENTRE_X + dx - 1000, CENTRE_Y + dy - 1000,
                                      CENTRE_X + dx + 1000, CENTRE_Y + dy + 1000))
        area.save()
    city = Area(code="city", name="City", kind="municipality")
    city.set_geometry(shapely.box(CENTRE_X - 2000, CENTRE_Y - 2000, CENTRE_X + 2000, CENTRE_Y + 2000))
    city.save()
    park = Place(code="park", name="Park", kind="park")
    park.set_geometry(shapely.box(CENTRE_X - 200, CENTRE_Y - 200, CENTRE_X + 200, CENTRE_Y + 200))
    park.save()
    return org


def measure(rows: int) -> dict:
    """Runs inside the subprocess whose DATABASE_URL is the database to measure."""
    import io

    from django.core.management import call_command
    from django.db import connection, transaction

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reports.csv"
        write_csv(path, rows)
        os.chdir(tmp)
        org = setup_db()
        from samtrygg.reports.models import Report, ReportArea

        out = io.StringIO()
        t0 = time.perf_counter()
        err = io.StringIO()
        call_command("import_reports", str(path), "--org", org.code, stdout=out, stderr=err)
        assert not err.getvalue(), err.getvalue()[:2000]
        t_import = time.perf_counter() - t0
        assert Report.objects.count() == rows, out.getvalue()
        links = ReportArea.objects.count()

        t0 = time.perf_counter()
        call_command("import_reports", str(path), "--org", org.code, stdout=(out2 := io.StringIO()),
                     stderr=io.StringIO())
        t_reimport = time.perf_counter() - t0
        assert Report.objects.count() == rows, out2.getvalue()

        # Raw insert of the same rows with the values the importer stored (read back first, not timed).
        cols = ["organization_id", "external_id", "source", "occurred_at", "category_id", "quantity",
                "description", "lat", "lon", "x", "y", "attributes", "created_at", "updated_at"]
        with connection.cursor() as cursor:
            qn = connection.ops.quote_name
            cursor.execute(f"SELECT {', '.join(qn(c) for c in cols)} FROM {qn('reports_report')}")
            values = [("raw" + str(r[1]), *r[2:]) for r in cursor.fetchall()]
            values = [(org.pk, *v) for v in values]
        sql = (f"INSERT INTO {qn('reports_report')} ({', '.join(qn(c) for c in cols)}) "
               f"VALUES ({', '.join(['%s'] * len(cols))})")
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, values)
        t_raw = time.perf_counter() - t0
        vendor = connection.vendor
    return {"db": vendor, "rows": rows, "import": t_import, "reimport": t_reimport, "raw": t_raw,
            "links": links, "summary": out.getvalue().strip().splitlines()[-1]}


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = os.environ.get("BENCH_PG_DB", "bench_imports")
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.rows)))
        return
    targets = [("sqlite", None)]
    pg = postgres_url()
    if pg:
        targets.append(("postgresql", pg))
    results = []
    for label, url in targets:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samtrygg.settings",
                   "DATABASE_URL": url or f"sqlite:///{tmp}/bench.sqlite3", "PYTHONPATH": str(ROOT / "src")}
            proc = subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--child"], env=env,
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"{label}: benchmark failed:\n{proc.stderr}")
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"{'database':<11} {'what':<34} {'rows':>8} {'seconds':>8} {'rows/s':>9}")
    for r in results:
        for what, key in (("importer (validate + import)", "import"),
                          ("re-import (all matched, unchanged)", "reimport"),
                          ("raw INSERT executemany (limit)", "raw")):
            print(f"{r['db']:<11} {what:<34} {r['rows']:>8} {r[key]:>8.2f} {r['rows'] / r[key]:>9.0f}")
        print(f"{'':<11} importer said: {r['summary']}; {r['links']} area links written")


if __name__ == "__main__":
    main()
