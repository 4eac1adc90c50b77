#!/usr/bin/python3
"""Golden values for lib/io/gpt2.ts: a tiny GPT-2 in plain PyTorch, saved as a Hugging Face folder.

Run with Debian's /usr/bin/python3 (python3-torch 1.13; the Hugging Face `transformers` and `safetensors`
Python packages are not installed, so both the model and the safetensors writer are written out here).

The model follows transformers' modeling_gpt2.py (GPT2LMHeadModel) line by line:
- Conv1D layers: y = x @ W + b with W stored [in, out];
- pre-LayerNorm blocks: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)); a final ln_f; eps 1e-5;
- attention: one c_attn projection split into q, k, v, heads of size n_embd / n_head, scores scaled by
  1/sqrt(head size), the causal mask filling masked scores with finfo.min, softmax, c_proj;
- MLP: c_fc to 4 n_embd, "gelu_new" (the tanh approximation), c_proj;
- learned token and position embeddings, and an lm head tied to the token embedding.

Sizes: vocab 64, n_positions 16, n_embd 16, 2 layers, 2 heads. Weights are N(0, 0.2) from a fixed seed (LayerNorm
gains 1 + N(0, 0.1), biases N(0, 0.1)) so the logits are far from trivial.

Writes:
- tests/fixtures/tiny-gpt2/config.json: the Hugging Face config keys;
- tests/fixtures/tiny-gpt2/model.safetensors: float32 weights named `transformer.…` as GPT2LMHeadModel names
  them, plus the buffers a loader must skip: `transformer.h.{i}.attn.bias` (the causal mask),
  `transformer.h.1.attn.masked_bias` (a scalar) and `lm_head.weight` (a copy of the tied embedding);
- tests/golden/tiny_gpt2_values.ts: two token sequences and their logits, computed in float64 from the
  float32 weights.
"""
import json
import math
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "fixtures", "tiny-gpt2")
VALUES = os.path.join(HERE, "tiny_gpt2_values.ts")

VOCAB, POSITIONS, EMBD, LAYERS, HEADS, EPS = 64, 16, 16, 2, 2, 1e-5


def gelu_new(x):
    """transformers.activations.NewGELUActivation."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def conv1d(x, w, b):
    """transformers.pytorch_utils.Conv1D.forward: addmm(bias, x.view(-1, nx), weight), W is [nx, nf]."""
    size_out = x.size()[:-1] + (w.size(-1),)
    return torch.addmm(b, x.view(-1, x.size(-1)), w).view(size_out)


def attention(x, p, i):
    """GPT2Attention.forward without cache, dropout or head mask."""
    batch, t, d = x.shape
    dh = d // HEADS
    qkv = conv1d(x, p[f"h.{i}.attn.c_attn.weight"], p[f"h.{i}.attn.c_attn.bias"])
    q, k, v = qkv.split(d, dim=2)

    def split_heads(m):
        return m.view(batch, t, HEADS, dh).permute(0, 2, 1, 3)

    q, k, v = split_heads(q), split_heads(k), split_heads(v)
    w = torch.matmul(q, k.transpose(-1, -2))
    w = w / torch.full([], v.size(-1) ** 0.5, dtype=w.dtype)
    causal = p[f"h.{i}.attn.bias"][:, :, :t, :t].to(torch.bool)
    mask_value = torch.full([], torch.finfo(w.dtype).min, dtype=w.dtype)
    w = torch.where(causal, w, mask_value)
    w = torch.nn.functional.softmax(w, dim=-1)
    out = torch.matmul(w, v).permute(0, 2, 1, 3).contiguous().view(batch, t, d)
    return conv1d(out, p[f"h.{i}.attn.c_proj.weight"], p[f"h.{i}.attn.c_proj.bias"])


def forward(ids, p):
    """GPT2LMHeadModel.forward: logits [B, T, V]."""
    t = ids.shape[1]
    positions = torch.arange(t).unsqueeze(0)
    x = p["wte.weight"][ids] + p["wpe.weight"][positions]
    for i in range(LAYERS):
        a = torch.nn.functional.layer_norm(x, (EMBD,), p[f"h.{i}.ln_1.weight"], p[f"h.{i}.ln_1.bias"], EPS)
        x = x + attention(a, p, i)
        m = torch.nn.functional.layer_norm(x, (EMBD,), p[f"h.{i}.ln_2.weight"], p[f"h.{i}.ln_2.bias"], EPS)
        up = gelu_new(conv1d(m, p[f"h.{i}.mlp.c_fc.weight"], p[f"h.{i}.mlp.c_fc.bias"]))
        x = x + conv1d(up, p[f"h.{i}.mlp.c_proj.weight"], p[f"h.{i}.mlp.c_proj.bias"])
    h = torch.nn.functional.layer_norm(x, (EMBD,), p["ln_f.weight"], p["ln_f.bias"], EPS)
    return torch.matmul(h, p["wte.weight"].t())  # tied lm_head (no bias)


def make_parameters(gen):
    """GPT-2's parameter names and [in, out] shapes, random values."""
    d = EMBD
    shapes = [("wte.weight", [VOCAB, d]), ("wpe.weight", [POSITIONS, d])]
    for i in range(LAYERS):
        pre = f"h.{i}."
        shapes += [
            (pre + "ln_1.weight", [d]),
            (pre + "ln_1.bias", [d]),
            (pre + "attn.c_attn.weight", [d, 3 * d]),
            (pre + "attn.c_attn.bias", [3 * d]),
            (pre + "attn.c_proj.weight", [d, d]),
            (pre + "attn.c_proj.bias", [d]),
            (pre + "ln_2.weight", [d]),
            (pre + "ln_2.bias", [d]),
            (pre + "mlp.c_fc.weight", [d, 4 * d]),
            (pre + "mlp.c_fc.bias", [4 * d]),
            (pre + "mlp.c_proj.weight", [4 * d, d]),
            (pre + "mlp.c_proj.bias", [d]),
        ]
    shapes += [("ln_f.weight", [d]), ("ln_f.bias", [d])]
    params = {}
    for name, shape in shapes:
        noise = torch.randn(shape, generator=gen, dtype=torch.float32)
        if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name == "ln_f.weight":
            params[name] = 1.0 + 0.1 * noise
        elif name.endswith(".bias"):
            params[name] = 0.1 * noise
        else:
            params[name] = 0.2 * noise
    for i in range(LAYERS):  # the causal-mask buffer GPT2Attention registers
        params[f"h.{i}.attn.bias"] = torch.tril(torch.ones(POSITIONS, POSITIONS)).view(1, 1, POSITIONS, POSITIONS)
    return params


def write_safetensors(path, tensors, metadata):
    """The safetensors format: u64 LE header length, JSON header (padded to 8 bytes), raw LE data."""
    header = {"__metadata__": metadata}
    chunks, offset = [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def ts_number(x):
    return repr(float(f"{x:.9g}"))


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(20261126)
    params = make_parameters(gen)

    os.makedirs(FIXTURE, exist_ok=True)
    config = {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "activation_function": "gelu_new",
        "vocab_size": VOCAB,
        "n_positions": POSITIONS,
        "n_ctx": POSITIONS,
        "n_embd": EMBD,
        "n_layer": LAYERS,
        "n_head": HEADS,
        "layer_norm_epsilon": EPS,
        "tie_word_embeddings": True,
        "bos_token_id": VOCAB - 1,
        "eos_token_id": VOCAB - 1,
    }
    with open(os.path.join(FIXTURE, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    stored = {"transformer." + k: v for k, v in params.items()}
    stored["transformer.h.1.attn.masked_bias"] = torch.tensor(-1e4)
    stored["lm_head.weight"] = params["wte.weight"]
    write_safetensors(os.path.join(FIXTURE, "model.safetensors"), stored, {"format": "pt"})

    p64 = {k: v.double() for k, v in params.items()}
    sequences = [
        [int(i) for i in torch.randint(0, VOCAB, (POSITIONS,), generator=gen)],
        [3, 14, 15, 9, 26],
    ]
    cases = []
    with torch.no_grad():
        for ids in sequences:
            logits = forward(torch.tensor([ids]), p64)[0].numpy()
            cases.append((ids, logits))

    lines = [
        "// deno-fmt-ignore-file",
        f"// generated by tests/golden/tiny_gpt2.py with torch {torch.__version__}, numpy {np.__version__}; do not edit",
        "",
        "/** Two token sequences and the logits `[T, V]` of the fixture tests/fixtures/tiny-gpt2 (float64). */",
        "export const TINY_GPT2_CASES: readonly { ids: number[]; logits: number[][] }[] = [",
    ]
    for ids, logits in cases:
        lines.append("  {")
        lines.append(f"    ids: [{', '.join(str(i) for i in ids)}],")
        lines.append("    logits: [")
        for row in logits:
            lines.append(f"      [{', '.join(ts_number(x) for x in row)}],")
        lines.append("    ],")
        lines.append("  },")
    lines.append("];")
    with open(VALUES, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
