"""Learnable kernel mixtures: the flat softmax over the four base kernels, and HMK (hierarchical mixture of kernels).

Mirrors lib/kernels/mixture.ts. HMK: (tau_1, tau_2) over (local, global), (lambda_1, lambda_2) over (RBF, polynomial)
and (lambda_3, lambda_4) over (spectral, Mahalanobis); effective weights w_rbf = tau_1 lambda_1, w_poly = tau_1
lambda_2, w_spec = tau_2 lambda_3, w_maha = tau_2 lambda_4. The entropy bonus is the sum of the three levels'
entropies (HMK) or the flat weights' entropy.
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import torch
from torch import nn

Tensor = torch.Tensor


def _entropy(logits: Tensor) -> Tensor:
    logp = torch.log_softmax(logits, -1)
    return -(logp.exp() * logp).sum()


def _param(values: Optional[Sequence[float]], n: int, name: str, dtype: torch.dtype) -> nn.Parameter:
    v = [0.0] * n if values is None else list(values)
    if len(v) != n:
        raise ValueError(f"{name} must hold {n} logits, got {values!r}")
    return nn.Parameter(torch.tensor(v, dtype=dtype))


class FlatMixture(nn.Module):
    """Softmax weights over (polynomial, RBF, spectral, Mahalanobis) from 4 learnable logits."""

    def __init__(self, logits: Optional[Sequence[float]] = None, dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.logits = _param(logits, 4, "logits", dtype)

    def weights(self) -> Dict[str, Tensor]:
        w = torch.softmax(self.logits, -1)
        return {"polynomial": w[0], "rbf": w[1], "spectral": w[2], "mahalanobis": w[3]}

    def entropy(self) -> Tensor:
        return _entropy(self.logits)

    def flat_logits(self) -> Tensor:
        """The logits in the order the TypeScript core reports gradients."""
        return self.logits

    def forward(self) -> Tuple[Dict[str, Tensor], Tensor]:
        """(weights, entropy); calling the module (not the methods) lets ZeRO-3 gather sharded logits."""
        return self.weights(), self.entropy()


class HierarchicalMixture(nn.Module):
    """HMK's six learnable logits: tau (local, global), local (RBF, polynomial), global (spectral, Mahalanobis)."""

    def __init__(self, tau: Optional[Sequence[float]] = None, local: Optional[Sequence[float]] = None,
                 global_: Optional[Sequence[float]] = None, dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.tau = _param(tau, 2, "tau", dtype)
        self.local = _param(local, 2, "local", dtype)
        self.global_ = _param(global_, 2, "global", dtype)

    def weights(self) -> Dict[str, Tensor]:
        t = torch.softmax(self.tau, -1)
        lo = torch.softmax(self.local, -1)
        gl = torch.softmax(self.global_, -1)
        return {"rbf": t[0] * lo[0], "polynomial": t[0] * lo[1], "spectral": t[1] * gl[0],
                "mahalanobis": t[1] * gl[1]}

    def level_weights(self) -> Dict[str, Tensor]:
        """tau, local and global softmax weights (for logging)."""
        return {"tau": torch.softmax(self.tau, -1), "local": torch.softmax(self.local, -1),
                "global": torch.softmax(self.global_, -1)}

    def entropy(self) -> Tensor:
        return _entropy(self.tau) + _entropy(self.local) + _entropy(self.global_)

    def flat_logits(self) -> Tensor:
        """tau_1, tau_2, lambda_rbf, lambda_poly, lambda_spec, lambda_maha (the TypeScript gradient order)."""
        return torch.cat([self.tau, self.local, self.global_])

    def forward(self) -> Tuple[Dict[str, Tensor], Tensor]:
        """(weights, entropy); calling the module (not the methods) lets ZeRO-3 gather sharded logits."""
        return self.weights(), self.entropy()
