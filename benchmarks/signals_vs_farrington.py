"""Compare Samtrygg's signal detector with R's ``surveillance::farringtonFlexible`` (Noufaily settings).

    .venv/bin/python benchmarks/signals_vs_farrington.py [--series 40] [--alpha 0.01] [--years 4] [--no-r]

For each scenario of :data:`samtrygg.analysis.simulate.SCENARIOS` it simulates series with planted
outbreaks (Noufaily et al. 2013), runs both detectors on the same series and the same test weeks (the last
52), and prints, per scenario: sensitivity (share of planted test outbreaks with at least one alarm in their
weeks), false-positive rate (share of test weeks without outbreak cases that raised an alarm) and run time.
Then it times one municipality: 450 series x 5 years, the current week only.

R's results are cached in ``/tmp/r-cache`` (or ``$SAMTRYGG_R_CACHE``) per series and settings, so a rerun
on the same seed only runs ours. Tune with another ``--seed`` than the default one used for reporting.

R is run as ``Rscript benchmarks/r/farrington.R`` (Debian: ``apt-get install r-base-core
r-cran-surveillance``), on two processes in parallel; its time is the sum of both processes' time inside
``farringtonFlexible``. Without R (or without the package) the R columns say so and the rest still runs.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from samtrygg.analysis.signals import detect  # noqa: E402
from samtrygg.analysis.simulate import SCENARIOS, simulate  # noqa: E402

R_SCRIPT = Path(__file__).resolve().parent / "r" / "farrington.R"


def r_available() -> str | None:
    """None when R and surveillance are usable, else the reason why not."""
    if shutil.which("Rscript") is None:
        return "Rscript not found (apt-get install r-base-core r-cran-surveillance)"
    probe = subprocess.run(
        ["Rscript", "-e", "suppressPackageStartupMessages(library(surveillance))"],
        capture_output=True, text=True,
    )
    if probe.returncode != 0:
        return "R package surveillance missing (apt-get install r-cran-surveillance)"
    return None


def _run_r_chunk(counts: np.ndarray, ids: np.ndarray, b: int, alpha: float, first: int, last: int, tmp: Path):
    tag = f"{ids[0]}_{ids[-1]}"
    inp, out = tmp / f"in_{tag}.csv", tmp / f"out_{tag}.csv"
    with inp.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["series", "t", "count"])
        for sid, row in zip(ids, counts, strict=True):
            writer.writerows((sid, t + 1, int(c)) for t, c in enumerate(row))
    proc = subprocess.run(
        ["Rscript", str(R_SCRIPT), str(inp), str(out), str(b), str(alpha), str(first + 1), str(last + 1)],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"farrington.R failed: {proc.stderr.strip()[-500:]}")
    elapsed = float(proc.stderr.strip().rsplit("elapsed=", 1)[1].split()[0])
    return out, elapsed


#: R's results are cached here, keyed by a hash of the counts and the settings (R takes minutes).
R_CACHE = Path(os.environ.get("SAMTRYGG_R_CACHE", "/tmp/r-cache"))


def run_r(counts: np.ndarray, b: int, alpha: float, first: int, last: int, workers: int = 2):
    """Alarms (series x test weeks) and total seconds inside farringtonFlexible, from the cache
    (:data:`R_CACHE`) when R has already been run on exactly these counts with these settings."""
    key = hashlib.sha256()
    key.update(np.ascontiguousarray(counts, dtype=np.int64).tobytes())
    key.update(repr((counts.shape, b, alpha, first, last, R_SCRIPT.read_bytes())).encode())
    cached = R_CACHE / f"{key.hexdigest()[:32]}.npz"
    if cached.exists():
        with np.load(cached) as data:
            return data["alarms"], data["expected"], data["upper"], float(data["seconds"])
    alarms, expected, upper, total = _run_r(counts, b, alpha, first, last, workers)
    R_CACHE.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp.npz")
    np.savez(tmp, alarms=alarms, expected=expected, upper=upper, seconds=total)
    tmp.replace(cached)
    return alarms, expected, upper, total


def _run_r(counts: np.ndarray, b: int, alpha: float, first: int, last: int, workers: int = 2):
    S = counts.shape[0]
    alarms = np.zeros((S, last - first + 1), dtype=bool)
    expected = np.zeros_like(alarms, dtype=float)
    upper = np.full_like(expected, np.nan)
    chunks = np.array_split(np.arange(S), workers)
    with tempfile.TemporaryDirectory() as tmpdir, ThreadPoolExecutor(workers) as pool:
        futures = [
            pool.submit(_run_r_chunk, counts[c], c, b, alpha, first, last, Path(tmpdir))
            for c in chunks
            if c.size
        ]
        total = 0.0
        for fut in futures:
            out, elapsed = fut.result()
            total += elapsed
            with out.open() as f:
                for row in csv.DictReader(f):
                    s, j = int(row["series"]), int(row["t"]) - 1 - first
                    alarms[s, j] = row["alarm"] == "1"
                    expected[s, j] = float(row["expected"]) if row["expected"] != "NA" else np.nan
                    upper[s, j] = float(row["upperbound"]) if row["upperbound"] != "NA" else np.nan
    return alarms, expected, upper, total


def evaluate(sim, alarms: np.ndarray) -> tuple[float, float, int]:
    """Sensitivity, false-positive rate, number of outbreaks; ``alarms`` covers the test weeks."""
    first = sim.test_start
    detected = total = 0
    for s, outbreaks in enumerate(sim.test_outbreaks):
        for _start, weeks in outbreaks:
            total += 1
            detected += bool(alarms[s, weeks - first].any())
    quiet = ~sim.outbreak_week[:, first:]
    fpr = float(alarms[quiet].mean()) if quiet.any() else 0.0
    return detected / max(total, 1), fpr, total


def municipality_timing(alpha: float, n_series: int = 450, seed: int = 99) -> float:
    rng = np.random.default_rng(seed)
    blocks = []
    for i in range(n_series):
        sim = simulate(SCENARIOS[i % len(SCENARIOS)], 1, n_weeks=5 * 52, seed=int(rng.integers(1 << 30)))
        blocks.append(sim.counts[0])
    counts = np.array(blocks)
    detect(counts, alpha=alpha)  # warm-up (imports, caches)
    start = time.perf_counter()
    detect(counts, alpha=alpha)
    return time.perf_counter() - start


REFERENCE_SCENARIOS = (0, 3, 5)  # sparse; seasonal with trend; high, seasonal, over-dispersed


def write_reference(path: Path, alpha: float = 0.01, b: int = 4, n_series: int = 8, seed: int = 7) -> None:
    """Write the fixed series and R's farringtonFlexible results that ``tests/analysis`` compares with.

    The tests must run without R, so R's output is generated once here and committed:
    ``.venv/bin/python benchmarks/signals_vs_farrington.py --write-reference \\
    tests/analysis/data/farrington_reference.json``
    """
    import json

    missing = r_available()
    if missing:
        raise SystemExit(f"cannot write the reference: {missing}")
    n_weeks = b * 52 + 5 + 52
    series = []
    for i in REFERENCE_SCENARIOS:
        sim = simulate(SCENARIOS[i], n_series, n_weeks=n_weeks, seed=seed + i)
        first, last = sim.test_start, n_weeks - 1
        alarm, expected, upper, _ = run_r(sim.counts, b, alpha, first, last)
        for s in range(n_series):
            series.append({
                "scenario": SCENARIOS[i].name,
                "counts": sim.counts[s].tolist(),
                "outbreak_cases": sim.outbreak_cases[s].tolist(),
                "test_outbreak_weeks": [weeks.tolist() for _start, weeks in sim.test_outbreaks[s]],
                "r_expected": expected[s].round(6).tolist(),
                "r_upperbound": [None if np.isnan(u) else int(u) for u in upper[s]],
                "r_alarm": alarm[s].astype(int).tolist(),
            })
    version = subprocess.run(
        ["Rscript", "-e", 'cat(R.version.string, "; surveillance", format(packageVersion("surveillance")))'],
        capture_output=True, text=True,
    ).stdout.strip()
    doc = {
        "made_by": "benchmarks/signals_vs_farrington.py --write-reference (runs benchmarks/r/farrington.R)",
        "r_version": version,
        "settings": {"b": b, "w": 3, "noPeriods": 10, "pastWeeksNotIncluded": 26, "alpha": alpha,
                     "thresholdMethod": "nbPlugin", "limit54": [5, 4], "weightsThreshold": 2.58},
        "test_start": n_weeks - 52,
        "series": series,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({len(series)} series)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=40, help="series per scenario (default 40)")
    parser.add_argument("--alpha", type=float, default=0.01, help="alpha of both detectors (default 0.01)")
    parser.add_argument("--ours-alpha", type=float, nargs="+", metavar="A",
                        help="run ours also (or instead) at these alphas: one row each, R at --alpha")
    parser.add_argument("--years", type=int, default=4, help="b: years of history used by both (default 4)")
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--no-r", action="store_true", help="skip R")
    parser.add_argument("--write-reference", type=Path, metavar="JSON",
                        help="write the R reference used by the tests and exit")
    args = parser.parse_args(argv)
    if args.write_reference:
        write_reference(args.write_reference, alpha=args.alpha, b=args.years)
        return 0

    missing = "skipped (--no-r)" if args.no_r else r_available()
    if missing:
        print(f"R: {missing}; R columns are empty.\n")
    ours_alphas = args.ours_alpha or [args.alpha]
    n_weeks = args.years * 52 + 5 + 52  # b years + w weeks of history before the first test week
    header = (f"{'scenario':<28} {'alpha':>6} {'n':>4} {'sens ours':>9} {'sens R':>7} {'FPR ours':>9}"
              f" {'FPR R':>7} {'t ours':>8} {'t R':>8}")
    print(f"R: farringtonFlexible, Noufaily settings, alpha={args.alpha}, b={args.years} years;"
          f" {args.series} series/scenario, 52 test weeks;\nalpha = ours; n = planted test outbreaks;"
          f" times for all series x 52 weeks\n")
    print(header)
    print("-" * len(header))
    totals = {a: {"found": 0.0, "fpr": []} for a in ours_alphas}
    total_r = {"found": 0.0, "fpr": [], "n": 0}
    for i, scenario in enumerate(SCENARIOS):
        sim = simulate(scenario, args.series, n_weeks=n_weeks, seed=args.seed + i)
        first, last = sim.test_start, n_weeks - 1
        r_sens = r_fpr = t_r = None
        if not missing:
            r_alarm, _, _, t_r = run_r(sim.counts, args.years, args.alpha, first, last)
            r_sens, r_fpr, r_n = evaluate(sim, r_alarm)
            total_r["found"] += r_sens * r_n
            total_r["fpr"].append(r_fpr)
        for ours_alpha in ours_alphas:
            start = time.perf_counter()
            ours = detect(sim.counts, slice(first, last + 1), alpha=ours_alpha, years=args.years)
            t_ours = time.perf_counter() - start
            sens, fpr, n_out = evaluate(sim, ours.alarm)
            totals[ours_alpha]["found"] += sens * n_out
            totals[ours_alpha]["fpr"].append(fpr)
            if ours_alpha == ours_alphas[0]:
                total_r["n"] += n_out
            r_s = "-" if r_sens is None else f"{r_sens:.3f}"
            r_f = "-" if r_fpr is None else f"{r_fpr:.4f}"
            r_t = "-" if t_r is None else f"{t_r:.1f}s"
            print(f"{scenario.name:<28} {ours_alpha:>6} {n_out:>4} {sens:>9.3f} {r_s:>7} {fpr:>9.4f} {r_f:>7}"
                  f" {t_ours:>7.2f}s {r_t:>8}", flush=True)
    # Over all scenarios (each has the same number of series and test weeks, so FPRs average evenly).
    print("-" * len(header))
    for ours_alpha, t in totals.items():
        r_found = "-" if missing else f"{round(total_r['found'])}"
        r_fpr = "-" if missing else f"{sum(total_r['fpr']) / len(total_r['fpr']):.4f}"
        print(f"{'all scenarios (found / mean FPR)':<35}{ours_alpha:>6} {total_r['n']:>4} {round(t['found']):>9d}"
              f" {r_found:>7} {sum(t['fpr']) / len(t['fpr']):>9.4f} {r_fpr:>7}")
    t_muni = municipality_timing(args.alpha)
    print(f"\nOne municipality (450 series x 260 weeks, current week only), ours: {t_muni * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
