"""numpy/scipy side of bench/divergences_compare.ts.

Usage: divergences_numpy.py DATA ROWS COLS REPS VALUES_OUT
DATA holds ROWS*COLS float64 for p, then the same for q (row-major). Times vectorized equivalents of each
divergence over all rows (median of REPS), prints one JSON line per divergence {"divergence", "numpy_ms"}, and
writes the values (divergence-major, ROWS each) as float64 to VALUES_OUT. Natural logs throughout.
"""
import json
import sys
import time

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr


def main():
    data, rows, cols, reps, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    n = rows * cols
    P = np.fromfile(data, dtype=np.float64, count=n).reshape(rows, cols)
    Q = np.fromfile(data, dtype=np.float64, count=n, offset=n * 8).reshape(rows, cols)

    fns = [
        ("kl", lambda: rel_entr(P, Q).sum(axis=1)),
        ("js", lambda: jensenshannon(P, Q, axis=1) ** 2),
        ("hellinger", lambda: np.sqrt(0.5 * ((np.sqrt(P) - np.sqrt(Q)) ** 2).sum(axis=1))),
        ("renyi_alpha2", lambda: np.log((P * P / Q).sum(axis=1))),
        ("bhattacharyya", lambda: -np.log(np.sqrt(P * Q).sum(axis=1))),
        ("wasserstein_1d", lambda: np.abs(np.cumsum(P - Q, axis=1)[:, :-1]).sum(axis=1)),
    ]
    values = []
    for name, fn in fns:
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            v = fn()
            times.append((time.perf_counter() - t0) * 1e3)
        values.append(np.asarray(v, dtype=np.float64))
        print(json.dumps({"divergence": name, "numpy_ms": float(np.median(times))}), flush=True)
    np.concatenate(values).tofile(out)


if __name__ == "__main__":
    main()
