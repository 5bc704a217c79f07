#!/usr/bin/env python3
"""The reference CLIP training step of bench/lib/reference-step.ts, in PyTorch, for side-by-side speed.

Same shapes, same parameter count and the same maths as clipdown's model (src/models): ViT on NHWC
images patchified by reshape+permute and a bias-free matmul, class token + learned positions, ln_pre,
pre-LN blocks (qkv, proj, GELU-tanh MLP), ln_post on the class token, projection; causal text tower with
learned positions, ln_final, pooling at the largest token id (CLIP's eot argmax), projection; learnable
logit_scale clamped to [0, ln 100]; symmetric InfoNCE; Adam (lr 5e-4, betas 0.9/0.98, eps 1e-6).

Usage: /usr/bin/python3 bench/reference/clip_step.py --threads 1 [--batch 128 --width 128 --depth 4
       --heads 4 --patch 8 --warmup 2 --repeats 8]
Prints one JSON line: params, train/eval samples/s (min/median/max), torch version, threads.
Needs Debian's python3-torch; install libopenblas0-openmp too (reference BLAS is ~10x slower).
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, w, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(w, eps=1e-5)
        self.qkv = nn.Linear(w, 3 * w)
        self.proj = nn.Linear(w, w)
        self.ln2 = nn.LayerNorm(w, eps=1e-5)
        self.fc1 = nn.Linear(w, 4 * w)
        self.fc2 = nn.Linear(4 * w, w)

    def forward(self, x, mask=None):
        b, n, w = x.shape
        d = w // self.heads
        q, k, v = self.qkv(self.ln1(x)).split(w, dim=2)
        q, k, v = (t.reshape(b, n, self.heads, d).transpose(1, 2) for t in (q, k, v))
        s = (q @ k.transpose(-1, -2)) / math.sqrt(d)
        if mask is not None:
            s = s + mask
        a = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, n, w)
        x = x + self.proj(a)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class Clip(nn.Module):
    def __init__(self, width, depth, heads, patch, image=32, vocab=2048, ctx=16, tw=128, embed=128):
        super().__init__()
        self.patch, self.width = patch, width
        n = (image // patch) ** 2
        self.patch_w = nn.Parameter(torch.randn(patch * patch * 3, width) * 0.02)
        self.cls = nn.Parameter(torch.randn(width) * width**-0.5)
        self.pos = nn.Parameter(torch.randn(n + 1, width) * width**-0.5)
        self.ln_pre = nn.LayerNorm(width)
        self.vblocks = nn.ModuleList([Block(width, heads) for _ in range(depth)])
        self.ln_post = nn.LayerNorm(width)
        self.vproj = nn.Parameter(torch.randn(width, embed) * width**-0.5)
        self.token = nn.Embedding(vocab, tw)
        self.tpos = nn.Parameter(torch.randn(ctx, tw) * 0.01)
        self.tblocks = nn.ModuleList([Block(tw, 4) for _ in range(4)])
        self.ln_final = nn.LayerNorm(tw)
        self.tproj = nn.Parameter(torch.randn(tw, embed) * tw**-0.5)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.register_buffer("mask", torch.full((ctx, ctx), -1e9).triu(1))

    def encode_image(self, x):  # x: [B, S, S, 3] (NHWC, as clipdown's tensors)
        b, s, _, c = x.shape
        g, p = s // self.patch, self.patch
        x = x.reshape(b, g, p, g, p * c).permute(0, 1, 3, 2, 4).reshape(b, g * g, p * p * c)
        x = x @ self.patch_w + self.pos[1:]
        cls = (self.cls + self.pos[0]).expand(b, 1, self.width)
        x = self.ln_pre(torch.cat([cls, x], 1))
        for blk in self.vblocks:
            x = blk(x)
        return self.ln_post(x[:, 0]) @ self.vproj

    def encode_text(self, ids):
        x = self.token(ids) + self.tpos
        for blk in self.tblocks:
            x = blk(x, self.mask)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), ids.argmax(-1)] @ self.tproj

    def loss(self, images, ids):
        i = F.normalize(self.encode_image(images), dim=-1)
        t = F.normalize(self.encode_text(ids), dim=-1)
        logits = self.logit_scale.exp() * i @ t.t()
        labels = torch.arange(logits.shape[0])
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


def summary(xs):
    s = sorted(xs)
    n = len(s)
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return {"min": s[0], "median": med, "max": s[-1], "n": n}


def main():
    ap = argparse.ArgumentParser()
    for k, v in dict(threads=1, batch=128, width=128, depth=4, heads=4, patch=8, warmup=2, repeats=8).items():
        ap.add_argument(f"--{k}", type=int, default=v)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Clip(a.width, a.depth, a.heads, a.patch)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=5e-4, betas=(0.9, 0.98), eps=1e-6)
    images = torch.rand(a.batch, 32, 32, 3) * 2 - 1
    ids = torch.randint(1, 2048, (a.batch, 16))

    def train():
        opt.zero_grad(set_to_none=True)
        loss = model.loss(images, ids)
        loss.backward()
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        return loss.item()

    def evaluate():
        with torch.no_grad():
            return model.loss(images, ids).item()

    def timed(fn):
        for _ in range(a.warmup):
            fn()
        ms = []
        for _ in range(a.repeats):
            t0 = time.perf_counter()
            fn()
            ms.append((time.perf_counter() - t0) * 1000)
        return summary([a.batch * 1000 / m for m in ms])

    first = train()
    train_sps = timed(train)
    eval_sps = timed(evaluate)
    print(json.dumps({
        "impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"), "params": params,
        "shape": {k: getattr(a, k) for k in ("batch", "width", "depth", "heads", "patch")},
        "first_loss": first, "train_samples_per_s": train_sps, "eval_samples_per_s": eval_sps,
    }))


if __name__ == "__main__":
    main()
