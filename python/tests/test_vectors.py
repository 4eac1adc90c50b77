"""The PyTorch loss table against the TypeScript core's vectors (python/tests/vectors.json, `deno task vectors`).

Every case in the file is checked in float64 to 1e-6: per-pair losses, rewards, margins, scores, the gradients of
the batch mean with respect to the policy log-probs (autograd) and, for the mixtures, the weights, entropy and
logit gradients. A name in the file that the Python table lacks fails, and so does a default (Renyi order, the f
generator, unit slope, Sinkhorn's tolerance and cap) that differs from the core's.
"""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path
from typing import Any, Dict

import pytest
import torch

from dpo_kernels import (EXPLICIT_DIVERGENCES, GENERATORS, DIVERGENCE_GENERATORS, KERNEL_SHAPES, LOSSES,
                         DPOKernelsLoss, KernelOptions, LossConfig, SpectralComponent)
from dpo_kernels.explicit_regularizer import F_TENSORS, ExplicitOptions, per_token_divergence

# The modules themselves (the package exports a function named explicit_regularizer).
explicit_module = importlib.import_module("dpo_kernels.explicit_regularizer")
implicit_module = importlib.import_module("dpo_kernels.implicit_scores")

VECTORS: Dict[str, Any] = json.loads((Path(__file__).parent / "vectors.json").read_text())
TOL = 1e-6
D = torch.float64


def kernel_options(o: Dict[str, Any]) -> KernelOptions:
    """The TypeScript kernel options (camelCase, nested) as KernelOptions."""
    poly = o.get("polynomial", {})
    spec = o.get("spectral", {})
    comps = spec.get("components")
    return KernelOptions(
        polynomial_degree=poly.get("degree", 2.0),
        polynomial_offset=poly.get("offset", 1.0),
        rbf_sigma=o.get("rbf", {}).get("sigma", 1.0),
        spectral_components=(SpectralComponent(),) if comps is None else tuple(
            SpectralComponent(c["weight"], c["lengthscale"], c["frequency"]) for c in comps),
        spectral_damping=spec.get("damping", 0.5),
        mahalanobis_variance=o.get("mahalanobis", {}).get("variance", 1.0),
        rational_quadratic_lengthscale=o.get("rationalQuadratic", {}).get("lengthscale", 1.0),
        rational_quadratic_alpha=o.get("rationalQuadratic", {}).get("alpha", 1.0),
    )


KNOWN_OPTIONS = {"loss", "beta", "gamma", "divergence", "alpha", "f", "unitSlope", "labelSmoothing", "sftWeight",
                 "entropyWeight", "mixtureLogits", "hmkLogits", "polynomial", "rbf", "spectral", "mahalanobis",
                 "rationalQuadratic"}


def loss_module(o: Dict[str, Any]) -> DPOKernelsLoss:
    """The TypeScript preferenceLoss options as a DPOKernelsLoss (float64)."""
    unknown = set(o) - KNOWN_OPTIONS
    assert not unknown, f"options the Python side does not map: {sorted(unknown)}"
    config = LossConfig(
        loss=o.get("loss", "dpo"), beta=o.get("beta", 0.1), gamma=o.get("gamma"), divergence=o.get("divergence", "kl"),
        alpha=o.get("alpha"), f=o.get("f"), normalize_scores=o.get("unitSlope", True),
        label_smoothing=o.get("labelSmoothing", 0.0),
        sft_weight=o.get("sftWeight", 0.0), entropy_weight=o.get("entropyWeight"), kernel=kernel_options(o))
    hmk = o.get("hmkLogits")
    return DPOKernelsLoss(config, mixture_logits=o.get("mixtureLogits"),
                          hmk_logits=None if hmk is None else (hmk["tau"], hmk["local"], hmk["global"]), dtype=D)


def column(key: str) -> torch.Tensor:
    return torch.tensor([p[key] for p in VECTORS["pairs"]], dtype=D)


def close(actual: float, expected: float, what: str) -> None:
    assert math.isfinite(actual) == math.isfinite(expected), f"{what}: {actual} vs {expected}"
    assert abs(actual - expected) <= TOL * max(1.0, abs(expected)), f"{what}: {actual} vs {expected}"


CASES = [pytest.param(c, id=c["name"]) for c in VECTORS["losses"]]


@pytest.mark.parametrize("case", CASES)
def test_loss_case(case: Dict[str, Any]) -> None:
    module = loss_module(case["options"])
    chosen = column("policyChosen").requires_grad_(True)
    rejected = column("policyRejected").requires_grad_(True)
    out = module(chosen, rejected, column("referenceChosen"), column("referenceRejected"),
                 embedding_margin=column("embeddingMargin"), chosen_tokens=column("chosenTokens"),
                 rejected_tokens=column("rejectedTokens"))
    out.loss.backward()
    close(out.loss.item(), case["loss"], "mean loss")
    for i, item in enumerate(case["items"]):
        for key, got in (("loss", out.losses), ("rewardChosen", out.rewards_chosen),
                         ("rewardRejected", out.rewards_rejected), ("margin", out.margin), ("score", out.score),
                         ("gradChosen", chosen.grad), ("gradRejected", rejected.grad)):
            close(got[i].item(), item[key], f"pair {i} {key}")
    if module.mixture is not None:
        first = case["items"][0]
        for k, w in out.weights.items():
            close(w.item(), first["weights"][k], f"weight {k}")
        close(out.entropy.item(), first["entropy"], "entropy")
        grads = torch.cat([p.grad for p in module.mixture.parameters()])
        expected = [sum(item["gradLogits"][j] for item in case["items"]) for j in range(len(first["gradLogits"]))]
        assert len(expected) == grads.numel()
        for j, g in enumerate(grads.tolist()):
            close(g, expected[j], f"logit gradient {j}")


def test_every_name_in_the_file_is_in_the_python_table() -> None:
    names = VECTORS["names"]
    tables = {"losses": LOSSES, "implicitDivergences": DIVERGENCE_GENERATORS, "implicitGenerators": GENERATORS,
              "kernels": KERNEL_SHAPES, "explicitDivergences": EXPLICIT_DIVERGENCES, "explicitGenerators": F_TENSORS}
    assert set(names) == set(tables), f"name lists in the file: {sorted(names)}"
    for key, table in tables.items():
        missing = [n for n in names[key] if n not in table]
        assert not missing, f"{key} the Python table lacks: {missing}"


def test_every_loss_is_covered_by_the_file() -> None:
    covered = {c["options"].get("loss", "dpo") for c in VECTORS["losses"]}
    assert covered == set(LOSSES)


EXPLICIT = VECTORS["explicit"]


@pytest.mark.parametrize("case", EXPLICIT["cases"], ids=[c["name"] for c in EXPLICIT["cases"]])
def test_explicit_case(case: Dict[str, Any]) -> None:
    o = case["options"]
    unknown = set(o) - {"alpha", "f", "topK", "epsilon", "iterations", "tolerance"}
    assert not unknown, f"explicit options the Python side does not map: {sorted(unknown)}"
    keys = {"alpha": "alpha", "f": "f", "topK": "top_k", "epsilon": "epsilon", "iterations": "iterations",
            "tolerance": "tolerance"}
    options = ExplicitOptions(token_embeddings=torch.tensor(EXPLICIT["tokenEmbeddings"], dtype=D),
                              **{keys[k]: v for k, v in o.items()})
    got = per_token_divergence(torch.tensor(EXPLICIT["logP"], dtype=D), torch.tensor(EXPLICIT["logQ"], dtype=D),
                               case["divergence"], options)
    for i, expected in enumerate(case["values"]):
        close(got[i].item(), expected, f"row {i}")


def test_the_defaults_are_the_typescript_cores() -> None:
    d = VECTORS["defaults"]
    assert implicit_module.DEFAULT_RENYI_ALPHA == d["renyiAlpha"]
    assert implicit_module.DEFAULT_ALPHA_DIVERGENCE == d["alphaDivergence"]
    assert implicit_module.DEFAULT_IMPLICIT_F_GENERATOR == d["implicitF"]
    assert implicit_module.EXPONENT_CLAMP == d["exponentClamp"]
    assert LossConfig().normalize_scores is d["unitSlope"]
    assert explicit_module.DEFAULT_SINKHORN_TOLERANCE == d["sinkhornTolerance"]
    assert explicit_module.DEFAULT_SINKHORN_MAX_ITERATIONS == d["sinkhornMaxIterations"]
    o = ExplicitOptions()
    assert (o.alpha, o.f, o.tolerance, o.iterations) == (d["renyiAlpha"], d["implicitF"], d["sinkhornTolerance"],
                                                         d["sinkhornMaxIterations"])
