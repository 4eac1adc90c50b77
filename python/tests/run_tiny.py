"""Trains the tiny GPT-2 with KernelDPOTrainer for a few steps and writes the per-step global losses and the final
mixture logits (one JSON file per rank). Run directly (one process) or under torchrun (gloo on the CPU).

    python tests/run_tiny.py OUT_DIR PER_DEVICE_BATCH [KERNEL] [DIVERGENCE]

Never hangs: TINY_DEADLINE (seconds, default 240) ends the process with every thread's Python stack on stderr
(faulthandler), and TINY_DDP_TIMEOUT (seconds, default 120) bounds the rendezvous and every collective, so a rank
that waits for a peer fails instead of blocking for torch's default 30 minutes. Each rank uses one CPU thread
(TINY_THREADS): the ranks share a small machine, and oversubscribed threads only slow every rank down.
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
from pathlib import Path

import torch
from trl import DPOConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dpo_kernels.tiny import tiny_gpt2, tiny_preferences, tiny_tokenizer  # noqa: E402
from dpo_kernels.trl_trainer import KernelDPOTrainer  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1])
    batch = int(sys.argv[2])
    kernel = sys.argv[3] if len(sys.argv) > 3 else "hmk"
    divergence = sys.argv[4] if len(sys.argv) > 4 else "kl"
    steps = int(os.environ.get("TINY_STEPS", "4"))
    rank = int(os.environ.get("RANK", "0"))
    faulthandler.dump_traceback_later(float(os.environ.get("TINY_DEADLINE", "240")), exit=True)
    threads = int(os.environ.get("TINY_THREADS", "1"))
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(threads)
    torch.manual_seed(0)
    args = DPOConfig(output_dir=str(out / "trainer"), per_device_train_batch_size=batch, max_steps=steps,
                     learning_rate=1e-3, logging_steps=1, save_strategy="no", report_to=[], use_cpu=True,
                     seed=0, beta=0.1, max_length=32, max_prompt_length=16, disable_tqdm=True,
                     dataloader_num_workers=0, ddp_timeout=int(os.environ.get("TINY_DDP_TIMEOUT", "120")))
    trainer = KernelDPOTrainer(tiny_gpt2(), args=args, train_dataset=tiny_preferences(32), tokenizer=tiny_tokenizer(),
                               kernel=None if kernel == "linear" else kernel, divergence=divergence, gamma=0.5,
                               hmk_logits=([0.2, -0.1], [0.4, 0.0], [-0.3, 0.6]), shuffle=False)
    trainer.train()
    logits = trainer.mixture_logits()
    logged = [{k: v for k, v in h.items() if "/" in k or k == "loss"} for h in trainer.state.log_history]
    out.mkdir(parents=True, exist_ok=True)
    (out / f"rank{rank}.json").write_text(json.dumps({
        "world_size": int(os.environ.get("WORLD_SIZE", "1")),
        "step_losses": trainer.step_losses,
        "logits": None if logits is None else logits.tolist(),
        "log_history": logged,
    }))
    # Every rank has written its file once the barrier returns. The interpreter's teardown is then skipped
    # (os._exit): with gloo's threads and rank 0's TCPStore server still alive it was seen to hang for minutes
    # after a run that had finished (CI, torch 1.13), and to abort at other times.
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.barrier()


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
