"""Properties and errors of the PyTorch loss table beyond the shared vectors: DPO limits of the kernels, the score
normalization, TRL-style errors, and the explicit regularizer's masking and gradients."""

from __future__ import annotations

import math

import pytest
import torch

from dpo_kernels import DPOKernelsLoss, KernelOptions, LossConfig, explicit_regularizer, implicit_score
from dpo_kernels.explicit_regularizer import ExplicitOptions, per_token_divergence, sinkhorn_cost

D = torch.float64
PAIRS = [torch.tensor(v, dtype=D) for v in ([-10.0, -3.5, -1.0], [-12.0, -2.25, -1.0], [-11.0, -4.0, -1.0],
                                            [-11.0, -1.75, -1.0])]


def losses(**config) -> torch.Tensor:
    kernel = config.pop("kernel", KernelOptions())
    return DPOKernelsLoss(LossConfig(kernel=kernel, **config), dtype=D)(*PAIRS).losses


def test_kernels_reduce_to_dpo_in_their_limits() -> None:
    dpo = losses(loss="dpo")
    torch.testing.assert_close(losses(loss="poly", kernel=KernelOptions(polynomial_degree=1)), dpo, rtol=0,
                               atol=1e-15)
    torch.testing.assert_close(losses(loss="rbf", kernel=KernelOptions(rbf_sigma=1e4)), dpo, rtol=0, atol=1e-9)
    torch.testing.assert_close(losses(loss="mahalanobis", kernel=KernelOptions(mahalanobis_variance=1e8)), dpo,
                               rtol=0, atol=1e-9)


def test_scores_have_unit_slope_unless_unnormalized() -> None:
    z = torch.tensor([0.0], dtype=D, requires_grad=True)
    for div, opts in [("kl", {}), ("forward-kl", {}), ("js", {}), ("hellinger", {}), ("renyi", {"alpha": 0.3}),
                      ("alpha", {"alpha": 0.7}), ("f", {"f": "js"})]:
        phi = implicit_score(div, **opts)
        (g,) = torch.autograd.grad(phi(z).sum(), z)
        assert phi(z).item() == 0 and abs(g.item() - 1) < 1e-12, div
    (g,) = torch.autograd.grad(implicit_score("js", normalize=False)(z).sum(), z)
    assert abs(g.item() - 0.25) < 1e-12  # f(t) of JS = ½KL(p‖m) + ½KL(q‖m): f″(1) = ¼
    zs = torch.linspace(-3, 3, 7, dtype=D)
    torch.testing.assert_close(implicit_score("f", f="js")(zs), implicit_score("js")(zs), rtol=0, atol=0)


def test_ipo_sum_is_ipo_on_summed_log_ratios() -> None:
    ones = torch.ones(3, dtype=D)
    torch.testing.assert_close(losses(loss="ipo-sum", beta=0.3),
                               DPOKernelsLoss(LossConfig(loss="ipo", beta=0.3), dtype=D)(
                                   *PAIRS, chosen_tokens=ones, rejected_tokens=ones).losses, rtol=0, atol=0)
    tokens = torch.tensor([2.0, 3.0, 5.0], dtype=D)
    assert not torch.allclose(losses(loss="ipo-sum", beta=0.3), DPOKernelsLoss(LossConfig(loss="ipo", beta=0.3), dtype=D)(
        *PAIRS, chosen_tokens=tokens, rejected_tokens=tokens).losses)


def test_bad_settings_raise_naming_the_argument() -> None:
    with pytest.raises(ValueError, match="chosen_tokens"):
        losses(loss="ipo")
    with pytest.raises(ValueError, match="explicit"):
        implicit_score("wasserstein")
    with pytest.raises(ValueError, match="explicit"):
        implicit_score("f", f="total-variation")
    with pytest.raises(ValueError, match="loss must be one of"):
        losses(loss="kto")
    with pytest.raises(ValueError, match="alpha"):
        implicit_score("renyi", alpha=1.5)
    with pytest.raises(ValueError, match="beta"):
        losses(loss="dpo", beta=0.0)
    with pytest.raises(ValueError, match="embedding_margin"):
        losses(loss="hybrid")
    with pytest.raises(ValueError, match="polynomial_degree"):
        KernelOptions(polynomial_degree=0.5)


def test_explicit_regularizer_averages_masked_tokens_and_leaves_the_reference_alone() -> None:
    torch.manual_seed(0)
    policy = torch.randn(2, 3, 6, dtype=D, requires_grad=True)
    reference = torch.randn(2, 3, 6, dtype=D, requires_grad=True)
    mask = torch.tensor([[1, 1, 0], [0, 1, 1]])
    for div in ("kl", "js", "hellinger", "renyi", "bhattacharyya", "f"):
        value = explicit_regularizer(policy, reference, mask, div)
        per = per_token_divergence(torch.log_softmax(policy, -1).reshape(6, 6),
                                   torch.log_softmax(reference, -1).reshape(6, 6), div).reshape(2, 3)
        expected = (per * mask).sum() / 4
        assert abs(value.item() - expected.item()) < 1e-12, div
    value = explicit_regularizer(policy, reference, mask, "wasserstein",
                                 ExplicitOptions(token_embeddings=torch.randn(6, 4, dtype=D), top_k=4))
    value.backward()
    assert policy.grad is not None and policy.grad.abs().sum() > 0
    assert reference.grad is None
    same = explicit_regularizer(policy, policy.detach(), mask, "kl")
    assert abs(same.item()) < 1e-12 and math.isfinite(same.item())


def test_sinkhorn_stops_at_the_marginal_tolerance() -> None:
    # Mass moves along a line (W1 = 1/3 exactly); at epsilon 0.005 Sinkhorn needs tens of iterations.
    log_a = torch.log(torch.tensor([[0.1, 0.2, 0.3, 0.4]], dtype=D))
    log_b = torch.log(torch.tensor([[0.4, 0.3, 0.2, 0.1]], dtype=D))
    x = torch.arange(4, dtype=D)
    cost = ((x[:, None] - x[None, :]).abs() / 3).unsqueeze(0)
    options = ExplicitOptions()
    report: dict = {}
    got = sinkhorn_cost(log_a, log_b, cost, 0.005, options.iterations, options.tolerance, report)
    assert report["marginal_error"] < 1e-3 and report["iterations"] % 10 == 0
    assert 10 < report["iterations"] < options.iterations
    assert abs(got.item() - 1 / 3) < 1e-3
    earlier: dict = {}  # it stops at the first check below the tolerance
    sinkhorn_cost(log_a, log_b, cost, 0.005, report["iterations"] - 10, options.tolerance, earlier)
    assert earlier["iterations"] == report["iterations"] - 10 and earlier["marginal_error"] >= 1e-3
    capped: dict = {}
    sinkhorn_cost(log_a, log_b, cost, 0.005, 7, 1e-300, capped)
    assert capped["iterations"] == 7 and capped["marginal_error"] >= 1e-300
