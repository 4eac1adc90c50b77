"""Golden values for the divergences (tests/divergences_*.test.ts).

Writes tests/golden/divergences_values.ts. Sources:
- KL: scipy.special.rel_entr summed; JS: scipy.spatial.distance.jensenshannon squared (natural log);
- 1-D Wasserstein: scipy.stats.wasserstein_distance(positions, positions, p, q);
- exact optimal transport: scipy.optimize.linprog (HiGHS) on the transport LP;
- Hellinger, Bhattacharyya, Renyi, the f-divergence closed forms: evaluated with mpmath at 60 digits
  (closed forms, zero conventions applied explicitly);
- entropic transport reference: an independent numpy log-domain Sinkhorn run to a 1e-15 marginal error.
Run with Debian's /usr/bin/python3.
"""
import math
import os

import mpmath
import numpy as np
import scipy
from scipy.optimize import linprog
from scipy.spatial.distance import jensenshannon
from scipy.special import logsumexp, rel_entr
from scipy.stats import wasserstein_distance

mpmath.mp.dps = 60
rng = np.random.default_rng(20250107)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "divergences_values.ts")

RENYI_ALPHAS = [0.0, 0.25, 0.5, 0.9, 0.999, 1.001, 2.0, 3.0, 10.0, math.inf]
AMARI_ALPHAS = [-0.5, 0.3, 0.5, 2.0]


def fmt(x):
    x = float(x)
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if math.isnan(x):
        raise ValueError("NaN in golden values")
    return repr(x)


def arr(v):
    return "[" + ", ".join(fmt(x) for x in v) + "]"


def normalize(v):
    v = np.asarray(v, dtype=np.float64)
    return v / v.sum()


def mp(v):
    """The distribution the doubles represent, normalized exactly (60 digits), so that the closed forms are
    those of true distributions rather than of vectors whose sum is 1 only to within a few ulps."""
    xs = [mpmath.mpf(float(x)) for x in v]
    s = mpmath.fsum(xs)
    return [x / s for x in xs]


def hellinger(p, q):
    s = mpmath.fsum((mpmath.sqrt(a) - mpmath.sqrt(b)) ** 2 for a, b in zip(mp(p), mp(q)))
    return mpmath.sqrt(s / 2)


def bhattacharyya(p, q):
    bc = mpmath.fsum(mpmath.sqrt(a * b) for a, b in zip(mp(p), mp(q)))
    return mpmath.inf if bc == 0 else -mpmath.log(bc)


def renyi(p, q, a):
    P, Q = mp(p), mp(q)
    pos = [(x, y) for x, y in zip(P, Q) if x > 0]
    if a == 0:
        s = mpmath.fsum(y for _, y in pos)
        return mpmath.inf if s == 0 else -mpmath.log(s)
    if math.isinf(a):
        if any(y == 0 for _, y in pos):
            return mpmath.inf
        return mpmath.log(max(x / y for x, y in pos))
    if a > 1 and any(y == 0 for _, y in pos):
        return mpmath.inf
    A = mpmath.mpf(a)
    s = mpmath.fsum(x ** A * y ** (1 - A) for x, y in pos if y > 0)
    return mpmath.inf if s == 0 else mpmath.log(s) / (A - 1)


def amari(p, q, a):
    """Amari alpha-divergence (sum p^a q^(1-a) - 1)/(a(a-1)) with the perspective conventions at zeros."""
    P, Q = mp(p), mp(q)
    A = mpmath.mpf(a)
    if a > 1 and any(x > 0 and y == 0 for x, y in zip(P, Q)):
        return mpmath.inf
    if a < 0 and any(x == 0 and y > 0 for x, y in zip(P, Q)):
        return mpmath.inf
    s = mpmath.fsum(x ** A * y ** (1 - A) for x, y in zip(P, Q) if x > 0 and y > 0)
    return (s - 1) / (A * (A - 1))


def chi2(p, q):
    if any(x > 0 and y == 0 for x, y in zip(p, q)):
        return math.inf
    P, Q = mp(p), mp(q)
    return mpmath.fsum((x - y) ** 2 / y for x, y in zip(P, Q) if y > 0)


def tv(p, q):
    return mpmath.fsum(abs(x - y) for x, y in zip(mp(p), mp(q))) / 2


def kl(p, q):
    return float(np.sum(rel_entr(p, q)))


def js(p, q):
    return float(jensenshannon(p, q)) ** 2


def case(name, p, q):
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    n = len(p)
    positions = rng.normal(0, 3, n)
    positions[n // 2] = positions[0]  # a tie, and unsorted in general
    return {
        "name": name,
        "p": p,
        "q": q,
        "kl": kl(p, q),
        "klReverse": kl(q, p),
        "js": js(p, q),
        "hellinger": hellinger(p, q),
        "bhattacharyya": bhattacharyya(p, q),
        "renyi": [renyi(p, q, a) for a in RENYI_ALPHAS],
        "wasserstein": wasserstein_distance(np.arange(n), np.arange(n), p, q),
        "positions": positions,
        "wassersteinAtPositions": wasserstein_distance(positions, positions, p, q),
        "totalVariation": tv(p, q),
        "chiSquared": chi2(p, q),
        "amari": [amari(p, q, a) for a in AMARI_ALPHAS],
    }


def with_zeros(v, k):
    v = v.copy()
    v[rng.choice(len(v), k, replace=False)] = 0
    return normalize(v)


cases = []
for n in [3, 5, 10, 20, 50]:
    cases.append(case(f"dirichlet n={n}", rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(n))))
cases.append(case("peaked dirichlet n=30", rng.dirichlet(np.full(30, 0.2)), rng.dirichlet(np.full(30, 0.2))))
cases.append(case("zeros in p n=12", with_zeros(rng.dirichlet(np.ones(12)), 4), rng.dirichlet(np.ones(12))))
cases.append(case("zeros in q n=12", rng.dirichlet(np.ones(12)), with_zeros(rng.dirichlet(np.ones(12)), 3)))
both_p = np.array([0.2, 0, 0.3, 0.1, 0, 0.25, 0.15, 0])
both_q = np.array([0, 0.1, 0.3, 0.2, 0, 0.15, 0.05, 0.2])
cases.append(case("zeros in both n=8", both_p, both_q))
same = with_zeros(rng.dirichlet(np.ones(15)), 5)
mask = same > 0
q_same = np.where(mask, rng.dirichlet(np.ones(15)), 0)
cases.append(case("same zeros n=15", same, normalize(q_same)))
cases.append(case("disjoint n=8", normalize([0.3, 0.2, 0.5, 0, 0, 0, 0, 0]), normalize([0, 0, 0, 0.1, 0.4, 0.2, 0.2, 0.1])))
ident = rng.dirichlet(np.ones(12))
cases.append(case("identical n=12", ident, ident.copy()))
cases.append(case("nearly identical n=20", *(lambda b: (b, normalize(b * (1 + 1e-4 * rng.normal(size=20)))))(rng.dirichlet(np.ones(20)))))
cases.append(case("one-hot p n=6", np.eye(6)[2], rng.dirichlet(np.ones(6))))
cases.append(case("one-hot q n=6", rng.dirichlet(np.ones(6)), np.eye(6)[4]))
cases.append(case("one-hot vs one-hot n=5", np.eye(5)[0], np.eye(5)[3]))
cases.append(case("same one-hot n=4", np.eye(4)[1], np.eye(4)[1]))


def exact_ot(p, q, C):
    m, n = C.shape
    A = np.zeros((m + n, m * n))
    for i in range(m):
        A[i, i * n:(i + 1) * n] = 1
    for j in range(n):
        A[m + j, j::n] = 1
    res = linprog(C.ravel(), A_eq=A, b_eq=np.concatenate([p, q]), bounds=(0, None), method="highs")
    assert res.status == 0, res.message
    return res.fun


def sinkhorn_ref(p, q, C, eps):
    ip, iq = p > 0, q > 0
    K = -C[np.ix_(ip, iq)] / eps
    lp, lq = np.log(p[ip]), np.log(q[iq])
    u = np.zeros(ip.sum())
    v = np.zeros(iq.sum())
    for _ in range(200000):
        u = lp - logsumexp(K + v[None, :], axis=1)
        v = lq - logsumexp(K + u[:, None], axis=0)
        P = np.exp(K + u[:, None] + v[None, :])
        if np.abs(P.sum(1) - p[ip]).sum() < 1e-15:
            break
    else:
        raise RuntimeError("reference Sinkhorn did not converge")
    return float((P * C[np.ix_(ip, iq)]).sum())


ot = []
# A: random non-symmetric cost.
p = rng.dirichlet(np.ones(6)); q = rng.dirichlet(np.ones(6)); C = rng.uniform(0, 1, (6, 6))
ot.append(("random cost n=6", p, q, C))
# B: 1 - cosine of random embeddings (the trainer's top-k use), with a zero in p.
E = rng.normal(size=(8, 4)); E /= np.linalg.norm(E, axis=1, keepdims=True)
p = with_zeros(rng.dirichlet(np.ones(8)), 1); q = rng.dirichlet(np.ones(8))
ot.append(("cosine cost n=8", p, q, np.clip(1 - E @ E.T, 0, None)))
# C: |i - j| on 10 points (the 1-D exact value is known from scipy).
p = rng.dirichlet(np.ones(10)); q = rng.dirichlet(np.ones(10))
idx = np.arange(10.0)
ot.append(("abs cost n=10", p, q, np.abs(idx[:, None] - idx[None, :])))

ot_rows = []
for name, p, q, C in ot:
    eps = 0.05 * C.max()
    ot_rows.append({
        "name": name, "p": p, "q": q, "cost": C,
        "exact": exact_ot(p, q, C),
        "wasserstein1d": wasserstein_distance(idx, idx, p, q) if name.startswith("abs") else None,
        "epsilon": eps,
        "entropicCost": sinkhorn_ref(p, q, C, eps),
    })

lines = [
    f"// generated by tests/golden/divergences.py with scipy {scipy.__version__}, numpy {np.__version__}, "
    f"mpmath {mpmath.__version__}; do not edit",
    "// KL: scipy.special.rel_entr; JS: scipy.spatial.distance.jensenshannon squared (natural log); 1-D",
    "// Wasserstein: scipy.stats.wasserstein_distance; exact transport: scipy.optimize.linprog (HiGHS); Hellinger,",
    "// Bhattacharyya, Renyi, total variation, chi-squared, Amari alpha: closed forms in mpmath (60 digits, on",
    "// the exactly normalized inputs); entropic cost: an independent numpy/scipy log-domain Sinkhorn run to a",
    "// 1e-15 marginal error.",
    "",
    f"/** The orders of `DIVERGENCE_CASES[k].renyi`. */",
    f"export const RENYI_ALPHAS: number[] = {arr(RENYI_ALPHAS)};",
    f"/** The orders of `DIVERGENCE_CASES[k].amari`. */",
    f"export const AMARI_ALPHAS: number[] = {arr(AMARI_ALPHAS)};",
    "",
    "/** Distribution pairs with their divergences. */",
    "export const DIVERGENCE_CASES: {",
    "  name: string;",
    "  p: number[];",
    "  q: number[];",
    "  kl: number;",
    "  klReverse: number;",
    "  js: number;",
    "  hellinger: number;",
    "  bhattacharyya: number;",
    "  renyi: number[];",
    "  wasserstein: number;",
    "  positions: number[];",
    "  wassersteinAtPositions: number;",
    "  totalVariation: number;",
    "  chiSquared: number;",
    "  amari: number[];",
    "}[] = [",
]
for c in cases:
    lines.append("  {")
    for k, v in c.items():
        if k == "name":
            lines.append(f'    name: "{v}",')
        elif isinstance(v, (list, np.ndarray)):
            lines.append(f"    {k}: {arr(v)},")
        else:
            lines.append(f"    {k}: {fmt(v)},")
    lines.append("  },")
lines.append("];")
lines += [
    "",
    "/** Small transport problems: exact LP optimum and a reference entropic cost at `epsilon`. */",
    "export const TRANSPORT_CASES: {",
    "  name: string;",
    "  p: number[];",
    "  q: number[];",
    "  cost: number[][];",
    "  exact: number;",
    "  wasserstein1d: number | null;",
    "  epsilon: number;",
    "  entropicCost: number;",
    "}[] = [",
]
for c in ot_rows:
    lines.append("  {")
    lines.append(f'    name: "{c["name"]}",')
    lines.append(f"    p: {arr(c['p'])},")
    lines.append(f"    q: {arr(c['q'])},")
    lines.append("    cost: [" + ", ".join(arr(r) for r in c["cost"]) + "],")
    lines.append(f"    exact: {fmt(c['exact'])},")
    w = c["wasserstein1d"]
    lines.append(f"    wasserstein1d: {'null' if w is None else fmt(w)},")
    lines.append(f"    epsilon: {fmt(c['epsilon'])},")
    lines.append(f"    entropicCost: {fmt(c['entropicCost'])},")
    lines.append("  },")
lines.append("];")
with open(OUT, "w") as fh:
    fh.write("\n".join(lines) + "\n")
print(f"wrote {OUT}: {len(cases)} divergence cases, {len(ot_rows)} transport cases")
