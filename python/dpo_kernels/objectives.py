"""The DPO family's objectives psi(s) on the (kernelized) margin score s, as in TRL's DPOTrainer.

Mirrors lib/losses/objectives.ts: sigmoid (DPO, cDPO with label smoothing), robust, hinge and IPO.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


@dataclass(frozen=True)
class ObjectiveContext:
    """beta (inverse temperature) and epsilon (label-flip probability)."""

    beta: float
    label_smoothing: float = 0.0


def _sigmoid(s: Tensor, ctx: ObjectiveContext) -> Tensor:
    """cDPO: -(1 - e) log sigma(s) - e log sigma(-s); e = 0 is DPO."""
    e = ctx.label_smoothing
    out = (1 - e) * F.softplus(-s)
    return out if e == 0 else out + e * F.softplus(s)


def _robust(s: Tensor, ctx: ObjectiveContext) -> Tensor:
    """Robust DPO: ((1 - e)(-log sigma(s)) + e log sigma(-s)) / (1 - 2e)."""
    e = ctx.label_smoothing
    return ((1 - e) * F.softplus(-s) - e * F.softplus(s)) / (1 - 2 * e)


def _hinge(s: Tensor, ctx: ObjectiveContext) -> Tensor:
    """SLiC hinge: max(0, 1 - s)."""
    return torch.relu(1 - s)


def _ipo(s: Tensor, ctx: ObjectiveContext) -> Tensor:
    """IPO: (s / beta - 1 / (2 beta))^2, s = beta * h with h the (length-normalized) log-ratio margin."""
    b = ctx.beta
    return (s / b - 1 / (2 * b)) ** 2


OBJECTIVES: Dict[str, Callable[[Tensor, ObjectiveContext], Tensor]] = {
    "sigmoid": _sigmoid,
    "robust": _robust,
    "hinge": _hinge,
    "ipo": _ipo,
}
"""The objectives by name (the keys of lib/losses/objectives.ts's OBJECTIVES)."""


def objective(name: str) -> Callable[[Tensor, ObjectiveContext], Tensor]:
    """Looks an objective up, with a ValueError naming the valid ones."""
    if name not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {name!r}")
    return OBJECTIVES[name]
