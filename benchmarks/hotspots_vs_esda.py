"""Getis-Ord Gi* on square grids: our 2-D correlation (`samtrygg.analysis.hotspots.gi_star`) against PySAL
`esda.G_Local(y, w, transform="B", star=True, permutations=0)` with libpysal weights, on the same grid and
weights (the 8 neighbours plus the cell itself), in the same process.

    python benchmarks/hotspots_vs_esda.py [--sizes 50 100 200] [--repeat 3]

Printed per grid: cells, our time (best of --repeat), esda's time for G_Local alone and for building the
weights (lat2W + self-weights, which esda needs and we do not), and the largest |z difference|.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np

from samtrygg.analysis import hotspots as hs


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from esda.getisord import G_Local
    from libpysal.weights import lat2W

    footprint = hs.band_footprint(200, 200 * math.sqrt(2))
    print(f"{'grid':>9} {'cells':>8} {'ours (ms)':>10} {'esda (ms)':>10} {'weights (ms)':>13} "
          f"{'speed-up':>9} {'max |z diff|':>13}")
    for size in args.sizes:
        rng = np.random.default_rng(size)
        values = rng.poisson(0.6, size=(size, size)).astype(float)
        values[size // 3: size // 3 + 4, size // 2: size // 2 + 4] += 6  # a cluster
        ours_t, ours = best(lambda v=values: hs.gi_star(v, footprint), args.repeat)

        def build_w(n=size):
            # lat2W numbers cells row by row, like values.ravel(); queen = the 8 neighbours.
            w = lat2W(n, n, rook=False)
            return w

        w_t, w = best(build_w, 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            esda_t, g = best(lambda w=w, v=values: G_Local(v.ravel(), w, transform="B", star=True,
                                                            permutations=0), 1)
        diff = float(np.max(np.abs(ours.z.ravel() - g.Zs)))
        print(f"{size:>4}×{size:<4} {size * size:>8,} {ours_t * 1e3:>10.1f} {esda_t * 1e3:>10.1f} {w_t * 1e3:>13.1f} "
              f"{esda_t / ours_t:>8.0f}× {diff:>13.2e}")


if __name__ == "__main__":
    main()
