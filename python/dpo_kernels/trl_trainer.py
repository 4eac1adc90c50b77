"""TRL integration: a DPOTrainer whose loss is the DPO-Kernels table (kernels, implicit divergences, hybrid term,
flat mixture and HMK with learnable logits), pinned to TRL 0.11.4.

TRL 0.11's loss hook is ``dpo_loss(policy_chosen_logps, ...)``, which sees neither the token counts (IPO's length
normalization, the SFT term) nor per-pair extras (the hybrid term's embedding margin), so this subclass overrides
``concatenated_forward`` (to keep the counts) and ``get_batch_loss_metrics`` (to call :class:`DPOKernelsLoss`). It
logs TRL's metric names (``rewards/chosen``, ``rewards/rejected``, ``rewards/accuracies``, ``rewards/margins``,
``logps/*``, ``logits/*``) plus the mixture's weights (``kernel_weights/<kernel>``) and, for HMK, its levels
(``hmk/tau_local``, ``hmk/tau_global``).

The mixture's logits are registered on the policy as the submodule ``dpo_kernels_mixture`` so that the optimizer,
DDP, FSDP and DeepSpeed treat them like any parameter (their gradients are all-reduced, so every rank holds the same
logits); ``save_pretrained`` leaves them out of the checkpoint, which stays a plain GPT-2 folder.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple, Union

import torch
from torch import nn
from torch.utils.data import SequentialSampler
from trl import DPOTrainer

from .compat import ddp_ignore_bool_buffers  # also shims torch 1.13 for accelerate's multi-CPU path

from .kernel_margins import KernelOptions
from .losses import DPOKernelsLoss, LossConfig

MIXTURE_MODULE = "dpo_kernels_mixture"
"""The policy submodule that holds the learnable mixture (excluded from saved checkpoints)."""

# (TRL loss_type, kernel) -> loss name of the table.
_LINEAR = {"sigmoid": "dpo", "ipo": "ipo", "hinge": "hinge", "robust": "robust"}
_KERNELS = {"polynomial": "poly", "poly": "poly", "rbf": "rbf", "spectral": "spectral",
            "mahalanobis": "mahalanobis", "mixture": "mixture", "hmk": "hmk"}


def loss_name(loss_type: str, kernel: Optional[str]) -> str:
    """The table's loss for TRL's ``loss_type`` and a kernel (None/"linear": no kernel)."""
    if kernel in (None, "linear"):
        if loss_type not in _LINEAR:
            raise ValueError(f"loss_type must be one of {', '.join(_LINEAR)}, got {loss_type!r}")
        return _LINEAR[loss_type]
    if kernel not in _KERNELS:
        raise ValueError(f"kernel must be one of linear, {', '.join(_KERNELS)}, got {kernel!r}")
    if loss_type != "sigmoid":
        raise ValueError(f"kernels shape the sigmoid (DPO) objective; got loss_type {loss_type!r} with kernel "
                         f"{kernel!r}")
    return _KERNELS[kernel]


class KernelDPOTrainer(DPOTrainer):
    """``DPOTrainer`` with the DPO-Kernels loss.

    Args beyond DPOTrainer's (β, label smoothing and loss_type are read from the DPOConfig):
        kernel: None/"linear", "polynomial", "rbf", "spectral", "mahalanobis", "mixture" or "hmk".
        divergence: the implicit regularizer ("kl", "forward-kl", "js", "hellinger", "bhattacharyya", "renyi",
            "alpha", "f"); ``alpha``/``f`` its order or generator (defaults as the TypeScript core: Renyi order
            3/4, alpha 1/2, f "reverse-kl").
        gamma: the hybrid term's weight; needs an ``embedding_margin`` column in the dataset.
        kernel_options: the base kernels' settings.
        mixture_logits / hmk_logits: initial logits; entropy_weight: eta of the entropy bonus.
        mixture_learning_rate: the logits' peak learning rate (their own optimizer group, no weight decay, same
            schedule; default: the policy's), like the Deno trainer's mixtureLearningRate.
        sft_weight: weight of the per-token NLL of the chosen response.
        normalize_scores: False keeps f'(e^z) - f'(1) unscaled (slope f''(1) at 0; 1/4 for JS).
        shuffle: False reads the training set in order (for the distributed-vs-single-process comparison).
    """

    def __init__(self, model: nn.Module, *args: Any, kernel: Optional[str] = None, divergence: str = "kl",
                 alpha: Optional[float] = None, f: Optional[str] = None, gamma: float = 0.0,
                 kernel_options: Optional[KernelOptions] = None, mixture_logits: Optional[Sequence[float]] = None,
                 hmk_logits: Optional[Tuple[Sequence[float], Sequence[float], Sequence[float]]] = None,
                 entropy_weight: Optional[float] = None, mixture_learning_rate: Optional[float] = None,
                 sft_weight: float = 0.0, normalize_scores: bool = True, shuffle: bool = True,
                 **kwargs: Any) -> None:
        dpo_args = kwargs.get("args")
        if dpo_args is not None and getattr(dpo_args, "rpo_alpha", None) is not None:
            raise ValueError(f"rpo_alpha {dpo_args.rpo_alpha!r} is TRL's NLL term; use sft_weight= instead")
        f_type = getattr(dpo_args, "f_divergence_type", "reverse_kl")
        f_type = getattr(f_type, "value", f_type)
        if f_type != "reverse_kl":
            raise ValueError(f"f_divergence_type {f_type!r} is TRL's own; use divergence= (kl, forward-kl, js, "
                             "hellinger, bhattacharyya, renyi, alpha, f) instead")
        loss_type = getattr(dpo_args, "loss_type", None) or kwargs.get("loss_type") or "sigmoid"
        beta = getattr(dpo_args, "beta", None) or kwargs.get("beta") or 0.1
        smoothing = getattr(dpo_args, "label_smoothing", 0.0) or 0.0
        config = LossConfig(loss=loss_name(loss_type, kernel), beta=beta, gamma=gamma, divergence=divergence,
                            alpha=alpha, f=f, normalize_scores=normalize_scores, label_smoothing=smoothing,
                            sft_weight=sft_weight,
                            entropy_weight=entropy_weight, kernel=kernel_options or KernelOptions())
        loss_module = DPOKernelsLoss(config, mixture_logits=mixture_logits, hmk_logits=hmk_logits,
                                     dtype=next(model.parameters()).dtype)
        if loss_module.mixture is not None:
            model.add_module(MIXTURE_MODULE, loss_module.mixture)
            keys = [f"{MIXTURE_MODULE}.{name}" for name, _ in loss_module.mixture.named_parameters()]
            model._keys_to_ignore_on_save = list(getattr(model, "_keys_to_ignore_on_save", None) or []) + keys
            # DDP must not look for unused parameters: the logits get their gradient from the loss, not the forward.
            if dpo_args is not None and getattr(dpo_args, "ddp_find_unused_parameters", None) is None:
                dpo_args.ddp_find_unused_parameters = False
        ddp_ignore_bool_buffers(model)
        self.kernel_loss = loss_module
        self.shuffle = shuffle
        if mixture_learning_rate is not None and not mixture_learning_rate > 0:
            raise ValueError(f"mixture_learning_rate must be > 0, got {mixture_learning_rate!r}")
        self.mixture_learning_rate = mixture_learning_rate
        self.step_losses: List[float] = []
        super().__init__(model, *args, **kwargs)

    def create_optimizer(self):  # type: ignore[override]
        """Trainer's optimizer, with the mixture's logits in their own group when mixture_learning_rate is set."""
        mixture = self.kernel_loss.mixture
        if self.optimizer is None and mixture is not None and self.mixture_learning_rate is not None:
            own = {id(p) for p in mixture.parameters()}
            decay = set(self.get_decay_parameter_names(self.model))
            named = [(n, p) for n, p in self.model.named_parameters() if p.requires_grad and id(p) not in own]
            groups = [
                {"params": [p for n, p in named if n in decay], "weight_decay": self.args.weight_decay},
                {"params": [p for n, p in named if n not in decay], "weight_decay": 0.0},
                {"params": list(mixture.parameters()), "weight_decay": 0.0, "lr": self.mixture_learning_rate},
            ]
            cls, kwargs = self.get_optimizer_cls_and_kwargs(self.args, self.model)
            self.optimizer = cls(groups, **kwargs)
        return super().create_optimizer()

    def _get_train_sampler(self):  # type: ignore[override]
        if not self.shuffle:
            return SequentialSampler(self.train_dataset)
        return super()._get_train_sampler()

    def _policy_mixture(self, model: nn.Module) -> Optional[nn.Module]:
        """The mixture as the policy holds it, through DDP / FSDP / DeepSpeed wrappers (None without one)."""
        if self.kernel_loss.mixture is None:
            return None
        inner = model
        while hasattr(inner, "module") and isinstance(inner.module, nn.Module):
            inner = inner.module
        return getattr(inner, MIXTURE_MODULE, self.kernel_loss.mixture)

    def mixture_logits(self) -> Optional[torch.Tensor]:
        """The current mixture logits (flat order of the TypeScript core), or None without a mixture."""
        mixture = self.kernel_loss.mixture
        return None if mixture is None else mixture.flat_logits().detach().clone()

    def concatenated_forward(self, model: nn.Module, batch: Dict[str, Union[List, torch.LongTensor]]):
        """TRL's forward over chosen ++ rejected, returning summed log-probs and the completions' token counts."""
        concatenated = self.concatenated_inputs(
            batch, is_encoder_decoder=self.is_encoder_decoder, is_vision_model=self.is_vision_model,
            label_pad_token_id=self.label_pad_token_id, padding_value=self.padding_value,
            device=self.accelerator.device)
        n = batch["chosen_labels"].shape[0]
        kwargs = {"labels": concatenated["concatenated_labels"]} if self.is_encoder_decoder else {}
        logits = model(concatenated["concatenated_input_ids"],
                       attention_mask=concatenated["concatenated_attention_mask"], use_cache=False, **kwargs).logits
        logps, counts = self.get_batch_logps(logits, concatenated["concatenated_labels"],
                                             is_encoder_decoder=self.is_encoder_decoder,
                                             label_pad_token_id=self.label_pad_token_id)
        return logps[:n], logps[n:], logits[:n], logits[n:], counts[:n], counts[n:]

    def _reference_logps(self, batch: Dict[str, Union[List, torch.LongTensor]]):
        """The reference's summed log-probs of chosen and rejected (TRL's null_ref_context without a ref model)."""
        with torch.no_grad():
            if self.ref_model is None:
                with self.null_ref_context():
                    return self.concatenated_forward(self.model, batch)[:2]
            return self.concatenated_forward(self.ref_model, batch)[:2]

    def get_batch_loss_metrics(self, model, batch: Dict[str, Union[List, torch.LongTensor]],
                               train_eval: Literal["train", "eval"] = "train"):
        pc, pr, logits_c, logits_r, nc, nr = self.concatenated_forward(model, batch)
        if self.precompute_ref_log_probs and "reference_chosen_logps" in batch:
            rc, rr = batch["reference_chosen_logps"], batch["reference_rejected_logps"]
        else:
            rc, rr = self._reference_logps(batch)
        extra: Dict[str, torch.Tensor] = {}
        if self.kernel_loss.gamma > 0:
            if "embedding_margin" not in batch:
                raise ValueError("gamma > 0 needs an embedding_margin column in the dataset")
            extra["embedding_margin"] = torch.as_tensor(batch["embedding_margin"], dtype=pc.dtype, device=pc.device)
        out = self.kernel_loss(pc, pr, rc, rr, chosen_tokens=nc.to(pc.dtype), rejected_tokens=nr.to(pc.dtype),
                               mixture=self._policy_mixture(model), **extra)
        loss = out.loss
        with torch.no_grad():
            global_loss = self.accelerator.gather_for_metrics(out.losses.detach()).mean().item()
        if train_eval == "train" and model.training:
            self.step_losses.append(global_loss)
        p = "eval_" if train_eval == "eval" else ""
        rc_, rr_ = out.rewards_chosen.detach(), out.rewards_rejected.detach()
        metrics = {
            f"{p}rewards/chosen": rc_.mean().cpu(),
            f"{p}rewards/rejected": rr_.mean().cpu(),
            f"{p}rewards/accuracies": (rc_ > rr_).float().mean().cpu(),
            f"{p}rewards/margins": (rc_ - rr_).mean().cpu(),
            f"{p}logps/rejected": pr.detach().mean().cpu(),
            f"{p}logps/chosen": pc.detach().mean().cpu(),
            f"{p}logits/rejected": logits_r.detach().mean().cpu(),
            f"{p}logits/chosen": logits_c.detach().mean().cpu(),
        }
        if out.weights is not None:
            for k, w in out.weights.items():
                metrics[f"{p}kernel_weights/{k}"] = w.detach().cpu()
            metrics[f"{p}kernel_weights/entropy"] = out.entropy.detach().cpu()
            mixture = self.kernel_loss.mixture
            if hasattr(mixture, "level_weights"):
                tau = mixture.level_weights()["tau"].detach().cpu()
                metrics[f"{p}hmk/tau_local"], metrics[f"{p}hmk/tau_global"] = tau[0], tau[1]
        return loss, metrics
