"""Kernel margin shapes G(u), u = Delta^2, and the kernelized score s = Delta * sqrt(G(Delta^2)).

Mirrors lib/losses/kernel_margin.ts (the signed-distance reading of docs/math.md): G(0) = 1, so every kernel equals
DPO to first order at Delta = 0. Small-argument branches use the same Taylor series as the TypeScript core; the
branches are selected with "double where" so gradients stay finite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Dict, Sequence, Tuple

import torch

Tensor = torch.Tensor

MIXTURE_KERNELS: Tuple[str, ...] = ("polynomial", "rbf", "spectral", "mahalanobis")
"""The base kernels, in the flat mixture's logit order."""


@dataclass(frozen=True)
class SpectralComponent:
    """One spectral-mixture component: weight w > 0, length-scale l > 0, frequency nu (cycles per unit)."""

    weight: float = 1.0
    lengthscale: float = 1.0
    frequency: float = 0.25


@dataclass(frozen=True)
class KernelOptions:
    """The base kernels' settings (defaults as lib/kernels: degree 2, offset 1, sigma 1, one spectral component
    (1, 1, 0.25) with damping 0.5, Mahalanobis variance 1, rational quadratic length-scale 1 and alpha 1)."""

    polynomial_degree: float = 2.0
    polynomial_offset: float = 1.0
    rbf_sigma: float = 1.0
    spectral_components: Tuple[SpectralComponent, ...] = field(default_factory=lambda: (SpectralComponent(),))
    spectral_damping: float = 0.5
    mahalanobis_variance: float = 1.0
    rational_quadratic_lengthscale: float = 1.0
    rational_quadratic_alpha: float = 1.0

    def __post_init__(self) -> None:
        if not self.polynomial_degree >= 1:
            raise ValueError(f"polynomial_degree must be >= 1 for a monotone margin, got {self.polynomial_degree!r}")
        for name in ("polynomial_offset", "rbf_sigma", "mahalanobis_variance", "rational_quadratic_lengthscale",
                     "rational_quadratic_alpha"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if not (0 <= self.spectral_damping < 1):
            raise ValueError(f"spectral_damping must lie in [0, 1), got {self.spectral_damping!r}")
        if len(self.spectral_components) == 0:
            raise ValueError("spectral_components must not be empty")
        for q, c in enumerate(self.spectral_components):
            if not (c.weight > 0 and c.lengthscale > 0):
                raise ValueError(f"spectral_components[{q}] needs weight > 0 and lengthscale > 0, got {c!r}")


Shape = Callable[[Tensor], Tensor]
"""A margin shape: Delta -> G(Delta^2)."""


def _exp_ratio(v: Tensor) -> Tensor:
    """E(v) = (1 - e^-v)/v, 1 - v/2 near 0."""
    small = v < 1e-8
    safe = torch.where(small, torch.ones_like(v), v)
    return torch.where(small, 1 - v / 2, -torch.expm1(-safe) / safe)


def rbf_shape(sigma: float) -> Shape:
    """RBF: G(u) = E(u / (2 sigma^2))."""
    k = 1.0 / (2 * sigma * sigma)
    return lambda delta: _exp_ratio(k * delta * delta)


def polynomial_shape(degree: float, offset: float) -> Shape:
    """Polynomial: with v = u/c, G = ((1 + v)^d - 1)/(d v)."""
    d, c = float(degree), float(offset)

    def g(delta: Tensor) -> Tensor:
        v = delta * delta / c
        small = v < 1e-8
        safe = torch.where(small, torch.ones_like(v), v)
        return torch.where(small, 1 + (d - 1) / 2 * v, torch.expm1(d * torch.log1p(safe)) / (d * safe))

    return g


def spectral_shape(components: Sequence[SpectralComponent], damping: float) -> Shape:
    """Spectral mixture: G(u) = 2 sum w [k E(k u) + r e^{-k u} (omega^2/2) sinc^2(omega sqrt(u)/2)] / curvature,
    k = 1/(2 l^2), omega = 2 pi nu, r = rho/(1 + rho)."""
    rho = float(damping)
    r = rho / (1 + rho)
    comps = [(c.weight, 1.0 / (2 * c.lengthscale ** 2), 2 * math.pi * c.frequency) for c in components]
    curvature = sum(w * (2 * k + rho * om * om / (1 + rho)) for w, k, om in comps)

    def g(delta: Tensor) -> Tensor:
        u = delta * delta
        total = torch.zeros_like(delta)
        for w, k, om in comps:
            # sinc(y) with y = omega*Delta/2 (even in Delta); torch.sinc(x) = sin(pi x)/(pi x).
            sinc = torch.sinc(om * delta / (2 * math.pi))
            total = total + w * (k * _exp_ratio(k * u) + r * torch.exp(-k * u) * (om * om / 2) * sinc * sinc)
        return 2 * total / curvature

    return g


def mahalanobis_shape(variance: float) -> Shape:
    """Mahalanobis on the scalar margin: the RBF shape with sigma^2 = the margin's variance."""
    return rbf_shape(math.sqrt(variance))


def rational_quadratic_shape(lengthscale: float, alpha: float) -> Shape:
    """Rational quadratic: with v = u/(2 alpha l^2), G = (1 - (1 + v)^-alpha)/(alpha v)."""
    a, c = float(alpha), 2 * float(alpha) * float(lengthscale) ** 2

    def g(delta: Tensor) -> Tensor:
        v = delta * delta / c
        small = v < 1e-8
        safe = torch.where(small, torch.ones_like(v), v)
        return torch.where(small, 1 - (a + 1) / 2 * v, -torch.expm1(-a * torch.log1p(safe)) / (a * safe))

    return g


KERNEL_SHAPES: Dict[str, Callable[[KernelOptions], Shape]] = {
    "polynomial": lambda o: polynomial_shape(o.polynomial_degree, o.polynomial_offset),
    "rbf": lambda o: rbf_shape(o.rbf_sigma),
    "spectral": lambda o: spectral_shape(o.spectral_components, o.spectral_damping),
    "mahalanobis": lambda o: mahalanobis_shape(o.mahalanobis_variance),
    "rationalQuadratic": lambda o: rational_quadratic_shape(o.rational_quadratic_lengthscale,
                                                            o.rational_quadratic_alpha),
}
"""The kernels' margin shapes, by name (the keys of lib/kernels/table.ts's KERNELS)."""


def linear_shape(delta: Tensor) -> Tensor:
    """G = 1: the DPO margin."""
    return torch.ones_like(delta)


def mixture_shape(weights: Dict[str, Tensor], options: KernelOptions) -> Tuple[Shape, Dict[str, Shape]]:
    """G = sum_i w_i G_i over the four base kernels, and the parts."""
    parts = {k: KERNEL_SHAPES[k](options) for k in MIXTURE_KERNELS}

    def g(delta: Tensor) -> Tensor:
        return sum(weights[k] * parts[k](delta) for k in MIXTURE_KERNELS)  # type: ignore[return-value]

    return g, parts


def kernelized_score(delta: Tensor, shape: Shape) -> Tensor:
    """s = Delta * sqrt(G(Delta^2))."""
    return delta * torch.sqrt(shape(delta))
