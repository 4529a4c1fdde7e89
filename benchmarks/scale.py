"""Does a page cost the same with 1 and with 5 million reports stored, and how fast is it under load?

    python benchmarks/scale.py [--requests 30] [--rate 20] [--clients 8] [--load-seconds 60] [--submissions 2000]
                              [--submit-clients 32] [--threads 16]

Needs two PostgreSQL databases made beforehand with the generator (same seed and end, same density: the
1M city is the last two years of the 5M city) — see the README's "Prestanda / Performance" section:

    samtrygg generate-scale --areas 100 --years 2  --reports 1000000 --end 2026-12-01   # samtrygg_scale_1m
    samtrygg generate-scale --areas 100 --years 10 --reports 5000000 --end 2026-12-01   # samtrygg_scale_5m

(BENCH_SCALE_1M / BENCH_SCALE_5M name other databases; BENCH_PG is the server URL without the database,
default postgres://postgres@127.0.0.1:5432.)

Printed, in one run:
(a) 1M against 5M: the first request of every main page and API list after the cache is emptied (cold: it
    computes the signals, the picture, the ranking, the hotspot grid), then the median and 95th percentile
    of N more (what every later user gets until the data changes), each made with Django's test client in
    one process per database (no network); the ratio 5M/1M of the medians (target < 1.5), and the
    EXPLAIN (ANALYZE) of the weekly query (the signals' 5-year window over the pre-aggregated counts) on
    both databases.
(b) Latency under concurrent load at 5M: `samtrygg serve` (waitress) on 127.0.0.1 sharing a Redis cache (as
    several app servers do; BENCH_REDIS_URL); many users' requests for the same pages and API lists arrive
    at random (Poisson) at --rate per second in all, from 16 client processes with keep-alive connections,
    each request timed from when it was due; p50/p95/p99 per page (target p95 < 300 ms). All the while a
    trickle of new reports dated now arrives (--trickle per second), so the data keeps changing.
(b') Saturation: CLIENTS clients (one process each) requesting without pause, bounded by count and time:
    the requests per second this machine serves for this mix, and the latencies when it is full.
(c) Report submission: SUBMIT_CLIENTS clients (partner systems and reporters in the field, 32 by default)
    POSTing single reports to /api/v1/reports/ on the same servers; reports per second (target ≥ 200). Each
    server process creates the submissions that arrive together in one transaction (a group commit,
    samtrygg.core.group_commit), so more threads per process (--threads) make larger groups.
(d) The same through the bulk endpoint, as a partner system sends its feed. The benchmark's reports are
    removed afterwards (with their counts).
The reference for (a) is the 1M database measured in the same run; for (b), (b') and (c) the targets of issue 9.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_1M = os.environ.get("BENCH_SCALE_1M", "samtrygg_scale_1m")
DB_5M = os.environ.get("BENCH_SCALE_5M", "samtrygg_scale_5m")
WEEK = "2026-W48"  # the last complete week before the generator's --end 2026-12-01
QUARTER = "2026-Q3"
MONTH = ("2026-11-01", "2026-11-30")
PORT = 8765
MAP_VIEW = "bbox=16.0,59.0,19.5,61.0&zoom=11"  # west,south,east,north around the generated city
BENCH_USER = "bench-analyst"
#: The app servers' shared cache, as a deployment of several app servers has it (README "Beyond one machine");
#: flushed at the start. BENCH_REDIS_URL= (empty) runs them with per-process caches instead.
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def pages() -> list[tuple[str, str]]:
    """(label, URL) of the main pages and API lists, all on the same week / quarter / month."""
    w_from, w_to = "2026-11-23", "2026-11-29"
    return [
        ("weekly page", f"/weekly/{WEEK}/"),
        ("signals (API)", f"/api/v1/weekly/{WEEK}/signals/"),
        ("weekly picture (API)", f"/api/v1/weekly/{WEEK}/"),
        ("report list", "/reports/"),
        ("report list, one week", f"/reports/?date_from={w_from}&date_to={w_to}"),
        # What the map page asks for: its view (the whole city at zoom 11) → counts per grid cell.
        ("map data, one week", f"/reports/map/data/?date_from={w_from}&date_to={w_to}&{MAP_VIEW}"),
        ("map data, one month", f"/reports/map/data/?date_from={MONTH[0]}&date_to={MONTH[1]}&{MAP_VIEW}"),
        ("quarterly ranking", f"/quarterly/new/?quarter={QUARTER}"),
        ("ranking (API)", f"/api/v1/quarterly/ranking/?quarter={QUARTER}"),
        ("hotspots data", f"/quarterly/hotspots/data.geojson?quarter={QUARTER}"),
        ("reports (API list)", "/api/v1/reports/"),
        ("areas (API list)", "/api/v1/areas/"),
    ]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


# ---- in a child process, configured for one database -------------------------------------------------

def _django(db: str):
    os.environ["DATABASE_URL"] = f"{PG}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samtrygg.settings")
    import django

    django.setup()


def credentials(db: str) -> dict:
    """A session cookie of an analyst and an API key of a coordinator (created once per database)."""
    _django(db)
    from django.conf import settings
    from django.test import Client

    from samtrygg.accounts.models import Organization, Role, User
    from samtrygg.api import tokens

    settings.ALLOWED_HOSTS = ["*"]
    org = Organization.objects.get(code="kommunledning")
    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = User.objects.create_user(BENCH_USER, password=None, organization=org, role=Role.ANALYST)
    client = Client()
    client.force_login(user)
    _token, key = tokens.create_token(None, organization=org, role="coordinator", name="scale benchmark")
    return {"session": client.cookies[settings.SESSION_COOKIE_NAME].value, "key": key,
            "cookie_name": settings.SESSION_COOKIE_NAME}


def measure(db: str, n: int) -> dict:
    """(a): timings of every page with the test client, and the weekly query's plan."""
    creds = credentials(db)
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from samtrygg.reports.models import Report
    from samtrygg.weekly import counts, signal_service
    from samtrygg.weekly.weeks import IsoWeek

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.cookies[creds["cookie_name"]] = creds["session"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {creds['key']}")
    out: dict = {"reports": Report.objects.count(), "pages": {}}
    for _label, url in pages():  # load the code, templates, translations and pyproj once
        (api if url.startswith("/api/") else client).get(url)
    for label, url in pages():
        c = api if url.startswith("/api/") else client
        cache.clear()
        t0 = time.perf_counter()
        first = c.get(url)  # cold: nothing computed yet (the process has loaded its code, see above)
        out.setdefault("cold", {})[label] = time.perf_counter() - t0
        if first.status_code != 200:
            raise SystemExit(f"{db}: {url} answered {first.status_code}: {first.content[:300]!r}")
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            response = c.get(url)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200
        out["pages"][label] = times
    week = IsoWeek.parse(WEEK)
    qs = counts.weekly_counts_query(week.shift(-signal_service.HISTORY_WEEKS), week)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        out["explain"] = [r[0] for r in cursor.fetchall()]
    return out


def cleanup(db: str) -> dict:
    """Remove the reports that (c) submitted, keeping the pre-aggregated counts right."""
    _django(db)
    from django.db import transaction

    from samtrygg.reports import aggregates
    from samtrygg.reports.models import Report

    with transaction.atomic():
        ids = list(Report.objects.filter(external_id__startswith="scale-bench-").values_list("id", flat=True))
        with aggregates.tracking(ids):
            Report.objects.filter(id__in=ids).delete()
    return {"removed": len(ids)}


def child(args) -> None:
    fn = {"measure": lambda: measure(args.db, args.requests), "credentials": lambda: credentials(args.db),
          "cleanup": lambda: cleanup(args.db)}[args.child]
    print(json.dumps(fn()))


def run_child(kind: str, db: str, n: int = 0) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--db", db, "--requests", str(n)],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"{kind} on {db} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- the load test against a real server ------------------------------------------------------------

class Server:
    """``samtrygg serve`` on 127.0.0.1:``port`` (one process; the app keeps no state between requests, so
    several run side by side as behind a load balancer)."""

    def __init__(self, db: str, threads: int, port: int):
        env = {**os.environ, "DATABASE_URL": f"{PG}/{db}", "ALLOWED_HOSTS": "127.0.0.1,localhost",
               "REDIS_URL": REDIS}
        self.proc = subprocess.Popen([sys.executable, "-m", "samtrygg.cli", "serve", "--port", str(port),
                                      "--threads", str(threads)], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        self.stop()
        raise SystemExit("the server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


PORTS = [PORT]  # the servers' ports; a client's k-th request goes to PORTS[k % len(PORTS)] (round-robin)


class Client:
    """One user's browser or one partner system: keep-alive connections to every server, requests spread
    round-robin. Every client runs in its own process (as users are on their own machines), so clients
    do not wait for each other's Python; their CPU is still this machine's."""

    def __init__(self, k: int = 0):
        self.k = k
        self.connections: dict[int, http.client.HTTPConnection] = {}

    def request(self, url: str, headers: dict, data: bytes | None = None, *,
                port: int | None = None) -> tuple[int, float]:
        if port is None:
            port = PORTS[self.k % len(PORTS)]
            self.k += 1
        conn = self.connections.pop(port, None) or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        t0 = time.perf_counter()
        try:
            conn.request("POST" if data is not None else "GET", url, body=data, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            self.connections[port] = conn
        except (OSError, http.client.HTTPException):  # a timeout or a refused connection: a failed request
            conn.close()
            status = 0
        return status, time.perf_counter() - t0


def _in_processes(target, jobs: list[tuple]) -> list:
    """Run ``target(*job)`` for every job, each in its own process, at the same time; their results in order."""
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        return pool.starmap(target, jobs)


def _headers(creds: dict, url: str) -> dict:
    """As a browser (or a partner system's HTTP library) sends them: with the credentials, accepting gzip."""
    if url.startswith("/api/"):
        return {"Authorization": f"Bearer {creds['key']}", "Accept-Encoding": "gzip"}
    return {"Cookie": f"{creds['cookie_name']}={creds['session']}", "Accept-Encoding": "gzip"}


def _browse(k: int, creds: dict, stop_at: float, rounds: int) -> list[tuple[str, int, float]]:
    """Client k requests every page in turn (starting at its own page), at most ``rounds`` rounds."""
    client, items, out = Client(k), pages(), []
    for r in range(rounds):
        for j in range(len(items)):
            if time.time() > stop_at:
                return out
            label, url = items[(j + k + r) % len(items)]
            status, took = client.request(url, _headers(creds, url))
            out.append((label, status, took))
    return out


class Trickle:
    """A thread POSTing new reports (dated now) at ``per_second`` while the clients browse: the data keeps
    changing as in a working city (the pages measured show last week and last quarter)."""

    def __init__(self, creds: dict, per_second: float):
        self.creds, self.per_second, self.made = creds, per_second, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Trickle:
        if self.per_second > 0:
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()

    def _run(self) -> None:
        client, i = Client(), 0
        headers = {"Authorization": f"Bearer {self.creds['key']}", "Content-Type": "application/json"}
        while not self.stop.wait(1 / self.per_second):
            body = json.dumps({"external_id": f"scale-bench-trickle-{time.time_ns()}-{i}",
                               "occurred_at": datetime.now(UTC).isoformat(timespec="seconds"),
                               "category": "klotter", "lat": 59.8586 + (i % 50) * 0.0004, "lon": 17.6389,
                               "quantity": 1}).encode()
            self.made += client.request("/api/v1/reports/", headers, body)[0] == 201
            i += 1


def _tally(parts: list[list[tuple[str, int, float]]]) -> tuple[dict, int]:
    results: dict[str, list[float]] = {label: [] for label, _ in pages()}
    failed = 0
    for label, status, took in (item for part in parts for item in part):
        if status == 200:
            results[label].append(took)
        else:
            failed += 1
    return results, failed


def load_test(creds: dict, clients: int, seconds: float, rounds: int,
              trickle: float) -> tuple[dict, float, int, int]:
    """Saturation: ``clients`` clients browse every page without pause for at most ``rounds`` rounds or
    ``seconds`` seconds. Returns ({label: latencies}, wall seconds, failed requests, new reports made)."""
    stop_at = time.time() + seconds
    t0 = time.perf_counter()
    with Trickle(creds, trickle) as writes:
        parts = _in_processes(_browse, [(k, creds, stop_at, rounds) for k in range(clients)])
    results, failed = _tally(parts)
    return results, time.perf_counter() - t0, failed, writes.made


def _visit(k: int, creds: dict, rate: float, start_at: float, stop_at: float) -> list[tuple[str, int, float]]:
    """One of many users: requests arrive at random (Poisson, ``rate`` per second for this process), each page
    in turn; a request's time runs from when it was due, so a late start counts against the server."""
    import random

    rng, client, items, out = random.Random(k), Client(k), pages(), []
    due, j = start_at, k
    while True:
        due += rng.expovariate(rate)
        if due > stop_at:
            return out
        time.sleep(max(0.0, due - time.time()))
        label, url = items[j % len(items)]
        j += 1
        status, _took = client.request(url, _headers(creds, url))
        out.append((label, status, time.time() - due))


def steady_load(creds: dict, rate: float, seconds: float, trickle: float,
                processes: int = 16) -> tuple[dict, float, int, int]:
    """Many users at ``rate`` requests per second in all (spread over ``processes`` client processes, so a
    slow answer to one user does not hold back the next user's request). Same return as :func:`load_test`."""
    start_at = time.time() + 1
    stop_at = start_at + seconds
    t0 = time.perf_counter()
    with Trickle(creds, trickle) as writes:
        parts = _in_processes(_visit, [(k, creds, rate / processes, start_at, stop_at) for k in range(processes)])
    results, failed = _tally(parts)
    return results, time.perf_counter() - t0, failed, writes.made


def _submit(k: int, creds: dict, indices: list[int]) -> list[tuple[int, float]]:
    client = Client(k)
    headers = {"Authorization": f"Bearer {creds['key']}", "Content-Type": "application/json"}
    cats = ["klotter", "skadegorelse", "nedskrapning", "brand"]
    out = []
    for i in indices:
        body = json.dumps({
            "external_id": f"scale-bench-{time.time_ns()}-{i}", "occurred_at": "2026-11-27T21:30:00+01:00",
            "category": cats[i % 4], "lat": 59.8586 + (i % 50) * 0.0004, "lon": 17.6389 + (i % 40) * 0.0005,
            "description": "Belastningstest", "quantity": 1,
        }).encode()
        out.append(client.request("/api/v1/reports/", headers, body))
    return out


def submissions(creds: dict, clients: int, total: int) -> tuple[int, float, list[float], int]:
    """POST ``total`` single reports from ``clients`` clients. Returns (created, seconds, latencies, failed)."""
    t0 = time.perf_counter()
    parts = _in_processes(_submit, [(k, creds, list(range(k, total, clients))) for k in range(clients)])
    seconds = time.perf_counter() - t0
    done = [(status, took) for part in parts for status, took in part]
    times = [took for status, took in done if status == 201]
    return len(times), seconds, times, len(done) - len(times)


def _submit_bulk(k: int, creds: dict, batches: list[int], size: int) -> list[int]:
    client = Client(k)
    headers = {"Authorization": f"Bearer {creds['key']}", "Content-Type": "application/json"}
    cats = ["klotter", "skadegorelse", "nedskrapning", "brand"]
    statuses = []
    for b in batches:
        body = json.dumps({"reports": [{
            "external_id": f"scale-bench-bulk-{time.time_ns()}-{b}-{i}", "occurred_at": "2026-11-27T21:30:00+01:00",
            "category": cats[i % 4], "lat": 59.8586 + (i % 50) * 0.0004, "lon": 17.6389 + (i % 40) * 0.0005,
            "description": "Belastningstest", "quantity": 1} for i in range(size)]}).encode()
        statuses.append(client.request("/api/v1/reports/bulk/", headers, body)[0])
    return statuses


def bulk_submissions(creds: dict, clients: int, batches: int, size: int) -> tuple[int, float, int]:
    """POST ``batches`` bulk requests of ``size`` reports each (a partner system's feed) from ``clients``
    clients to /api/v1/reports/bulk/. Returns (created, seconds, failed requests)."""
    t0 = time.perf_counter()
    parts = _in_processes(_submit_bulk, [(k, creds, list(range(k, batches, clients)), size) for k in range(clients)])
    seconds = time.perf_counter() - t0
    statuses = [s for part in parts for s in part]
    ok = sum(1 for s in statuses if s in (200, 201))
    return ok * size, seconds, len(statuses) - ok


# ---- printing ------------------------------------------------------------------------------------------

def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30, help="requests per page in (a) (default 30)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients in (b') (default 8)")
    parser.add_argument("--submit-clients", type=int, default=32,
                        help="concurrent clients in (c): partner systems and reporters (default 32)")
    parser.add_argument("--threads", type=int, default=16, help="threads per server process (default 16)")
    parser.add_argument("--servers", type=int, default=2,
                        help="app server processes, requests spread round-robin (default 2: one per core)")
    parser.add_argument("--load-seconds", type=float, default=120, help="time limit of (b') (default 120)")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of every page per client in (b')")
    parser.add_argument("--submissions", type=int, default=2000, help="reports POSTed in (c) (default 2000)")
    parser.add_argument("--bulk-batches", type=int, default=20, help="bulk POSTs in (d) (default 20)")
    parser.add_argument("--bulk-size", type=int, default=500, help="reports per bulk POST in (d) (default 500)")
    parser.add_argument("--rate", type=float, default=20.0,
                        help="requests per second of the many users in (b) (default 20)")
    parser.add_argument("--steady-seconds", type=float, default=60.0, help="duration of (b) (default 60)")
    parser.add_argument("--trickle", type=float, default=1.0,
                        help="new reports per second POSTed during (b), dated now (default 1)")
    parser.add_argument("--skip-compare", action="store_true", help="only (b) and (c)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if args.child:
        child(args)
        return

    print(f"Machine: {os.cpu_count()} cores, {_ram()}, {_pg_version()}; load average at start "
          f"{os.getloadavg()[0]:.1f} (other work on the machine inflates every time below)")
    if not args.skip_compare:
        small, large = run_child("measure", DB_1M, args.requests), run_child("measure", DB_5M, args.requests)
        print(f"\n(a) 1M against 5M reports stored — {args.requests} requests per page, test client, week {WEEK}, "
              f"quarter {QUARTER}")
        print(f"    {DB_1M}: {small['reports']:,} reports; {DB_5M}: {large['reports']:,} reports")
        print(f"{'page':<24}{'1M cold':>9}{'1M median':>10}{'1M p95':>9}{'5M cold':>9}{'5M median':>10}{'5M p95':>9}"
              f"{'ratio':>7}  target < 1.5")
        for label, _url in pages():
            a, b = small["pages"][label], large["pages"][label]
            ratio = statistics.median(b) / statistics.median(a)
            print(f"{label:<24}{ms(small['cold'][label]):>9}{ms(statistics.median(a)):>10}{ms(pct(a, 95)):>9}"
                  f"{ms(large['cold'][label]):>9}{ms(statistics.median(b)):>10}{ms(pct(b, 95)):>9}{ratio:7.2f}  "
                  f"{'ok' if ratio < 1.5 else 'OVER'}")
        print("    (milliseconds; cold = the first request after the cache was emptied, which computes the signals,\n"
              "     the picture, the ranking and the hotspot grid; median and p95 = the next requests, as every\n"
              "     user after the first gets them until the data changes; ratio = 5M median / 1M median)")
        for name, result in (("1M", small), ("5M", large)):
            print(f"\nEXPLAIN ANALYZE of the weekly query (signals: {WEEK} and its 5-year history) at {name}:")
            print("\n".join("    " + line for line in result["explain"]))

    creds = run_child("credentials", DB_5M)
    cache = _flush_redis()
    PORTS[:] = [PORT + i for i in range(args.servers)]
    servers = [Server(DB_5M, args.threads, port) for port in PORTS]
    try:
        # Warm every server as a running deployment is (its first request of a page loads templates, the URL
        # conf, translations, and computes the signals that its cache then keeps for five minutes).
        warm = Client()
        for port in PORTS:
            for _label, url in pages():
                warm.request(url, _headers(creds, url), port=port)
        servers_text = (f"{args.servers} app process(es) (waitress, {args.threads} threads each) on 127.0.0.1, "
                        f"{cache}, warmed")
        load_before = os.getloadavg()[0]
        results, wall, failed, made = steady_load(creds, args.rate, args.steady_seconds, args.trickle)
        total = sum(len(v) for v in results.values())
        print(f"\n(b) Latency under load at 5M, many users: requests arriving at random at {args.rate:g}/s in all "
              f"(Poisson; 16 client processes, keep-alive; a request's time counts from when it was due), "
              f"{servers_text}; meanwhile {made} new reports arrived ({args.trickle:g}/s); {total} requests in "
              f"{wall:.0f} s, {failed} failed; load average {load_before:.1f} before")
        latency_table(results)
        load_before = os.getloadavg()[0]
        results, wall, failed, made = load_test(creds, args.clients, args.load_seconds, args.rounds, args.trickle)
        total = sum(len(v) for v in results.values())
        print(f"\n(b') Saturation at 5M: {args.clients} clients (one process each, keep-alive) requesting without "
              f"pause, {servers_text}; meanwhile {made} new reports arrived; {total} requests in {wall:.0f} s = "
              f"{total / wall:.1f} requests/s (the capacity of this machine for this mix), {failed} failed; "
              f"load average {load_before:.1f} before")
        latency_table(results)
        created, seconds, times, failed = submissions(creds, args.submit_clients, args.submissions)
        rate = created / seconds if seconds else 0.0
        print(f"\n(c) Report submission at 5M: {created} reports POSTed to /api/v1/reports/ by "
              f"{args.submit_clients} clients (one process each, keep-alive) in {seconds:.1f} s = {rate:.0f} "
              f"reports/s (target >= 200: {'ok' if rate >= 200 else 'UNDER'}); "
              f"latency p50 {pct(times, 50) * 1000:.0f} ms, p95 {pct(times, 95) * 1000:.0f} ms; {failed} failed")
        created, seconds, failed = bulk_submissions(creds, args.servers, args.bulk_batches, args.bulk_size)
        print(f"(d) Bulk submission at 5M (a partner system's feed): {created} reports in {args.bulk_batches} POSTs "
              f"of {args.bulk_size} to /api/v1/reports/bulk/ by {args.servers} clients in {seconds:.1f} s = "
              f"{created / seconds if seconds else 0:.0f} reports/s; {failed} failed")
    finally:
        for server in servers:
            server.stop()
        removed = run_child("cleanup", DB_5M)["removed"]
        print(f"    ({removed} benchmark reports removed again)")


def latency_table(results: dict[str, list[float]]) -> None:
    print(f"{'page':<24}{'n':>5}{'p50':>9}{'p95':>9}{'p99':>9}  target p95 < 300 ms")
    for label, _url in pages():
        v = results[label]
        if not v:
            print(f"{label:<24}{0:>5}  (no successful request)")
            continue
        p95 = pct(v, 95)
        print(f"{label:<24}{len(v):>5}{ms(pct(v, 50)):>9}{ms(p95):>9}{ms(pct(v, 99)):>9}  "
              f"{'ok' if p95 < 0.3 else 'OVER'}")


def _flush_redis() -> str:
    """Empty the servers' shared cache; returns what the table header says about the cache."""
    if not REDIS:
        return "per-process caches"
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    return f"cache in Redis ({REDIS.rsplit('/', 1)[0]})"


def _ram() -> str:
    try:
        kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")).split()[1])
        return f"{kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        return "RAM unknown"


def _pg_version() -> str:
    try:
        out = subprocess.run(["psql", f"{PG}/{DB_5M}", "-Atc", "SHOW server_version"], capture_output=True,
                             text=True, timeout=10)
        return f"PostgreSQL {out.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        return "PostgreSQL (version unknown)"


if __name__ == "__main__":
    main()
