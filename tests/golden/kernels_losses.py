#!/usr/bin/python3
"""Golden values for the kernels and the DPO-family losses, written to kernels_losses_values.ts.

Independent of the TypeScript implementation: kernels come from sklearn.metrics.pairwise / scipy.spatial,
covariances from sklearn.covariance, and the losses are evaluated from their direct definitions (the kernel
feature distance sqrt(k(a,a) + k(b,b) - 2k(a,b)) with kernels evaluated as written, TRL's loss formulas with
scipy.special.log_expit, f-DPO's f'(u) evaluated at u = exp(z)), not through the G-profiles the library uses.
Run: /usr/bin/python3 tests/golden/kernels_losses.py
"""
import json, math, os
import numpy as np, scipy, sklearn
from scipy.special import log_expit
from scipy.spatial.distance import mahalanobis
from sklearn.metrics.pairwise import polynomial_kernel, rbf_kernel
from sklearn.covariance import LedoitWolf, ShrunkCovariance

rng = np.random.default_rng(20251126)
out = {}

# --- kernels on vectors ---
X = rng.normal(size=(4, 5)); Y = rng.normal(size=(4, 5))
out["kernelX"] = X.tolist(); out["kernelY"] = Y.tolist()
out["polyDeg3Off05"] = np.diag(polynomial_kernel(X, Y, degree=3, gamma=1.0, coef0=0.5)).tolist()
out["rbfSigma15"] = np.diag(rbf_kernel(X, Y, gamma=1 / (2 * 1.5**2))).tolist()

def spectral(a, b, comps, rho):
    tau = np.atleast_1d(a - b); r2 = float(tau @ tau)
    return sum(w * math.exp(-r2 / (2 * l * l)) * (1 + rho * math.cos(2 * math.pi * float(np.sum(f * tau)))) / (1 + rho)
               for (w, l, f) in comps)
SPEC = [(0.7, 1.3, 0.2), (0.3, 0.6, 0.05)]
out["spectralComponents"] = [{"weight": w, "lengthscale": l, "frequency": f} for (w, l, f) in SPEC]
out["spectral"] = [spectral(X[i], Y[i], SPEC, 0.4) for i in range(4)]

# --- covariance with shrinkage, Mahalanobis kernel ---
S = rng.normal(size=(12, 3)) @ np.array([[1.0, 0.3, 0.0], [0.0, 0.8, 0.4], [0.0, 0.0, 0.5]])
out["covSamples"] = S.tolist()
sc = ShrunkCovariance(shrinkage=0.2).fit(S)
out["shrunk02Covariance"] = sc.covariance_.tolist(); out["shrunk02Precision"] = sc.precision_.tolist()
lw = LedoitWolf().fit(S)
out["ledoitWolfCovariance"] = lw.covariance_.tolist(); out["ledoitWolfShrinkage"] = float(lw.shrinkage_)
out["mahalanobisPair"] = [S[0].tolist(), S[1].tolist()]
out["mahalanobisKernelLW"] = math.exp(-0.5 * mahalanobis(S[0], S[1], lw.precision_) ** 2)

# --- losses: direct definitions ---
def feature_score(delta, k, curvature):
    d2 = k(delta, delta) + k(0.0, 0.0) - 2 * k(delta, 0.0)
    return math.copysign(math.sqrt(max(d2, 0.0) / curvature), delta)

def k_poly(d, c): return (lambda a, b: (a * b + c) ** d), d * c ** (d - 1)
def k_rbf(s): return (lambda a, b: math.exp(-(a - b) ** 2 / (2 * s * s))), 1 / (s * s)
def k_spec(comps, rho):
    curv = sum(w * (1 / (l * l) + rho * (2 * math.pi * f) ** 2 / (1 + rho)) for (w, l, f) in comps)
    return (lambda a, b: spectral(np.array([a]), np.array([b]), comps, rho)), curv

# Implicit scores phi(z) = (f'(e^z) - f'(1)) / f''(1) from each generator's own f' and f'' (unit slope at 0).
GEN = {  # name: (f'(u), f''(1))
    "kl": (lambda u: math.log(u) + 1, 1.0),                          # f(u) = u log u
    "forward-kl": (lambda u: -1 / u, 1.0),                           # f(u) = -log u
    "js": (lambda u: 0.5 * math.log(2 * u / (1 + u)), 0.25),         # f(u) = 1/2[u log u - (u+1) log((u+1)/2)]
    "hellinger": (lambda u: 0.5 * (1 - u ** -0.5), 0.25),            # f(u) = 1/2 (sqrt u - 1)^2
    "renyi": (lambda u: (u ** (0.3 - 1) - 1) / (0.3 - 1), 1.0),      # Renyi order 0.3: Amari's generator, a = 0.3
}
SCORES = {k: (lambda fp, c: (lambda z: (fp(math.exp(z)) - fp(1.0)) / c))(fp, c) for k, (fp, c) in GEN.items()}
PAIRS = [(-12.0, -15.0, -13.0, -14.0, 0.3, 7, 9), (-40.0, -38.0, -41.0, -36.5, -0.2, 20, 12),
         (-5.5, -5.0, -5.0, -5.5, 0.0, 3, 3), (-100.0, -130.0, -90.0, -140.0, 0.8, 45, 60)]
out["lossPairs"] = [dict(policyChosen=a, policyRejected=b, referenceChosen=c, referenceRejected=d, embeddingMargin=e,
                         chosenTokens=nw, rejectedTokens=nl)
                    for (a, b, c, d, e, nw, nl) in PAIRS]
beta = 0.2
cases = []
for (pc, pr, rc, rr, e, nw, nl) in PAIRS:
    for div, phi in SCORES.items():
        m = beta * (phi(pc - rc) - phi(pr - rr))
        row = {"divergence": div, "margin": m}
        row["dpo"] = -log_expit(m)
        row["hybrid"] = -log_expit(m + 0.5 * e)
        # TRL's IPO: log-probs divided by the token count before the margin, then (h - 1/(2 beta))^2.
        h = phi((pc - rc) / nw) - phi((pr - rr) / nl)
        row["ipo"] = (h - 1 / (2 * beta)) ** 2
        row["ipoSum"] = ((m / beta) - 1 / (2 * beta)) ** 2
        row["hinge"] = max(0.0, 1 - m)
        eps = 0.1
        row["robust"] = (-log_expit(m) * (1 - eps) + log_expit(-m) * eps) / (1 - 2 * eps)
        row["cdpo"] = -log_expit(m) * (1 - eps) - log_expit(-m) * eps
        k, c = k_poly(3, 0.5); row["poly"] = -log_expit(feature_score(m, k, c))
        k, c = k_rbf(0.7); row["rbf"] = -log_expit(feature_score(m, k, c))
        k, c = k_rbf(math.sqrt(2.5)); row["mahalanobis"] = -log_expit(feature_score(m, k, c))
        k, c = k_spec(SPEC, 0.4); row["spectral"] = -log_expit(feature_score(m, k, c))
        # flat mixture with logits [0.3, -0.2, 0.1, 0.5] over (poly, rbf, spectral, maha): squared distances add
        th = np.array([0.3, -0.2, 0.1, 0.5]); w = np.exp(th) / np.exp(th).sum()
        d2 = 0.0
        for wi, (k, c) in zip(w, [k_poly(3, 0.5), k_rbf(0.7), k_spec(SPEC, 0.4), k_rbf(math.sqrt(2.5))]):
            d2 += wi * (k(m, m) + k(0.0, 0.0) - 2 * k(m, 0.0)) / c
        row["mixture"] = -log_expit(math.copysign(math.sqrt(d2), m))
        cases.append(row)
out["lossCases"] = cases

header = (f"// generated by tests/golden/kernels_losses.py with numpy {np.__version__}, scipy {scipy.__version__}, "
          f"sklearn {sklearn.__version__}; do not edit\n")
path = os.path.join(os.path.dirname(__file__), "kernels_losses_values.ts")
with open(path, "w") as fh:
    fh.write(header)
    for k, v in out.items():
        fh.write(f"export const {k} = {json.dumps(v)};\n")
print("wrote", path)
