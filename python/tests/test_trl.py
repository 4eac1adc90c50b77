"""KernelDPOTrainer on a tiny randomly initialized GPT-2: training with TRL's metric names plus the mixture weights,
the loss hook against TRL's own dpo_loss, and 2 CPU processes (gloo) against one process with the same global batch.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from trl import DPOConfig, DPOTrainer

from dpo_kernels import DPOKernelsLoss, LossConfig
from dpo_kernels.tiny import tiny_gpt2, tiny_preferences, tiny_tokenizer
from dpo_kernels.trl_trainer import MIXTURE_MODULE, KernelDPOTrainer, loss_name

from _proc import rendezvous_port, run_all, run_one

HERE = Path(__file__).resolve().parent
TRL_METRICS = ["rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen",
               "logps/rejected", "logits/chosen", "logits/rejected"]


def make_trainer(tmp_path: Path, steps: int = 3, **kwargs) -> KernelDPOTrainer:
    args = DPOConfig(output_dir=str(tmp_path / "out"), per_device_train_batch_size=4, max_steps=steps,
                     learning_rate=1e-2, logging_steps=1, save_strategy="no", report_to=[], use_cpu=True, seed=0,
                     beta=0.1, max_length=32, max_prompt_length=16, disable_tqdm=True,
                     loss_type=kwargs.pop("loss_type", "sigmoid"), rpo_alpha=kwargs.pop("rpo_alpha", None),
                     f_divergence_type=kwargs.pop("f_divergence_type", "reverse_kl"),
                     precompute_ref_log_probs=kwargs.pop("precompute_ref_log_probs", False))
    return KernelDPOTrainer(tiny_gpt2(), args=args, train_dataset=tiny_preferences(16), tokenizer=tiny_tokenizer(),
                            **kwargs)


def test_tiny_gpt2_trains_with_hmk_and_logs_trl_metrics_and_weights(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path, kernel="hmk", divergence="js", gamma=0.5)
    before = trainer.mixture_logits()
    trainer.train()
    after = trainer.mixture_logits()
    assert not torch.equal(before, after), "HMK's logits must be trained"
    logs = [h for h in trainer.state.log_history if "loss" in h]
    assert len(logs) == 3
    for h in logs:
        assert math.isfinite(h["loss"])
        for key in TRL_METRICS + ["kernel_weights/rbf", "kernel_weights/polynomial", "kernel_weights/spectral",
                                  "kernel_weights/mahalanobis", "hmk/tau_local", "hmk/tau_global"]:
            assert key in h, key
        total = sum(h[f"kernel_weights/{k}"] for k in ("rbf", "polynomial", "spectral", "mahalanobis"))
        assert abs(total - 1) < 1e-6
    # The checkpoint stays a plain GPT-2: the mixture is not saved with it.
    trainer.save_model(str(tmp_path / "policy"))
    from safetensors.torch import load_file
    keys = load_file(str(tmp_path / "policy" / "model.safetensors")).keys()
    assert not any(k.startswith(MIXTURE_MODULE) for k in keys)


def test_ipo_and_sft_use_the_token_counts(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path, steps=1, loss_type="ipo")
    assert trainer.kernel_loss.spec.per_token
    trainer.train()
    assert math.isfinite(trainer.step_losses[0])


def test_loss_names_for_trl_settings() -> None:
    assert loss_name("sigmoid", None) == "dpo" and loss_name("ipo", "linear") == "ipo"
    assert loss_name("sigmoid", "polynomial") == "poly" and loss_name("sigmoid", "hmk") == "hmk"
    with pytest.raises(ValueError, match="loss_type"):
        loss_name("kto_pair", None)
    with pytest.raises(ValueError, match="kernel"):
        loss_name("sigmoid", "laplace")
    with pytest.raises(ValueError, match="sigmoid"):
        loss_name("ipo", "rbf")


def trl_dpo_loss(loss_type: str, beta: float, smoothing: float, f_type: str, alpha: float, logps):
    """TRL's own DPOTrainer.dpo_loss, called on a stand-in for the trainer's state."""
    state = SimpleNamespace(accelerator=SimpleNamespace(device=torch.device("cpu")), reference_free=False,
                            f_divergence_type=f_type, f_divergence_params={"alpha_divergence_coef": alpha},
                            beta=beta, label_smoothing=smoothing, loss_type=loss_type)
    return DPOTrainer.dpo_loss(state, *logps)


LOGPS = [torch.tensor(v, dtype=torch.float64) for v in
         ([-10.0, -3.5, -40.0, -0.5], [-12.0, -2.25, -55.0, -9.0], [-11.0, -4.0, -45.0, -2.5],
          [-11.0, -1.75, -50.0, -3.0])]
TOKENS = (torch.tensor([3.0, 7.0, 20.0, 4.0], dtype=torch.float64),
          torch.tensor([5.0, 2.0, 25.0, 9.0], dtype=torch.float64))


@pytest.mark.parametrize("loss_type,loss,smoothing", [("sigmoid", "dpo", 0.0), ("sigmoid", "dpo", 0.1),
                                                      ("robust", "robust", 0.2), ("hinge", "hinge", 0.0)])
def test_the_dpo_family_equals_trls_dpo_loss(loss_type: str, loss: str, smoothing: float) -> None:
    expected, chosen, rejected = trl_dpo_loss(loss_type, 0.3, smoothing, "reverse_kl", 0.5, LOGPS)
    out = DPOKernelsLoss(LossConfig(loss=loss, beta=0.3, label_smoothing=smoothing), dtype=torch.float64)(*LOGPS)
    torch.testing.assert_close(out.losses, expected, rtol=0, atol=1e-12)
    torch.testing.assert_close(out.rewards_chosen, chosen, rtol=0, atol=1e-12)
    torch.testing.assert_close(out.rewards_rejected, rejected, rtol=0, atol=1e-12)


def test_ipo_equals_trls_length_normalized_ipo() -> None:
    averaged = [LOGPS[0] / TOKENS[0], LOGPS[1] / TOKENS[1], LOGPS[2] / TOKENS[0], LOGPS[3] / TOKENS[1]]
    expected, _, _ = trl_dpo_loss("ipo", 0.3, 0.0, "reverse_kl", 0.5, averaged)
    out = DPOKernelsLoss(LossConfig(loss="ipo", beta=0.3), dtype=torch.float64)(
        *LOGPS, chosen_tokens=TOKENS[0], rejected_tokens=TOKENS[1])
    torch.testing.assert_close(out.losses, expected, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="chosen_tokens"):
        DPOKernelsLoss(LossConfig(loss="ipo"), dtype=torch.float64)(*LOGPS)


@pytest.mark.parametrize("f_type,divergence,beta_scale", [("js_divergence", "js", 2.0),
                                                          ("alpha_divergence", "alpha", 1.0)])
def test_f_divergence_scores_equal_trls(f_type: str, divergence: str, beta_scale: float) -> None:
    # TRL's JS score is f'(u) = log(2u/(1+u)) itself, slope 1/2 at u = 1; ours has unit slope: beta/2 here.
    expected, _, _ = trl_dpo_loss("sigmoid", 0.3, 0.0, f_type, 0.4, LOGPS)
    out = DPOKernelsLoss(LossConfig(beta=0.3 / beta_scale, divergence=divergence, alpha=0.4), dtype=torch.float64)(
        *LOGPS)
    torch.testing.assert_close(out.losses, expected, rtol=0, atol=1e-12)


RUN_TIMEOUT = 300
"""Seconds a run_tiny.py launch (all ranks together) may take; the ranks end themselves a little earlier with
their Python stacks (TINY_DEADLINE), and any collective gives up after TINY_DDP_TIMEOUT."""


def run(out: Path, world: int, batch: int) -> list:
    """Launches run_tiny.py on `world` CPU processes the way torchrun does (env:// rendezvous, gloo over loopback,
    one thread per rank), with a deadline; a rank that fails or hangs fails the test with every rank's output."""
    for attempt in range(3):
        port = str(rendezvous_port())
        envs = []
        for rank in range(world):
            env = {**os.environ, "TINY_STEPS": "4", "TINY_THREADS": "1", "OMP_NUM_THREADS": "1",
                   "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false", "TINY_DDP_TIMEOUT": "120",
                   "TINY_DEADLINE": str(RUN_TIMEOUT - 30)}
            for k in ("MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "RANK", "LOCAL_RANK", "LOCAL_WORLD_SIZE",
                      "GLOO_SOCKET_IFNAME"):
                env.pop(k, None)
            if world > 1:
                env.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=port, WORLD_SIZE=str(world), RANK=str(rank),
                           LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(world))
                if Path("/sys/class/net/lo").exists():
                    env["GLOO_SOCKET_IFNAME"] = "lo"  # the ranks are local: never a routed interface
            envs.append(env)
        cmd = [sys.executable, str(HERE / "run_tiny.py"), str(out), str(batch)]
        try:
            run_all([cmd] * world, [out / f"rank{r}.log" for r in range(world)], RUN_TIMEOUT, envs)
            break
        except AssertionError as e:
            # Another process took the port between our check and rank 0's bind: try another one.
            if attempt == 2 or "Address already in use" not in str(e):
                raise
    return [json.loads((out / f"rank{r}.json").read_text()) for r in range(world)]


def test_two_cpu_processes_match_one_with_the_same_global_batch(tmp_path: Path) -> None:
    (single,) = run(tmp_path / "single", 1, 4)
    ranks = run(tmp_path / "ddp", 2, 2)
    assert all(r["world_size"] == 2 for r in ranks)
    assert len(single["step_losses"]) == 4
    for r in ranks:
        assert len(r["step_losses"]) == 4
        for a, b in zip(r["step_losses"], single["step_losses"]):
            assert abs(a - b) <= 1e-5, (r["step_losses"], single["step_losses"])
    assert ranks[0]["logits"] == ranks[1]["logits"], "HMK's logits must be identical across ranks"
    assert ranks[0]["logits"] != [0.2, -0.1, 0.4, 0.0, -0.3, 0.6], "HMK's logits must have been trained"


def test_the_command_line_trains_a_local_gpt2_folder(tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    tiny_gpt2().save_pretrained(str(model_dir))
    tiny_tokenizer().save_pretrained(str(model_dir))
    data = tmp_path / "prefs.jsonl"
    tiny_preferences(8).to_json(str(data))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "dpo_kernels.train", "--model", str(model_dir), "--data", str(data),
           "--output_dir", str(out), "--kernel", "hmk", "--divergence", "js", "--gamma", "0.5", "--max_steps", "2",
           "--per_device_train_batch_size", "4", "--use_cpu", "--report_to", "none", "--save_strategy", "no",
           "--max_length", "32", "--max_prompt_length", "16", "--logging_steps", "1"]
    done = run_one(cmd, tmp_path / "train.log", 300, cwd=HERE.parent)
    assert "mixture_logits" in done.output and "kernel_weights/rbf" in done.output
    assert (out / "model.safetensors").exists() and (out / "config.json").exists()


def test_trls_own_nll_and_f_divergence_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sft_weight"):
        make_trainer(tmp_path, rpo_alpha=1.0)
    with pytest.raises(ValueError, match="divergence="):
        make_trainer(tmp_path, f_divergence_type="js_divergence")


def test_precomputed_reference_log_probs_train(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path, steps=2, kernel="rbf", precompute_ref_log_probs=True)
    trainer.train()
    assert len(trainer.step_losses) == 2 and all(math.isfinite(x) for x in trainer.step_losses)


def test_the_mixture_learning_rate_moves_the_logits_further(tmp_path: Path) -> None:
    moved = []
    for lr in (None, 0.5):
        trainer = make_trainer(tmp_path / str(lr), steps=2, kernel="mixture", mixture_learning_rate=lr)
        before = trainer.mixture_logits()
        trainer.train()
        groups = trainer.optimizer.param_groups
        assert len(groups) == (2 if lr is None else 3)
        moved.append((trainer.mixture_logits() - before).abs().max().item())
    assert moved[1] > 10 * moved[0] > 0
