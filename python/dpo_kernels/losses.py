"""The DPO-Kernels loss table in PyTorch, vectorized over the batch (mirrors lib/losses/preference_loss.ts).

For pairs (x, y_w, y_l) with summed response log-probs l and reference log-probs l_ref:

    z = l - l_ref            (ipo: divided by the response's token count, TRL's length-normalized form;
                              ipo-sum: the summed log-ratios)
    r = beta * phi(z)        (phi: the divergence's implicit score; phi(z) = z for KL)
    Delta = r_w - r_l + gamma * e          (e: the embedding margin, the hybrid term)
    s = Delta * sqrt(G(Delta^2))           (G: the kernel's margin shape; G = 1 for DPO)
    loss = psi(s) - eta * H(weights) + lambda_sft * (-l_w / |y_w|)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence, Tuple

import torch
from torch import nn

from .implicit_scores import implicit_score
from .kernel_margins import KERNEL_SHAPES, KernelOptions, kernelized_score, linear_shape, mixture_shape
from .mixture import FlatMixture, HierarchicalMixture
from .objectives import OBJECTIVES, ObjectiveContext

Tensor = torch.Tensor


@dataclass(frozen=True)
class LossSpec:
    """One named loss: objective, margin kind, default gamma and entropy weight, whether log-ratios are per token."""

    objective: str
    margin: str
    gamma: float = 0.0
    entropy_weight: float = 0.0
    per_token: bool = False
    description: str = ""


LOSSES: Dict[str, LossSpec] = {
    "dpo": LossSpec("sigmoid", "linear", description="sigmoid DPO"),
    "ipo": LossSpec("ipo", "linear", per_token=True, description="IPO as TRL (length-normalized log-probs, squared "
                    "margin)"),
    "ipo-sum": LossSpec("ipo", "linear", description="IPO on summed log-probs (squared margin)"),
    "hinge": LossSpec("hinge", "linear", description="hinge (SLiC)"),
    "robust": LossSpec("robust", "linear", description="robust DPO"),
    "hybrid": LossSpec("sigmoid", "linear", gamma=0.5, description="DPO + gamma * embedding log-ratio"),
    "poly": LossSpec("sigmoid", "polynomial", description="polynomial kernel"),
    "rbf": LossSpec("sigmoid", "rbf", description="RBF kernel"),
    "spectral": LossSpec("sigmoid", "spectral", description="spectral kernel"),
    "mahalanobis": LossSpec("sigmoid", "mahalanobis", description="Mahalanobis kernel"),
    "rational-quadratic": LossSpec("sigmoid", "rationalQuadratic", description="rational quadratic kernel"),
    "mixture": LossSpec("sigmoid", "mixture", description="flat kernel mixture (softmax over 4)"),
    "hmk": LossSpec("sigmoid", "hmk", entropy_weight=0.05, description="hierarchical mixture of kernels"),
}
"""The named losses (the keys of lib/losses/preference_loss.ts's LOSSES)."""


def loss_spec(name: str) -> LossSpec:
    """Looks a loss up, with a ValueError naming the valid ones."""
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {name!r}")
    return LOSSES[name]


@dataclass
class LossOutput:
    """Per-pair losses and parts (all [B]), plus the mixture weights and entropy when the margin is learned."""

    losses: Tensor
    rewards_chosen: Tensor
    rewards_rejected: Tensor
    margin: Tensor
    score: Tensor
    weights: Optional[Dict[str, Tensor]] = None
    entropy: Optional[Tensor] = None

    @property
    def loss(self) -> Tensor:
        """The mean loss over the batch."""
        return self.losses.mean()


@dataclass(frozen=True)
class LossConfig:
    """Every setting of the loss (None: the named loss's default)."""

    loss: str = "dpo"
    beta: float = 0.1
    gamma: Optional[float] = None
    divergence: str = "kl"
    alpha: Optional[float] = None
    f: Optional[str] = None
    normalize_scores: bool = True
    label_smoothing: float = 0.0
    sft_weight: float = 0.0
    entropy_weight: Optional[float] = None
    kernel: KernelOptions = field(default_factory=KernelOptions)


class DPOKernelsLoss(nn.Module):
    """The loss as a module: holds the settings and, for ``mixture``/``hmk``, the learnable logits.

    Example::

        loss_fn = DPOKernelsLoss(LossConfig(loss="rbf", beta=0.1))
        out = loss_fn(policy_chosen, policy_rejected, reference_chosen, reference_rejected)
        out.loss.backward()
    """

    def __init__(self, config: LossConfig = LossConfig(), mixture_logits: Optional[Sequence[float]] = None,
                 hmk_logits: Optional[Tuple[Sequence[float], Sequence[float], Sequence[float]]] = None,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.spec = loss_spec(config.loss)
        if not config.beta > 0:
            raise ValueError(f"beta must be > 0, got {config.beta!r}")
        if not (0 <= config.label_smoothing < 0.5):
            raise ValueError(f"label_smoothing must lie in [0, 0.5), got {config.label_smoothing!r}")
        if not config.sft_weight >= 0:
            raise ValueError(f"sft_weight must be >= 0, got {config.sft_weight!r}")
        self.config = config
        self.gamma = self.spec.gamma if config.gamma is None else config.gamma
        self.entropy_weight = self.spec.entropy_weight if config.entropy_weight is None else config.entropy_weight
        if self.gamma < 0:
            raise ValueError(f"gamma must be >= 0, got {self.gamma!r}")
        if self.entropy_weight < 0:
            raise ValueError(f"entropy_weight must be >= 0, got {self.entropy_weight!r}")
        self.phi = implicit_score(config.divergence, alpha=config.alpha, f=config.f,
                                  normalize=config.normalize_scores)
        self.objective = OBJECTIVES[self.spec.objective]
        self.mixture: Optional[nn.Module] = None
        if self.spec.margin == "mixture":
            self.mixture = FlatMixture(mixture_logits, dtype=dtype)
        elif self.spec.margin == "hmk":
            tau, local, global_ = hmk_logits if hmk_logits is not None else (None, None, None)
            self.mixture = HierarchicalMixture(tau, local, global_, dtype=dtype)
        self._base_shape = (linear_shape if self.spec.margin == "linear"
                            else KERNEL_SHAPES[self.spec.margin](config.kernel)
                            if self.spec.margin in KERNEL_SHAPES else None)

    def forward(self, policy_chosen: Tensor, policy_rejected: Tensor, reference_chosen: Tensor,
                reference_rejected: Tensor, embedding_margin: Optional[Tensor] = None,
                chosen_tokens: Optional[Tensor] = None, rejected_tokens: Optional[Tensor] = None,
                mixture: Optional[nn.Module] = None) -> LossOutput:
        """Per-pair losses; ``mixture`` overrides the held mixture module (e.g. the same module as wrapped by FSDP
        or DeepSpeed inside the policy, so that calling it gathers sharded logits)."""
        cfg = self.config
        zw = policy_chosen - reference_chosen
        zl = policy_rejected - reference_rejected
        if self.spec.per_token:
            if chosen_tokens is None or rejected_tokens is None:
                raise ValueError(f"loss {cfg.loss!r} needs chosen_tokens and rejected_tokens (TRL's "
                                 "length-normalized log-ratios)")
            zw = zw / chosen_tokens
            zl = zl / rejected_tokens
        rw = cfg.beta * self.phi(zw)
        rl = cfg.beta * self.phi(zl)
        margin = rw - rl
        if self.gamma > 0:
            if embedding_margin is None:
                raise ValueError(f"embedding_margin is required when gamma > 0 (got gamma {self.gamma})")
            margin = margin + self.gamma * embedding_margin
        weights = entropy = None
        if self.mixture is not None:
            weights, entropy = (mixture if mixture is not None else self.mixture)()
            shape, _ = mixture_shape(weights, cfg.kernel)
        else:
            shape = self._base_shape  # type: ignore[assignment]
        score = kernelized_score(margin, shape)
        losses = self.objective(score, ObjectiveContext(cfg.beta, cfg.label_smoothing))
        if cfg.sft_weight > 0:
            if chosen_tokens is None:
                raise ValueError("chosen_tokens is required when sft_weight > 0")
            losses = losses + cfg.sft_weight * (-policy_chosen) / chosen_tokens
        if entropy is not None:
            losses = losses - self.entropy_weight * entropy
        return LossOutput(losses, rw, rl, margin, score, weights, entropy)


def preference_loss(policy_chosen: Tensor, policy_rejected: Tensor, reference_chosen: Tensor,
                    reference_rejected: Tensor, config: LossConfig = LossConfig(), **inputs: Tensor) -> LossOutput:
    """Functional form of :class:`DPOKernelsLoss` with default (zero) mixture logits."""
    module = DPOKernelsLoss(config, dtype=policy_chosen.dtype)
    return module(policy_chosen, policy_rejected, reference_chosen, reference_rejected, **inputs)
