"""DPO-Kernels in PyTorch: the loss table of the Deno module, TRL integration and GPT-2 checkpoint helpers."""

from .explicit_regularizer import EXPLICIT_DIVERGENCES, explicit_regularizer
from .implicit_scores import DIVERGENCE_GENERATORS, GENERATORS, implicit_score
from .kernel_margins import KERNEL_SHAPES, MIXTURE_KERNELS, KernelOptions, SpectralComponent, kernelized_score
from .losses import LOSSES, DPOKernelsLoss, LossConfig, LossOutput, preference_loss
from .mixture import FlatMixture, HierarchicalMixture
from .objectives import OBJECTIVES

__all__ = [
    "DIVERGENCE_GENERATORS", "DPOKernelsLoss", "EXPLICIT_DIVERGENCES", "FlatMixture", "GENERATORS",
    "HierarchicalMixture", "KERNEL_SHAPES", "KernelOptions", "LOSSES", "LossConfig", "LossOutput", "MIXTURE_KERNELS",
    "OBJECTIVES", "SpectralComponent", "explicit_regularizer", "implicit_score", "kernelized_score", "preference_loss",
]
