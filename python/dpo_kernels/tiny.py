"""A tiny, randomly initialized GPT-2 with a word-level tokenizer and a synthetic preference set, built locally
(no download): for tests, the distributed check and the README's examples."""

from __future__ import annotations

import random
from typing import List, Tuple

import torch
from datasets import Dataset
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import Whitespace
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

WORDS: Tuple[str, ...] = ("the", "a", "cat", "dog", "sat", "ran", "on", "mat", "log", "is", "good", "bad", "very",
                          "and", "then", "slept", "ate", "fish", "bone", "happy", "sad", "red", "blue", "big", "small")
EOS = "<|endoftext|>"


def tiny_tokenizer() -> PreTrainedTokenizerFast:
    """A word-level tokenizer over :data:`WORDS` (id 0 is the end-of-text token, also used for padding)."""
    vocab = {EOS: 0, "<unk>": 1, **{w: i + 2 for i, w in enumerate(WORDS)}}
    tok = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=EOS, eos_token=EOS, pad_token=EOS,
                                   unk_token="<unk>")


def tiny_gpt2(seed: int = 0, vocab_size: int = len(WORDS) + 2, n_embd: int = 32, n_layer: int = 2, n_head: int = 2,
              n_positions: int = 64) -> GPT2LMHeadModel:
    """A randomly initialized GPT-2 with dropout off (so runs are deterministic)."""
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=vocab_size, n_embd=n_embd, n_layer=n_layer, n_head=n_head, n_positions=n_positions,
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0)
    return GPT2LMHeadModel(config)


def tiny_preferences(n: int = 16, seed: int = 0) -> Dataset:
    """Prompt / chosen / rejected triples of random words, and an embedding_margin column for the hybrid term."""
    rng = random.Random(seed)

    def words(k: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(k))

    rows: List[dict] = [{"prompt": words(rng.randint(2, 4)), "chosen": " " + words(rng.randint(1, 4)),
                         "rejected": " " + words(rng.randint(1, 4)), "embedding_margin": rng.uniform(-1, 1)}
                        for _ in range(n)]
    return Dataset.from_list(rows)
