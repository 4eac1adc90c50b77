"""Checkpoints that cross over: a policy trained in Deno, exported as a Hugging Face GPT-2 folder, loads in
transformers with the same logits (1e-5); a GPT-2 fine-tuned here with KernelDPOTrainer loads back into Deno's
loader (lib/io/gpt2.ts, which the Deno trainer uses) with the same logits. Runs `deno` (on PATH, as in CI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from transformers import GPT2LMHeadModel
from trl import DPOConfig

from dpo_kernels.tiny import tiny_gpt2, tiny_preferences, tiny_tokenizer
from dpo_kernels.trl_trainer import KernelDPOTrainer

from _proc import run_one

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "python" / "tests" / "deno_gpt2.ts"
IDS = [[1, 5, 9, 26, 0, 3, 17, 8], [2, 2, 7, 11, 25, 4, 4, 19]]


def deno(*args: str) -> dict:
    exe = shutil.which("deno")
    assert exe is not None, "deno must be on PATH for the checkpoint round trip"
    cmd = [exe, "run", "--allow-read", "--allow-write", "--allow-env", "--allow-ffi", "--allow-sys", str(SCRIPT), *args]
    run_one(cmd, Path(args[-1]).with_suffix(".log"), 300, cwd=ROOT)
    return json.loads(Path(args[-1]).read_text())


def torch_logits(model: GPT2LMHeadModel) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(torch.tensor(IDS)).logits


def test_a_deno_trained_policy_loads_in_transformers_with_the_same_logits(tmp_path: Path) -> None:
    folder = tmp_path / "deno-policy"
    (tmp_path / "ids.json").write_text(json.dumps(IDS))
    out = deno("export", str(folder), str(tmp_path / "ids.json"), str(tmp_path / "logits.json"))
    assert out["losses"][-1] < out["losses"][0], "the Deno policy was trained"
    model = GPT2LMHeadModel.from_pretrained(str(folder))
    expected = torch.tensor(out["logits"])
    got = torch_logits(model)
    assert got.shape == expected.shape
    assert (got - expected).abs().max().item() <= 1e-5


def test_a_gpt2_fine_tuned_with_trl_loads_back_into_deno(tmp_path: Path) -> None:
    args = DPOConfig(output_dir=str(tmp_path / "run"), per_device_train_batch_size=4, max_steps=3,
                     learning_rate=1e-2, save_strategy="no", report_to=[], use_cpu=True, seed=0, beta=0.1,
                     max_length=32, max_prompt_length=16, disable_tqdm=True)
    model = tiny_gpt2(seed=3)
    before = torch_logits(model)
    trainer = KernelDPOTrainer(model, args=args, train_dataset=tiny_preferences(12), tokenizer=tiny_tokenizer(),
                               kernel="rbf", divergence="hellinger")
    trainer.train()
    folder = tmp_path / "hf-policy"
    trainer.save_model(str(folder))
    expected = torch_logits(GPT2LMHeadModel.from_pretrained(str(folder)))
    assert (expected - before).abs().max().item() > 1e-4, "the policy was fine-tuned"
    (tmp_path / "ids.json").write_text(json.dumps(IDS))
    out = deno("logits", str(folder), str(tmp_path / "ids.json"), str(tmp_path / "logits.json"))
    got = torch.tensor(out["logits"])
    assert got.shape == expected.shape
    assert (got - expected).abs().max().item() <= 1e-5
