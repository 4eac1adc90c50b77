#!/usr/bin/python3
"""Reference timing of one training step of a small GPT in PyTorch (CPU), for side-by-side benchmarks.

The model: byte vocabulary (256), context T, L pre-LayerNorm blocks, H heads, width D, tanh-GELU MLP (4D),
tied output head, learned positions; one step is forward, backward, clip_grad_norm_(1.0) and AdamW (lr 3e-4,
weight decay 0), as dpo-kernels' trainer does (lib/train/optimizer.ts). Modes:
  lm   next-token cross-entropy on a [B, T] batch
  dpo  sigmoid DPO loss (beta 0.1) on B pairs: the policy scores chosen and rejected sequences ([2B, T] forward),
       reference log-probs precomputed once outside the timed step

Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_dpo_step.py --mode dpo --d 64 --layers 2 --heads 2 \
         --batch 8 [--context 64] [--threads 1]
Prints one JSON line: {"mode", "d", "layers", "heads", "batch", "T", "params", "median_ms", "min_ms", "max_ms", "steps"}.
Needs Debian's python3-torch (apt-get install python3-torch), whose matrix products go through the system BLAS
(libblas.so.3, OpenBLAS on Debian): give it the same OPENBLAS_NUM_THREADS / OPENBLAS_CORETYPE as the other side.
`bench/step.ts` runs it. Adapted from the project's anchor (anchors/torch_dpo_step.py): AdamW + clipping added.
"""
import argparse, json, math, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--mode", choices=["lm", "dpo"], default="dpo")
ap.add_argument("--d", type=int, default=64)
ap.add_argument("--layers", type=int, default=2)
ap.add_argument("--heads", type=int, default=2)
ap.add_argument("--batch", type=int, default=8)
ap.add_argument("--context", type=int, default=64)
ap.add_argument("--steps", type=int, default=7)
ap.add_argument("--warmup", type=int, default=3)
ap.add_argument("--threads", type=int, default=1)
a = ap.parse_args()
V, T, D, L, H, B = 256, a.context, a.d, a.layers, a.heads, a.batch
torch.manual_seed(0)
torch.set_num_threads(a.threads)


class Block(nn.Module):
    def __init__(s):
        super().__init__()
        s.ln1, s.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        s.qkv, s.o = nn.Linear(D, 3 * D), nn.Linear(D, D)
        s.fc1, s.fc2 = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)
        s.register_buffer("mask", torch.full((T, T), -1e9).triu(1))

    def forward(s, x):
        b = x.shape[0]
        q, k, v = s.qkv(s.ln1(x)).view(b, T, 3, H, D // H).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D // H) + s.mask, -1)
        x = x + s.o((att @ v).transpose(1, 2).reshape(b, T, D))
        return x + s.fc2(F.gelu(s.fc1(s.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(s):
        super().__init__()
        s.wte = nn.Embedding(V, D)
        nn.init.normal_(s.wte.weight, std=0.02)
        s.wpe = nn.Parameter(torch.randn(T, D) * 0.02)
        s.blocks = nn.Sequential(*[Block() for _ in range(L)])
        s.lnf = nn.LayerNorm(D)

    def logits(s, idx):
        return s.lnf(s.blocks(s.wte(idx) + s.wpe)) @ s.wte.weight.t()  # [b, T, V]

    def seq_logp(s, idx, tgt, mask):  # summed log-prob of the masked target tokens, [b]
        lp = torch.log_softmax(s.logits(idx), -1).gather(-1, tgt.unsqueeze(-1)).squeeze(-1)
        return (lp * mask).sum(-1)


m = GPT()
opt = torch.optim.AdamW(m.parameters(), lr=3e-4, weight_decay=0.0)
g = torch.Generator().manual_seed(1)
idx = torch.randint(0, V, (2 * B, T), generator=g)
tgt = torch.randint(0, V, (2 * B, T), generator=g)
mask = torch.zeros(2 * B, T)
mask[:, T // 2:] = 1.0  # the response is the second half of each sequence
with torch.no_grad():
    ref = m.seq_logp(idx, tgt, mask)


def step():
    opt.zero_grad(set_to_none=True)
    if a.mode == "lm":
        loss = F.cross_entropy(m.logits(idx[:B]).reshape(-1, V), tgt[:B].reshape(-1))
    else:
        lp = m.seq_logp(idx, tgt, mask)
        margin = (lp[:B] - ref[:B]) - (lp[B:] - ref[B:])
        loss = -F.logsigmoid(0.1 * margin).mean()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    opt.step()
    return loss.item()


for _ in range(a.warmup):
    step()
ts = []
for _ in range(a.steps):
    t = time.perf_counter()
    step()
    ts.append((time.perf_counter() - t) * 1e3)
print(json.dumps({"mode": a.mode, "d": D, "layers": L, "heads": H, "batch": B, "T": T,
                  "threads": torch.get_num_threads(), "params": sum(p.numel() for p in m.parameters()), "median_ms": round(statistics.median(ts), 2),
                  "min_ms": round(min(ts), 2), "max_ms": round(max(ts), 2), "steps": a.steps}))
