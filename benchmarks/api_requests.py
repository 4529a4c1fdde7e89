"""What the REST API costs on top of the work it hands on, on a fresh SQLite database (and PostgreSQL when
DATABASE_URL names one; its database `bench_api` is dropped and created, BENCH_PG_DB names another).

    python benchmarks/api_requests.py [--rows N] [--requests N]

Printed per database, each against its reference measured in the same run:
- bulk: N reports in one `POST /api/v1/reports/bulk/` (JSON, key check, type checks, the file importer)
  against `bulk.check_and_import` called directly with the same rows (no HTTP, no JSON);
- key check: `GET /api/v1/me/` with a key (hash, lookup, use counter) against the same with a logged-in
  session;
- pages: the first and the last page of 100 reports (`/api/v1/reports/`, keyset cursor) against the same
  100 rows read with one ORM query: the last page must cost what the first does (no OFFSET, no COUNT).
Requests go through Django's test client (in-process WSGI, no network).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_reports import ROOT, setup_db  # noqa: E402  (the same areas and organisation)

CENTRE_X, CENTRE_Y = 647_800.0, 6_638_600.0


def rows_for(n: int, prefix: str) -> list[dict]:
    import numpy as np

    rng = np.random.default_rng(7)
    x = CENTRE_X + rng.uniform(-1990, 1990, n)
    y = CENTRE_Y + rng.uniform(-1990, 1990, n)
    minutes = rng.integers(0, 365 * 24 * 60, n)
    minutes = np.where((minutes // 60) % 24 == 2, minutes + 60, minutes)
    start = np.datetime64("2025-01-01T00:00")
    cats = ["klotter", "skadegorelse", "brand", "stold"]
    return [{"external_id": f"{prefix}{i}", "occurred_at": str(start + np.timedelta64(int(minutes[i]), "m")),
             "category": cats[i % 4], "x": float(x[i]), "y": float(y[i]), "quantity": 1 + i % 3}
            for i in range(n)]


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(n_rows: int, n_requests: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        org = setup_db()
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        from samtrygg.accounts.models import User
        from samtrygg.api import bulk, tokens
        from samtrygg.reports.models import Report

        settings.ALLOWED_HOSTS = ["testserver"]
        token, key = tokens.create_token(None, organization=org, role="coordinator", name="bench")
        user = token.service_user
        api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

        # Warm up both paths (first use loads pyproj's CRS database, the URL conf, translations…).
        warm = api.post("/api/v1/reports/bulk/", json.dumps({"reports": rows_for(2, "W")}),
                        content_type="application/json")
        assert warm.status_code == 201, warm.content[:500]
        bulk.check_and_import(user, rows_for(2, "V"), crs="EPSG:3006")
        rows = rows_for(n_rows, "A")
        body = json.dumps({"reports": rows})
        t0 = time.perf_counter()
        answer = api.post("/api/v1/reports/bulk/", body, content_type="application/json")
        t_api = time.perf_counter() - t0
        assert answer.status_code == 201, answer.content[:500]
        direct_rows = rows_for(n_rows, "D")
        t0 = time.perf_counter()
        result = bulk.check_and_import(user, direct_rows, crs="EPSG:3006")
        t_direct = time.perf_counter() - t0
        assert result.outcome.created == n_rows

        person = User.objects.create(username="bench-person", organization=org, role="coordinator")
        session = Client()
        session.force_login(person)
        t_key = best(lambda: [api.get("/api/v1/me/") for _ in range(n_requests)]) / n_requests
        t_session = best(lambda: [session.get("/api/v1/me/") for _ in range(n_requests)]) / n_requests

        total = Report.objects.count()
        ordered = list(Report.objects.order_by("-occurred_at", "-id").values_list("id", flat=True))
        from samtrygg.api.pagination import ReportCursorPagination

        before_last = Report.objects.get(pk=ordered[-101])
        cursor = ReportCursorPagination.encode(before_last)
        first = api.get("/api/v1/reports/?page_size=100")
        last = api.get(f"/api/v1/reports/?page_size=100&cursor={cursor}")
        assert [r["id"] for r in first.json()["results"]] == ordered[:100]
        assert [r["id"] for r in last.json()["results"]] == ordered[-100:]
        t_first = best(lambda: api.get("/api/v1/reports/?page_size=100"))
        t_last = best(lambda: api.get(f"/api/v1/reports/?page_size=100&cursor={cursor}"))
        t_orm = best(lambda: list(Report.objects.select_related("category", "organization", "place")
                                  .order_by("-occurred_at", "-id")[:100]))
        return {"db": connection.vendor, "rows": n_rows, "requests": n_requests, "total": total,
                "bulk_api": t_api, "bulk_direct": t_direct, "key": t_key, "session": t_session,
                "first": t_first, "last": t_last, "orm": t_orm}


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = os.environ.get("BENCH_PG_DB", "bench_api")
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.rows, args.requests)))
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
            proc = subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--requests",
                                   str(args.requests), "--child"], env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"{label}: benchmark failed:\n{proc.stderr[-3000:]}")
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"{'database':<11} {'what':<44} {'ms':>9} {'reference':<34} {'ms':>9}")
    for r in results:
        lines = [
            (f"bulk POST, {r['rows']} reports", r["bulk_api"], "check_and_import directly", r["bulk_direct"]),
            ("GET /me/ with a key (per request)", r["key"], "with a session", r["session"]),
            (f"first page of 100 ({r['total']} reports)", r["first"], "ORM query for the 100 rows", r["orm"]),
            ("last page of 100 (keyset cursor)", r["last"], "ORM query for the 100 rows", r["orm"]),
        ]
        for what, ours, ref_label, ref in lines:
            print(f"{r['db']:<11} {what:<44} {ours * 1000:>9.1f} {ref_label:<34} {ref * 1000:>9.1f}")


if __name__ == "__main__":
    main()
