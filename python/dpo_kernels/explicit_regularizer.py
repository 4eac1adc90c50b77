"""The explicit token-level regularizer (mirrors lib/train/explicit_regularizer.ts): the mean over response tokens of
D(pi_theta(.|x, y_<t) || pi_ref(.|x, y_<t)) between the full next-token distributions, from log-probabilities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, Optional

import torch

from .implicit_scores import DEFAULT_IMPLICIT_F_GENERATOR, DEFAULT_RENYI_ALPHA

Tensor = torch.Tensor

DEFAULT_SINKHORN_TOLERANCE = 1e-3
"""Default stopping tolerance of the Wasserstein regularizer's Sinkhorn: the L1 row-marginal error, per token
(lib/train/explicit_regularizer.ts's DEFAULT_SINKHORN_TENSOR_TOLERANCE)."""

DEFAULT_SINKHORN_MAX_ITERATIONS = 200
"""Default cap on its Sinkhorn iterations (DEFAULT_SINKHORN_TENSOR_MAX_ITERATIONS)."""

SINKHORN_CHECK_EVERY = 10
"""How often (in iterations) the marginal error is checked, as in the TypeScript core."""


@dataclass(frozen=True)
class ExplicitOptions:
    """Renyi order / Amari alpha (default 3/4), the f generator (default reverse-kl, as the implicit form), and
    Wasserstein's top-k support, Sinkhorn epsilon, iteration cap and L1 row-marginal tolerance (Sinkhorn stops
    once every token's error is below it), and the token embeddings [V, D] whose 1 - cos is the ground cost."""

    alpha: float = DEFAULT_RENYI_ALPHA
    f: str = DEFAULT_IMPLICIT_F_GENERATOR
    top_k: int = 16
    epsilon: float = 0.05
    iterations: int = DEFAULT_SINKHORN_MAX_ITERATIONS
    tolerance: float = DEFAULT_SINKHORN_TOLERANCE
    token_embeddings: Optional[Tensor] = None


PerToken = Callable[[Tensor, Tensor, ExplicitOptions], Tensor]


def _kl(lp: Tensor, lq: Tensor) -> Tensor:
    return (lp.exp() * (lp - lq)).sum(-1)


def _js(lp: Tensor, lq: Tensor) -> Tensor:
    lm = torch.logaddexp(lp, lq) - math.log(2.0)
    return 0.5 * (_kl(lp, lm) + _kl(lq, lm))


def _bc(lp: Tensor, lq: Tensor) -> Tensor:
    return torch.exp(0.5 * (lp + lq)).sum(-1)


def _amari(lp: Tensor, lq: Tensor, o: ExplicitOptions) -> Tensor:
    a = o.alpha
    if not (math.isfinite(a) and a not in (0.0, 1.0)):
        raise ValueError(f"alpha must be finite and not 0 or 1 for the alpha generator, got {a!r}")
    return (torch.exp(a * lp + (1 - a) * lq).sum(-1) - 1) / (a * (a - 1))


F_TENSORS: Dict[str, PerToken] = {
    "kl": lambda p, q, o: _kl(p, q),
    "reverse-kl": lambda p, q, o: _kl(q, p),
    "js": lambda p, q, o: _js(p, q),
    "hellinger": lambda p, q, o: 1 - _bc(p, q),  # H^2 = 1 - BC
    "total-variation": lambda p, q, o: 0.5 * (p.exp() - q.exp()).abs().sum(-1),
    "chi-squared": lambda p, q, o: torch.exp(2 * p - q).sum(-1) - 1,
    "alpha": _amari,
}
"""f generators in log space: D_f(p||q) = sum q f(p/q)."""


def _renyi(lp: Tensor, lq: Tensor, o: ExplicitOptions) -> Tensor:
    a = o.alpha
    if not a > 0 or a == 1:
        raise ValueError(f"alpha must be > 0 and not 1 for the Renyi divergence, got {a!r}")
    return torch.logsumexp(a * lp + (1 - a) * lq, -1) / (a - 1)


def _f(lp: Tensor, lq: Tensor, o: ExplicitOptions) -> Tensor:
    if o.f not in F_TENSORS:
        raise ValueError(f"f must be one of {', '.join(F_TENSORS)}, got {o.f!r}")
    return F_TENSORS[o.f](lp, lq, o)


def sinkhorn_cost(log_a: Tensor, log_b: Tensor, cost: Tensor, epsilon: float, iterations: int,
                  tolerance: float = 0.0, report: Optional[Dict[str, float]] = None) -> Tensor:
    """Log-domain Sinkhorn between a, b [M, k] with cost [M, k, k]; returns <P, C> [M].

    Runs until the largest L1 row-marginal error sum_j |sum_b P_jb - a_j| over the M problems is below
    ``tolerance`` (checked every SINKHORN_CHECK_EVERY iterations and at the cap) or ``iterations`` is reached, as
    lib/train/explicit_regularizer.ts's sinkhornTensor; ``tolerance=0`` runs every iteration. ``report``, if
    given, receives the last error checked (``marginal_error``, inf if none was) and the iterations run."""
    log_k = -cost / epsilon
    f = torch.zeros_like(log_a)
    g = torch.zeros_like(log_b)
    error = math.inf
    done = 0
    for done in range(1, iterations + 1):
        f = log_a - torch.logsumexp(log_k + g.unsqueeze(1), 2)
        g = log_b - torch.logsumexp(log_k + f.unsqueeze(2), 1)
        if tolerance > 0 and (done % SINKHORN_CHECK_EVERY == 0 or done == iterations):
            with torch.no_grad():
                rows = torch.logsumexp(log_k + f.unsqueeze(2) + g.unsqueeze(1), 2).exp()
                error = (rows - log_a.exp()).abs().sum(-1).max().item()
            if error < tolerance:
                break
    if report is not None:
        report.update(marginal_error=error, iterations=done)
    log_p = log_k + f.unsqueeze(2) + g.unsqueeze(1)
    return (log_p.exp() * cost).sum((1, 2))


def _wasserstein(lp: Tensor, lq: Tensor, o: ExplicitOptions) -> Tensor:
    emb = o.token_embeddings
    if emb is None:
        raise ValueError("token_embeddings is required for the Wasserstein regularizer")
    v = lp.shape[1]
    k = min(o.top_k, v)
    if k < 1 or o.iterations < 1 or not o.epsilon > 0 or not o.tolerance >= 0:
        raise ValueError(f"top_k and iterations must be >= 1, epsilon > 0 and tolerance >= 0, got {o!r}")
    with torch.no_grad():  # the support is an index choice: no gradient
        idx = torch.topk(lp.exp() + lq.exp(), k, -1).indices  # [M, k]

    def restrict(lx: Tensor) -> Tensor:
        m = torch.clamp(torch.gather(lx.exp(), 1, idx), min=1e-30)
        return m.log() - m.sum(-1, keepdim=True).log()

    unit = emb / torch.clamp(emb.norm(dim=-1, keepdim=True), min=1e-12)
    e = unit.to(lp.dtype)[idx]  # [M, k, D]
    cost = torch.relu(1 - e @ e.transpose(1, 2))
    return sinkhorn_cost(restrict(lp), restrict(lq), cost, o.epsilon, o.iterations, o.tolerance)


EXPLICIT_DIVERGENCES: Dict[str, PerToken] = {
    "kl": lambda p, q, o: _kl(p, q),
    "js": lambda p, q, o: _js(p, q),
    "hellinger": lambda p, q, o: torch.sqrt(torch.clamp(1 - _bc(p, q), min=1e-12)),
    "renyi": _renyi,
    "bhattacharyya": lambda p, q, o: -torch.logsumexp(0.5 * (p + q), -1),
    "f": _f,
    "wasserstein": _wasserstein,
}
"""Per-token divergences D(p||q) from log-probabilities [M, V] -> [M], by name."""


def per_token_divergence(log_p: Tensor, log_q: Tensor, divergence: str,
                         options: ExplicitOptions = ExplicitOptions()) -> Tensor:
    """D(p || q) for each row of log-probabilities [M, V]."""
    if divergence not in EXPLICIT_DIVERGENCES:
        raise ValueError(f"divergence must be one of {', '.join(EXPLICIT_DIVERGENCES)}, got {divergence!r}")
    return EXPLICIT_DIVERGENCES[divergence](log_p, log_q, options)


def explicit_regularizer(policy_logits: Tensor, reference_logits: Tensor, mask: Tensor, divergence: str,
                         options: ExplicitOptions = ExplicitOptions()) -> Tensor:
    """Mean over masked positions of D(pi_theta || pi_ref); logits [N, T, V], mask [N, T]."""
    n, t, v = policy_logits.shape
    lp = torch.log_softmax(policy_logits, -1).reshape(n * t, v)
    lq = torch.log_softmax(reference_logits.detach(), -1).reshape(n * t, v)
    d = per_token_divergence(lp, lq, divergence, options).reshape(n, t)
    m = mask.to(d.dtype)
    return (d * m).sum() / torch.clamp(m.sum(), min=1)
