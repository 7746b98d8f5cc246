#!/usr/bin/python3
"""Clean-room PyTorch reference of one ARBooth training iteration, for same-session benchmarking.

What it is
    A from-scratch PyTorch (1.13, CPU, float32) re-implementation of official Infinity's teacher-forced forward,
    its KV-cached sampler, and ARBooth's training iteration (identifier rows, CA + FFN tuning, scale-weighted
    bitwise CE step, prior-distillation KL step, torch AdamW), written only from the golden READMEs
    (shared/golden/infinity-set1, shared/golden/arbooth-train-set1) and this repository's Java code. No official
    Infinity/ARBooth code is used. `check` verifies it against the golden tensors; `bench` times it with random
    weights so that the Java benchmark (arbooth-bench TrainBench) can be compared with PyTorch on the same VM in
    the same session. Attention is materialised (softmax(q k^T + mask) v), as the official code does on torch
    1.13 CPU; no gradient checkpointing. The training forward pads L to pad_to_multiplier like the official code.

Install (Debian; no pip needed)
    apt-get install python3-torch        # torch 1.13.1 + numpy for /usr/bin/python3
Debian's torch calls whatever libblas.so.3 the system selects. If that is the reference BLAS (libblas3; the
matmul line then shows ~4 GFLOP/s and blas=libblas.so.3.x), install libopenblas0-pthread, or use it for this
process only, without changing the system:
    dpkg-deb -x libopenblas0-pthread_*.deb /tmp/openblas     # e.g. from /var/cache/apt/archives
    export LD_LIBRARY_PATH=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread
The BLAS library actually loaded is printed (and in the RESULT line); OPENBLAS_NUM_THREADS defaults to --threads.

Run (from the repository root; always Debian's interpreter)
    /usr/bin/python3 scripts/bench/torch_reference.py check
    /usr/bin/python3 scripts/bench/torch_reference.py bench --config golden --threads 2 --iterations 2
    nice -n 10 /usr/bin/python3 scripts/bench/torch_reference.py bench --config mid --threads 2 --iterations 2
    /usr/bin/python3 scripts/bench/torch_reference.py teacher --threads 2 --repeats 2

Timings are only meaningful on idle cores: with another process busy on a 2-core VM, torch's 2 OpenMP threads
ran element-wise ops ~8x slower than 1 thread (load averages are printed at the start and end).

Deviation from official ARBooth, as in the Java SDK: bitwise self-correction flips the input bits and re-derives
the teacher-forcing input from them, but keeps the ground-truth targets (no VAE features to re-quantise).
"""
import argparse
import copy
import json
import math
import os
import resource
import struct
import sys
import time
import warnings
from dataclasses import dataclass

if "--threads" in sys.argv[:-1]:                    # before torch loads BLAS: its pool size is fixed at load
    os.environ.setdefault("OPENBLAS_NUM_THREADS", sys.argv[sys.argv.index("--threads") + 1])

import numpy as np
import torch
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GOLDEN = os.environ.get("ARBOOTH_GOLDEN", os.path.join(REPO, "..", "shared", "golden"))
SCHEDULES = os.path.join(REPO, "arbooth-core/src/main/resources/dev/arbooth/internal/schedule/scale-schedules.json")
CA_FFN = ["ca.mat_kv.weight", "ca.mat_q.bias", "ca.mat_q.weight", "ca.proj.bias", "ca.proj.weight", "ca.v_bias",
          "ffn.fc1.bias", "ffn.fc1.weight", "ffn.fc2.bias", "ffn.fc2.weight"]


def load_safetensors(path):
    """Reads a safetensors file (F32 / I64 only) into a dict of CPU tensors."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        dt = {"F32": np.dtype("<f4"), "I64": np.dtype("<i8")}[e["dtype"]]
        a, b = e["data_offsets"]
        arr = np.frombuffer(data, dtype=dt, count=(b - a) // dt.itemsize, offset=8 + n + a)
        out[name] = torch.from_numpy(arr.reshape(e["shape"]).copy())
    return out


# ----------------------------------------------------------------------------------------------- configuration

@dataclass
class Cfg:
    depth: int
    chunks: int
    C: int
    heads: int
    ffn: int
    ct5: int
    text_maxlen: int
    d: int
    eps: float
    schedule: list          # [(h, w)] per scale
    rope_ref: tuple         # (Hf, Wf): final grid of the 1M schedule of the aspect ratio
    pad_to: int = 128
    lvl_rows: int = 15

    @property
    def hd(self): return self.C // self.heads
    @property
    def V(self): return 2 * self.d
    @property
    def L(self): return sum(h * w for h, w in self.schedule)
    @property
    def offsets(self):
        o = [0]
        for h, w in self.schedule:
            o.append(o[-1] + h * w)
        return o
    @property
    def pool_heads(self): return self.ct5 // (128 if self.C <= 4096 else 64)
    def blocks(self):
        per = self.depth // self.chunks
        return [f"block_chunks.{c}.module.{j}." for c in range(self.chunks) for j in range(per)]


def cfg_from_golden(path):
    """The model configuration of infinity-set1's config.json."""
    j = json.load(open(path))
    k, dv = j["infinity_constructor_kwargs"], j["derived"]
    return Cfg(depth=k["depth"], chunks=k["block_chunks"], C=k["embed_dim"], heads=k["num_heads"],
               ffn=dv["ffn_hidden"], ct5=k["text_channels"], text_maxlen=k["text_maxlen"],
               d=j["codebook_dim"], eps=k["norm_eps"],
               schedule=[(h, w) for _, h, w in dv["scale_schedule"]], rope_ref=tuple(dv["rope_reference_grid_hw"]),
               pad_to=k["pad_to_multiplier"])


def mid_cfg():
    """InfinityBench.midConfig(): golden set 1 with depth 8 (8 chunks), C 512, 8 heads, FFN 2048, Ct5 2048,
    text_maxlen 512, d 32; schedule ScaleSchedule.official("1.000", "0.25M") from the SDK's table."""
    table = json.load(open(SCHEDULES))["table"]["1.000"]
    return Cfg(depth=8, chunks=8, C=512, heads=8, ffn=2048, ct5=2048, text_maxlen=512, d=32, eps=1e-6,
               schedule=[tuple(s) for s in table["0.25M"]["scales"]], rope_ref=tuple(table["1M"]["scales"][-1]))


def weight_shapes(cfg):
    """Official state-dict names and shapes of the transformer (base README section 5)."""
    C, F_, ct5, hp = cfg.C, cfg.ffn, cfg.ct5, cfg.pool_heads
    s = {}
    for p in cfg.blocks():
        s.update({p + "ada_gss": (1, 1, 6, C), p + "ca.mat_kv.weight": (2 * C, C), p + "ca.mat_q.bias": (C,),
                  p + "ca.mat_q.weight": (C, C), p + "ca.proj.bias": (C,), p + "ca.proj.weight": (C, C),
                  p + "ca.v_bias": (C,), p + "ca.zero_k_bias": (C,), p + "ca_norm.bias": (C,),
                  p + "ca_norm.weight": (C,), p + "ffn.fc1.bias": (F_,), p + "ffn.fc1.weight": (F_, C),
                  p + "ffn.fc2.bias": (C,), p + "ffn.fc2.weight": (C, F_), p + "sa.mat_qkv.weight": (3 * C, C),
                  p + "sa.proj.bias": (C,), p + "sa.proj.weight": (C, C), p + "sa.q_bias": (C,),
                  p + "sa.scale_mul_1H11": (1, cfg.heads, 1, 1), p + "sa.v_bias": (C,), p + "sa.zero_k_bias": (C,)})
    s.update({"cfg_uncond": (cfg.text_maxlen, ct5), "head.bias": (cfg.V,), "head.weight": (cfg.V, C),
              "head_nm.ada_lin.1.bias": (2 * C,), "head_nm.ada_lin.1.weight": (2 * C, C),
              "lvl_embed.weight": (cfg.lvl_rows, C), "pos_start": (1, 1, C), "shared_ada_lin.1.bias": (6 * C,),
              "shared_ada_lin.1.weight": (6 * C, C), "text_norm.weight": (ct5,), "text_proj_for_ca.0.bias": (C,),
              "text_proj_for_ca.0.weight": (C, ct5), "text_proj_for_ca.2.bias": (C,),
              "text_proj_for_ca.2.weight": (C, C), "text_proj_for_sos.ca.mat_kv.weight": (2 * C, ct5),
              "text_proj_for_sos.ca.mat_q": (1, hp, C // hp), "text_proj_for_sos.ca.proj.bias": (C,),
              "text_proj_for_sos.ca.proj.weight": (C, C), "text_proj_for_sos.ca.v_bias": (C,),
              "text_proj_for_sos.ca.zero_k_bias": (C,), "word_embed.bias": (C,), "word_embed.weight": (C, cfg.d)})
    return s


def random_weights(cfg, seed):
    """Seeded random weights, scaled as InfinityBench.randomWeights: std 1/sqrt(fan_in) for matrices, 0.02 else."""
    g = torch.Generator().manual_seed(seed)
    w = {}
    for name, shape in weight_shapes(cfg).items():
        std = 1 / math.sqrt(shape[1]) if len(shape) == 2 else 0.02
        w[name] = torch.zeros(shape) if name.endswith("zero_k_bias") else torch.randn(shape, generator=g) * std
    return w


# ----------------------------------------------------------------------------------------------- fixed tables

class Tables:
    """RoPE rows (README 4.3), scale index per token and the block-causal mask of the padded training sequence."""

    def __init__(self, cfg):
        half, q = cfg.hd // 2, cfg.hd // 4
        inv_freq = 1.0 / (10000.0 ** (torch.arange(0, half, 2, dtype=torch.float32) / half))   # (q,)
        Hf, Wf = cfg.rope_ref
        rows, cols, sid = [], [], []
        for k, (h, w) in enumerate(cfg.schedule):
            r = torch.round(torch.arange(h, dtype=torch.float32) * torch.tensor(Hf / h, dtype=torch.float32))
            c = torch.round(torch.arange(w, dtype=torch.float32) * torch.tensor(Wf / w, dtype=torch.float32))
            rows.append(r[:, None].expand(h, w).reshape(-1))
            cols.append(c[None, :].expand(h, w).reshape(-1))
            sid += [k] * (h * w)
        ang = torch.cat([torch.cat(rows)[:, None] * inv_freq, torch.cat(cols)[:, None] * inv_freq], 1)  # (L, half)
        self.cos_LH = ang.double().cos().float()
        self.sin_LH = ang.double().sin().float()
        L, S = cfg.L, len(cfg.schedule)
        self.Lp = -(-L // cfg.pad_to) * cfg.pad_to
        pad = self.Lp - L
        self.cos_pad = torch.cat([self.cos_LH, torch.ones(pad, half)])     # padded rows: no rotation
        self.sin_pad = torch.cat([self.sin_LH, torch.zeros(pad, half)])
        self.scale_L = torch.tensor(sid)
        s = torch.cat([self.scale_L, torch.full((pad,), S)])               # padding = a later pseudo-scale
        self.mask = torch.zeros(self.Lp, self.Lp).masked_fill(s[None, :] > s[:, None], float("-inf"))


def tables(cfg):
    """The configuration's Tables, built once."""
    if not hasattr(cfg, "_tables"):
        cfg._tables = Tables(cfg)
    return cfg._tables


# ----------------------------------------------------------------------------------------------- model

def pad_rows(x_N, lens):
    """(N, ...) prompt-concatenated rows -> (B, T, ...) and an additive key mask (B, 1, 1, T)."""
    parts = list(torch.split(x_N, list(lens)))
    T = max(lens)
    out = torch.nn.utils.rnn.pad_sequence(parts, batch_first=True)
    mask = torch.zeros(len(lens), 1, 1, T)
    for i, n in enumerate(lens):
        mask[i, ..., n:] = float("-inf")
    return out, mask


def condition(W, cfg, kv_NCt5, lens):
    """Text conditioning (README 4.1): cond_BD, the shared AdaLN table gss, and padded ca_kv with its mask."""
    x = kv_NCt5 * torch.rsqrt(kv_NCt5.pow(2).mean(-1, keepdim=True) + cfg.eps) * W["text_norm.weight"]
    C, hp = cfg.C, cfg.pool_heads
    p = "text_proj_for_sos.ca."
    kv = F.linear(x, W[p + "mat_kv.weight"], torch.cat([W[p + "zero_k_bias"], W[p + "v_bias"]]))
    kv_BT2hd, mask = pad_rows(kv.view(-1, 2, hp, C // hp), lens)
    k, v = kv_BT2hd.unbind(2)                                                # (B, T, Hp, hdp)
    a = (k * W[p + "mat_q"][0]).sum(-1) / math.sqrt(C // hp) + mask[:, 0, 0, :, None]
    o = (a.softmax(1)[..., None] * v).sum(1).reshape(-1, C)
    cond_BD = F.linear(o, W[p + "proj.weight"], W[p + "proj.bias"])
    ca = F.linear(F.gelu(F.linear(x, W["text_proj_for_ca.0.weight"], W["text_proj_for_ca.0.bias"]),
                         approximate="tanh"), W["text_proj_for_ca.2.weight"], W["text_proj_for_ca.2.bias"])
    ca_BTC, ca_mask = pad_rows(ca, lens)
    gss = F.linear(F.silu(cond_BD), W["shared_ada_lin.1.weight"], W["shared_ada_lin.1.bias"]).view(-1, 1, 6, C)
    return dict(cond_BD=cond_BD, gss=gss, ca_BTC=ca_BTC, ca_mask=ca_mask, ca_N=ca)


def rope(x_BHLd, cos, sin):
    x0, x1 = x_BHLd.unflatten(-1, (-1, 2)).unbind(-1)
    return torch.stack([x0 * cos - x1 * sin, x0 * sin + x1 * cos], -1).flatten(-2)


def block(W, p, cfg, x_BLC, text, cos, sin, mask=None, cache=None, keep=None):
    """One CrossAttnBlock (README 4.2 step 4). cache: list [K, V] extended in place (KV-cached sampling)."""
    B, L, C = x_BLC.shape
    H, hd = cfg.heads, cfg.hd
    g1, g2, s1, s2, b1, b2 = (W[p + "ada_gss"] + text["gss"]).unbind(2)             # each (B, 1, C)
    h = F.layer_norm(x_BLC, (C,), eps=cfg.eps) * (1 + s1) + b1
    qkv = F.linear(h, W[p + "sa.mat_qkv.weight"], torch.cat([W[p + "sa.q_bias"], W[p + "sa.zero_k_bias"],
                                                            W[p + "sa.v_bias"]]))
    q, k, v = qkv.view(B, L, 3, H, hd).permute(2, 0, 3, 1, 4).unbind(0)           # (B, H, L, hd)
    q = F.normalize(q, dim=-1) * W[p + "sa.scale_mul_1H11"].clamp_max(math.log(100)).exp()
    q, k = rope(q, cos, sin), rope(F.normalize(k, dim=-1), cos, sin)
    if cache is not None:
        if cache:
            k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
        cache[:] = [k, v]
    scores = q @ k.transpose(-1, -2)                                                 # cosine attention: scale 1
    if mask is not None:
        scores = scores + mask
    o = F.linear((scores.softmax(-1) @ v).transpose(1, 2).reshape(B, L, C), W[p + "sa.proj.weight"],
                 W[p + "sa.proj.bias"])
    if keep is not None:
        o = o * keep[0]
    x_BLC = x_BLC + o * g1
    # cross-attention, each row on its own prompt
    cq = F.linear(F.layer_norm(x_BLC, (C,), W[p + "ca_norm.weight"], W[p + "ca_norm.bias"], cfg.eps),
                  W[p + "ca.mat_q.weight"], W[p + "ca.mat_q.bias"]).view(B, L, H, hd).transpose(1, 2)
    ckv = F.linear(text["ca_BTC"], W[p + "ca.mat_kv.weight"], torch.cat([W[p + "ca.zero_k_bias"], W[p + "ca.v_bias"]]))
    ck, cv = ckv.view(B, -1, 2, H, hd).permute(2, 0, 3, 1, 4).unbind(0)             # (B, H, T, hd)
    ca = ((cq @ ck.transpose(-1, -2)) / math.sqrt(hd) + text["ca_mask"]).softmax(-1) @ cv
    x_BLC = x_BLC + F.linear(ca.transpose(1, 2).reshape(B, L, C), W[p + "ca.proj.weight"], W[p + "ca.proj.bias"])
    # FFN
    h = F.layer_norm(x_BLC, (C,), eps=cfg.eps) * (1 + s2) + b2
    f = F.linear(F.gelu(F.linear(h, W[p + "ffn.fc1.weight"], W[p + "ffn.fc1.bias"]), approximate="tanh"),
                 W[p + "ffn.fc2.weight"], W[p + "ffn.fc2.bias"])
    if keep is not None:
        f = f * keep[1]
    return x_BLC + f * g2


def head(W, cfg, x_BLC, cond_BD):
    scale, shift = F.linear(F.silu(cond_BD), W["head_nm.ada_lin.1.weight"],
                            W["head_nm.ada_lin.1.bias"]).view(-1, 1, 2, cfg.C).unbind(2)
    h = F.layer_norm(x_BLC, (cfg.C,), eps=cfg.eps) * (1 + scale) + shift
    return F.linear(h, W["head.weight"], W["head.bias"])


def forward_tf(W, cfg, tab, text, x_BLd, keeps=None):
    """Teacher-forced training forward (README 4.2) on the (B, L-1, d) inputs; logits (B, L, V)."""
    cond = text["cond_BD"]
    x = torch.cat([cond[:, None] + W["pos_start"], F.linear(x_BLd, W["word_embed.weight"], W["word_embed.bias"])], 1)
    x = x + W["lvl_embed.weight"][tab.scale_L]
    x = F.pad(x, (0, 0, 0, tab.Lp - cfg.L))
    for i, p in enumerate(cfg.blocks()):
        x = block(W, p, cfg, x, text, tab.cos_pad, tab.sin_pad, mask=tab.mask, keep=None if keeps is None else keeps[i])
    return head(W, cfg, x[:, :cfg.L], cond)


# ----------------------------------------------------------------------------------------------- bits and inputs

def codes_of(bits_Bhwd, d):
    """Bits (B, h, w, d) -> codes (B, d, 1, h, w) (README 3: normalize(bit*2s - s), s = 1/sqrt(d))."""
    s = 1 / math.sqrt(d)
    return F.normalize(bits_Bhwd.float() * s * 2 - s, dim=-1).permute(0, 3, 1, 2).unsqueeze(2)


def trilinear(x, h, w):
    return F.interpolate(x, size=(1, h, w), mode="trilinear", align_corners=False)


def area(x, h, w):
    return F.adaptive_avg_pool2d(x[:, :, 0], (h, w))[:, :, None]


def flat(x_Bd1hw):
    return x_Bd1hw.flatten(2).transpose(1, 2)                                        # (B, h*w, d)


def teacher_forcing_input(cfg, bits_BLd):
    """README 4.4: running sum of trilinear-upsampled codes, resized trilinearly to each next scale; (B, L-1, d)."""
    S, (Hs, Ws), o = len(cfg.schedule), cfg.schedule[-1], cfg.offsets
    cum, out = 0, []
    for k in range(S - 1):
        h, w = cfg.schedule[k]
        cum = cum + trilinear(codes_of(bits_BLd[:, o[k]:o[k + 1]].unflatten(1, (h, w)), cfg.d), Hs, Ws)
        out.append(flat(trilinear(cum, *cfg.schedule[k + 1])))
    return torch.cat(out, 1)


def self_correction(cfg, bits_BLd, strength, g):
    """Bitwise self-correction as the SDK's SelfCorrection: per scale (not the last) a share randint(0, 100*strength)
    /100, each bit flipped with that probability; the input is re-derived from the flipped bits."""
    if strength <= 0:
        return teacher_forcing_input(cfg, bits_BLd)
    bits, o = bits_BLd.clone(), cfg.offsets
    for k in range(len(cfg.schedule) - 1):
        share = int(torch.randint(0, int(100 * strength + 1e-9) + 1, (1,), generator=g)) / 100
        flip = torch.rand(bits[:, o[k]:o[k + 1]].shape, generator=g) < share
        bits[:, o[k]:o[k + 1]] ^= flip.long()
    return teacher_forcing_input(cfg, bits)


def sample_bits(logits_BnV, top_k, top_p, g):
    """Official per-bit top-k/top-p sampling on (already /tau) logits; V = 2d -> bits (B, n, d)."""
    pair = logits_BnV.unflatten(-1, (-1, 2))
    diff = pair[..., 1] - pair[..., 0]
    u = torch.rand(diff.shape, generator=g)
    if top_k == 1:
        p1 = (diff > 0).float()
    else:
        p1 = torch.sigmoid(diff)
        if top_p > 0:
            p1 = torch.where(torch.minimum(p1, 1 - p1) <= 1 - top_p, (diff > 0).float(), p1)
    return (u < p1).long()


@torch.no_grad()
def sample_teacher(W, cfg, kv_NCt5, lens, tau, top_k, top_p, g, cached=True):
    """Distillation teacher, cfg 1. cached: (b) official KV-cached sampler (trilinear next input, RoPE offset);
    else (a) ARBooth's autoregressive_cls_infer (each scale alone, RoPE rows from 0, AREA next input).
    Returns pre-tau logits (B, L, V), bits (B, L, d), next inputs (B, L-1, d)."""
    text = condition(W, cfg, kv_NCt5, lens)
    tab = tables(cfg)
    S, (Hs, Ws), o = len(cfg.schedule), cfg.schedule[-1], cfg.offsets
    caches = [[] for _ in cfg.blocks()]
    x = text["cond_BD"][:, None] + W["pos_start"]
    summed, logits, bits, nexts = 0, [], [], []
    for k, (h, w) in enumerate(cfg.schedule):
        rows = slice(o[k], o[k + 1]) if cached else slice(0, h * w)
        x = x + W["lvl_embed.weight"][k]
        for i, p in enumerate(cfg.blocks()):
            x = block(W, p, cfg, x, text, tab.cos_LH[rows], tab.sin_LH[rows], cache=caches[i] if cached else None)
        lg = head(W, cfg, x, text["cond_BD"])
        b = sample_bits(lg / tau, top_k, top_p, g)
        logits.append(lg)
        bits.append(b)
        if k < S - 1:
            summed = summed + trilinear(codes_of(b.unflatten(1, (h, w)), cfg.d), Hs, Ws)
            nxt = flat((trilinear if cached else area)(summed, *cfg.schedule[k + 1]))
            nexts.append(nxt)
            x = F.linear(nxt, W["word_embed.weight"], W["word_embed.bias"])
    return torch.cat(logits, 1), torch.cat(bits, 1), torch.cat(nexts, 1)


# ----------------------------------------------------------------------------------------------- losses, iteration

def weighted_ce(logits_BLV, gt_BLd, w_L):
    """README 4.7: per-bit CE, mean over bits, mean_b(sum_l ce*w/L)."""
    B, L, _ = logits_BLV.shape
    ce = F.cross_entropy(logits_BLV.reshape(B, L, -1, 2).permute(0, 3, 1, 2), gt_BLd, reduction="none")
    return (ce.mean(-1) * w_L * (1 / L)).sum(-1).mean()


def distill_kl(student_BLV, teacher_BLV, T, lam):
    """README 4.7 soft distillation: lambda * mean_b(sum_l KL(softmax(t/T) || softmax(s/T)) / L)."""
    kl = F.kl_div(F.log_softmax(student_BLV / T, -1), F.softmax(teacher_BLV / T, -1), reduction="none").sum(-1)
    return lam * (kl / student_BLV.shape[1]).sum(-1).mean(), kl


def insert_identifier(text_NCt5, lens, at, ident_PCt5):
    """Each prompt's placeholder row -> all P identifier rows (differentiable w.r.t. the identifier)."""
    parts, start = [], 0
    for n, a in zip(lens, at):
        parts += [text_NCt5[start:start + a], ident_PCt5, text_NCt5[start + a + 1:start + n]]
        start += n
    return torch.cat(parts), [n + ident_PCt5.shape[0] - 1 for n in lens]


class Arbooth:
    """Student weights (CA + FFN + identifier trainable), frozen teacher copies, ARBooth's AdamW list."""

    def __init__(self, cfg, weights, identifier, lr, betas, eps, wd, double_identifier=True):
        self.cfg, self.tab = cfg, tables(cfg)
        self.W = {k: v.clone() for k, v in weights.items()}
        self.trainable = [p + n for p in cfg.blocks() for n in CA_FFN]
        self.teacher = dict(self.W)
        for k in self.trainable:
            self.teacher[k] = self.W[k].clone()                  # originals: the teacher never moves
            self.W[k].requires_grad_(True)
        self.W["special_token"] = identifier.clone().requires_grad_(True)
        params = [self.W["special_token"]] * (2 if double_identifier else 1) + [self.W[k] for k in self.trainable]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")                      # "duplicate parameters", as in ARBooth
            self.opt = torch.optim.AdamW(params, lr=lr, betas=betas, eps=eps, weight_decay=wd, foreach=False)

    def drop_path_keeps(self, B, rate, g):
        if rate <= 0:
            return None
        keeps = []
        for i in range(self.cfg.depth):
            r = rate * i / (self.cfg.depth - 1) if self.cfg.depth > 1 else 0.0
            keeps.append([(torch.rand(B, 1, 1, generator=g) >= r).float() / (1 - r) for _ in range(2)])
        return keeps

    def step1_loss(self, text_NCt5, lens, at, gt_BLd, w_L, x_BLd, drop_path=0.0, cond_drop=0.0, g=None):
        kv, lens_after = insert_identifier(text_NCt5, lens, at, self.W["special_token"])
        if cond_drop > 0:
            parts, start = [], 0
            for n in lens_after:
                drop = float(torch.rand(1, generator=g)) < cond_drop
                parts.append(self.W["cfg_uncond"][:n] if drop else kv[start:start + n])
                start += n
            kv = torch.cat(parts)
        text = condition(self.W, self.cfg, kv, lens_after)
        logits = forward_tf(self.W, self.cfg, self.tab, text, x_BLd, self.drop_path_keeps(len(lens), drop_path, g))
        return weighted_ce(logits, gt_BLd, w_L), logits, kv

    def step2_loss(self, cls_NCt5, cls_lens, teacher_logits, next_BLd, T, lam, drop_path=0.0, g=None):
        text = condition(self.W, self.cfg, cls_NCt5, cls_lens)
        logits = forward_tf(self.W, self.cfg, self.tab, text, next_BLd,
                            self.drop_path_keeps(len(cls_lens), drop_path, g))
        loss, kl = distill_kl(logits, teacher_logits, T, lam)
        return loss, logits, kl

    def optimize(self):
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)


# ----------------------------------------------------------------------------------------------- check

class Report:
    def __init__(self):
        self.fails = 0

    def line(self, what, dev, tol, note=""):
        ok = dev <= tol
        self.fails += not ok
        print(f"  {'PASS' if ok else 'FAIL'}  {what:<58} {dev:10.3e}  (tol {tol:.2g}){note}")

    def abs(self, what, a, b, tol):
        self.line(what, (a.float() - b.float()).abs().max().item(), tol)

    def per_tensor_rel(self, what, got, gold, tol):
        worst, name = 0.0, ""
        for k, v in got.items():
            r = ((v - gold[k]).abs().max() / gold[k].abs().max().clamp_min(1e-30)).item()
            worst, name = max((worst, name), (r, k))
        self.line(f"{what} ({len(got)} tensors, rel. to max)", worst, tol, f"  worst {name}")

    def after(self, what, got, gold, exp_avg):
        """1e-6 abs, 5e-5 where |golden exp_avg| < 1e-5 of its tensor max (README 5)."""
        worst, loose = 0.0, 0.0
        for k, v in got.items():
            dev = (v - gold[k]).abs()
            small = exp_avg[k].abs() < 1e-5 * exp_avg[k].abs().max()
            worst = max(worst, dev[~small].max().item() if (~small).any() else 0.0)
            loose = max(loose, dev[small].max().item() if small.any() else 0.0)
        self.line(f"{what} ({len(got)} tensors, abs)", worst, 1e-6)
        self.line(f"{what}, elements with |exp_avg| < 1e-5 max (abs)", loose, 5e-5)


def check():
    rep = Report()
    base = os.path.join(GOLDEN, "infinity-set1")
    cfg = cfg_from_golden(os.path.join(base, "config.json"))
    W = load_safetensors(os.path.join(base, "transformer_weights.safetensors"))
    shapes = {k: tuple(v.shape) for k, v in W.items()}
    rep.line("weight names/shapes derived from config.json", float(shapes != weight_shapes(cfg)), 0)
    tab = tables(cfg)

    print(f"(i) infinity-set1 teacher-forced forward: depth {cfg.depth}, C {cfg.C}, L {cfg.L}")
    ti = load_safetensors(os.path.join(base, "tf_inputs.safetensors"))
    tf = load_safetensors(os.path.join(base, "tf_forward.safetensors"))
    assert [tuple(r[1:]) for r in ti["scale_schedule"].tolist()] == cfg.schedule
    rep.abs("rope_cos", tab.cos_LH, tf["rope_cos"], 1.2e-7)
    rep.abs("rope_sin", tab.sin_LH, tf["rope_sin"], 1.2e-7)
    rep.abs("x_BLC_wo_prefix re-derived from gt_BL (README 4.4)", teacher_forcing_input(cfg, ti["gt_BL"]),
            ti["x_BLC_wo_prefix"], 1.2e-7)
    with torch.no_grad():
        text = condition(W, cfg, ti["text.kv_compact"], ti["text.lens"].tolist())
        rep.abs("cond_BD", text["cond_BD"], tf["cond_BD"], 1e-5)
        rep.abs("ca_kv", text["ca_N"], tf["ca_kv"], 1e-5)
        rep.abs("logits (main golden)", forward_tf(W, cfg, tab, text, ti["x_BLC_wo_prefix"]), tf["logits"], 1e-5)

    tdir = os.path.join(GOLDEN, "arbooth-train-set1")
    tc = json.load(open(os.path.join(tdir, "config.json")))
    inp = load_safetensors(os.path.join(tdir, "inputs.safetensors"))
    before = load_safetensors(os.path.join(tdir, "trainable_before.safetensors"))
    g1 = load_safetensors(os.path.join(tdir, "step1_wce.safetensors"))
    hp = dict(lr=tc["lr"], betas=(tc["derived_hparams"]["beta0"], tc["derived_hparams"]["beta1"]),
              eps=tc["adam_eps"], wd=tc["weight_decay"])
    model = Arbooth(cfg, W, inp["special_token.init"], **hp)
    rep.line("trainable set = trainable_before names", float(set(model.trainable + ["special_token"]) != set(before)), 0)
    for k in model.trainable:
        assert torch.equal(before[k], W[k])
    print(f"(ii) arbooth-train-set1 step 1 (weighted CE, lr {hp['lr']}, wd {hp['wd']})")
    lens, at = inp["subj.lens_before"].tolist(), inp["subj.placeholder_index"].tolist()
    loss, logits, kv = model.step1_loss(inp["subj.kv_compact_before"], lens, at, inp["gt_BL"],
                                        inp["scale_weight"][0], inp["x_BLC_wo_prefix"])
    rep.abs("kv_compact_after (identifier rows inserted)", kv.detach(), inp["subj.kv_compact_after"], 0)
    rep.abs("logits", logits.detach(), g1["logits"], 1e-5)
    rep.line("loss (relative)", abs(loss.item() / g1["loss"].item() - 1), 1e-6)
    loss.backward()
    names = ["special_token"] + model.trainable
    rep.per_tensor_rel("grad.*", {k: model.W[k].grad for k in names}, {k: g1["grad." + k] for k in names}, 1e-5)
    st, st_g = model.W["special_token"].detach().clone(), model.W["special_token"].grad.clone()
    model.optimize()
    compare_adam(rep, model, names, g1, 1e-5)
    # ARBooth's duplicate special_token entry vs the de-duplicated alternative (one update)
    alt = st.clone().requires_grad_(True)
    alt.grad = st_g
    opt = torch.optim.AdamW([alt], lr=hp["lr"], betas=hp["betas"], eps=hp["eps"], weight_decay=hp["wd"], foreach=False)
    opt.step()
    rep.abs("alt_dedup.after.special_token (single update)", alt.detach(), g1["alt_dedup.after.special_token"], 1e-6)
    snapshot = ({k: v.detach().clone() for k, v in model.W.items() if v.requires_grad},
                {p: copy.deepcopy(s) for p, s in model.opt.state.items()})

    for which, cached, gtol in (("b", True, 2e-4), ("a", False, 5e-5)):
        gold = load_safetensors(os.path.join(tdir, f"step2_distill_{which}.safetensors"))
        for k, v in snapshot[0].items():
            with torch.no_grad():
                model.W[k].copy_(v)
        model.opt.state.clear()
        model.opt.state.update({p: copy.deepcopy(s) for p, s in snapshot[1].items()})
        print(f"(ii) step 2, teacher ({which}) {'KV-cached official sampler' if cached else 'ARBooth cls_infer, no cache'}"
              f" (tau {tc['cls_tau']}, top_k {tc['cls_top_k']}, T {tc['distill_temperature']}, "
              f"lambda {tc['reg_lambda']})")
        cls_lens = inp["cls.lens"].tolist()
        t_logits, t_bits, t_next = sample_teacher(model.teacher, cfg, inp["cls.kv_compact"], cls_lens, tc["cls_tau"],
                                                  tc["cls_top_k"], tc["cls_top_p"], torch.Generator().manual_seed(0),
                                                  cached=cached)
        rep.line("teacher bit mismatches", float((t_bits != gold["teacher.bits_BLd"]).sum()), 0)
        rep.abs("teacher logits", t_logits, gold["teacher.logits"], 1e-5)
        rep.abs("teacher next_input", t_next, gold["teacher.next_input"], 1e-5)
        loss, logits, kl = model.step2_loss(inp["cls.kv_compact"], cls_lens, t_logits, t_next,
                                            tc["distill_temperature"], tc["reg_lambda"])
        rep.abs("student logits", logits.detach(), gold["student.logits"], 1e-5)
        rep.abs("kl.loss", loss.detach().view(1), gold["kl.loss"], 1e-8)
        # no README tolerance per token: 1e-6 = a few times the float32 floor of a token's KL (README 5: sanity
        # KL per token with identical logits up to 2.9e-7); the loss itself is held to the README's 1e-8
        rep.abs("kl.per_token (float32 floor, see comment)", kl.detach(), gold["kl.per_token"], 1e-6)
        loss.backward()
        rep.line("special_token.grad is None", float(model.W["special_token"].grad is not None), 0)
        rep.per_tensor_rel("grad.*", {k: model.W[k].grad for k in model.trainable},
                           {k: gold["grad." + k] for k in model.trainable}, gtol)
        model.optimize()
        compare_adam(rep, model, names, gold, gtol)
    print(f"check: {'PASS' if rep.fails == 0 else f'FAIL ({rep.fails} failed)'}")
    return 1 if rep.fails else 0


def compare_adam(rep, model, names, gold, rel_tol):
    s = {k: model.opt.state[model.W[k]] for k in names}
    rep.after("after.*", {k: model.W[k].detach() for k in names}, {k: gold["after." + k] for k in names},
              {k: gold["adam.exp_avg." + k] for k in names})
    rep.per_tensor_rel("adam.exp_avg.*", {k: s[k]["exp_avg"] for k in names},
                       {k: gold["adam.exp_avg." + k] for k in names}, rel_tol)
    rep.per_tensor_rel("adam.exp_avg_sq.*", {k: s[k]["exp_avg_sq"] for k in names},
                       {k: gold["adam.exp_avg_sq." + k] for k in names}, rel_tol)
    rep.line("adam.step.* (exact)", max(abs(float(s[k]["step"]) - gold["adam.step." + k].item()) for k in names), 0)


# ----------------------------------------------------------------------------------------------- bench

def matmul_gflops(n=1024, runs=11):
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        a @ b
        t.append(time.perf_counter() - t0)
    return 2.0 * n ** 3 / sorted(t)[runs // 2] / 1e9


def peak_rss_gb():
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6          # kB on Linux
    hwm = next((int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")), -1) / 1e6
    return ru, hwm


def load_average():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def blas_library():
    """The BLAS shared library this process has mapped (Debian's torch links libblas.so.3 of the alternatives)."""
    libs = {l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.split()[-1].lower()}
    return ",".join(sorted(libs)) or "?"


def blas_short():
    libs = [os.path.basename(p) for p in blas_library().split(",")]
    return next((p for p in libs if "openblas" in p), next((p for p in libs if "libblas" in p), libs[0]))


# ARBooth's settings of one iteration (self-correction, drop-path, condition dropout, the teacher's sampling, the KL).
ARBOOTH = dict(sc=0.3, drop_path=0.1, cond_drop=0.1, tau=0.5, top_k=900, top_p=0.97, T=1.0, lam=0.5)


def bench(config, threads, iterations):
    torch.set_num_threads(threads)
    info = [f.strip() for l in torch.__config__.show().splitlines() for f in l.split(",") if "BLAS" in f]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} cores, load average "
          f"{load_average()}; config.show(): {', '.join(info)}; loaded BLAS: "
          f"{blas_library()} (OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')})")
    gflops = matmul_gflops()
    print(f"matmul 1024^3 fp32: {gflops:.1f} GFLOP/s (median of 11)")
    cfg = cfg_from_golden(os.path.join(GOLDEN, "infinity-set1", "config.json")) if config == "golden" else mid_cfg()
    B, P, prompt, cls_len = 2, 4, 8, 6                                    # TrainBench: batch 2, 8 / 6 tokens
    S = len(cfg.schedule)
    print(f"config {config}: depth {cfg.depth}, C {cfg.C}, {cfg.heads} heads, FFN {cfg.ffn}, Ct5 {cfg.ct5}, d {cfg.d}, "
          f"{S} scales, L {cfg.L} (padded {tables(cfg).Lp}); batch {B}, identifier rows {P}")
    g = torch.Generator().manual_seed(1)
    model = Arbooth(cfg, random_weights(cfg, 1), torch.zeros(P, cfg.ct5), lr=2.34375e-5, betas=(0.9, 0.97),
                    eps=1e-8, wd=0.005)
    text = torch.randn(B * prompt, cfg.ct5, generator=g) * 0.5
    cls_text = torch.randn(B * cls_len, cfg.ct5, generator=g) * 0.5
    gt = torch.randint(0, 2, (B, cfg.L, cfg.d), generator=g)
    w_L = torch.tensor([1.0 if k < 8 else 0.5 for k, (h, w) in enumerate(cfg.schedule) for _ in range(h * w)])
    lens, at, cls_lens = [prompt] * B, [3] * B, [cls_len] * B
    arb = ARBOOTH

    def step1(seed):
        gs = torch.Generator().manual_seed(seed)
        x = self_correction(cfg, gt, arb["sc"], gs)
        loss, _, _ = model.step1_loss(text, lens, at, gt, w_L, x, arb["drop_path"], arb["cond_drop"], gs)
        loss.backward()
        model.optimize()

    def sample(seed):
        return sample_teacher(model.teacher, cfg, cls_text, cls_lens, arb["tau"], arb["top_k"], arb["top_p"],
                              torch.Generator().manual_seed(seed))

    def step2(seed):
        t_logits, _, t_next = sample(seed)
        loss, _, _ = model.step2_loss(cls_text, cls_lens, t_logits, t_next, arb["T"], arb["lam"], arb["drop_path"],
                                      torch.Generator().manual_seed(seed + 1))
        loss.backward()
        model.optimize()

    def timed(f, *a):
        t0 = time.perf_counter()
        r = f(*a)
        return time.perf_counter() - t0, r

    t1, t2 = [], []
    for i in range(-1, iterations):
        a, _ = timed(step1, 1000 + i)
        b, _ = timed(step2, 2000 + i)
        if i >= 0:
            t1.append(a)
            t2.append(b)
        print(f"  {'warm-up' if i < 0 else f'iteration {i + 1}'}: step 1 {a:.3f} s, step 2 {b:.3f} s "
              f"(peak RSS so far {peak_rss_gb()[1]:.2f} GB)")
    # the parts alone, once each: student step-1 forward + loss, its backward, teacher sampling
    gs = torch.Generator().manual_seed(77)
    x = self_correction(cfg, gt, arb["sc"], gs)
    fwd, (loss, _, _) = timed(model.step1_loss, text, lens, at, gt, w_L, x, arb["drop_path"], arb["cond_drop"], gs)
    bwd, _ = timed(loss.backward)
    model.opt.zero_grad(set_to_none=True)
    del loss
    smp, _ = timed(sample, 77)
    s1, s2 = sorted(t1)[len(t1) // 2], sorted(t2)[len(t2) // 2]
    ru, hwm = peak_rss_gb()
    print(f"  iteration (median of {iterations}, upper median as TrainBench): step 1 {s1:.3f} s, step 2 {s2:.3f} s, "
          f"whole {s1 + s2:.3f} s; fastest: step 1 {min(t1):.3f} s, step 2 {min(t2):.3f} s  "
          f"[step 1 runs {', '.join(f'{t:.3f}' for t in t1)}; step 2 runs {', '.join(f'{t:.3f}' for t in t2)}]")
    print(f"  parts alone: student forward+loss {fwd:.3f} s, backward {bwd:.3f} s, teacher sampling ({B} class "
          f"samples, KV-cached, cfg 1) {smp:.3f} s")
    print(f"  peak RSS: ru_maxrss {ru:.2f} GB, VmHWM {hwm:.2f} GB; load average at the end {load_average()}")
    print(f"RESULT config={config} threads={torch.get_num_threads()} step1={s1:.3f} step2={s2:.3f} whole={s1 + s2:.3f} "
          f"step1_min={min(t1):.3f} step2_min={min(t2):.3f} "
          f"fwd={fwd:.3f} bwd={bwd:.3f} sampling={smp:.3f} matmul_gflops={gflops:.1f} peak_rss_gb={hwm:.2f} "
          f"load={load_average().split()[0]} torch={torch.__version__} blas={blas_short()}")
    return 0


# The official figures for the mid configuration, measured on this machine kind on another day.
OFFICIAL_MID_ITERATION_S = 46.4 + 49.1
OFFICIAL_MID_TEACHER_A_S = 6.7


def teacher(threads, repeats):
    """Times the mid teacher's sampling, (a) ARBooth's (the official algorithm, reproduced bit for bit by
    sample_teacher(cached=False)) and (b) KV-cached, and prints the official mid iteration scaled to this VM's
    present speed: OFFICIAL_MID_ITERATION_S * t(a) / OFFICIAL_MID_TEACHER_A_S (upper median of the (a) runs, as
    bench and TrainBench take their medians)."""
    torch.set_num_threads(threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average {load_average()}, "
          f"loaded BLAS: {blas_library()}")
    gflops = matmul_gflops()
    print(f"matmul 1024^3 fp32: {gflops:.1f} GFLOP/s (median of 11)")
    cfg = mid_cfg()
    B, cls_len = 2, 6
    g = torch.Generator().manual_seed(1)
    W = random_weights(cfg, 1)
    cls_text = torch.randn(B * cls_len, cfg.ct5, generator=g) * 0.5
    times = {True: [], False: []}
    with torch.no_grad():
        for r in range(-1, repeats):
            for cached in (False, True):
                t0 = time.perf_counter()
                sample_teacher(W, cfg, cls_text, [cls_len] * B, ARBOOTH["tau"], ARBOOTH["top_k"], ARBOOTH["top_p"],
                               torch.Generator().manual_seed(100 + r), cached=cached)
                dt = time.perf_counter() - t0
                if r >= 0:
                    times[cached].append(dt)
                print(f"  {'warm-up' if r < 0 else f'run {r + 1}'}: teacher ({'b' if cached else 'a'}) {dt:.3f} s")
    ta = sorted(times[False])[len(times[False]) // 2]
    tb = sorted(times[True])[len(times[True]) // 2]
    est = OFFICIAL_MID_ITERATION_S * ta / OFFICIAL_MID_TEACHER_A_S
    print(f"RESULT teacher_a={ta:.3f} teacher_b={tb:.3f} official_iteration_here={est:.1f} "
          f"(= {OFFICIAL_MID_ITERATION_S:.1f} s x {ta:.3f} / {OFFICIAL_MID_TEACHER_A_S}) matmul_gflops={gflops:.1f} "
          f"load={load_average().split()[0]}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("check", help="verify against the golden tensors")
    c.add_argument("--threads", type=int, default=2)
    b = sub.add_parser("bench", help="time ARBooth iterations with random weights")
    b.add_argument("--config", choices=["golden", "mid"], default="golden")
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--iterations", type=int, default=2)
    t = sub.add_parser("teacher", help="time the mid teacher's sampling, (a) and (b), and scale the official "
                                       "iteration to this VM")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()
    if a.mode == "teacher":
        return teacher(a.threads, a.repeats)
    if a.mode == "check":
        torch.set_num_threads(a.threads)
        return check()
    return bench(a.config, a.threads, a.iterations)


if __name__ == "__main__":
    sys.exit(main())
