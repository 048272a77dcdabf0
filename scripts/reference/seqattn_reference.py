#!/usr/bin/python3
"""seqattn model format 2 in plain PyTorch: a reference for docs/model-format-2.md.

A format-2 model is a stack of L pre-norm blocks over token embeddings,

    x_p = E[t_p] + PE(p);   A = Norm1(X);   H = X + Mixer(A);   Y = H + FFN(Norm2(H));
    F = FinalNorm(Y_L);     embedding = pool of F over present positions (· head.wo),

the pool being the mean, or with P learned queries Q the softmax attention [e_1 … e_P],
e_p = Σ_j softmax_j(q_p·F_j/√d)·F_j,

where each Mixer is linear attention with feature map φ, optional RoPE on the numerator's
features, an optional log-decay gate g_t ≤ 0 (none, constant, GLA, Mamba2's scalar), a z or no
normalizer, an optional per-head output RMSNorm, an optional swish output gate and an optional
short causal convolution on q, k and v (what a chunk needs of the rows before it). This module
implements exactly that page and nothing more:

* `SeqAttnModel`, a `torch.nn.Module` whose `state_dict()` names and shapes are the spec's
  tensors ([in, out], e.g. `layers.0.mixer.wq` [d, H·d_k]), loaded from and exported to a model
  directory (`config.json` + one `.npy` per tensor), or drawn at random from a config.
* `forward_recurrent`, the oracle: the recurrence S_t = diag(e^(g_t))·S_(t−1) + φ^R(k_t)·v_tᵀ
  token by token for causal mixers and the plain sums for global ones, features by their formulas.
* `forward_chunked`, what a fast implementation does: per layer, every chunk's summary (ℓ, U, u)
  of "What crosses chunks", merged in chunk order, each chunk read against its context (the total
  for a global layer, the exclusive prefix for a causal one); inside a chunk, tiles of whole
  blocks and causal outputs in blocks with matrix products (`forward_chunked` and
  `CausalLinearAttention` describe how, README why).
* Writers for safetensors (reference names) and for flash-linear-attention's GLA layout.

Run `seqattn_reference.py --help`; scripts/reference/README.md describes the commands.
Only torch, numpy and the standard library are used.
"""
import argparse
import json
import math
import os
import struct
import sys
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FORMAT = 2
CONFIG_FILE = "config.json"
MAX_POOL_QUERIES = 64  # each pooling query widens the embedding by d_model
MAX_CONV_KERNEL = 8  # a short convolution's reach: K − 1 rows before each chunk
MAX_WINDOW = 4096  # a sliding softmax window's reach: w − 1 rows before each chunk
PROG = "seqattn_reference"

# A log-decay this negative is e^g = 0 in float64 as in float32 (the smallest subnormal double is
# e^(−745.1)), so clamping gates there changes no factor anyone can observe; it keeps sums of
# many gates finite, so no −inf − (−inf) can arise in the chunked path.
LOG_DECAY_FLOOR = -1.0e4

# Inside a chunk the chunked path works on tiles of about this many tokens (a whole number of
# blocks), so every tensor stays small: intra-block tensors scale with tokens × sub-block × m.
TILE_TOKENS = 2048


class ModelFormatError(ValueError):
    """A config or weight that does not match docs/model-format-2.md; the message names file and field."""


class InputError(ValueError):
    """Bad input to a command (ids, mask, options); the message says what and where."""


# ---------------------------------------------------------------------------------------------
# config.json
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NormSpec:
    type: str  # rmsnorm | layernorm
    eps: float


@dataclass(frozen=True)
class GateSpec:
    type: str  # none | constant | gla | scalar
    decay: Optional[Tuple[float, ...]] = None  # constant: γ_h per head, in (0, 1]
    rank: Optional[int] = None  # gla: r
    tau: Optional[float] = None  # gla: τ


@dataclass(frozen=True)
class ShortConvSpec:
    kernel: int  # K, 2 ≤ K ≤ MAX_CONV_KERNEL
    activation: str  # silu | identity


@dataclass(frozen=True)
class MixerSpec:
    heads: int
    d_key: int
    d_value: int
    feature_map: str
    features: int  # m: d_key for the elementwise maps
    query_scale: float
    rope: bool
    normalizer: str  # z | none
    eps: float
    causal: bool
    gate: GateSpec  # type none for a global mixer
    output_norm: Optional[NormSpec]
    output_gate: bool
    short_conv: Optional[ShortConvSpec] = None
    window: int = 0  # w: exact softmax over the last w positions, added to O (causal only); 0 for none

    @property
    def halo_rows(self) -> int:
        """The rows before a chunk this mixer reads: w − 1 keys of its window, and K − 1 more for
        the convolution of the first of them."""
        return (self.window - 1 if self.window else 0) + (self.short_conv.kernel - 1 if self.short_conv else 0)


@dataclass(frozen=True)
class FfnSpec:
    type: str  # swiglu | gelu
    d_ff: int


@dataclass(frozen=True)
class LayerSpec:
    norm: NormSpec
    mixer: MixerSpec
    ffn: Optional[FfnSpec]


@dataclass(frozen=True)
class ModelConfig:
    raw: dict  # the JSON object as read: written back verbatim on export
    vocab_size: int
    d_model: int
    positional: str
    layers: Tuple[LayerSpec, ...]
    final_norm: Optional[NormSpec]
    d_out: int
    pool_queries: int = 0  # P learned pooling queries; 0 pools by the mean


_MISSING = object()


def _show(value) -> str:
    return json.dumps(value) if not isinstance(value, float) or math.isfinite(value) else repr(value)


class _Fields:
    """One JSON object being read: each field is taken once, with its type and range checked, and
    whatever is left at `done()` is an unknown field. Every failure names the file and the field."""

    def __init__(self, value, where: str, source: str):
        self.source, self.where = source, where
        if not isinstance(value, dict):
            raise ModelFormatError(f"{source}: {self._label(None)}: expected a JSON object, got {_show(value)}")
        self.value, self.used = value, set()

    def _label(self, name):
        path = ".".join(p for p in (self.where, name) if p)
        return f"field '{path}'" if path else "top level"

    def fail(self, name, message):
        raise ModelFormatError(f"{self.source}: {self._label(name)}: {message}")

    def has(self, name) -> bool:
        return name in self.value

    def get(self, name, default=_MISSING):
        self.used.add(name)
        if name not in self.value:
            if default is _MISSING:
                self.fail(name, "missing (required by model format 2)")
            return default
        return self.value[name]

    def integer(self, name, lo=None, hi=None, default=_MISSING) -> int:
        v = self.get(name, default)
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(name, f"expected an integer, got {_show(v)}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            bounds = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
            self.fail(name, f"expected an integer {bounds}, got {v}")
        return v

    def number(self, name, lo=None, lo_open=False, hi=None, default=_MISSING) -> float:
        v = self.get(name, default)
        return float(self._check_number(name, v, lo, lo_open, hi))

    def _check_number(self, name, v, lo, lo_open, hi):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            self.fail(name, f"expected a finite number, got {_show(v)}")
        if lo is not None and (v <= lo if lo_open else v < lo):
            self.fail(name, f"expected a number {'>' if lo_open else '>='} {lo}, got {v}")
        if hi is not None and v > hi:
            self.fail(name, f"expected a number <= {hi}, got {v}")
        return v

    def boolean(self, name) -> bool:
        v = self.get(name)
        if not isinstance(v, bool):
            self.fail(name, f"expected true or false, got {_show(v)}")
        return v

    def choice(self, name, options: Sequence[str]) -> str:
        v = self.get(name)
        if v not in options:
            self.fail(name, f"expected one of {', '.join(repr(o) for o in options)}, got {_show(v)}")
        return v

    def obj(self, name, nullable=False, default=_MISSING) -> Optional["_Fields"]:
        if default is not _MISSING and not self.has(name):
            self.used.add(name)
            return default
        v = self.get(name)
        if v is None and nullable:
            return None
        path = ".".join(p for p in (self.where, name) if p)
        return _Fields(v, path, self.source)

    def array(self, name) -> list:
        v = self.get(name)
        if not isinstance(v, list):
            self.fail(name, f"expected a JSON array, got {_show(v)}")
        return v

    def done(self):
        unknown = [k for k in self.value if k not in self.used]
        if unknown:
            self.fail(unknown[0], "unknown field (not part of model format 2; misspelt?)")


def _parse_norm(f: _Fields, types=("rmsnorm", "layernorm")) -> NormSpec:
    spec = NormSpec(f.choice("type", types), f.number("eps", lo=0.0))
    f.done()
    return spec


def _parse_gate(f: Optional[_Fields], mixer: _Fields, heads: int, elementwise: bool, causal: bool) -> GateSpec:
    if f is None:  # only a global mixer may leave the gate out
        return GateSpec("none")
    kind = f.choice("type", ("none", "constant", "gla", "scalar"))
    if kind != "none" and not causal:
        mixer.fail("gate", f"a '{kind}' gate needs a causal mixer (set 'causal': true or use type 'none')")
    if kind == "constant":
        decay = f.array("decay")
        if len(decay) != heads:
            f.fail("decay", f"expected one decay per head ({heads}), got {len(decay)}")
        values = tuple(float(f._check_number(f"decay[{i}]", v, 0.0, True, 1.0)) for i, v in enumerate(decay))
        spec = GateSpec(kind, decay=values)
    elif kind == "gla":
        if not elementwise:
            mixer.fail("gate", "a 'gla' gate needs an elementwise feature map (elu, relu, identity): it has d_key "
                               "entries per head, one per feature")
        spec = GateSpec(kind, rank=f.integer("rank", lo=1), tau=f.number("tau", lo=0.0, lo_open=True))
    else:
        spec = GateSpec(kind)
    f.done()
    return spec


def _parse_mixer(f: _Fields) -> MixerSpec:
    f.choice("type", ("linear_attention",))
    heads = f.integer("heads", lo=1)
    d_key = f.integer("d_key", lo=1)
    d_value = f.integer("d_value", lo=1)
    fmap = f.choice("feature_map", tuple(FEATURE_MAPS))
    random = FEATURE_MAPS[fmap].random
    if random:
        m = f.integer("features", lo=1)
        if fmap == "trig" and m % 2:
            f.fail("features", f"trig needs an even number of features (a cosine and a sine per row), got {m}")
    else:
        if f.has("features"):
            f.fail("features", f"only for the random-feature maps favor+ and trig ({fmap} has m = d_key)")
        m = d_key
    query_scale = f.number("query_scale", default=1.0)
    rope = f.boolean("rope")
    if rope and random:
        f.fail("rope", f"RoPE needs an elementwise feature map (elu, relu, identity), not {fmap}")
    if rope and m % 2:
        f.fail("rope", f"RoPE rotates pairs of features and needs an even m, got m = d_key = {m}")
    normalizer = f.choice("normalizer", ("z", "none"))
    eps = f.number("eps", lo=0.0)
    causal = f.boolean("causal")
    gate_fields = f.obj("gate") if causal else f.obj("gate", default=None)
    gate = _parse_gate(gate_fields, f, heads, not random, causal)
    out_norm_fields = f.obj("output_norm", nullable=True)
    output_norm = None if out_norm_fields is None else _parse_norm(out_norm_fields, ("rmsnorm",))
    output_gate = f.boolean("output_gate")
    conv_fields = f.obj("short_conv", nullable=True, default=None)
    short_conv = None
    if conv_fields is not None:
        short_conv = ShortConvSpec(conv_fields.integer("kernel", lo=2, hi=MAX_CONV_KERNEL),
                                   conv_fields.choice("activation", ("silu", "identity")))
        conv_fields.done()
    window = f.integer("window", lo=0, hi=MAX_WINDOW, default=0)
    if window and not causal:
        f.fail("window", "a sliding window needs causal: true (a bidirectional window, which reads the chunk "
                         "after, is not built)")
    f.done()
    return MixerSpec(heads, d_key, d_value, fmap, m, query_scale, rope, normalizer, eps, causal, gate,
                     output_norm, output_gate, short_conv, window)


def _parse_layer(f: _Fields) -> LayerSpec:
    norm = _parse_norm(f.obj("norm"))
    mixer = _parse_mixer(f.obj("mixer"))
    ffn_fields = f.obj("ffn", nullable=True)
    ffn = None
    if ffn_fields is not None:
        ffn = FfnSpec(ffn_fields.choice("type", ("swiglu", "gelu")), ffn_fields.integer("d_ff", lo=1))
        ffn_fields.done()
    f.done()
    return LayerSpec(norm, mixer, ffn)


def parse_config(raw, source: str = CONFIG_FILE) -> ModelConfig:
    """Checks a format-2 config (a parsed JSON object); every problem names `source` and the field."""
    top = _Fields(raw, "", source)
    fmt = top.integer("format")
    if fmt != FORMAT:
        top.fail("format", f"this reference implements model format 2 only, got {fmt} (a format-1 model is one "
                           f"attention layer without norms or residuals: README 'The model format')")
    tok = top.obj("tokenizer")
    kind = tok.choice("type", ("dna", "bytes", "words", "ids"))
    if kind == "dna":
        vocab = 4 ** tok.integer("k", lo=1, hi=15) + 1
        tok.integer("stride", lo=1, default=1)
    elif kind == "bytes":
        vocab = 256
    else:
        vocab = tok.integer("vocab_size", lo=1)
    tok.done()
    d = top.integer("d_model", lo=1)
    positional = top.choice("positional", ("sinusoidal", "none"))
    if positional == "sinusoidal" and d % 2:
        top.fail("d_model", f"sinusoidal positions need an even d_model, got {d}")
    layers_raw = top.array("layers")
    if not layers_raw:
        top.fail("layers", "a model needs at least one layer")
    layers = tuple(_parse_layer(_Fields(v, f"layers[{i}]", source)) for i, v in enumerate(layers_raw))
    final = top.obj("final_norm", nullable=True)
    final_norm = None if final is None else _parse_norm(final)
    d_out = top.integer("d_out", lo=0)
    pool_queries = top.integer("pool_queries", lo=0, hi=MAX_POOL_QUERIES, default=0)
    top.done()
    return ModelConfig(raw, vocab, d, positional, layers, final_norm, d_out, pool_queries)


def read_config(path: str) -> ModelConfig:
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except FileNotFoundError:
        raise ModelFormatError(f"{path}: missing (a model directory needs {CONFIG_FILE})") from None
    except UnicodeDecodeError as e:
        raise ModelFormatError(f"{path}: not UTF-8 text ({e})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise ModelFormatError(f"{path}: not valid JSON: {e}") from None
    return parse_config(raw, path)


# ---------------------------------------------------------------------------------------------
# Pointwise mechanisms: norms, feed-forward layers, feature maps, RoPE, gates
# ---------------------------------------------------------------------------------------------

def _w(p: torch.Tensor, dtype) -> torch.Tensor:
    """A parameter in the compute dtype; differentiable, so autograd reaches the parameters
    (the forward paths themselves run under no_grad)."""
    return p.to(dtype)


def _normal(gen, shape, std) -> torch.Tensor:
    return torch.randn(shape, generator=gen, dtype=torch.float64) * std


def _uniform(gen, shape, lo, hi) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(shape, generator=gen, dtype=torch.float64)


class RMSNorm(nn.Module):
    """RMSNorm(x) = x / √(mean(x²) + eps) ⊙ w over the last axis (Zhang and Sennrich, 2019)."""

    def __init__(self, width: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.empty(width))

    def reset(self, gen):
        self.weight.data.copy_(torch.ones(self.weight.shape))

    def forward(self, x, dtype=None):
        dtype = dtype or x.dtype
        return x * (torch.rsqrt(x.square().mean(-1, keepdim=True) + self.eps) * _w(self.weight, dtype))


class LayerNorm(nn.Module):
    """LayerNorm(x) = (x − mean(x)) / √(var(x) + eps) ⊙ w + b, var the biased variance (Ba et al., 2016)."""

    def __init__(self, width: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.empty(width))
        self.bias = nn.Parameter(torch.empty(width))

    def reset(self, gen):
        self.weight.data.copy_(torch.ones(self.weight.shape))
        self.bias.data.zero_()

    def forward(self, x, dtype=None):
        dtype = dtype or x.dtype
        centred = x - x.mean(-1, keepdim=True)
        var = (centred * centred).mean(-1, keepdim=True)
        return centred / torch.sqrt(var + self.eps) * _w(self.weight, dtype) + _w(self.bias, dtype)


NORMS = {"rmsnorm": RMSNorm, "layernorm": LayerNorm}


def make_norm(spec: NormSpec, width: int) -> nn.Module:
    return NORMS[spec.type](width, spec.eps)


def silu(x):
    """silu(x) = swish(x) = x·σ(x)."""
    return x * torch.sigmoid(x)


def gelu_tanh(x):
    """gelu(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³))), PyTorch's approximate='tanh'."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))


def softplus(x):
    """softplus(x) = ln(1 + e^x), exactly (no linear cut-off), stable for large |x|."""
    return torch.clamp_min(x, 0.0) + torch.log1p(torch.exp(-torch.abs(x)))


class SwiGLU(nn.Module):
    """SwiGLU(A) = (silu(A·W_gate) ⊙ (A·W_up))·W_down (Shazeer, 2020)."""

    def __init__(self, d: int, f: int):
        super().__init__()
        self.w_gate = nn.Parameter(torch.empty(d, f))
        self.w_up = nn.Parameter(torch.empty(d, f))
        self.w_down = nn.Parameter(torch.empty(f, d))

    def reset(self, gen):
        d, f = self.w_gate.shape
        self.w_gate.data.copy_(_normal(gen, (d, f), d ** -0.5))
        self.w_up.data.copy_(_normal(gen, (d, f), d ** -0.5))
        self.w_down.data.copy_(_normal(gen, (f, d), f ** -0.5))

    def forward(self, a, dtype):
        return (silu(a @ _w(self.w_gate, dtype)) * (a @ _w(self.w_up, dtype))) @ _w(self.w_down, dtype)


class GeluFFN(nn.Module):
    """GELU FFN(A) = gelu(A·W1 + b1)·W2 + b2, gelu in its tanh form."""

    def __init__(self, d: int, f: int):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(d, f))
        self.b1 = nn.Parameter(torch.empty(f))
        self.w2 = nn.Parameter(torch.empty(f, d))
        self.b2 = nn.Parameter(torch.empty(d))

    def reset(self, gen):
        d, f = self.w1.shape
        self.w1.data.copy_(_normal(gen, (d, f), d ** -0.5))
        self.b1.data.zero_()
        self.w2.data.copy_(_normal(gen, (f, d), f ** -0.5))
        self.b2.data.zero_()

    def forward(self, a, dtype):
        return gelu_tanh(a @ _w(self.w1, dtype) + _w(self.b1, dtype)) @ _w(self.w2, dtype) + _w(self.b2, dtype)


FFNS = {"swiglu": SwiGLU, "gelu": GeluFFN}


class FeatureMap:
    """φ per head, on [n, H, d_k] → [n, H, m]. `plain` is the formula (the oracle uses it);
    `log_parts` gives (base, logw) with φ(x) = base ⊙ e^(logw), base None meaning ones and logw
    None meaning 0, so the chunked path can stabilize exponential features in log space."""

    name = ""
    random = False

    def plain(self, x, omega):
        raise NotImplementedError

    def log_parts(self, x, omega):
        return self.plain(x, omega), None

    def omega_rows(self, m: int) -> int:
        raise ValueError(f"{self.name} uses no random rows")


class Elu(FeatureMap):
    """φ(x) = elu(x) + 1 (Katharopoulos et al., 2020)."""
    name = "elu"

    def plain(self, x, omega):
        return F.elu(x) + 1.0


class Relu(FeatureMap):
    """φ(x) = max(x, 0)."""
    name = "relu"

    def plain(self, x, omega):
        return torch.clamp_min(x, 0.0)


class Identity(FeatureMap):
    """φ(x) = x."""
    name = "identity"

    def plain(self, x, omega):
        return x


def _scaled(x):
    """x̂ = x·d_k^(−1/4), so that q̂ᵀk̂ = qᵀk/√d_k."""
    return x * x.shape[-1] ** -0.25


class FavorPlus(FeatureMap):
    """φ(x) = exp(ωᵢᵀx̂ − ‖x̂‖²/2)/√m over m rows ω (Choromanski et al., 2021)."""
    name = "favor+"
    random = True

    def omega_rows(self, m):
        return m

    def plain(self, x, omega):
        xh = _scaled(x)
        m = omega.shape[1]
        return torch.exp(torch.einsum("nhk,hrk->nhr", xh, omega) - 0.5 * (xh * xh).sum(-1, keepdim=True)) / math.sqrt(m)

    def log_parts(self, x, omega):
        xh = _scaled(x)
        m = omega.shape[1]
        return None, (torch.einsum("nhk,hrk->nhr", xh, omega) - 0.5 * (xh * xh).sum(-1, keepdim=True)
                      - 0.5 * math.log(m))


class Trig(FeatureMap):
    """φ(x) = exp(‖x̂‖²/2)·√(2/m)·[cos ωᵢᵀx̂ …, sin ωᵢᵀx̂ …] over m/2 rows ω (docs/feature-maps.md)."""
    name = "trig"
    random = True

    def omega_rows(self, m):
        return m // 2

    def plain(self, x, omega):
        base, logw = self.log_parts(x, omega)
        return base * torch.exp(logw)

    def log_parts(self, x, omega):
        xh = _scaled(x)
        m = 2 * omega.shape[1]
        angles = torch.einsum("nhk,hrk->nhr", xh, omega)
        base = torch.cat([torch.cos(angles), torch.sin(angles)], dim=-1)
        return base, 0.5 * (xh * xh).sum(-1, keepdim=True) + 0.5 * math.log(2.0 / m)


FEATURE_MAPS: Dict[str, FeatureMap] = {fm.name: fm for fm in (Elu(), Relu(), Identity(), FavorPlus(), Trig())}


def orthogonal_rows(gen, rows: int, width: int) -> torch.Tensor:
    """Orthogonal random features (Yu et al., 2016), as seqattn's init-model draws them: blocks of
    `width` Gaussian rows made orthonormal (QR, signs fixed so the block is Haar), each row then
    given the length of an independent N(0, I) vector, so every row is marginally N(0, I)."""
    out = torch.empty(rows, width, dtype=torch.float64)
    for start in range(0, rows, width):
        count = min(width, rows - start)
        q, r = torch.linalg.qr(_normal(gen, (width, width), 1.0))
        q = q * torch.sign(torch.diagonal(r))[None, :]
        lengths = torch.linalg.norm(_normal(gen, (count, width), 1.0), dim=1)
        out[start:start + count] = q.T[:count] * lengths[:, None]
    return out


def rope_tables(positions: torch.Tensor, m: int, dtype):
    """cos, sin of the angles p·θ_i, θ_i = 10000^(−2i/m), i < m/2, as [n, 1, m/2] (angles in float64)."""
    theta = torch.pow(10000.0, -2.0 * torch.arange(m // 2, dtype=torch.float64) / m)
    angles = positions.to(torch.float64)[:, None] * theta[None, :]
    return torch.cos(angles).to(dtype)[:, None, :], torch.sin(angles).to(dtype)[:, None, :]


def apply_rope(x, cos, sin):
    """R_t on [n, H, m]: each pair (2i, 2i+1) of features ↦ (a cos − b sin, a sin + b cos)."""
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.stack([a * cos - b * sin, a * sin + b * cos], dim=-1).flatten(-2)


class NoGate(nn.Module):
    """No decay: g_t = 0 (a causal mixer that only accumulates)."""
    per_feature = False

    def reset(self, gen):
        pass

    def log_decay(self, a, dtype):
        return None


class ConstantGate(nn.Module):
    """g_t = ln γ_h in every dimension (RetNet-style fixed decay per head); γ is config, not a weight."""
    per_feature = False

    def __init__(self, decay: Sequence[float]):
        super().__init__()
        self.log_gamma = [math.log(g) for g in decay]

    def reset(self, gen):
        pass

    def log_decay(self, a, dtype):
        g = torch.tensor(self.log_gamma, dtype=dtype)
        return g[None, :, None].expand(a.shape[0], len(self.log_gamma), 1)


class GLAGate(nn.Module):
    """g_t = logsigmoid(A_t·W1·W2 + b)/τ, head h's d_k entries (Yang et al., 2024, GLA)."""
    per_feature = True

    def __init__(self, d: int, heads: int, d_key: int, rank: int, tau: float):
        super().__init__()
        self.heads, self.d_key, self.tau = heads, d_key, tau
        self.w1 = nn.Parameter(torch.empty(d, rank))
        self.w2 = nn.Parameter(torch.empty(rank, heads * d_key))
        self.b = nn.Parameter(torch.empty(heads * d_key))

    def reset(self, gen):
        d, r = self.w1.shape
        self.w1.data.copy_(_normal(gen, (d, r), d ** -0.5))
        self.w2.data.copy_(_normal(gen, self.w2.shape, r ** -0.5))
        # σ(2..4)^(1/τ): with τ = 16 every gate starts at 0.992..0.999
        self.b.data.copy_(_uniform(gen, self.b.shape, 2.0, 4.0))

    def log_decay(self, a, dtype):
        x = (a @ _w(self.w1, dtype)) @ _w(self.w2, dtype) + _w(self.b, dtype)
        return (F.logsigmoid(x) / self.tau).view(a.shape[0], self.heads, self.d_key)


class ScalarGate(nn.Module):
    """g_t = −exp(a_log_h)·softplus(A_t·w_dt,h + b_dt,h) in every dimension (Dao and Gu, 2024, Mamba2's SSD)."""
    per_feature = False

    def __init__(self, d: int, heads: int):
        super().__init__()
        self.a_log = nn.Parameter(torch.empty(heads))
        self.w_dt = nn.Parameter(torch.empty(d, heads))
        self.b_dt = nn.Parameter(torch.empty(heads))

    def reset(self, gen):
        heads = self.a_log.shape[0]
        d = self.w_dt.shape[0]
        self.a_log.data.copy_(torch.log(_uniform(gen, heads, 1.0, 16.0)))
        self.w_dt.data.copy_(_normal(gen, (d, heads), d ** -0.5))
        # Mamba2: dt = exp(uniform(ln 0.001, ln 0.1)), b_dt = softplus⁻¹(dt)
        dt = torch.exp(_uniform(gen, heads, math.log(1e-3), math.log(1e-1))).clamp_min(1e-4)
        self.b_dt.data.copy_(dt + torch.log(-torch.expm1(-dt)))

    def log_decay(self, a, dtype):
        dt = softplus(a @ _w(self.w_dt, dtype) + _w(self.b_dt, dtype))
        return (-torch.exp(_w(self.a_log, dtype)) * dt)[:, :, None]


def make_gate(spec: GateSpec, d: int, heads: int, d_key: int) -> nn.Module:
    if spec.type == "constant":
        return ConstantGate(spec.decay)
    if spec.type == "gla":
        return GLAGate(d, heads, d_key, spec.rank, spec.tau)
    if spec.type == "scalar":
        return ScalarGate(d, heads)
    return NoGate()


# ---------------------------------------------------------------------------------------------
# What crosses chunks: the summary monoid
# ---------------------------------------------------------------------------------------------

def _exp_rel(a, c):
    """e^(a − c) for a ≤ c, with a = −∞ (nothing there) giving 0 even when c = −∞ too."""
    return torch.exp(a - torch.nan_to_num(c, neginf=0.0))


@dataclass(frozen=True)
class Summary:
    """A chunk (or run of chunks) of one mixer as the map it applies to the state, per head:
    ℓ = Σ_t g_t [H, m_g] (m_g = m for GLA, else 1), U = Σ_j diag(e^(ℓ_after j))·φ^R(k_j)·v_jᵀ
    [H, m, d_v] and u likewise [H, m], both stored as e^c·(Ũ, ũ) with c = `log_scale` [H]
    (0 for deterministic maps, the largest log-feature for random ones, −∞ when nothing).

    Merge law: (ℓ₁, U₁) ⊕ (ℓ₂, U₂) = (ℓ₁ + ℓ₂, diag(e^(ℓ₂))·U₁ + U₂) — associative; commutative
    only when every ℓ is 0 (global, ungated); identity `Summary.identity`. Only factors ≤ 1 are
    formed: with a = c₁ + max ℓ₂ and c = max(a, c₂), Ũ = e^(ℓ₂ + c₁ − c)·Ũ₁ + e^(c₂ − c)·Ũ₂.
    Inputs are never modified."""

    ell: torch.Tensor
    U: torch.Tensor
    u: torch.Tensor
    log_scale: torch.Tensor

    @staticmethod
    def identity(heads, m_g, m, d_v, dtype) -> "Summary":
        return Summary(torch.zeros(heads, m_g, dtype=dtype), torch.zeros(heads, m, d_v, dtype=dtype),
                       torch.zeros(heads, m, dtype=dtype), torch.full((heads,), -math.inf, dtype=dtype))

    def merge(self, later: "Summary") -> "Summary":
        a = self.log_scale + later.ell.amax(-1)
        c = torch.maximum(a, later.log_scale)
        f1 = _exp_rel(later.ell + self.log_scale[:, None], c[:, None])  # [H, m_g], ≤ 1
        f2 = _exp_rel(later.log_scale, c)  # [H], ≤ 1
        return Summary(self.ell + later.ell,
                       f1[:, :, None] * self.U + f2[:, None, None] * later.U,
                       f1 * self.u + f2[:, None] * later.u,
                       c)

    def state(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """(S [H, m, d_v], z [H, m]) themselves: e^c·(Ũ, ũ) (∞ where they exceed the dtype)."""
        scale = torch.exp(self.log_scale)
        return self.U * scale[:, None, None], self.u * scale[:, None]


@dataclass
class _Chunk:
    """One chunk (or tile of a chunk) of one mixer after its pointwise work, heads first."""
    a: torch.Tensor  # [n, d] the mixer's input (the output gate reads it)
    qn: torch.Tensor  # [H, n, m] numerator query features φ^R(q), each row scaled by e^(−s)
    qd: torch.Tensor  # [H, n, m] denominator query features φ(q) (qn itself without RoPE)
    kn: torch.Tensor  # [H, n, m] numerator key features φ^R(k), scaled by e^(−c); 0 at absent positions
    kd: torch.Tensor  # [H, n, m] denominator key features φ(k) (kn itself without RoPE)
    v: torch.Tensor  # [H, n, d_v]
    q_log: Optional[torch.Tensor]  # [H, n] s per row, None for deterministic maps (s = 0)
    k_log: torch.Tensor  # [H] c: 0 for deterministic maps, −∞ for random ones when no key is present
    g: Optional[torch.Tensor]  # [H, n, m_g] log-decays ≥ LOG_DECAY_FLOOR, None without a gate


# ---------------------------------------------------------------------------------------------
# Linear-attention mixers
# ---------------------------------------------------------------------------------------------

class LinearAttention(nn.Module):
    """The format-2 mixer: Q = s·A·W_q, K = A·W_k, V = A·W_v; per head φ (RoPE on the numerator's
    features), a state (S, z), O = num/(den + eps) or num, then optional out_norm (RMSNorm over
    d_v, weight shared by the heads) and output gate O ⊙ swish(A·W_g); Mixer(A) = O·W_o.
    Subclasses own the state's scope: `GlobalLinearAttention`, `CausalLinearAttention`."""

    def __init__(self, spec: MixerSpec, d: int):
        super().__init__()
        self.spec = spec
        self.feature_map = FEATURE_MAPS[spec.feature_map]
        H, dk, dv = spec.heads, spec.d_key, spec.d_value
        self.wq = nn.Parameter(torch.empty(d, H * dk))
        self.wk = nn.Parameter(torch.empty(d, H * dk))
        self.wv = nn.Parameter(torch.empty(d, H * dv))
        self.wo = nn.Parameter(torch.empty(H * dv, d))
        if self.feature_map.random:
            self.omega = nn.Parameter(torch.empty(H, self.feature_map.omega_rows(spec.features), dk))
        else:
            self.omega = None
        if spec.output_gate:
            self.wg = nn.Parameter(torch.empty(d, H * dv))
        else:
            self.wg = None
        self.out_norm = RMSNorm(dv, spec.output_norm.eps) if spec.output_norm is not None else None
        self.gate = make_gate(spec.gate, d, H, dk)
        if spec.short_conv is not None:
            K = spec.short_conv.kernel
            self.conv_q = nn.Parameter(torch.empty(H * dk, K))
            self.conv_k = nn.Parameter(torch.empty(H * dk, K))
            self.conv_v = nn.Parameter(torch.empty(H * dv, K))
        else:
            self.conv_q = self.conv_k = self.conv_v = None

    @property
    def m_gate(self) -> int:
        return self.spec.features if self.gate.per_feature else 1

    def reset(self, gen):
        d = self.wq.shape[0]
        H, dk, dv = self.spec.heads, self.spec.d_key, self.spec.d_value
        self.wq.data.copy_(_normal(gen, self.wq.shape, d ** -0.5))
        self.wk.data.copy_(_normal(gen, self.wk.shape, d ** -0.5))
        self.wv.data.copy_(_normal(gen, self.wv.shape, d ** -0.5))
        self.wo.data.copy_(_normal(gen, self.wo.shape, (H * dv) ** -0.5))
        if self.omega is not None:
            self.omega.data.copy_(torch.stack([orthogonal_rows(gen, self.omega.shape[1], dk) for _ in range(H)]))
        if self.wg is not None:
            self.wg.data.copy_(_normal(gen, self.wg.shape, d ** -0.5))
        if self.out_norm is not None:
            self.out_norm.reset(gen)
        self.gate.reset(gen)
        for w in (self.conv_q, self.conv_k, self.conv_v):
            if w is not None:
                w.data.copy_(_normal(gen, w.shape, w.shape[1] ** -0.5))

    # -- the pointwise parts, shared by both paths --

    def _qkv(self, a, dtype, present=None, before=None):
        """q, k, v [n, H, ·]; with a short convolution, `before` = (A, present) of the rows just
        before `a` (None at the sequence's start), which the convolution reads across the cut."""
        n = a.shape[0]
        H, dk, dv = self.spec.heads, self.spec.d_key, self.spec.d_value
        q, k, v = a @ _w(self.wq, dtype), a @ _w(self.wk, dtype), a @ _w(self.wv, dtype)
        if self.spec.short_conv is not None:
            conv = []
            for u, w_u, w in ((q, self.wq, self.conv_q), (k, self.wk, self.conv_k), (v, self.wv, self.conv_v)):
                earlier = None if before is None else (before[0] @ _w(w_u, dtype), before[1])
                conv.append(self._short_conv(u, present, earlier, _w(w, dtype)))
            q, k, v = conv
        q = (self.spec.query_scale * q).view(n, H, dk)
        return q, k.view(n, H, dk), v.view(n, H, dv)

    def _short_conv(self, u, present, earlier, w):
        """act(ũ), ũ_t[c] = Σ_j w[c, j]·u_(t−K+1+j)[c], rows before the sequence and absent rows 0:
        PyTorch's depthwise conv1d over the rows after the (at most K − 1) rows before them."""
        n, C = u.shape
        K = w.shape[1]
        rows = u if present is None else u * present.to(u.dtype)[:, None]
        if earlier is not None:
            prior = (earlier[0] * earlier[1].to(u.dtype)[:, None])[-(K - 1):]
            rows = torch.cat([prior, rows])
        h = rows.shape[0] - n
        y = F.conv1d(rows.T[None], w[:, None, :], padding=K - 1, groups=C)[0, :, h:h + n].T
        return F.silu(y) if self.spec.short_conv.activation == "silu" else y

    def _omega(self, dtype):
        return None if self.omega is None else _w(self.omega, dtype)

    def finish(self, o, a, dtype):
        """O [n, H, d_v] → Mixer(A) [n, d]: out_norm, output gate, W_o."""
        if self.out_norm is not None:
            o = self.out_norm(o, dtype)
        o = o.reshape(o.shape[0], self.spec.heads * self.spec.d_value)
        if self.wg is not None:
            o = o * silu(a @ _w(self.wg, dtype))
        return o @ _w(self.wo, dtype)

    # -- the oracle --

    def recurrent(self, a, positions, present, dtype):
        """Mixer(A) [n, d] and the final state (S [H, m, d_v], z [H, m]), by the definitions."""
        q, k, v = self._qkv(a, dtype, present)
        omega = self._omega(dtype)
        fq = self.feature_map.plain(q, omega)
        fk = self.feature_map.plain(k, omega) * present.to(dtype)[:, None, None]
        if self.spec.rope:
            cos, sin = rope_tables(positions, self.spec.features, dtype)
            fq_r, fk_r = apply_rope(fq, cos, sin), apply_rope(fk, cos, sin)
        else:
            fq_r, fk_r = fq, fk
        g = self.gate.log_decay(a, dtype)
        num, den, S, z = self._recurrence(fq, fk, fq_r, fk_r, v, g)
        o = num / (den + self.spec.eps)[..., None] if self.spec.normalizer == "z" else num
        if self.spec.window:
            o = o + self._window_by_definition(q, k, v, present)
        return self.finish(o, a, dtype), (S, z)

    def _window_by_definition(self, q, k, v, present):
        """W [n, H, d_v], position by position: softmax over the present j in (t − w, t] of
        q_t·k_j/√d_k, times v_j; 0 where the window holds no present key."""
        n, H, dk = q.shape
        w = torch.zeros(n, H, v.shape[-1], dtype=v.dtype)
        for t in range(n):
            js = [j for j in range(max(0, t - self.spec.window + 1), t + 1) if bool(present[j])]
            if js:
                logits = torch.einsum("hd,jhd->hj", q[t], k[js]) / math.sqrt(dk)
                w[t] = torch.einsum("hj,jhv->hv", torch.softmax(logits, -1), v[js])
        return w

    def window_part(self, a, present, before, dtype):
        """W [n, H, d_v] of a chunk (or tile) as masked dense softmax, `before` = (A, present) of
        up to `halo_rows` rows before it: their k, v are the window's earlier keys, and the rows
        before those feed the convolution (a sequence's start pads it with zeros)."""
        n = a.shape[0]
        rows, pres = a, present
        if before is not None and before[0].shape[0]:
            rows, pres = torch.cat([before[0], a]), torch.cat([before[1], present])
        h = rows.shape[0] - n
        q, k, v = self._qkv(rows, dtype, pres)
        t = torch.arange(h, h + n)[:, None]
        j = torch.arange(rows.shape[0])[None]
        allowed = (j <= t) & (j > t - self.spec.window) & pres[None]
        logits = torch.einsum("thd,jhd->htj", q[h:], k) / math.sqrt(self.spec.d_key)
        p = torch.softmax(logits.masked_fill(~allowed[None], -math.inf), -1)
        return torch.einsum("htj,jhv->thv", torch.nan_to_num(p, nan=0.0), v)

    def _recurrence(self, fq, fk, fq_r, fk_r, v, g):
        raise NotImplementedError

    # -- the chunked path --

    def prepare(self, a, positions, present, dtype, before=None) -> _Chunk:
        """A chunk's pointwise work: features (stabilized in log space), RoPE, gates; `before` as
        for `_qkv`."""
        q, k, v = self._qkv(a, dtype, present, before)
        omega = self._omega(dtype)
        qb, ql = self.feature_map.log_parts(q, omega)
        kb, kl = self.feature_map.log_parts(k, omega)
        H = self.spec.heads
        if ql is None:  # deterministic maps: no scale
            qd, q_log = qb, None
            kd = kb * present.to(dtype)[:, None, None]
            k_log = torch.zeros(H, dtype=dtype)
        else:
            # queries: each row by its largest log-feature s, which cancels in num/den but for eps
            q_log = ql.amax(-1)
            qd = torch.exp(ql - q_log[..., None])
            qd = qd if qb is None else qb * qd
            # keys: one c per head and chunk, the largest log-feature of a present key
            kl = kl.masked_fill(~present[:, None, None], -math.inf)
            k_log = kl.amax(dim=(0, 2))
            kd = torch.exp(kl - torch.nan_to_num(k_log, neginf=0.0)[None, :, None])
            kd = kd if kb is None else kb * kd
            q_log = q_log.T.contiguous()
        if self.spec.rope:
            cos, sin = rope_tables(positions, self.spec.features, dtype)
            qn, kn = apply_rope(qd, cos, sin), apply_rope(kd, cos, sin)
        else:
            qn, kn = qd, kd
        g = self.gate.log_decay(a, dtype)
        if g is not None:
            g = torch.clamp_min(g, LOG_DECAY_FLOOR).permute(1, 0, 2).contiguous()
        heads_first = lambda x: x.permute(1, 0, 2).contiguous()
        qn, kn, v = heads_first(qn), heads_first(kn), heads_first(v)
        qd = qn if not self.spec.rope else heads_first(qd)
        kd = kn if not self.spec.rope else heads_first(kd)
        return _Chunk(a, qn, qd, kn, kd, v, q_log, k_log, g)

    def identity(self, dtype) -> Summary:
        return Summary.identity(self.spec.heads, self.m_gate, self.spec.features, self.spec.d_value, dtype)

    def _normalize(self, num, den, q_log, c):
        """O [n, H, d_v] from num [H, n, d_v] and den [H, n] that carry the scale e^(s + c)."""
        log_scale = None
        if q_log is not None:
            log_scale = q_log + c[:, None]
        elif self.feature_map.random or bool((c != 0).any()):
            log_scale = c[:, None].expand(num.shape[:2])
        if self.spec.normalizer == "z":
            if log_scale is None:
                return (num / (den + self.spec.eps)[..., None]).permute(1, 0, 2)
            denominator = den + self.spec.eps * torch.exp(-log_scale)
            o = num / denominator[..., None]
            lost = denominator == 0  # eps·e^(−L) underflowed and nothing else is there (no key yet)
            if self.spec.eps > 0 and bool(lost.any()):
                # then num/(den + eps·e^(−L)) = num·e^L/eps: 0 when num is 0, else as large as it is
                limit = num * (torch.exp(log_scale) / self.spec.eps)[..., None]
                limit = torch.where(num == 0, torch.zeros((), dtype=num.dtype), limit)
                o = torch.where(lost[..., None], limit, o)
        else:
            o = num if log_scale is None else num * torch.exp(log_scale)[..., None]
        return o.permute(1, 0, 2)

    def summarize(self, chunk: _Chunk, block: int, sub_block: int):
        """(Summary, cache for `read`)."""
        raise NotImplementedError

    def contexts(self, summaries: List[Summary], dtype) -> Tuple[List[Summary], Summary]:
        """What each chunk reads against, and the layer's final state."""
        raise NotImplementedError

    def tile_contexts(self, context: Summary, summaries: List[Summary]) -> List[Summary]:
        """What each tile of a chunk reads against, given the chunk's context and its tiles' summaries."""
        raise NotImplementedError

    def read(self, chunk: _Chunk, cache, context: Summary):
        """O [n, H, d_v] of a chunk (or tile) against its context."""
        raise NotImplementedError


class GlobalLinearAttention(LinearAttention):
    """Every position reads S = Σ_j φ^R(k_j)·v_jᵀ, z = Σ_j φ(k_j) over the whole sequence: the
    chunk summaries are reduced (plain sums, in chunk order) and every chunk reads the total."""

    def _recurrence(self, fq, fk, fq_r, fk_r, v, g):
        n, H, m = fq.shape
        S = torch.zeros(H, m, v.shape[-1], dtype=v.dtype)
        z = torch.zeros(H, m, dtype=v.dtype)
        for j in range(n):
            S = S + fk_r[j][:, :, None] * v[j][:, None, :]
            z = z + fk[j]
        num = torch.einsum("nhm,hmv->nhv", fq_r, S)
        den = (fq * z[None]).sum(-1)
        return num, den, S, z

    def summarize(self, chunk, block, sub_block):
        U = torch.einsum("hnm,hnv->hmv", chunk.kn, chunk.v)
        u = chunk.kd.sum(1)
        H = U.shape[0]
        return Summary(torch.zeros(H, 1, dtype=U.dtype), U, u, chunk.k_log), None

    def contexts(self, summaries, dtype):
        total = self.identity(dtype)
        for s in summaries:
            total = total.merge(s)
        return [total] * len(summaries), total

    def tile_contexts(self, context, summaries):
        return [context] * len(summaries)

    def read(self, chunk, cache, context):
        num = torch.einsum("hnm,hmv->hnv", chunk.qn, context.U)
        den = None
        if self.spec.normalizer == "z":
            den = (chunk.qd * context.u[:, None, :]).sum(-1)
        return self._normalize(num, den, chunk.q_log, context.log_scale)


def _to_blocks(x, block: int, nsub: int, cs: int):
    """[H, n, f] → [H, nb, nsub, cs, f]: blocks of `block` positions, each padded to nsub·cs.
    Padding has zero features and zero log-decay, so it changes no sum and no decay."""
    H, n, f = x.shape
    nb = -(-n // block)
    if nb * block > n:
        x = F.pad(x, (0, 0, 0, nb * block - n))
    x = x.reshape(H, nb, block, f)
    if nsub * cs > block:
        x = F.pad(x, (0, 0, 0, nsub * cs - block))
    return x.reshape(H, nb, nsub, cs, f)


def _from_blocks(y, n: int, block: int):
    H, nb, nsub, cs = y.shape[:4]
    rest = y.shape[4:]
    y = y.reshape(H, nb, nsub * cs, *rest)[:, :, :block]
    return y.reshape(H, nb * block, *rest)[:, :n]


def _shift_right(x, dim):
    """Exclusive prefix along `dim` from an inclusive one: [0, x₀, …, x_(L−2)]."""
    zero = torch.zeros_like(x.narrow(dim, 0, 1))
    return torch.cat([zero, x.narrow(dim, 0, x.shape[dim] - 1)], dim)


def _shift_left(x, dim):
    zero = torch.zeros_like(x.narrow(dim, 0, 1))
    return torch.cat([x.narrow(dim, 1, x.shape[dim] - 1), zero], dim)


def _reverse_cumsum(x, dim):
    return x.flip(dim).cumsum(dim).flip(dim)


def _segment_sums(g):
    """g [..., L, m_g] → [..., L, L, m_g]: entry (t, j) = Σ_(j<i≤t) g_i for j ≤ t, −∞ above the
    diagonal. Each entry is summed from its own terms (all ≤ 0), never as a difference of prefix
    sums, so a small decay next to huge ones keeps its relative precision: a product with the
    constant 0/1 matrix M[(t, j), i] = [j < i ≤ t] (g is finite, so 0·g is 0)."""
    L = g.shape[-2]
    i = torch.arange(L)
    lower = i[None, :] <= i[:, None]  # [t, j]: j ≤ t
    between = (i[None, None, :] > i[None, :, None]) & (i[None, None, :] <= i[:, None, None])  # [t, j, i]
    sums = torch.matmul(between.to(g.dtype).reshape(L * L, L), g).view(*g.shape[:-2], L, L, g.shape[-1])
    return sums.masked_fill(~lower[:, :, None], -math.inf)


class _Gating:
    """Log-decays of blocked positions, g [..., nsub, cs, m_g], as the sums the blocked algorithm
    needs, each ≤ 0 and each a sum of like-signed terms:
    G_in (block start → t, inclusive), G_after (after j → block end), Lam (the block),
    Gf / Gb (the same within a sub-block), diag (j → t within a sub-block) and cross (the whole
    sub-blocks strictly between two sub-blocks)."""

    def __init__(self, g):
        self.g = g
        self.Gf = g.cumsum(-2)
        self.Gb = _shift_left(_reverse_cumsum(g, -2), -2)
        T = self.Gf[..., -1, :]  # [..., nsub, m_g] sub-block totals
        self.T = T
        Tin = T.cumsum(-2)
        self.Lam = Tin[..., -1, :]  # [..., m_g]
        self.G_in = _shift_right(Tin, -2).unsqueeze(-2) + self.Gf
        self.G_after = self.Gb + _shift_left(_reverse_cumsum(T, -2), -2).unsqueeze(-2)

    def diag(self):
        return _segment_sums(self.g)  # [..., nsub, cs, cs, m_g]

    def cross(self):
        """[..., nsub(i), nsub(i'), m_g]: Σ of the sub-blocks strictly between i' and i (i' < i), −∞ else."""
        between = _segment_sums(self.T)  # (t, j) ↦ sub-blocks j+1..t
        first = torch.full_like(between[..., :1, :, :], -math.inf)
        return torch.cat([first, between[..., :-1, :, :]], dim=-3)

    def take(self, index) -> "_Gating":
        """The gating of the blocks `index` picks out of the leading axes."""
        return _Gating(self.g[index])


def _exact_scores(q, k, gating: _Gating):
    """[..., Bp, Bp] block scores, exactly: diagonal sub-blocks from the per-dimension sums
    (`_segment_sums`); a key in an earlier sub-block i' of the block has the exponent
    Gf[t] + cross[i, i'] + Gb[j], three sums ≤ 0, so the query side, the sub-block factor and the
    key side are each ≤ 1 and nothing overflows, whatever the gates."""
    lead = q.shape[:-3]
    nsub, cs, m = q.shape[-3:]
    D = torch.exp(gating.diag())
    if D.shape[-1] == 1:
        diag = (q @ k.transpose(-1, -2)) * D[..., 0]
    else:
        diag = torch.einsum("...tm,...tjm,...jm->...tj", q, D, k)
    if nsub == 1:
        return diag.reshape(*lead, cs, cs)
    qf = q * torch.exp(gating.Gf)
    kf = k * torch.exp(gating.Gb)
    X = torch.exp(gating.cross())  # [..., i, i', m_g]
    k_hat = (X.unsqueeze(-2) * kf.unsqueeze(-4)).reshape(*lead, nsub, nsub * cs, m)
    scores = (qf @ k_hat.transpose(-1, -2)).reshape(*lead, nsub * cs, nsub * cs)
    scores.view(*lead, nsub, cs, nsub, cs).diagonal(dim1=-4, dim2=-2).add_(diag.movedim(-3, -1))
    return scores


# A block whose decay, in every dimension, totals at most this much (|ℓ_b| ≤ FACTOR_RANGE) has its
# intra-block scores computed as (q ⊙ e^(G_in))·(k ⊙ e^(−G_in))ᵀ: its factors are within e^(±8),
# far from overflow, and the exponent splits cost at most ~2·8 ulp. Blocks with stronger decay
# (gates near 0) take the exact path. Tests set it below 0 to force the exact path everywhere.
FACTOR_RANGE = 8.0


def _intra_scores(q, k, gating: _Gating):
    """[H, nb, Bp, Bp]: Σ_m q_t,m·k_j,m·e^(Σ_(j<i≤t) g_i,m) for j ≤ t in the same block, 0 above."""
    H, nb, nsub, cs, m = q.shape
    Bp = nsub * cs
    lam = gating.Lam  # [H, nb, m_g]
    fast = (-lam).amax(-1) <= FACTOR_RANGE  # [H, nb]
    G = gating.G_in.reshape(H, nb, Bp, -1)
    qg = q.reshape(H, nb, Bp, m) * torch.exp(G)
    kg = k.reshape(H, nb, Bp, m) * torch.exp(torch.clamp_max(-G, FACTOR_RANGE))
    causal = torch.ones(Bp, Bp, dtype=torch.bool).tril()
    scores = (qg @ kg.transpose(-1, -2)).masked_fill_(~causal, 0.0)
    if not bool(fast.all()):
        slow = (~fast).nonzero(as_tuple=True)
        scores[slow] = _exact_scores(q[slow], k[slow], gating.take(slow))
    return scores


class CausalLinearAttention(LinearAttention):
    """Position t reads S_t = diag(e^(g_t))·S_(t−1) + φ^R(k_t)·v_tᵀ (z likewise, unrotated).

    Chunked: a chunk's (or tile's) summary is its state from zero with its total decay ℓ; it
    reads against the exclusive prefix of the summaries before it, merged in order. Inside, the
    positions are cut into blocks of `block`: each block's U_b = Σ_j diag(e^(G_after j))·k_j·v_jᵀ
    is one matrix product, the state entering each block comes from a scan over blocks, and the
    outputs are the inter-block (q_t ⊙ e^(G_in t))ᵀ·S_in plus the intra-block scores times V.
    Every decay factor formed is ≤ 1 except in `_intra_scores`' factored form, whose factors are
    bounded by e^(FACTOR_RANGE); blocks with stronger decay get their scores from `_exact_scores`,
    over sub-blocks of `sub_block` positions."""

    def _recurrence(self, fq, fk, fq_r, fk_r, v, g):
        n, H, m = fq.shape
        S = torch.zeros(H, m, v.shape[-1], dtype=v.dtype)
        z = torch.zeros(H, m, dtype=v.dtype)
        num = torch.empty(n, H, v.shape[-1], dtype=v.dtype)
        den = torch.empty(n, H, dtype=v.dtype)
        for t in range(n):
            if g is not None:
                decay = torch.exp(g[t])  # [H, m_g]
                S = decay[:, :, None] * S
                z = decay * z
            S = S + fk_r[t][:, :, None] * v[t][:, None, :]
            z = z + fk[t]
            num[t] = torch.einsum("hm,hmv->hv", fq_r[t], S)
            den[t] = (fq[t] * z).sum(-1)
        return num, den, S, z

    @staticmethod
    def _layout(block, sub_block):
        cs = min(sub_block, block)
        return -(-block // cs), cs

    def summarize(self, chunk, block, sub_block):
        H, n, m = chunk.kn.shape
        dv = chunk.v.shape[-1]
        dtype = chunk.v.dtype
        nsub, cs = self._layout(block, sub_block)
        g = chunk.g if chunk.g is not None else torch.zeros(H, n, 1, dtype=dtype)
        gating = _Gating(_to_blocks(g, block, nsub, cs))
        nb = gating.g.shape[1]
        after = torch.exp(gating.G_after)  # [H, nb, nsub, cs, m_g]
        kn = _to_blocks(chunk.kn, block, nsub, cs)
        v = _to_blocks(chunk.v, block, nsub, cs)
        Ub = torch.einsum("hbstm,hbstv->hbmv", kn * after, v)
        kd = kn if chunk.kd is chunk.kn else _to_blocks(chunk.kd, block, nsub, cs)
        ub = (kd * after).sum((2, 3))
        decay = torch.exp(gating.Lam)  # [H, nb, m_g]
        S_in = torch.empty(H, nb, m, dv, dtype=dtype)
        z_in = torch.empty(H, nb, m, dtype=dtype)
        S = torch.zeros(H, m, dv, dtype=dtype)
        z = torch.zeros(H, m, dtype=dtype)
        for b in range(nb):
            S_in[:, b] = S
            z_in[:, b] = z
            S = decay[:, b, :, None] * S + Ub[:, b]
            z = decay[:, b] * z + ub[:, b]
        summary = Summary(gating.Lam.sum(1), S, z, chunk.k_log)
        before = _shift_right(gating.Lam.cumsum(1), 1)  # decay from the chunk's start to each block's
        return summary, (S_in, z_in, before, block, nsub, cs, gating, kn, kd, v)

    def contexts(self, summaries, dtype):
        prefix = self.identity(dtype)
        out = []
        for s in summaries:
            out.append(prefix)
            prefix = prefix.merge(s)
        return out, prefix

    def tile_contexts(self, context, summaries):
        out = []
        for s in summaries:
            out.append(context)
            context = context.merge(s)
        return out

    def read(self, chunk, cache, context):
        S_local, z_local, before, block, nsub, cs, gating, kn_b, kd_b, v_b = cache
        H, n, m = chunk.qn.shape
        dv = chunk.v.shape[-1]
        nb = S_local.shape[1]
        z_norm = self.spec.normalizer == "z"
        rotated = chunk.qd is not chunk.qn

        # both sides brought to the larger of the chunk's and the prefix's key scales
        c = torch.maximum(chunk.k_log, context.log_scale)
        f_chunk = _exp_rel(chunk.k_log, c)
        f_prefix = _exp_rel(context.log_scale, c)
        carried = f_prefix[:, None, None] * torch.exp(before)  # [H, nb, m_g]
        S_in = f_chunk[:, None, None, None] * S_local + carried[..., None] * context.U[:, None]
        z_in = f_chunk[:, None, None] * z_local + carried * context.u[:, None] if z_norm else None

        qn_b = _to_blocks(chunk.qn, block, nsub, cs)
        qd_b = _to_blocks(chunk.qd, block, nsub, cs) if rotated else qn_b
        Bp = nsub * cs
        into = torch.exp(gating.G_in)
        scores = _intra_scores(qn_b, kn_b, gating)
        intra = (scores @ v_b.reshape(H, nb, Bp, dv)).view(H, nb, nsub, cs, dv)
        num = torch.einsum("hbstm,hbmv->hbstv", qn_b * into, S_in) + f_chunk[:, None, None, None, None] * intra
        den = None
        if z_norm:
            if rotated:
                scores = _intra_scores(qd_b, kd_b, gating)
            inter = ((qd_b * into) * z_in[:, :, None, None]).sum(-1)
            den = inter + f_chunk[:, None, None, None] * scores.sum(-1).view(H, nb, nsub, cs)
        num = _from_blocks(num, n, block)
        den = _from_blocks(den, n, block) if z_norm else None
        return self._normalize(num, den, chunk.q_log, c)


def make_mixer(spec: MixerSpec, d: int) -> LinearAttention:
    return (CausalLinearAttention if spec.causal else GlobalLinearAttention)(spec, d)


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------

class Block(nn.Module):
    """A = Norm1(X); H = X + Mixer(A); Y = H + FFN(Norm2(H)) (Y = H without an FFN)."""

    def __init__(self, spec: LayerSpec, d: int):
        super().__init__()
        self.spec = spec
        self.norm1 = make_norm(spec.norm, d)
        self.mixer = make_mixer(spec.mixer, d)
        if spec.ffn is not None:
            self.norm2 = make_norm(spec.norm, d)
            self.ffn = FFNS[spec.ffn.type](d, spec.ffn.d_ff)
        else:
            self.norm2 = self.ffn = None

    def reset(self, gen):
        for part in (self.norm1, self.mixer, self.norm2, self.ffn):
            if part is not None:
                part.reset(gen)

    def feed_forward(self, h, dtype):
        return h if self.ffn is None else h + self.ffn(self.norm2(h, dtype), dtype)


class Head(nn.Module):
    """The pooling head. pooled = mean(F over present positions), or with P pooling queries
    Q = `head.pool_queries` [P, d] the exact softmax attention of each query over the whole
    sequence, pooled = [e_1 … e_P], e_p = Σ_j softmax_j(q_p·F_j/√d)·F_j (present j only);
    embedding = pooled·wo when d_out > 0, `head.wo` [P·d or d, d_out]."""

    def __init__(self, d: int, d_out: int, pool_queries: int):
        super().__init__()
        self.pool_queries = nn.Parameter(torch.empty(pool_queries, d)) if pool_queries else None
        self.wo = nn.Parameter(torch.empty((pool_queries or 1) * d, d_out)) if d_out else None

    def reset(self, gen):
        if self.pool_queries is not None:
            self.pool_queries.data.copy_(_normal(gen, self.pool_queries.shape, 1.0))
        if self.wo is not None:
            self.wo.data.copy_(_normal(gen, self.wo.shape, self.wo.shape[0] ** -0.5))

    def embedding(self, rows, dtype):
        """The embedding of a sequence's present rows F [n, d] (n ≥ 1)."""
        if self.pool_queries is None:
            pooled = rows.mean(0)
        else:
            q = _w(self.pool_queries, dtype)
            weights = torch.softmax(rows @ q.T / math.sqrt(rows.shape[1]), dim=0)  # [n, P]
            pooled = (weights.T @ rows).reshape(-1)
        return pooled if self.wo is None else pooled @ _w(self.wo, dtype)


class Classifier(nn.Module):
    """The classification head of `seqattn train --task classify`: logits = e·W + b on a
    sequence's embedding e, W `classifier.weight` [e, C], b `classifier.bias` [C]; the loss is
    softmax cross entropy −log p_label."""

    def __init__(self, width: int, classes: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(width, classes))
        self.bias = nn.Parameter(torch.empty(classes))

    def reset(self, gen):
        self.weight.data.copy_(_normal(gen, self.weight.shape, self.weight.shape[0] ** -0.5))
        self.bias.data.zero_()

    def logits(self, embedding, dtype):
        return embedding @ _w(self.weight, dtype) + _w(self.bias, dtype)

    def loss(self, embedding, label: int, dtype):
        return -torch.log_softmax(self.logits(embedding, dtype), dim=-1)[label]


class NextTokenHead(nn.Module):
    """The head of `seqattn train --task lm`: at every position p with a target y_p, logits =
    F_p·W + b, W `lm_head.weight` [d, C], b `lm_head.bias` [C], F the final normed output; the
    loss is the mean of −log softmax(logits)[y_p] over the targets. For DNA the C = 4 classes are
    the next base after the k-mer at p (`next_base_targets`)."""

    def __init__(self, width: int, classes: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(width, classes))
        self.bias = nn.Parameter(torch.empty(classes))

    def reset(self, gen):
        self.weight.data.copy_(_normal(gen, self.weight.shape, self.weight.shape[0] ** -0.5))
        self.bias.data.zero_()

    def log_likelihood(self, final, targets, dtype):
        """log p(y_p) [n] (NaN where y_p < 0) from F [n, d] and targets [n] (−1: none)."""
        logp = torch.log_softmax(final @ _w(self.weight, dtype) + _w(self.bias, dtype), dim=-1)
        has = targets >= 0
        picked = logp.gather(1, targets.clamp_min(0)[:, None])[:, 0]
        return torch.where(has, picked, torch.full_like(picked, math.nan))

    def loss(self, final, targets, dtype):
        ll = self.log_likelihood(final, targets, dtype)
        return -ll[targets >= 0].mean()


def next_base_targets(ids, present, k: int):
    """Overlapping k-mers at stride 1: position p predicts the last base of the k-mer at p + 1
    (its id mod 4, ids base-4 with the last base least significant) when p is present and that
    k-mer is a plain one (id < 4^k, present); −1 elsewhere."""
    out = []
    for p in range(len(ids)):
        ok = p + 1 < len(ids) and bool(present[p]) and bool(present[p + 1]) and 0 <= int(ids[p + 1]) < 4 ** k
        out.append(int(ids[p + 1]) % 4 if ok else -1)
    return torch.tensor(out, dtype=torch.int64)


def next_token_targets(ids, present):
    """Any tokenizer: position p predicts the id at p + 1 when both are present; −1 elsewhere."""
    out = [int(ids[p + 1]) if p + 1 < len(ids) and bool(present[p]) and bool(present[p + 1]) else -1
           for p in range(len(ids))]
    return torch.tensor(out, dtype=torch.int64)


@dataclass
class ForwardResult:
    """What both forward paths return, in the compute dtype. Rows of absent positions are NaN in
    `final` and `layers` (they have no output); `states[ℓ]` = (S [H, m, d_v], z [H, m])."""
    final: torch.Tensor  # [n, d] F
    layers: List[torch.Tensor]  # Y_ℓ [n, d], ℓ = 0..L−1
    states: List[Tuple[torch.Tensor, torch.Tensor]]
    embedding: torch.Tensor  # [d_out] or [d]; NaN when no position is present


class SeqAttnModel(nn.Module):
    """A format-2 model. `state_dict()` holds exactly the spec's tensors, by name and shape."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        d = config.d_model
        self.embedding = nn.Parameter(torch.empty(config.vocab_size, d))
        self.layers = nn.ModuleList([Block(spec, d) for spec in config.layers])
        self.final_norm = make_norm(config.final_norm, d) if config.final_norm is not None else None
        self.head = Head(d, config.d_out, config.pool_queries) if config.d_out or config.pool_queries else None

    # -- construction --

    @staticmethod
    def random(config: ModelConfig, seed: int, dtype=torch.float32) -> "SeqAttnModel":
        """Seeded random weights (drawn in float64, stored in `dtype`), scales in README/reference."""
        model = SeqAttnModel(config).to(torch.float64)
        gen = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            model.embedding.data.copy_(_normal(gen, model.embedding.shape, 1.0))
            for block in model.layers:
                block.reset(gen)
            if model.final_norm is not None:
                model.final_norm.reset(gen)
            if model.head is not None:
                model.head.reset(gen)
        return model.to(dtype)

    @staticmethod
    def load(model_dir: str, dtype=None) -> "SeqAttnModel":
        """A model directory → model; `dtype` None keeps float64 if any tensor file is float64,
        else float32. Missing, unknown, misshapen or non-finite tensors are refused by name."""
        if not os.path.isdir(model_dir):
            raise ModelFormatError(f"{model_dir}: not a directory (a model directory holds {CONFIG_FILE} and .npy files)")
        config = read_config(os.path.join(model_dir, CONFIG_FILE))
        model = SeqAttnModel(config)
        expected = {name: tuple(t.shape) for name, t in model.state_dict().items()}
        files = sorted(f for f in os.listdir(model_dir) if f.endswith(".npy"))
        for f in files:
            if f[:-4] not in expected:
                raise ModelFormatError(f"{os.path.join(model_dir, f)}: tensor '{f[:-4]}' is not called for by "
                                       f"{CONFIG_FILE} (misspelt, or left from another config?)")
        arrays = {}
        for name, shape in expected.items():
            path = os.path.join(model_dir, name + ".npy")
            if name + ".npy" not in files:
                raise ModelFormatError(f"{path}: missing: tensor '{name}' of shape {list(shape)} is required by "
                                       f"{CONFIG_FILE}")
            arrays[name] = _read_tensor(path, name, shape)
        if dtype is None:
            dtype = torch.float64 if any(a.dtype == np.float64 for a in arrays.values()) else torch.float32
        with torch.no_grad():
            for name, p in model.state_dict(keep_vars=True).items():
                p.data = torch.from_numpy(arrays[name].astype(np.float64)).to(dtype)
        return model

    def export(self, model_dir: str, dtype=None, overwrite=False):
        """Writes config.json and one little-endian C-order .npy per tensor (in `dtype`, default
        the parameters' own). An existing directory must be empty unless `overwrite`, which
        removes its .npy files first so none is left that the config does not call for."""
        if os.path.exists(model_dir):
            if not os.path.isdir(model_dir):
                raise InputError(f"{model_dir}: exists and is not a directory")
            if os.listdir(model_dir) and not overwrite:
                raise InputError(f"{model_dir}: directory is not empty (choose another, or --overwrite)")
            for f in os.listdir(model_dir):
                if f.endswith(".npy"):
                    os.remove(os.path.join(model_dir, f))
        os.makedirs(model_dir, exist_ok=True)
        with open(os.path.join(model_dir, CONFIG_FILE), "w", encoding="utf-8") as f:
            json.dump(self.config.raw, f, indent=2, ensure_ascii=False)
            f.write("\n")
        for name, t in self.state_dict().items():
            arr = t.detach().to(dtype or t.dtype).numpy()
            np.save(os.path.join(model_dir, name + ".npy"), np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")))

    # -- forward --

    def _inputs(self, ids, present):
        ids = torch.as_tensor(np.asarray(ids) if not torch.is_tensor(ids) else ids)
        if ids.dim() != 1 or ids.dtype not in (torch.int64, torch.int32):
            raise InputError(f"ids must be a 1-D int32 or int64 array, got {tuple(ids.shape)} {ids.dtype}")
        ids = ids.to(torch.int64)
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= self.config.vocab_size):
            bad = int(((ids < 0) | (ids >= self.config.vocab_size)).nonzero()[0])
            raise InputError(f"ids[{bad}] = {int(ids[bad])} is outside the vocabulary [0, {self.config.vocab_size})")
        if present is None:
            present = torch.ones(ids.shape[0], dtype=torch.bool)
        else:
            present = torch.as_tensor(np.asarray(present) if not torch.is_tensor(present) else present)
            if present.dtype != torch.bool or present.shape != ids.shape:
                raise InputError(f"present must be a boolean array of shape {tuple(ids.shape)}, got "
                                 f"{tuple(present.shape)} {present.dtype}")
        return ids, present

    def embed(self, ids, dtype, start=0):
        """x_p = E[t_p] + PE(p), PE(p)[2i] = sin(p·ω_i), PE(p)[2i+1] = cos(p·ω_i), ω_i = 10000^(−2i/d);
        `ids` hold the positions start, start + 1, …"""
        x = _w(self.embedding, dtype)[ids]
        if self.config.positional == "sinusoidal":
            d = self.config.d_model
            omega = torch.pow(10000.0, -2.0 * torch.arange(d // 2, dtype=torch.float64) / d)
            angles = torch.arange(start, start + ids.shape[0], dtype=torch.float64)[:, None] * omega[None, :]
            pe = torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(ids.shape[0], d)
            x = x + pe.to(dtype)
        return x

    def _result(self, x, layers, states, present, dtype) -> ForwardResult:
        final = x if self.final_norm is None else self.final_norm(x, dtype)
        width = self.config.d_out or (self.config.pool_queries or 1) * self.config.d_model
        if bool(present.any()):
            embedding = self._pool(final[present], dtype)
        else:
            embedding = torch.full((width,), math.nan, dtype=dtype)
        if not bool(present.all()):  # absent positions have no output (in place: these tensors are ours)
            absent = ~present[:, None]
            for y in [final] + [y for y in layers if y is not final]:
                y.masked_fill_(absent, math.nan)
        return ForwardResult(final, layers, states, embedding)

    @torch.no_grad()
    def forward_recurrent(self, ids, present=None, dtype=torch.float64) -> ForwardResult:
        """The oracle: every causal layer as its per-token recurrence, every global one as its
        sums, features by their formulas, in `dtype`. Written to be read, not to be fast."""
        ids, present = self._inputs(ids, present)
        x, layers, states = self._recurrent_layers(ids, present, dtype)
        return self._result(x, layers, states, present, dtype)

    def _recurrent_layers(self, ids, present, dtype):
        """The last block's output Y_L, every block's output and state, by the recurrence; with
        autograd when called outside no_grad."""
        positions = torch.arange(ids.shape[0])
        x = self.embed(ids, dtype)
        layers, states = [], []
        for block in self.layers:
            a = block.norm1(x, dtype)
            mixed, state = block.mixer.recurrent(a, positions, present, dtype)
            x = block.feed_forward(x + mixed, dtype)
            layers.append(x)
            states.append(state)
        return x, layers, states

    def embedding_of(self, ids, present=None, dtype=torch.float64) -> torch.Tensor:
        """The pooled embedding (the pool of F over present positions, · head.wo), differentiable:
        what `seqattn train --task classify` feeds its classifier."""
        ids, present = self._inputs(ids, present)
        if not bool(present.any()):
            raise InputError("the sequence has no present position: nothing to pool")
        x, _, _ = self._recurrent_layers(ids, present, dtype)
        final = x if self.final_norm is None else self.final_norm(x, dtype)
        return self._pool(final[present], dtype)

    def _pool(self, rows, dtype):
        """The embedding of the present final rows: their mean, or the head's pool (· head.wo)."""
        return rows.mean(0) if self.head is None else self.head.embedding(rows, dtype)

    def final_of(self, ids, present=None, dtype=torch.float64) -> torch.Tensor:
        """F [n, d] by the recurrence, differentiable (rows of absent positions included; they
        have no target): what `seqattn train --task lm` feeds its head."""
        ids, present = self._inputs(ids, present)
        x, _, _ = self._recurrent_layers(ids, present, dtype)
        return x if self.final_norm is None else self.final_norm(x, dtype)

    @torch.no_grad()
    def forward_chunked(self, ids, present=None, chunk_size=65536, block_size=64, sub_block=8,
                        dtype=torch.float32, tile_tokens=TILE_TOKENS) -> ForwardResult:
        """Chunk by chunk, one pass per layer as the engine runs: every chunk's summary, merged
        in chunk order into each chunk's context (the total, or the exclusive prefix), then every
        chunk read against its context.

        Inside a chunk the work goes tile by tile, a tile being a whole number of blocks of about
        `tile_tokens` positions (the last tile of a chunk may be shorter): the chunk's summary is its
        tiles' summaries merged in order, and each tile reads against the chunk's context merged
        with the tiles before it — the same monoid one level down, so the result is the chunk's.
        It keeps every tensor small, which is what makes this path fast on CPU (README)."""
        for name, value in (("chunk_size", chunk_size), ("block_size", block_size), ("sub_block", sub_block),
                            ("tile_tokens", tile_tokens)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"{name} must be an integer >= 1, got {value!r}")
        ids, present = self._inputs(ids, present)
        n = ids.shape[0]
        positions = torch.arange(n)
        tile = max(1, tile_tokens // block_size) * block_size
        chunks = []  # per chunk, its tiles' (start, stop)
        for s in range(0, n, chunk_size):
            e = min(n, s + chunk_size)
            chunks.append([(t, min(e, t + tile)) for t in range(s, e, tile)])
        xs = [[self.embed(ids[s:e], dtype, s) for s, e in tiles] for tiles in chunks]
        layers, states = [], []
        for block in self.layers:
            mixer = block.mixer
            reach = mixer.spec.halo_rows
            normed = [[block.norm1(x, dtype) for x in x_tiles] for x_tiles in xs]
            every = self._concat(normed, dtype) if reach else None
            work = []  # per chunk, per tile (chunk data, cache, summary)
            for tiles, a_tiles in zip(chunks, normed):
                row = []
                for (s, e), a in zip(tiles, a_tiles):
                    # a short convolution or a window reads the normed rows before the tile (the halo)
                    before = None if not reach or s == 0 else (every[max(0, s - reach):s], present[max(0, s - reach):s])
                    data = mixer.prepare(a, positions[s:e], present[s:e], dtype, before)
                    summary, cache = mixer.summarize(data, block_size, sub_block)
                    window = mixer.window_part(a, present[s:e], before, dtype) if mixer.spec.window else None
                    row.append((data, cache, summary, window))
                work.append(row)
            chunk_summaries = []
            for row in work:
                summary = row[0][2]
                for _, _, later, _ in row[1:]:
                    summary = summary.merge(later)
                chunk_summaries.append(summary)
            contexts, total = mixer.contexts(chunk_summaries, dtype)
            new_xs = []
            for row, x_tiles, context in zip(work, xs, contexts):
                tile_contexts = mixer.tile_contexts(context, [summary for _, _, summary, _ in row])
                out = []
                for (data, cache, _, window), x, tile_context in zip(row, x_tiles, tile_contexts):
                    o = mixer.read(data, cache, tile_context)
                    if window is not None:
                        o = o + window
                    out.append(block.feed_forward(x + mixer.finish(o, data.a, dtype), dtype))
                new_xs.append(out)
            del work
            xs = new_xs
            layers.append(self._concat(xs, dtype))
            states.append(total.state())
        return self._result(layers[-1], layers, states, present, dtype)

    def _concat(self, xs, dtype):
        pieces = [x for row in xs for x in row]
        return torch.cat(pieces) if pieces else torch.zeros(0, self.config.d_model, dtype=dtype)

    def forward(self, ids, present=None, **options):
        return self.forward_chunked(ids, present, **options)


class JavaRandom:
    """java.util.Random (its documented 48-bit linear congruential generator), so the reference's
    training loop visits sequences in exactly the order seqattn's does."""

    MASK = (1 << 48) - 1

    def __init__(self, seed: int):
        self.seed = (seed ^ 0x5DEECE66D) & self.MASK

    def _next(self, bits: int) -> int:
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & self.MASK
        return self.seed >> (48 - bits)

    def next_int(self, bound: int) -> int:
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        r = u % bound
        while u - r + m >= 1 << 31:  # Java's int overflow test u - r + m < 0
            u = self._next(31)
            r = u % bound
        return r


def epoch_order(n: int, seed: int, epoch: int) -> List[int]:
    """The order of epoch `epoch` (0-based) of `seqattn train`: Fisher–Yates from Random(seed·1000003 + epoch)."""
    order = list(range(n))
    rng = JavaRandom(seed * 1_000_003 + epoch)
    for i in range(n - 1, 0, -1):
        j = rng.next_int(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def learning_rate_at(t: int, total: int, lr: float, min_lr: float, warmup: int) -> float:
    """Step t (1-based) of `total`: linear warm-up over `warmup` steps, then cosine down to min_lr."""
    if t <= warmup:
        return lr * t / warmup
    if total <= warmup:
        return lr
    progress = (t - warmup) / (total - warmup)
    return min_lr + (lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))


def train_classifier(model: "SeqAttnModel", head: Classifier, sequences, labels, settings: dict,
                     dtype=torch.float64) -> List[float]:
    """The training loop `seqattn train --task classify` runs, in plain PyTorch: epochs over the
    sequences in `epoch_order`, batches of `batch_size` (mean cross entropy on the pooled
    embedding), `clip_grad_norm_`, AdamW with weight decay on every matrix, the learning rate of
    `learning_rate_at`. Returns the loss of every step."""
    params = list(model.parameters()) + list(head.parameters())
    decayed = [p for p in params if p.dim() >= 2]
    plain = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decayed, "weight_decay": settings["weight_decay"]},
                             {"params": plain, "weight_decay": 0.0}], lr=settings["learning_rate"],
                            betas=(settings["beta1"], settings["beta2"]), eps=settings["adam_eps"])
    n, batch = len(sequences), settings["batch_size"]
    per_epoch = (n + batch - 1) // batch
    total = settings["epochs"] * per_epoch
    losses, t = [], 0
    for epoch in range(settings["epochs"]):
        order = epoch_order(n, settings["seed"], epoch)
        for start in range(0, n, batch):
            t += 1
            chosen = order[start:start + batch]
            opt.zero_grad()
            loss = sum(head.loss(model.embedding_of(torch.tensor(sequences[i]), None, dtype), labels[i], dtype)
                       for i in chosen) / len(chosen)
            loss.backward()
            if settings["clip_norm"] > 0:
                torch.nn.utils.clip_grad_norm_(params, settings["clip_norm"])
            lr = learning_rate_at(t, total, settings["learning_rate"], settings["min_learning_rate"],
                                  settings["warmup_steps"])
            for group in opt.param_groups:
                group["lr"] = lr
            opt.step()
            losses.append(float(loss))
    return losses


def _read_tensor(path: str, name: str, shape) -> np.ndarray:
    """One .npy: little-endian float32/float64, C order, the expected shape, finite."""
    try:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            header = (np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0)(f)
    except Exception as e:  # a damaged or foreign file
        raise ModelFormatError(f"{path}: not a readable .npy file ({e})") from None
    file_shape, fortran, dtype = header
    if dtype.str not in ("<f4", "<f8"):
        raise ModelFormatError(f"{path}: tensor '{name}' has dtype {dtype.str}; model format 2 takes little-endian "
                               f"float32 or float64 ('<f4', '<f8')")
    if fortran:
        raise ModelFormatError(f"{path}: tensor '{name}' is stored in Fortran order; write it in C order")
    if tuple(file_shape) != tuple(shape):
        raise ModelFormatError(f"{path}: tensor '{name}' has shape {list(file_shape)}, {CONFIG_FILE} calls for "
                               f"{list(shape)}")
    arr = np.load(path, allow_pickle=False)
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ModelFormatError(f"{path}: tensor '{name}' element {list(index)} is {arr[index]} (weights must be finite)")
    return arr


# ---------------------------------------------------------------------------------------------
# safetensors
# ---------------------------------------------------------------------------------------------

SAFETENSORS_DTYPES = ("F32", "F16", "BF16")


def _encode(name: str, arr: np.ndarray, dtype: str) -> bytes:
    f32 = np.ascontiguousarray(arr, dtype="<f4")
    if dtype == "F32":
        return f32.tobytes()
    if dtype == "F16":
        with np.errstate(over="ignore"):
            half = f32.astype("<f2")
        overflow = np.isinf(half) & np.isfinite(f32)
        if overflow.any():
            index = tuple(int(i) for i in np.argwhere(overflow)[0])
            raise InputError(f"tensor '{name}' element {list(index)} = {f32[index]} is beyond float16's range "
                             f"(±65504); write F32 or BF16")
        return half.tobytes()
    # BF16: the top 16 bits of the float32, rounded to nearest, ties to even
    bits = f32.view("<u4").astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) & 0xFFFF
    nan = np.isnan(f32)
    rounded = np.where(nan, (bits >> 16) | 0x0040, rounded)  # NaN stays a (quiet) NaN
    return rounded.astype("<u2").tobytes()


def write_safetensors(path: str, tensors: Sequence[Tuple[str, np.ndarray]], dtype: str = "F32",
                      metadata: Optional[Dict[str, str]] = None):
    """safetensors: u64 little-endian header length N, N bytes of UTF-8 JSON {name: {"dtype",
    "shape", "data_offsets": [begin, end]}} (offsets into the data section, which the tensors
    fill in order without gaps) with optional "__metadata__" (string → string), padded with
    spaces to a multiple of 8 bytes, then the data: raw little-endian, C order."""
    if dtype not in SAFETENSORS_DTYPES:
        raise InputError(f"safetensors dtype must be one of {', '.join(SAFETENSORS_DTYPES)}, got {dtype!r}")
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, arr in tensors:
        data = _encode(name, arr, dtype)
        header[name] = {"dtype": dtype, "shape": [int(s) for s in arr.shape], "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def reference_tensors(model: SeqAttnModel) -> List[Tuple[str, np.ndarray]]:
    return [(name, t.detach().to(torch.float64).numpy()) for name, t in model.state_dict().items()]


# ---------------------------------------------------------------------------------------------
# flash-linear-attention's GLA layout
# ---------------------------------------------------------------------------------------------

def _gla_shape(config: ModelConfig) -> Tuple[MixerSpec, FfnSpec, float]:
    """The checks that a model is exactly FLA's GLAForCausalLM; returns the shared pieces."""
    problems = []
    if config.positional != "none":
        problems.append(f"positional is '{config.positional}' (GLA has no positional encoding: use 'none')")
    if config.final_norm is None or config.final_norm.type != "rmsnorm":
        problems.append("final_norm must be an rmsnorm")
    if config.d_out:
        problems.append(f"d_out is {config.d_out}: head.wo has no place in the GLA layout (use d_out 0)")
    if config.pool_queries:
        problems.append(f"pool_queries is {config.pool_queries}: head.pool_queries has no place in the GLA layout "
                        "(leave pool_queries out)")
    first = config.layers[0]
    for i, layer in enumerate(config.layers):
        mx, where = layer.mixer, f"layers[{i}]"
        wants = [(layer.norm.type == "rmsnorm", "norm.type 'rmsnorm'"),
                 (mx.feature_map == "identity", "mixer.feature_map 'identity'"),
                 (mx.normalizer == "none", "mixer.normalizer 'none'"),
                 (mx.causal, "mixer.causal true"),
                 (not mx.rope, "mixer.rope false"),
                 (mx.gate.type == "gla", "mixer.gate 'gla'"),
                 (mx.output_norm is not None, "mixer.output_norm (rmsnorm)"),
                 (mx.output_gate, "mixer.output_gate true"),
                 (mx.short_conv is None, "no mixer.short_conv (the layout is written with use_short_conv false)"),
                 (not mx.window, "no mixer.window (GLA has no softmax window)"),
                 (layer.ffn is not None and layer.ffn.type == "swiglu", "ffn 'swiglu'")]
        problems += [f"{where}: needs {w}" for ok, w in wants if not ok]
        if i and not problems:  # FLA's config has one of each for every layer
            m0 = first.mixer
            problems += [f"{where}: mixer.{f} differs from layers[0]" for f in ("heads", "d_key", "d_value")
                         if getattr(mx, f) != getattr(m0, f)]
            if (mx.gate.rank, mx.gate.tau) != (m0.gate.rank, m0.gate.tau):
                problems.append(f"{where}: gate rank or tau differs from layers[0]")
            if layer.ffn.d_ff != first.ffn.d_ff:
                problems.append(f"{where}: ffn.d_ff differs from layers[0]")
    if problems:
        raise InputError("not a GLA-shaped model, so no flash-linear-attention checkpoint: " + "; ".join(problems))
    eps = {layer.norm.eps for layer in config.layers} | {layer.mixer.output_norm.eps for layer in config.layers}
    eps |= {config.final_norm.eps}
    if len(eps) != 1:
        raise InputError(f"not a GLA-shaped model: FLA has one norm_eps for every norm, this model has "
                         f"{sorted(eps)} (block norms, output norms, final norm)")
    mx = first.mixer
    d = config.d_model
    for dim, name in ((mx.heads * mx.d_key, "key"), (mx.heads * mx.d_value, "value")):
        if int(d * (dim / d)) != dim:
            raise InputError(f"H·d_{name} = {dim} is not int(hidden_size·expand_{name[0]}) in floating point; "
                             f"FLA could not rebuild it")
    return mx, first.ffn, eps.pop()


def fla_checkpoint(model: SeqAttnModel) -> Tuple[List[Tuple[str, np.ndarray]], dict, List[str]]:
    """(tensors in FLA's names and nn.Linear [out, in] shapes, fla-config.json, warnings)."""
    config = model.config
    mx, ffn, eps = _gla_shape(config)
    sd = {name: t.detach().to(torch.float64).numpy() for name, t in model.state_dict().items()}
    # FLA's chunk_gla scales queries by d_k^(−1/2) itself; fold s·√d_k into q_proj so that
    # d_k^(−1/2)·(s·√d_k·A·W_q) = s·A·W_q (identity φ is linear, so this is exact up to rounding).
    fold = mx.query_scale * math.sqrt(mx.d_key)
    fold = 1.0 if abs(fold - 1.0) < 1e-12 else fold
    out = [("model.embeddings.weight", sd["embedding"])]
    for i in range(len(config.layers)):
        p, q = f"layers.{i}.", f"model.layers.{i}."
        out += [(q + "attn_norm.weight", sd[p + "norm1.weight"]),
                (q + "attn.q_proj.weight", (sd[p + "mixer.wq"] * fold).T),
                (q + "attn.k_proj.weight", sd[p + "mixer.wk"].T),
                (q + "attn.v_proj.weight", sd[p + "mixer.wv"].T),
                (q + "attn.g_proj.weight", sd[p + "mixer.wg"].T),
                (q + "attn.gk_proj.0.weight", sd[p + "mixer.gate.w1"].T),
                (q + "attn.gk_proj.1.weight", sd[p + "mixer.gate.w2"].T),
                (q + "attn.gk_proj.1.bias", sd[p + "mixer.gate.b"]),
                (q + "attn.o_proj.weight", sd[p + "mixer.wo"].T),
                (q + "attn.g_norm_swish_gate.weight", sd[p + "mixer.out_norm.weight"]),
                (q + "mlp_norm.weight", sd[p + "norm2.weight"]),
                (q + "mlp.gate_proj.weight", sd[p + "ffn.w_gate"].T),
                (q + "mlp.up_proj.weight", sd[p + "ffn.w_up"].T),
                (q + "mlp.down_proj.weight", sd[p + "ffn.w_down"].T)]
    out.append(("model.norm.weight", sd["final_norm.weight"]))
    d, H = config.d_model, mx.heads
    tau = int(mx.gate.tau) if float(mx.gate.tau).is_integer() else mx.gate.tau
    fla_config = {
        # what FLA builds: fla.models.gla GLAForCausalLM / GLAModel with GLABlock layers
        "model_type": "gla",
        "architectures": ["GLAForCausalLM"],
        "vocab_size": config.vocab_size,  # rows of model.embeddings.weight
        "hidden_size": d,  # d_model
        "num_hidden_layers": len(config.layers),  # L
        "num_heads": H,  # H
        "num_kv_heads": None,  # every head has its own k and v
        "expand_k": H * mx.d_key / d,  # key_dim = int(hidden_size·expand_k) = H·d_k
        "expand_v": H * mx.d_value / d,  # value_dim = int(hidden_size·expand_v) = H·d_v
        "head_k_dim": mx.d_key,  # d_k (informative: FLA derives it from expand_k)
        "head_v_dim": mx.d_value,  # d_v (informative: FLA derives it from expand_v)
        "gate_low_rank_dim": mx.gate.rank,  # r of gk_proj = Linear(d, r) → Linear(r, H·d_k, bias)
        "gate_logit_normalizer": tau,  # τ: g = logsigmoid(gk_proj(x))/τ
        "intermediate_size": ffn.d_ff,  # f of GatedMLP (gate_proj, up_proj, down_proj; swish)
        "hidden_ratio": None,  # unused when intermediate_size is set
        "hidden_act": "swish",  # output gate swish(g_proj(x)) and SwiGLU's silu
        "norm_eps": eps,  # every RMSNorm: attn_norm, mlp_norm, g_norm_swish_gate, model.norm
        "feature_map": None,  # identity φ
        "use_short_conv": False,
        "use_output_gate": True,
        "clamp_min": None,  # no clamp on the log-decay
        "elementwise_affine": True,  # the norms have weights
        "use_gk": True,
        "use_gv": False,
        "attn": None,  # no softmax-attention layers mixed in
        "attn_mode": "chunk",
        "tie_word_embeddings": False,  # the checkpoint has no lm_head: format 2 has none
    }
    warnings = []
    if mx.gate.rank != 16 or mx.gate.tau != 16:
        warnings.append(f"gate rank {mx.gate.rank} and tau {mx.gate.tau}: FLA's GLABlock does not pass "
                        f"gate_low_rank_dim or gate_logit_normalizer from its config (its layer defaults are 16 "
                        f"and 16), so an importer must set them on GatedLinearAttention itself")
    warnings.append("no lm_head.weight is written (format 2 has no LM head): load it as GLAModel, or accept a "
                    "freshly initialized lm_head in GLAForCausalLM")
    return out, fla_config, warnings


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def retain_freed_memory() -> bool:
    """glibc only: serve tensors up to 32 MB from the heap and never hand freed memory back
    (mallopt M_MMAP_THRESHOLD = 32 MiB, M_TRIM_THRESHOLD = 2 GiB − 1). By default glibc maps
    each such tensor afresh and the kernel zeroes its pages on first touch, which on some
    machines (this one: ~3 ms per MB) costs more than the arithmetic. Same effect as
    MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ in the environment, or a jemalloc preload."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        return libc.mallopt(-3, 32 << 20) == 1 and libc.mallopt(-1, 2 ** 31 - 1) == 1
    except (OSError, AttributeError):
        return False


def _cmd_init(args):
    with open(args.config, "rb") as f:
        text = f.read()
    try:
        raw = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFormatError(f"{args.config}: not valid JSON: {e}") from None
    config = parse_config(raw, args.config)
    model = SeqAttnModel.random(config, args.seed, DTYPES[args.dtype])
    model.export(args.out, overwrite=args.overwrite)
    count = sum(t.numel() for t in model.state_dict().values())
    print(f"{args.out}: format-2 model, {len(config.layers)} layers, {count:,} weights ({args.dtype}), seed {args.seed}",
          file=sys.stderr)


def _load_ids(path):
    try:
        ids = np.load(path, allow_pickle=False)
    except Exception as e:
        raise InputError(f"{path}: not a readable .npy file ({e})") from None
    if ids.ndim != 1 or ids.dtype not in (np.int32, np.int64):
        raise InputError(f"{path}: expected a 1-D int32 or int64 array of token ids, got shape {list(ids.shape)} "
                         f"dtype {ids.dtype}")
    return torch.from_numpy(ids.astype(np.int64))


def _load_mask(path, n):
    try:
        mask = np.load(path, allow_pickle=False)
    except Exception as e:
        raise InputError(f"{path}: not a readable .npy file ({e})") from None
    if mask.dtype != np.bool_ or mask.shape != (n,):
        raise InputError(f"{path}: expected a boolean array of shape [{n}] (one per id), got shape "
                         f"{list(mask.shape)} dtype {mask.dtype}")
    return torch.from_numpy(mask)


def _cmd_forward(args):
    if args.threads is not None:
        if args.threads < 1:
            raise InputError(f"--threads must be >= 1, got {args.threads}")
        torch.set_num_threads(args.threads)
    retained = args.malloc == "retain" and retain_freed_memory()
    dtype = DTYPES[args.dtype]
    model = SeqAttnModel.load(args.model_dir)
    ids = _load_ids(args.ids)
    present = _load_mask(args.present, ids.shape[0]) if args.present else None
    start = time.perf_counter()
    if args.path == "recurrent":
        result = model.forward_recurrent(ids, present, dtype=dtype)
    else:
        result = model.forward_chunked(ids, present, chunk_size=args.chunk, block_size=args.block,
                                       sub_block=args.sub_block, dtype=dtype)
    seconds = time.perf_counter() - start
    out = {"final": result.final.numpy(), "embedding": result.embedding.numpy()}
    for i, y in enumerate(result.layers):
        out[f"layer_{i}"] = y.numpy()
    for i, (S, z) in enumerate(result.states):
        out[f"state_s_{i}"] = S.numpy()
        out[f"state_z_{i}"] = z.numpy()
    np.savez(args.out, **out)
    n = ids.shape[0]
    how = f"chunk {args.chunk}, block {args.block}, sub-block {args.sub_block}, " if args.path == "chunked" else ""
    print(f"{n} tokens in {seconds:.3f} s: {n / seconds if seconds > 0 else math.inf:,.0f} tokens/s "
          f"({args.path}, {args.dtype}, {how}{torch.get_num_threads()} threads, "
          f"malloc {'retain' if retained else 'default'})", file=sys.stderr)


def _cmd_safetensors(args):
    model = SeqAttnModel.load(args.model_dir)
    metadata = {"format": "pt", "seqattn_model_format": str(FORMAT),
                "seqattn_config": json.dumps(model.config.raw, separators=(",", ":"))}
    write_safetensors(args.out, reference_tensors(model), args.dtype, metadata)
    print(f"{args.out}: {len(model.state_dict())} tensors ({args.dtype}), reference names", file=sys.stderr)


def _cmd_fla(args):
    model = SeqAttnModel.load(args.model_dir)
    tensors, fla_config, warnings = fla_checkpoint(model)
    write_safetensors(args.out, tensors, args.dtype, {"format": "pt"})
    config_path = os.path.join(os.path.dirname(os.path.abspath(args.out)), "fla-config.json")
    with open(config_path, "w", encoding="utf-8") as f:
        json.dump(fla_config, f, indent=2)
        f.write("\n")
    for w in warnings:
        print(f"{PROG}: warning: {w}", file=sys.stderr)
    print(f"{args.out}: {len(tensors)} tensors ({args.dtype}) in flash-linear-attention's GLA layout; {config_path}",
          file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description="seqattn model format 2 (docs/model-format-2.md) in plain "
                                                       "PyTorch: random models, forward passes, checkpoint writers.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("init", help="write a seeded random model directory for a format-2 config")
    s.add_argument("--config", required=True, help="a format-2 config.json")
    s.add_argument("--out", required=True, help="the model directory to write (new or empty)")
    s.add_argument("--seed", required=True, type=int)
    s.add_argument("--dtype", choices=tuple(DTYPES), default="float32", help="of the .npy files (default float32)")
    s.add_argument("--overwrite", action="store_true", help="write into a non-empty directory, replacing its .npy files")
    s.set_defaults(run=_cmd_init)

    s = sub.add_parser("forward", help="run a model over token ids; write final, layer_i, state_s_i, state_z_i, embedding")
    s.add_argument("model_dir")
    s.add_argument("--ids", required=True, help="1-D int32/int64 .npy of token ids, positions 0..n-1")
    s.add_argument("--present", help="1-D boolean .npy, false at absent positions")
    s.add_argument("--out", required=True, help="the .npz to write")
    s.add_argument("--path", choices=("recurrent", "chunked"), default="chunked")
    s.add_argument("--chunk", type=int, default=65536, help="tokens per chunk (chunked path; default 65536)")
    s.add_argument("--block", type=int, default=64, help="positions per block inside a chunk (default 64)")
    s.add_argument("--sub-block", type=int, default=8,
                   help="positions per sub-block in the blocks whose decay takes the exact path (default 8)")
    s.add_argument("--dtype", choices=tuple(DTYPES), default="float64", help="compute dtype (default float64)")
    s.add_argument("--threads", type=int, help="torch threads (default: torch's own)")
    s.add_argument("--malloc", choices=("retain", "default"), default="retain",
                   help="retain (default): glibc keeps freed tensors for reuse (retain_freed_memory); "
                        "default: glibc's own behaviour")
    s.set_defaults(run=_cmd_forward)

    s = sub.add_parser("safetensors", help="write the model's tensors as safetensors, reference names")
    s.add_argument("model_dir")
    s.add_argument("out")
    s.add_argument("--dtype", choices=SAFETENSORS_DTYPES, default="F32")
    s.set_defaults(run=_cmd_safetensors)

    s = sub.add_parser("fla-checkpoint", help="write a GLA-shaped model in flash-linear-attention's GLA layout "
                                              "(+ fla-config.json beside it)")
    s.add_argument("model_dir")
    s.add_argument("out")
    s.add_argument("--dtype", choices=SAFETENSORS_DTYPES, default="F32")
    s.set_defaults(run=_cmd_fla)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except (ModelFormatError, InputError, OSError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
