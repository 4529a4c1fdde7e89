"""The reports map with a month of a large city: what the browser is sent, before and after server-side clustering.
On a fresh SQLite database, and on PostgreSQL when DATABASE_URL names one (its database `bench_map` is dropped and
created; BENCH_PG_DB names another).

    python benchmarks/map_clustering.py [--reports N]

N reports (default 20 000) of one month are spread over a 12 × 12 km city with eight hotspots
(tests/reports/month_of_reports.py). Each row is one request to /reports/map/data/ through Django's test client
(in-process WSGI, a logged-in coordinator; best of 3): the JSON's size and the server's time.

- before: no view sent, every report as a GeoJSON point (what the map asked for until clustering; the browser then
  grouped them itself, after receiving them all);
- after: the map's own requests for its view: the whole city (zoom 11, as the page opens), a district (zoom 13),
  a few blocks (zoom 15) and street level (zoom 17), where the answer is points again.
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


def best(fn, repeat: int = 3):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def measure(n: int) -> dict:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from samtrygg.accounts.models import Organization, User
    from samtrygg.reports.models import Report
    from tests.reports.month_of_reports import CENTRE_X, CENTRE_Y, bulk_month

    settings.ALLOWED_HOSTS = ["testserver"]
    org, _ = Organization.objects.get_or_create(code="bench", defaults={"name": "Benchmark"})
    user = User.objects.create(username="bench", organization=org, role="coordinator")
    t0 = time.perf_counter()
    bulk_month(org, n)
    load = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics for the fresh rows, as autovacuum would soon
    client = Client()
    client.force_login(user)

    from samtrygg.analysis.geo import sweref_to_wgs84

    def bbox(half_m: float) -> str:
        lon, lat = sweref_to_wgs84([CENTRE_X - half_m * 1.6, CENTRE_X + half_m * 1.6],
                                   [CENTRE_Y - half_m, CENTRE_Y + half_m])
        return f"{lon[0]:.6f},{lat[0]:.6f},{lon[1]:.6f},{lat[1]:.6f}"

    cases = [("before: every report as a point", {})]
    for label, half, zoom in [("after: city (zoom 11)", 6500, 11), ("after: district (zoom 13)", 1600, 13),
                              ("after: blocks (zoom 15)", 400, 15), ("after: street (zoom 17)", 100, 17)]:
        cases.append((label, {"bbox": bbox(half), "zoom": zoom}))
    client.get("/reports/map/data/", cases[1][1])  # warm up (URL conf, translations)
    rows = []
    for label, params in cases:
        seconds, response = best(lambda params=params: client.get("/reports/map/data/", params))
        assert response.status_code == 200, response.content[:300]
        data = json.loads(response.content)
        rows.append({"what": label, "bytes": len(response.content), "ms": seconds * 1000,
                     "features": len(data["features"]), "mode": data.get("mode", "points"),
                     "in_view": data.get("total", len(data["features"]))})
    return {"db": connection.vendor, "reports": Report.objects.count(), "load_s": load, "rows": rows}


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = os.environ.get("BENCH_PG_DB", "bench_map")
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.reports)))
        return
    targets = [("sqlite", None)]
    pg = postgres_url()
    if pg:
        targets.append(("postgresql", pg))
    results = []
    for label, url in targets:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samtrygg.settings",
                   "DATABASE_URL": url or f"sqlite:///{tmp}/bench.sqlite3",
                   "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
            env.pop("DATABASE_REPLICA_URL", None)
            env.pop("REDIS_URL", None)
            proc = subprocess.run([sys.executable, __file__, "--reports", str(args.reports), "--child"], env=env,
                                  capture_output=True, text=True, cwd=tmp)
            if proc.returncode != 0:
                sys.exit(f"{label}: benchmark failed:\n{proc.stderr[-3000:]}")
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"{'database':<11} {'request to /reports/map/data/':<34} {'in view':>8} {'sent':>10} {'features':>9} "
          f"{'JSON':>10} {'ms':>8}")
    for r in results:
        for row in r["rows"]:
            print(f"{r['db']:<11} {row['what']:<34} {row['in_view']:>8} {row['mode']:>10} {row['features']:>9} "
                  f"{row['bytes'] / 1024:>8.1f}kB {row['ms']:>8.1f}")
        print(f"{r['db']:<11} ({r['reports']} reports, loaded in {r['load_s']:.1f} s)")


if __name__ == "__main__":
    main()
