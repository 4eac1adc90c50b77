"""Compatibility with Debian's torch 1.13: accelerate 0.34 (which declares torch >= 1.10) sets the device of a
multi-process CPU run with ``torch.cpu.device_count()`` and ``torch.cpu.set_device()``, which torch gained in 2.x.
On the CPU there is one device and nothing to select, so the shim answers 1 and does nothing. Imported by
:mod:`dpo_kernels.trl_trainer`; a no-op on a torch that has both."""

from __future__ import annotations

import torch


def patch_torch_cpu() -> None:
    """Adds ``torch.cpu.device_count`` (1) and ``torch.cpu.set_device`` (no-op) where torch lacks them."""
    if not hasattr(torch.cpu, "device_count"):
        torch.cpu.device_count = lambda: 1  # type: ignore[attr-defined]
    if not hasattr(torch.cpu, "set_device"):
        torch.cpu.set_device = lambda device: None  # type: ignore[attr-defined]


patch_torch_cpu()


def ddp_ignore_bool_buffers(model: torch.nn.Module) -> None:
    """Lets DDP's gloo backend (torch 1.13) skip boolean buffers, which it cannot broadcast ("Invalid scalar type"):
    GPT-2's causal masks (``attn.bias``) are such constants, identical on every rank by construction."""
    names = [n for n, b in model.named_buffers() if b.dtype == torch.bool]
    if names:
        existing = list(getattr(model, "_ddp_params_and_buffers_to_ignore", []) or [])
        model._ddp_params_and_buffers_to_ignore = existing + names  # type: ignore[assignment]
