"""Command line: DPO-Kernels on any Hugging Face causal LM with TRL, launchable by ``accelerate launch`` on several
processes, GPUs or machines (DeepSpeed / FSDP through Accelerate's config).

    python -m dpo_kernels.train --model MODEL_OR_FOLDER --data PREFS.jsonl --output_dir OUT \\
        [--kernel hmk] [--divergence js] [--gamma 0.5] [--beta 0.1] [--loss_type sigmoid] [any DPOConfig flag]

The data is JSON lines (or any file ``datasets`` reads) with ``prompt``, ``chosen``, ``rejected`` and, for
``--gamma > 0``, ``embedding_margin``. Every DPOConfig/TrainingArguments flag is accepted (``--bf16``,
``--deepspeed``, ``--gradient_accumulation_steps`` …). The final policy is saved as a plain HF folder in OUT.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import List, Optional

import torch
from datasets import load_dataset
from transformers import AutoModelForCausalLM, AutoTokenizer, HfArgumentParser
from trl import DPOConfig

from .trl_trainer import KernelDPOTrainer


@dataclass
class KernelArguments:
    """The DPO-Kernels settings (TRL's own are in DPOConfig)."""

    model: str = field(metadata={"help": "a hub id or a local folder (e.g. one exported by Deno's saveGpt2Folder)"})
    data: str = field(metadata={"help": "preference file: prompt, chosen, rejected[, embedding_margin]"})
    kernel: Optional[str] = field(default=None, metadata={"help": "polynomial, rbf, spectral, mahalanobis, "
                                                                  "mixture or hmk (default: none, plain DPO)"})
    divergence: str = field(default="kl", metadata={"help": "implicit regularizer: kl, forward-kl, js, hellinger, "
                                                            "bhattacharyya, renyi, alpha, f"})
    alpha: Optional[float] = field(default=None, metadata={"help": "Renyi order (default 0.75) / alpha of the "
                                                                   "alpha divergence (default 0.5)"})
    f: Optional[str] = field(default=None, metadata={"help": "the f generator with --divergence f (default "
                                                             "reverse-kl)"})
    gamma: float = field(default=0.0, metadata={"help": "weight of the hybrid embedding term"})
    entropy_weight: Optional[float] = field(default=None, metadata={"help": "eta, the mixture's entropy bonus"})
    mixture_learning_rate: Optional[float] = field(default=None, metadata={"help": "the mixture logits' peak "
                                                                                   "learning rate"})
    sft_weight: float = field(default=0.0, metadata={"help": "per-token NLL weight on the chosen response"})
    hmk_logits: Optional[List[float]] = field(default=None, metadata={"help": "6 initial HMK logits"})


def main(argv: Optional[List[str]] = None) -> None:
    parser = HfArgumentParser((KernelArguments, DPOConfig))
    kargs, config = parser.parse_args_into_dataclasses(args=argv)
    tokenizer = AutoTokenizer.from_pretrained(kargs.model)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(kargs.model)
    data = load_dataset("json" if kargs.data.endswith((".json", ".jsonl")) else
                        kargs.data.rsplit(".", 1)[-1], data_files=kargs.data, split="train")
    hmk = kargs.hmk_logits
    trainer = KernelDPOTrainer(
        model, args=config, train_dataset=data, tokenizer=tokenizer, kernel=kargs.kernel,
        divergence=kargs.divergence, alpha=kargs.alpha, f=kargs.f, gamma=kargs.gamma,
        entropy_weight=kargs.entropy_weight, mixture_learning_rate=kargs.mixture_learning_rate,
        sft_weight=kargs.sft_weight,
        hmk_logits=None if hmk is None else (hmk[0:2], hmk[2:4], hmk[4:6]))
    trainer.train()
    trainer.save_model(config.output_dir)
    logits = trainer.mixture_logits()
    if logits is not None and trainer.accelerator.is_main_process:
        print({"mixture_logits": logits.tolist()})
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.barrier()  # every rank has saved and printed once this returns


if __name__ == "__main__":
    main()
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        # Skip the interpreter's teardown in a distributed run: with gloo's threads and rank 0's TCPStore server
        # alive it aborted at times, and once hung for minutes after a finished run (torch 1.13, CI).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
