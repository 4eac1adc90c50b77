#!/usr/bin/python3
"""Golden values for lib/analysis: Davies-Bouldin, power-law fits, the ESD, weighted alpha and PCA.

Run with Debian's /usr/bin/python3 (numpy 1.24, scipy 1.10, sklearn 1.2). Writes
tests/golden/analysis_values.ts next to this file: the inputs (drawn from numpy's default_rng with fixed
seeds) and the expected outputs, as TypeScript literals.

Independent sources:
- Davies-Bouldin: sklearn.metrics.davies_bouldin_score.
- Power law: for each candidate xmin (the distinct values with at least min_tail points >= xmin, as the
  TypeScript code does), scipy.stats.pareto.fit(tail, floc=0, fscale=xmin) gives the shape b (alpha = 1 + b)
  and scipy.stats.kstest(tail, "pareto", args=(b, 0, xmin)).statistic the two-sided KS distance; the
  candidate with the least distance wins (the first one on a tie, like numpy.argmin).
- ESD: numpy.linalg.svd(W, compute_uv=False) ** 2.
- Weighted alpha: the ESD above, eigenvalues > 1e-5 (WeightWatcher's EVALS_THRESH), the scipy fit above, and
  alpha * log10(lambda_max) averaged over layers.
- PCA: sklearn.decomposition.PCA(n_components, svd_solver="full").fit_transform.
"""
import os
import warnings

import numpy as np
import scipy
import scipy.stats as st
import sklearn
from sklearn.decomposition import PCA
from sklearn.metrics import davies_bouldin_score

warnings.simplefilter("ignore", RuntimeWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "analysis_values.ts")
EVALS_THRESH = 1e-5


# ---------------------------------------------------------------- literal writers


def num(x):
    x = float(x)
    if np.isnan(x):
        return "NaN"
    if np.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    r = repr(x)
    return r[:-2] if r.endswith(".0") else r


def vec(v, indent):
    """A number list wrapped to lines of at most ~108 characters."""
    items = [num(x) for x in v]
    lines, cur = [], ""
    width = 108 - len(indent)
    for it in items:
        piece = it + ","
        if cur and len(cur) + 1 + len(piece) > width:
            lines.append(cur)
            cur = piece
        else:
            cur = piece if not cur else cur + " " + piece
    if cur:
        lines.append(cur)
    if not lines:
        return "[]"
    if len(lines) == 1 and len(lines[0]) + len(indent) < 100:
        return "[" + lines[0][:-1] + "]"
    inner = "\n".join(indent + "  " + ln for ln in lines)
    return "[\n" + inner + "\n" + indent + "]"


def mat(m, indent):
    rows = [indent + "  " + vec(r, indent + "  ") + "," for r in m]
    return "[\n" + "\n".join(rows) + "\n" + indent + "]"


def labels_lit(labels):
    return "[" + ", ".join(f'"{x}"' if isinstance(x, str) else str(int(x)) for x in labels) + "]"


# ---------------------------------------------------------------- Davies-Bouldin


def blobs(rng, centers, sizes, scale):
    pts, labs = [], []
    for k, (c, n) in enumerate(zip(centers, sizes)):
        pts.append(rng.normal(loc=c, scale=scale, size=(n, len(c))))
        labs += [k] * n
    return np.vstack(pts), np.array(labs)


def db_cases():
    cases = []
    rng = np.random.default_rng(20250101)
    # 2 clusters in 2-D
    x, y = blobs(rng, [[0.0, 0.0], [3.0, 1.0]], [25, 35], 1.0)
    cases.append(("two clusters, 2-D", x, list(y)))
    # 4 clusters in 5-D, string labels
    x, y = blobs(rng, rng.normal(scale=4.0, size=(4, 5)), [20, 15, 30, 10], 1.5)
    names = ["safe", "unsafe", "mixed", "other"]
    cases.append(("four clusters, 5-D, string labels", x, [names[k] for k in y]))
    # 3 clusters in 3-D, unequal spread, labels not 0..k-1
    x, y = blobs(rng, [[0, 0, 0], [1, 2, 0], [5, -1, 2]], [12, 40, 8], 0.7)
    cases.append(("three clusters, 3-D, labels 7/3/11", x, [[7, 3, 11][k] for k in y]))
    # 4 clusters, 2-D, two of which share a centroid exactly (sklearn sets that distance to inf)
    # (x and -x pairs on a grid of 1/8, so that both means are exactly 0 in floating point)
    a = np.round(rng.normal(size=(3, 2)) * 8.0) / 8.0
    a = np.vstack([a, -a])
    b = np.round(rng.normal(size=(4, 2)) * 16.0) / 8.0
    b = np.vstack([b, -b, np.zeros((1, 2))])
    c = rng.normal(size=(7, 2)) + np.array([4.0, 0.0])
    d = rng.normal(size=(5, 2)) + np.array([0.0, -5.0])
    x = np.vstack([a, b, c, d])
    y = [0] * 6 + [1] * 9 + [2] * 7 + [3] * 5
    cases.append(("four clusters, two sharing a centroid", x, y))
    # 2 clusters with the same centroid: every centroid distance is 0, sklearn returns 0
    a = np.array([[1.0, 0.0], [-1.0, 0.0]])
    b = np.array([[0.0, 2.0], [0.0, -2.0], [0.0, 0.0]])
    cases.append(("two clusters, same centroid", np.vstack([a, b]), [0, 0, 1, 1, 1]))
    out = []
    for name, x, y in cases:
        out.append((name, x, y, davies_bouldin_score(x, np.array(y))))
    return out


# ---------------------------------------------------------------- power law


def scipy_power_law_fit(values, min_tail=2, xmax=None):
    x = np.sort(np.asarray(values, dtype=np.float64))
    x = x[x > 0]
    if xmax is not None:
        x = x[x <= xmax]
    cands = np.unique(x)
    best = None
    ds = []
    for xmin in cands:
        tail = x[x >= xmin]
        if len(tail) < min_tail or np.all(tail == xmin):
            continue
        b, loc, scale = st.pareto.fit(tail, floc=0, fscale=xmin)
        d = st.kstest(tail, "pareto", args=(b, 0, xmin)).statistic
        ds.append(d)
        if best is None or d < best[2]:
            best = (1.0 + b, xmin, d, len(tail))
    ds = np.sort(np.array(ds))
    gap = ds[1] - ds[0] if len(ds) > 1 else np.inf
    assert gap > 1e-9, f"ambiguous xmin: the two least KS distances differ by {gap}"
    return best


def heavy_matrix(rng, n, m, df, scale=1.0):
    return rng.standard_t(df, size=(n, m)) * scale


def esd(w):
    return np.linalg.svd(w, compute_uv=False) ** 2


def power_law_cases():
    rng = np.random.default_rng(7)
    cases = []
    # Pareto with density exponent 2.5 (numpy's pareto(a) + 1 has density a x^-(a+1) on [1, inf)), xmin 0.5
    cases.append(("pareto alpha 2.5", 0.5 * (rng.pareto(1.5, 500) + 1.0), {}))
    cases.append(("lognormal", rng.lognormal(mean=0.0, sigma=1.0, size=400), {}))
    w = heavy_matrix(rng, 300, 150, 2.5, 0.1)
    cases.append(("ESD of a 300x150 Student-t(2.5) matrix", esd(w), {}))
    cases.append(("lognormal, minTail 50", rng.lognormal(mean=1.0, sigma=0.8, size=300), {"minTail": 50}))
    p = 2.0 * (rng.pareto(2.0, 300) + 1.0)
    cases.append(("pareto alpha 3 with xmax at the 95th percentile", p, {"xmax": float(np.quantile(p, 0.95))}))
    out = []
    for name, v, opts in cases:
        alpha, xmin, ks, n = scipy_power_law_fit(v, opts.get("minTail", 2), opts.get("xmax"))
        out.append((name, v, opts, alpha, xmin, ks, n))
    return out


# ---------------------------------------------------------------- ESD and weighted alpha


def esd_cases():
    rng = np.random.default_rng(11)
    out = []
    for n, m in [(8, 5), (4, 7), (6, 6)]:
        w = rng.normal(size=(n, m))
        out.append((f"{n}x{m}", w, esd(w)))
    # rank-deficient: rank 2, 5x4
    w = rng.normal(size=(5, 2)) @ rng.normal(size=(2, 4))
    out.append(("5x4 of rank 2", w, esd(w)))
    return out


def weighted_alpha_case():
    rng = np.random.default_rng(3)
    mats = [
        heavy_matrix(rng, 40, 30, 2.5, 0.3),
        heavy_matrix(rng, 60, 20, 3.0, 1.0),
        heavy_matrix(rng, 30, 30, 4.0, 2.0),
    ]
    layers = []
    for w in mats:
        ev = esd(w)
        lam_max = float(np.max(ev))
        alpha, xmin, ks, n = scipy_power_law_fit(ev[ev > EVALS_THRESH])
        layers.append((alpha, lam_max, xmin, ks, n, alpha * np.log10(lam_max)))
    return mats, layers, float(np.mean([l[5] for l in layers]))


# ---------------------------------------------------------------- PCA


def pca_cases():
    rng = np.random.default_rng(5)
    out = []
    a = rng.normal(size=(4, 4))
    x = rng.normal(size=(50, 4)) @ a + np.array([1.0, -2.0, 0.5, 10.0])
    out.append(("50x4 correlated, 2 components", x, 2))
    a = rng.normal(size=(6, 6)) * np.array([3.0, 2.0, 1.0, 0.5, 0.2, 0.1])[:, None]
    x = rng.normal(size=(30, 6)) @ a
    out.append(("30x6, 3 components", x, 3))
    x = rng.normal(size=(8, 12)) * 2.0 + 1.0
    out.append(("8x12 (fewer samples than features), 2 components", x, 2))
    x = rng.normal(size=(20, 3))
    out.append(("20x3, all 3 components", x, 3))
    res = []
    for name, x, k in out:
        p = PCA(n_components=k, svd_solver="full")
        proj = p.fit_transform(x)
        res.append((name, x, k, proj, p.components_, p.explained_variance_ratio_, p.mean_))
    return res


# ---------------------------------------------------------------- write


def main():
    parts = [
        "// deno-fmt-ignore-file",
        f"// generated by tests/golden/analysis.py with numpy {np.__version__}, scipy {scipy.__version__}, "
        f"sklearn {sklearn.__version__}; do not edit",
        "",
        "/** Davies-Bouldin: points, labels, sklearn.metrics.davies_bouldin_score. */",
        "export const DAVIES_BOULDIN_CASES: readonly {",
        "  name: string;",
        "  points: number[][];",
        "  labels: (number | string)[];",
        "  expected: number;",
        "}[] = [",
    ]
    for name, x, y, score in db_cases():
        parts += [
            "  {",
            f'    name: "{name}",',
            f"    points: {mat(x, '    ')},",
            f"    labels: {labels_lit(y)},",
            f"    expected: {num(score)},",
            "  },",
        ]
    parts += [
        "];",
        "",
        "/** Power-law fits: values, options, and the scipy pareto.fit + kstest result at the least KS distance. */",
        "export const POWER_LAW_CASES: readonly {",
        "  name: string;",
        "  values: number[];",
        "  options: { minTail?: number; xmax?: number };",
        "  alpha: number;",
        "  xmin: number;",
        "  ks: number;",
        "  tailSize: number;",
        "}[] = [",
    ]
    for name, v, opts, alpha, xmin, ks, n in power_law_cases():
        o = ", ".join(f"{k}: {num(val)}" for k, val in opts.items())
        parts += [
            "  {",
            f'    name: "{name}",',
            f"    values: {vec(v, '    ')},",
            f"    options: {{{' ' + o + ' ' if o else ''}}},",
            f"    alpha: {num(alpha)},",
            f"    xmin: {num(xmin)},",
            f"    ks: {num(ks)},",
            f"    tailSize: {n},",
            "  },",
        ]
    parts += [
        "];",
        "",
        "/** ESD: matrices and numpy.linalg.svd(W, compute_uv=False) ** 2 (descending). */",
        "export const ESD_CASES: readonly { name: string; matrix: number[][]; expected: number[] }[] = [",
    ]
    for name, w, ev in esd_cases():
        parts += [
            "  {",
            f'    name: "{name}",',
            f"    matrix: {mat(w, '    ')},",
            f"    expected: {vec(ev, '    ')},",
            "  },",
        ]
    mats, layers, mean = weighted_alpha_case()
    parts += [
        "];",
        "",
        "/** Weighted alpha over three heavy-tailed layers: numpy SVD, eigenvalues > 1e-5, the scipy fit. */",
        "export const WEIGHTED_ALPHA_CASE: {",
        "  matrices: number[][][];",
        "  layers: { alpha: number; lambdaMax: number; xmin: number; ks: number; tailSize: number; weightedAlpha: number }[];",
        "  weightedAlpha: number;",
        "} = {",
        "  matrices: [",
    ]
    for w in mats:
        parts.append(f"    {mat(w, '    ')},")
    parts += ["  ],", "  layers: ["]
    for alpha, lam, xmin, ks, n, wa in layers:
        parts.append(
            f"    {{ alpha: {num(alpha)}, lambdaMax: {num(lam)}, xmin: {num(xmin)}, ks: {num(ks)}, "
            f"tailSize: {n}, weightedAlpha: {num(wa)} }},"
        )
    parts += ["  ],", f"  weightedAlpha: {num(mean)},", "};", ""]
    parts += [
        "/** PCA: sklearn.decomposition.PCA(n_components, svd_solver=\"full\").fit_transform and its attributes. */",
        "export const PCA_CASES: readonly {",
        "  name: string;",
        "  points: number[][];",
        "  components: number;",
        "  projected: number[][];",
        "  axes: number[][];",
        "  explainedVarianceRatio: number[];",
        "  mean: number[];",
        "}[] = [",
    ]
    for name, x, k, proj, comps, ratio, mean in pca_cases():
        parts += [
            "  {",
            f'    name: "{name}",',
            f"    points: {mat(x, '    ')},",
            f"    components: {k},",
            f"    projected: {mat(proj, '    ')},",
            f"    axes: {mat(comps, '    ')},",
            f"    explainedVarianceRatio: {vec(ratio, '    ')},",
            f"    mean: {vec(mean, '    ')},",
            "  },",
        ]
    parts += ["];", ""]
    with open(OUT, "w") as f:
        f.write("\n".join(parts))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
