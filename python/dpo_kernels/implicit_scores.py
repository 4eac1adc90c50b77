"""f-DPO's implicit scores from one generator table (Wang et al. 2023, Thm 1).

With z = log pi(y) - log pi_ref(y) and f the divergence's generator (D_f(p||q) = sum q f(p/q), p = pi), the score is
phi(z) = (f'(e^z) - f'(1)) / f''(1): zero at z = 0 and, by default, of unit slope there (so beta means the same for
every divergence); ``normalize=False`` (the TypeScript option ``unitSlope: false``) keeps f'(e^z) - f'(1). Exponents
are clamped to +-EXPONENT_CLAMP as in lib/losses/implicit_scores.ts. Defaults as there: Renyi order 3/4, the
``alpha`` divergence's alpha 1/2, and ``f="reverse-kl"`` for ``divergence="f"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, Optional

import torch
import torch.nn.functional as F

Tensor = torch.Tensor

EXPONENT_CLAMP = 50.0
"""The bound on exponents inside the scores (beyond it the score is flat)."""


def _clamped(x: Tensor) -> Tensor:
    return torch.clamp(x, -EXPONENT_CLAMP, EXPONENT_CLAMP)


@dataclass(frozen=True)
class Generator:
    """An f generator as used by f-DPO: shifted(z, alpha) = f'(e^z) - f'(1), and f''(1)."""

    shifted: Callable[[Tensor, float], Tensor]
    curvature: Callable[[float], float]
    admissible: bool = True


def _amari_check(alpha: float) -> float:
    if not (0 < alpha < 1):
        raise ValueError(f"alpha must lie in (0, 1) for an implicit score, got {alpha!r}")
    return alpha


GENERATORS: Dict[str, Generator] = {
    # t log t: f'(t) = log t + 1, f''(1) = 1.
    "kl": Generator(lambda z, a: z, lambda a: 1.0),
    # -log t: f'(t) = -1/t, f''(1) = 1.
    "reverse-kl": Generator(lambda z, a: -torch.expm1(_clamped(-z)), lambda a: 1.0),
    # JS: f'(t) = 1/2 log(2t / (1 + t)), f''(1) = 1/4.
    "js": Generator(lambda z, a: 0.5 * (math.log(2.0) - F.softplus(-z)), lambda a: 0.25),
    # 1/2 (sqrt t - 1)^2: f'(t) = 1/2 (1 - t^{-1/2}), f''(1) = 1/4.
    "hellinger": Generator(lambda z, a: -0.5 * torch.expm1(_clamped(-0.5 * z)), lambda a: 0.25),
    # Amari: (t^a - a t - (1 - a)) / (a (a - 1)): f'(t) = (t^{a-1} - 1)/(a - 1), f''(1) = 1.
    "alpha": Generator(
        lambda z, a: torch.expm1(_clamped((_amari_check(a) - 1) * z)) / (a - 1),
        lambda a: 1.0,
    ),
    # f' unbounded below at 0 or no f: no implicit score (use the explicit regularizer).
    "total-variation": Generator(lambda z, a: z, lambda a: 1.0, admissible=False),
    "chi-squared": Generator(lambda z, a: z, lambda a: 1.0, admissible=False),
}
"""f generators by name (the names of lib/divergences/f_divergence.ts's F_GENERATORS)."""


DEFAULT_RENYI_ALPHA = 0.75
"""The default Renyi order (lib/divergences/renyi.ts's DEFAULT_RENYI_ALPHA); also Amari's alpha of ``f="alpha"``."""

DEFAULT_ALPHA_DIVERGENCE = 0.5
"""The default alpha of the ``alpha`` divergence (Wang et al.'s convention; 1/2 is the Hellinger score)."""

DEFAULT_IMPLICIT_F_GENERATOR = "reverse-kl"
"""The generator ``divergence="f"`` uses when none is named (lib/losses/implicit_scores.ts's
DEFAULT_IMPLICIT_F_GENERATOR): -log t, i.e. KL(pi_ref || pi), the one admissible generator whose score no other
divergence name already gives."""


def _order(alpha: Optional[float], what: str, default: float) -> float:
    a = default if alpha is None else alpha
    if not (0 < a < 1):
        raise ValueError(f"{what} must lie in (0, 1), got {a!r}")
    return a


def _generator_of_f(alpha: Optional[float], f: Optional[str]) -> tuple:
    name = DEFAULT_IMPLICIT_F_GENERATOR if f is None else f
    return name, _order(alpha, "alpha", DEFAULT_RENYI_ALPHA) if name == "alpha" else 0.0


# Divergence name -> (generator name, Amari alpha) given (alpha option, f option).
DIVERGENCE_GENERATORS: Dict[str, Callable[[Optional[float], Optional[str]], tuple]] = {
    "kl": lambda a, f: ("kl", 0.0),
    "forward-kl": lambda a, f: ("reverse-kl", 0.0),
    "js": lambda a, f: ("js", 0.0),
    "hellinger": lambda a, f: ("hellinger", 0.0),
    # D_B = -log(1 - H^2) is increasing in H^2: the same score.
    "bhattacharyya": lambda a, f: ("hellinger", 0.0),
    # Renyi of order r in (0, 1) is increasing in Amari's alpha-divergence with alpha = r.
    "renyi": lambda a, f: ("alpha", _order(a, "alpha (the Renyi order)", DEFAULT_RENYI_ALPHA)),
    # f-DPO's alpha-divergence (Wang et al.) is Amari's with alpha' = 1 - alpha.
    "alpha": lambda a, f: ("alpha", 1 - _order(a, "alpha", DEFAULT_ALPHA_DIVERGENCE)),
    "f": _generator_of_f,
}
"""Divergence names accepted by the implicit regularizer, mapped to their generator."""


class ImplicitScore:
    """phi(z) for one divergence; call it on a tensor of log-ratios z."""

    def __init__(self, divergence: str = "kl", alpha: Optional[float] = None, f: Optional[str] = None,
                 normalize: bool = True) -> None:
        if divergence in ("wasserstein",):
            raise ValueError(f"divergence {divergence!r} has no f' admissible for the implicit regularizer; "
                             "use the explicit regularizer")
        if divergence not in DIVERGENCE_GENERATORS:
            raise ValueError(f"divergence must be one of {', '.join(DIVERGENCE_GENERATORS)}, got {divergence!r}")
        name, a = DIVERGENCE_GENERATORS[divergence](alpha, f)
        if name not in GENERATORS:
            raise ValueError(f"f must be one of {', '.join(GENERATORS)}, got {name!r}")
        gen = GENERATORS[name]
        if not gen.admissible:
            raise ValueError(f"generator {name!r} has no f' admissible for the implicit regularizer; "
                             "use the explicit regularizer")
        self.generator = name
        self.alpha = a
        self.scale = 1.0 / gen.curvature(a) if normalize else 1.0
        self._gen = gen

    def __call__(self, z: Tensor) -> Tensor:
        return self.scale * self._gen.shifted(z, self.alpha)


def implicit_score(divergence: str = "kl", alpha: Optional[float] = None, f: Optional[str] = None,
                   normalize: bool = True) -> ImplicitScore:
    """The implicit score of a divergence (see module docs); raises ValueError naming a bad argument."""
    return ImplicitScore(divergence, alpha=alpha, f=f, normalize=normalize)
