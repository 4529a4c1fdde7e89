"""How long does `samtrygg demo --no-serve` take on a fresh database, next to the raw insert speed?

    python benchmarks/demo_load.py [--years N] [--database-url URL]

By default it runs on a fresh SQLite file in a temporary directory; with --database-url it runs on that
database instead (PostgreSQL: it must be an empty or disposable database; its demo reports are reset).

Printed:
- demo command: wall time of the whole command in a subprocess, as a user runs it (Python start-up,
  migrate, organisations/users/areas, generating, inserting reports and their area/place links,
  audit), and the phases the command prints itself;
- raw insert: the same number of report rows and area links written with plain `executemany` into
  scratch tables of the same shape with the stdlib sqlite3 module (SQLite only): the limit the database
  itself sets, without Django, generation or geometry.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMTRYGG = Path(sys.executable).with_name("samtrygg")


def run_demo(workdir: Path, database_url: str | None, years: float) -> tuple[float, str]:
    env = dict(os.environ)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    args = [str(SAMTRYGG), "demo", "--no-serve", "--years", str(years)]
    if database_url:
        args.append("--reset")
    started = time.perf_counter()
    done = subprocess.run(args, cwd=workdir, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def raw_sqlite(path: Path, reports: int) -> float:
    row = (1, 2, "demo", "2026-01-01 12:00:00", 3, 1, "Klotter på elskåp", 59.85, 17.63, 647800.0,
           6638600.0, "{}", "2026-01-01 12:00:00", "2026-01-01 12:00:00")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, org INT, by INT, source TEXT, at TEXT, cat INT, "
               "q INT, d TEXT, lat REAL, lon REAL, x REAL, y REAL, attrs TEXT, c TEXT, u TEXT)")
    db.execute("CREATE INDEX r_at ON r(at)")
    db.execute("CREATE INDEX r_cat_at ON r(cat, at)")
    db.execute("CREATE INDEX r_xy ON r(x, y)")
    db.execute("CREATE TABLE l (id INTEGER PRIMARY KEY, report INT, area INT, UNIQUE(report, area))")
    started = time.perf_counter()
    with db:
        db.executemany("INSERT INTO r (org, by, source, at, cat, q, d, lat, lon, x, y, attrs, c, u) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (row for _ in range(reports)))
        db.executemany("INSERT INTO l (report, area) VALUES (?, ?)",
                       ((i, a) for i in range(reports) for a in (1, 2)))
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        wall, out = run_demo(workdir, args.database_url, args.years)
        reports = int(re.search(r"Loaded (\d+) reports", out).group(1))
        phases = dict(re.findall(r"([a-z][a-z ,/]+?) (\d+\.\d+) s", out.split("Loaded", 1)[1].split("\n")[1]))
        migrate = re.search(r"Database ready \((\d+\.\d+) s\)", out).group(1)
        database = args.database_url or "SQLite (fresh file)"
        print(f"database: {database}   reports: {reports}   years: {args.years:g}")
        print(f"{'step':<34}{'seconds':>9}{'reports/s':>12}")
        print(f"{'demo command, wall time':<34}{wall:>9.2f}{reports / wall:>12.0f}")
        print(f"{'  migrate':<34}{float(migrate):>9.2f}")
        for name, secs in phases.items():
            print(f"{'  ' + name:<34}{float(secs):>9.2f}")
        if not args.database_url:
            raw = raw_sqlite(workdir / "raw.sqlite3", reports)
            print(f"{'raw sqlite3 executemany (limit)':<34}{raw:>9.2f}{reports / raw:>12.0f}")


if __name__ == "__main__":
    main()
