"""Tests of seqattn_reference.py (docs/model-format-2.md in PyTorch).

Run: /usr/bin/python3 -m unittest discover -s scripts/reference

The chunked path is checked against the recurrent oracle on every variant the spec defines, the
directory and checkpoint formats by round trips through independent readers written here, and
the flash-linear-attention layout by a forward pass written from FLA's conventions (q scaled by
d_k^(−1/2) inside the kernel, nn.Linear [out, in]) that reads nothing but the checkpoint.
"""
import contextlib
import io
import json
import math
import os
import struct
import tempfile
import unittest

import numpy as np
import torch
import torch.nn.functional as F

import seqattn_reference as R

# float64 chunked path against the float64 oracle: max-norm error relative to the oracle's max
CHUNKED_VS_ORACLE = 1e-9
# float32 chunked path against the float64 oracle, where float32 is stretched (strong gates,
# large random-feature logits): a few thousand float32 ulps
FLOAT32_VS_ORACLE = 1e-4
# the FLA forward against the oracle, both float64 on the same float32 weights; q_proj carries
# the folded query scale rounded to float32 when s·√d_k ≠ 1
FLA_EXACT = 1e-9
FLA_FOLDED = 1e-5

D, HEADS, D_KEY, D_VALUE, FEATURES = 16, 2, 8, 6, 6
CHUNK, N = 16, 16 * 4 + 7  # four full chunks and a shorter last one
# (chunk, block, sub-block, tile tokens): a block that does not divide the chunk, tiles that do
# not divide it, a block equal to the chunk, one longer than the chunk, and a 23-token chunk
LAYOUTS = [(16, 5, 2, 10), (16, 4, 4, 2048), (16, 16, 3, 16), (16, 64, 8, 2048), (23, 7, 3, 14), (71, 8, 8, 24)]


def layer(fmap="elu", causal=True, gate=None, rope=False, normalizer="z", output_norm=True, output_gate=True,
          ffn="swiglu", norm="rmsnorm", query_scale=None, short_conv=None, window=0):
    mixer = {"type": "linear_attention", "heads": HEADS, "d_key": D_KEY, "d_value": D_VALUE, "feature_map": fmap,
             "rope": rope, "normalizer": normalizer, "eps": 1e-6, "causal": causal,
             "output_norm": {"type": "rmsnorm", "eps": 1e-5} if output_norm else None, "output_gate": output_gate}
    if fmap in ("favor+", "trig"):
        mixer["features"] = FEATURES
    if causal:
        mixer["gate"] = gate or {"type": "none"}
    if query_scale is not None:
        mixer["query_scale"] = query_scale
    if short_conv is not None:
        mixer["short_conv"] = {"kernel": short_conv[0], "activation": short_conv[1]}
    if window:
        mixer["window"] = window
    return {"norm": {"type": norm, "eps": 1e-6}, "mixer": mixer,
            "ffn": None if ffn is None else {"type": ffn, "d_ff": 20}}


def config(layers, positional="sinusoidal", final_norm="rmsnorm", d_out=3, vocab=None):
    tok = {"type": "dna", "k": 2} if vocab is None else {"type": "ids", "vocab_size": vocab}
    return {"format": 2, "tokenizer": tok, "d_model": D, "positional": positional, "layers": layers,
            "final_norm": None if final_norm is None else {"type": final_norm, "eps": 1e-6}, "d_out": d_out}


GLA = {"type": "gla", "rank": 4, "tau": 16.0}
STRONG_GLA = {"type": "gla", "rank": 4, "tau": 2.0}
CONSTANT = {"type": "constant", "decay": [0.9, 0.97]}
SCALAR = {"type": "scalar"}

# every feature map global and causal, every gate, both normalizers, RoPE on and off, output
# norm and gate on and off, every FFN, both norms
VARIANTS = [
    layer("elu", gate=GLA),
    layer("elu", gate=STRONG_GLA, rope=True),
    layer("relu", gate=SCALAR, normalizer="none", output_norm=False, output_gate=False, ffn="gelu", norm="layernorm"),
    layer("identity", gate=GLA, rope=True, normalizer="none", query_scale=D_KEY ** -0.5),
    layer("favor+", gate=CONSTANT, ffn=None),
    layer("trig", causal=False, output_gate=False, ffn="gelu", norm="layernorm"),
    layer("favor+", causal=False, normalizer="none", output_norm=False),
    layer("elu", causal=False, rope=True, output_gate=False),
    layer("identity", causal=False, normalizer="none", ffn=None),
    layer("relu", gate={"type": "none"}, rope=True, output_norm=False, norm="layernorm"),
    layer("elu", gate=CONSTANT, rope=True, normalizer="none", ffn="gelu"),
    layer("trig", gate=SCALAR, output_norm=False, output_gate=True),
    layer("favor+", gate=SCALAR, normalizer="z", ffn="gelu", norm="layernorm"),
    layer("relu", causal=False, rope=True, normalizer="z", output_norm=False, output_gate=False),
    layer("identity", gate=STRONG_GLA, normalizer="none", output_norm=True, output_gate=True, ffn=None),
]


def stacks(depth):
    """Stacks of `depth` layers in which every variant appears once."""
    count = -(-len(VARIANTS) // depth)
    return [[VARIANTS[(i * depth + j) % len(VARIANTS)] for j in range(depth)] for i in range(count)]


def model_for(raw, seed=0, dtype=torch.float64):
    return R.SeqAttnModel.random(R.parse_config(raw), seed, dtype)


def inputs(vocab, seed=0, n=N):
    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab, (n,), generator=gen)
    present = torch.rand(n, generator=gen) > 0.25
    present[0] = False
    present[CHUNK:2 * CHUNK] = False  # a whole chunk without a key
    return ids, present


def relative_error(test, actual, expected, what):
    test.assertEqual(actual.shape, expected.shape, what)
    nan = torch.isnan(expected)
    test.assertTrue(torch.equal(torch.isnan(actual), nan), f"{what}: NaN rows differ")
    a, e = actual[~nan].to(torch.float64), expected[~nan].to(torch.float64)
    test.assertTrue(bool(torch.isfinite(a).all()), f"{what}: non-finite values")
    scale = float(e.abs().max()) if e.numel() else 0.0
    return float((a - e).abs().max()) / scale if scale > 0 else float((a - e).abs().max())


def assert_results_close(test, actual, expected, tolerance, what):
    pairs = [("final", actual.final, expected.final), ("embedding", actual.embedding, expected.embedding)]
    pairs += [(f"layer_{i}", a, e) for i, (a, e) in enumerate(zip(actual.layers, expected.layers))]
    for i, ((sa, za), (se, ze)) in enumerate(zip(actual.states, expected.states)):
        pairs += [(f"state_s_{i}", sa, se), (f"state_z_{i}", za, ze)]
    test.assertEqual(len(actual.layers), len(expected.layers))
    for name, a, e in pairs:
        err = relative_error(test, a, e, f"{what} {name}")
        test.assertLessEqual(err, tolerance, f"{what} {name}: relative error {err:.3g}")


class ChunkedMatchesOracle(unittest.TestCase):
    """forward_chunked = forward_recurrent in float64, on every variant, stack depth and layout."""

    def check_depth(self, depth):
        for s, layers in enumerate(stacks(depth)):
            model = model_for(config(layers), seed=depth * 100 + s)
            ids, present = inputs(model.config.vocab_size, seed=s)
            for mask in (None, present):
                oracle = model.forward_recurrent(ids, mask)
                for chunk, block, sub, tile in LAYOUTS:
                    with self.subTest(stack=s, absent=mask is not None, chunk=chunk, block=block, sub=sub, tile=tile):
                        got = model.forward_chunked(ids, mask, chunk, block, sub, torch.float64, tile_tokens=tile)
                        assert_results_close(self, got, oracle, CHUNKED_VS_ORACLE, f"L={depth} stack {s}")

    def test_one_layer(self):
        self.check_depth(1)

    def test_two_layers(self):
        self.check_depth(2)

    def test_four_layers(self):
        self.check_depth(4)

    def test_exact_block_path_everywhere(self):
        """With the factored form switched off every block takes the exact sub-block path."""
        saved = R.FACTOR_RANGE
        R.FACTOR_RANGE = -1.0
        try:
            for s, layers in enumerate(stacks(4)):
                model = model_for(config(layers), seed=7 + s)
                ids, present = inputs(model.config.vocab_size, seed=s)
                oracle = model.forward_recurrent(ids, present)
                for chunk, block, sub, tile in (LAYOUTS[0], LAYOUTS[4], LAYOUTS[5]):
                    with self.subTest(stack=s, chunk=chunk, block=block, sub=sub):
                        got = model.forward_chunked(ids, present, chunk, block, sub, torch.float64, tile_tokens=tile)
                        assert_results_close(self, got, oracle, CHUNKED_VS_ORACLE, f"exact stack {s}")
        finally:
            R.FACTOR_RANGE = saved

    def test_autograd_through_the_chunked_path(self):
        """scripts/bench-train.sh times PyTorch autograd through forward_chunked (without its
        no_grad): its gradients must be the recurrence's, for every variant, one layer after another."""
        f = R.SeqAttnModel.forward_chunked.__wrapped__
        for v, spec in enumerate(VARIANTS):
            model = model_for(config([layer("elu", causal=False), spec], d_out=0), seed=20 + v)
            ids, _ = inputs(model.config.vocab_size, seed=v)
            weight = torch.randn(ids.shape[0], D, dtype=torch.float64, generator=torch.Generator().manual_seed(v))
            grads = []
            for chunked in (True, False):
                model.zero_grad()
                with torch.enable_grad():
                    final = (f(model, ids, None, CHUNK, 5, 2, torch.float64).final if chunked
                             else model.final_of(ids, None, torch.float64))
                    (final * weight).sum().backward()
                grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})
            with self.subTest(variant=v):
                self.assertEqual(sorted(grads[0]), sorted(grads[1]))
                for name, want in grads[1].items():
                    err = ((grads[0][name] - want).norm() / max(want.norm(), 1e-300)).item()
                    self.assertLess(err, 1e-9, f"variant {v}, {name}")

    def test_fast_and_exact_blocks_in_one_run(self):
        """Gates strong in some blocks and weak in others: both block paths in one tile, one result."""
        model = model_for(config([layer("elu", gate={"type": "gla", "rank": 4, "tau": 1.0}, rope=True)]), seed=3)
        with torch.no_grad():
            model.layers[0].mixer.gate.b.copy_(torch.linspace(-3.0, 6.0, HEADS * D_KEY))
        ids, present = inputs(model.config.vocab_size, seed=3)
        slow_blocks, seen = [], []
        exact = R._exact_scores

        def counting(q, k, gating):
            slow_blocks.append(q.shape[0])
            return exact(q, k, gating)

        R._exact_scores = counting
        try:
            oracle = model.forward_recurrent(ids, present)
            got = model.forward_chunked(ids, present, 71, 8, 3, torch.float64, tile_tokens=2048)
        finally:
            R._exact_scores = exact
        total_blocks = HEADS * math.ceil(N / 8)
        self.assertTrue(slow_blocks and 0 < sum(slow_blocks) < 2 * total_blocks, (slow_blocks, total_blocks))
        assert_results_close(self, got, oracle, CHUNKED_VS_ORACLE, "mixed blocks")

    def test_no_tokens(self):
        model = model_for(config([VARIANTS[0], VARIANTS[5]]))
        ids = torch.zeros(0, dtype=torch.int64)
        for result in (model.forward_recurrent(ids), model.forward_chunked(ids, dtype=torch.float64)):
            self.assertEqual(tuple(result.final.shape), (0, D))
            self.assertTrue(bool(torch.isnan(result.embedding).all()))
            for S, z in result.states:
                self.assertEqual(float(S.abs().sum()) + float(z.abs().sum()), 0.0)

    def test_pooling_and_absent_rows(self):
        model = model_for(config([VARIANTS[0]], d_out=3))
        ids, present = inputs(model.config.vocab_size)
        result = model.forward_chunked(ids, present, dtype=torch.float64)
        self.assertTrue(bool(torch.isnan(result.final[~present]).all()))
        self.assertFalse(bool(torch.isnan(result.final[present]).any()))
        expected = result.final[present].mean(0) @ model.head.wo.double()
        self.assertLessEqual(float((result.embedding - expected).abs().max()), 1e-12)


def one_mixer_on_random_rows(spec, seed):
    """A one-layer model's mixer, N random mixer inputs A, their presence (70%), and q, k, v of them."""
    mixer = model_for(config([spec]), seed=seed).layers[0].mixer
    gen = torch.Generator().manual_seed(seed)
    a = torch.randn(N, D, generator=gen, dtype=torch.float64)
    present = torch.rand(N, generator=gen) > 0.3
    return mixer, a, present, mixer._qkv(a, torch.float64, present)


def check_halo_layers(test, layers, seed, what):
    """Stacks of the first 1, 2 and 4 of `layers`, chunked (chunks and tiles shorter than the halo
    included) against the oracle, with and without absent positions."""
    for depth in (1, 2, 4):
        model = model_for(config(layers[:depth]), seed=seed + depth)
        ids, present = inputs(model.config.vocab_size, seed=depth)
        for mask in (None, present):
            oracle = model.forward_recurrent(ids, mask)
            for chunk, block, sub, tile in LAYOUTS + [(5, 4, 2, 3)]:
                with test.subTest(depth=depth, absent=mask is not None, chunk=chunk, tile=tile):
                    got = model.forward_chunked(ids, mask, chunk, block, sub, torch.float64, tile_tokens=tile)
                    assert_results_close(test, got, oracle, CHUNKED_VS_ORACLE, f"{what} L={depth}")


class ShortConvolution(unittest.TestCase):
    """Short causal convolutions on q, k, v: the spec's sum written out per token, and chunked runs
    that read K − 1 halo rows across every cut (tiles and chunks shorter than the kernel included)."""

    CONV_LAYERS = [layer("elu", gate=GLA, short_conv=(4, "silu")),
                   layer("identity", causal=False, normalizer="none", short_conv=(3, "identity")),
                   layer("relu", gate=SCALAR, rope=True, query_scale=0.5, short_conv=(8, "silu")),
                   layer("favor+", gate=CONSTANT, short_conv=(2, "identity"))]

    def test_the_sum_by_its_definition(self):
        mixer, a, present, (q, k, v) = one_mixer_on_random_rows(self.CONV_LAYERS[2], 11)
        K, s = 8, 0.5
        for u_of, w, got, scale in ((mixer.wq, mixer.conv_q, q, s), (mixer.wk, mixer.conv_k, k, 1.0),
                                    (mixer.wv, mixer.conv_v, v, 1.0)):
            u = (a @ u_of.double()) * present.double()[:, None]
            w = w.double()
            want = torch.zeros_like(u)
            for t in range(N):
                for j in range(K):
                    if t - K + 1 + j >= 0:
                        want[t] += w[:, j] * u[t - K + 1 + j]
            want = scale * want * torch.sigmoid(want)
            self.assertLessEqual(float((got.reshape(N, -1) - want).abs().max()), 1e-12 * float(want.abs().max()))

    def test_chunked_runs_read_the_halos(self):
        check_halo_layers(self, self.CONV_LAYERS, 40, "conv")

    def test_the_halo_matters(self):
        """Without the rows before a chunk the outputs after each cut change: the test above can fail."""
        model = model_for(config(self.CONV_LAYERS[:1]), seed=41)
        ids, _ = inputs(model.config.vocab_size, seed=1)
        oracle = model.forward_recurrent(ids)
        pieces = [model.forward_recurrent(ids[i:i + CHUNK]).layers[0] for i in range(0, N, CHUNK)]
        self.assertGreater(float((torch.cat(pieces) - oracle.layers[0]).abs().max()), 1e-3)

    def test_kernel_bounds(self):
        for kernel in (1, 9):
            with self.assertRaises(R.ModelFormatError):
                R.parse_config(config([layer("elu", short_conv=(kernel, "silu"))]))
        with self.assertRaises(R.ModelFormatError):
            R.parse_config(config([layer("elu", short_conv=(4, "gelu"))]))


class SlidingWindow(unittest.TestCase):
    """Exact softmax over the last w positions added to the linear-attention output: the oracle
    against masked O(n²) softmax written out here, and chunked runs whose halos carry w − 1 keys
    (plus K − 1 rows for a convolution in front) across every cut."""

    WINDOW_LAYERS = [layer("elu", gate=GLA, window=6),
                     layer("identity", gate=SCALAR, normalizer="none", query_scale=0.5, window=17,
                           short_conv=(4, "silu")),
                     layer("relu", gate={"type": "none"}, rope=True, window=1),
                     layer("favor+", gate=CONSTANT, window=40, short_conv=(3, "identity"))]

    def test_the_oracle_is_masked_softmax(self):
        mixer, _, present, (q, k, v) = one_mixer_on_random_rows(self.WINDOW_LAYERS[1], 12)
        got = mixer._window_by_definition(q, k, v, present)
        scores = torch.einsum("thd,jhd->htj", q, k) / math.sqrt(D_KEY)
        t, j = torch.arange(N)[:, None], torch.arange(N)[None]
        mask = (j <= t) & (j > t - 17) & present[None]
        scores = scores.masked_fill(~mask[None], -math.inf)
        want = torch.einsum("htj,jhv->thv", torch.nan_to_num(torch.softmax(scores, -1), nan=0.0), v)
        self.assertLessEqual(float((got - want).abs().max()), 1e-12 * float(want.abs().max()))

    def test_chunked_runs_carry_the_window_across_cuts(self):
        check_halo_layers(self, self.WINDOW_LAYERS, 60, "window")

    def test_the_window_changes_the_output(self):
        plain = model_for(config([layer("elu", gate=GLA)]), seed=61)
        windowed = model_for(config([self.WINDOW_LAYERS[0]]), seed=61)
        ids, present = inputs(plain.config.vocab_size, seed=1)
        difference = windowed.forward_recurrent(ids, present).final - plain.forward_recurrent(ids, present).final
        self.assertGreater(float(torch.nan_to_num(difference).abs().max()), 1e-2)

    def test_refusals(self):
        with self.assertRaises(R.ModelFormatError):
            R.parse_config(config([layer("elu", causal=False, window=8)]))
        with self.assertRaises(R.ModelFormatError):
            R.parse_config(config([layer("elu", window=R.MAX_WINDOW + 1)]))


class SpecDefinitions(unittest.TestCase):
    """The pieces both paths share, against the spec's formulas written out here, and the oracle
    itself against the closed form of its recurrence."""

    TOLERANCE = 1e-12

    def close(self, a, b, what):
        self.assertLessEqual(float((a - b).abs().max()), self.TOLERANCE * max(1.0, float(b.abs().max())), what)

    def test_rope(self):
        m, positions = 8, torch.tensor([0, 1, 5, 1000, 123456789])
        x = torch.randn(len(positions), 1, m, dtype=torch.float64)
        cos, sin = R.rope_tables(positions, m, torch.float64)
        got = R.apply_rope(x, cos, sin)
        for r, p in enumerate(positions.tolist()):
            for i in range(m // 2):
                angle = p * 10000.0 ** (-2 * i / m)
                a, b = float(x[r, 0, 2 * i]), float(x[r, 0, 2 * i + 1])
                want = (a * math.cos(angle) - b * math.sin(angle), a * math.sin(angle) + b * math.cos(angle))
                self.assertAlmostEqual(float(got[r, 0, 2 * i]), want[0], delta=1e-9)
                self.assertAlmostEqual(float(got[r, 0, 2 * i + 1]), want[1], delta=1e-9)

    def test_embedding_and_positions(self):
        model = model_for(config([VARIANTS[0]]))
        ids = torch.tensor([3, 0, 16, 5])
        x = model.embed(ids, torch.float64, start=70000)
        for r in range(4):
            p = 70000 + r
            for i in range(D // 2):
                w = 10000.0 ** (-2 * i / D)
                self.assertAlmostEqual(float(x[r, 2 * i] - model.embedding[ids[r], 2 * i]), math.sin(p * w), delta=1e-9)
                self.assertAlmostEqual(float(x[r, 2 * i + 1] - model.embedding[ids[r], 2 * i + 1]), math.cos(p * w),
                                       delta=1e-9)

    def test_activations_and_norms(self):
        x = torch.linspace(-30, 30, 601, dtype=torch.float64)
        self.close(R.gelu_tanh(x), F.gelu(x, approximate="tanh"), "gelu")
        self.close(R.softplus(x), torch.log1p(torch.exp(x)), "softplus")
        self.close(R.silu(x), x / (1 + torch.exp(-x)), "silu")
        rows = torch.randn(5, D, dtype=torch.float64) * 3 + 1
        ln = R.LayerNorm(D, 1e-5).double()
        with torch.no_grad():
            ln.weight.copy_(torch.randn(D))
            ln.bias.copy_(torch.randn(D))
        self.close(ln(rows), F.layer_norm(rows, (D,), ln.weight, ln.bias, 1e-5), "layernorm")
        rms = R.RMSNorm(D, 1e-6).double()
        with torch.no_grad():
            rms.weight.copy_(torch.randn(D))
        self.close(rms(rows), rows / torch.sqrt((rows ** 2).mean(-1, keepdim=True) + 1e-6) * rms.weight, "rmsnorm")

    def test_feature_maps(self):
        x = torch.randn(3, HEADS, D_KEY, dtype=torch.float64)
        omega = torch.randn(HEADS, 5, D_KEY, dtype=torch.float64)
        xh = x * D_KEY ** -0.25
        dots = torch.einsum("nhk,hrk->nhr", xh, omega)
        half = (xh ** 2).sum(-1, keepdim=True) / 2
        self.close(R.FEATURE_MAPS["favor+"].plain(x, omega), torch.exp(dots - half) / math.sqrt(5), "favor+")
        trig = torch.exp(half) * math.sqrt(2 / 10) * torch.cat([torch.cos(dots), torch.sin(dots)], -1)
        self.close(R.FEATURE_MAPS["trig"].plain(x, omega), trig, "trig")
        self.close(R.FEATURE_MAPS["elu"].plain(x, None), torch.where(x > 0, x + 1, torch.exp(x)), "elu")
        self.close(R.FEATURE_MAPS["relu"].plain(x, None), x.clamp_min(0), "relu")
        for name in ("favor+", "trig"):  # the chunked path's log form is the same function
            base, logw = R.FEATURE_MAPS[name].log_parts(x, omega)
            self.close((1 if base is None else base) * torch.exp(logw), R.FEATURE_MAPS[name].plain(x, omega), name)

    def test_gates(self):
        a = torch.randn(4, D, dtype=torch.float64)
        gla = R.GLAGate(D, HEADS, D_KEY, 4, 3.0).double()
        gla.reset(torch.Generator().manual_seed(0))
        pre = a @ gla.w1 @ gla.w2 + gla.b
        self.close(gla.log_decay(a, torch.float64).reshape(4, -1), -torch.log1p(torch.exp(-pre)) / 3.0, "gla")
        sc = R.ScalarGate(D, HEADS).double()
        sc.reset(torch.Generator().manual_seed(0))
        want = -torch.exp(sc.a_log) * torch.log1p(torch.exp(a @ sc.w_dt + sc.b_dt))
        self.close(sc.log_decay(a, torch.float64)[..., 0], want, "scalar")
        self.close(R.ConstantGate([0.5, 0.25]).log_decay(a, torch.float64)[0, :, 0],
                   torch.tensor([math.log(0.5), math.log(0.25)], dtype=torch.float64), "constant")

    def test_oracle_equals_the_closed_form(self):
        """O_t = Σ_(j≤t) (φ^R(q_t) ⊙ e^(Σ_(j<i≤t) g_i))·φ^R(k_j)·v_j / (Σ_(j≤t) (φ(q_t) ⊙ …)·φ(k_j) + eps)."""
        for raw in (layer("elu", gate=STRONG_GLA, rope=True, output_norm=False, output_gate=False),
                    layer("favor+", gate=SCALAR, output_norm=False, output_gate=False),
                    layer("relu", causal=False, rope=True, output_norm=False, output_gate=False)):
            mixer = model_for(config([raw])).layers[0].mixer
            n = 12
            a = torch.randn(n, D, dtype=torch.float64)
            positions = torch.arange(n) + 40
            present = torch.ones(n, dtype=torch.bool)
            present[3] = False
            got, _ = mixer.recurrent(a, positions, present, torch.float64)
            q, k, v = mixer._qkv(a, torch.float64)
            omega = None if mixer.omega is None else mixer.omega.double()
            fq, fk = mixer.feature_map.plain(q, omega), mixer.feature_map.plain(k, omega) * present[:, None, None]
            cos, sin = R.rope_tables(positions, mixer.spec.features, torch.float64)
            rq, rk = (R.apply_rope(fq, cos, sin), R.apply_rope(fk, cos, sin)) if mixer.spec.rope else (fq, fk)
            g = mixer.gate.log_decay(a, torch.float64)
            o = torch.zeros(n, HEADS, D_VALUE, dtype=torch.float64)
            for t in range(n):
                num = torch.zeros(HEADS, D_VALUE, dtype=torch.float64)
                den = torch.zeros(HEADS, dtype=torch.float64)
                for j in range(n if not mixer.spec.causal else t + 1):
                    decay = torch.exp(g[j + 1:t + 1].sum(0)) if g is not None else 1.0  # [H, m_g]
                    num += ((rq[t] * decay) * rk[j]).sum(-1)[:, None] * v[j]
                    den += ((fq[t] * decay) * fk[j]).sum(-1)
                o[t] = num / (den + mixer.spec.eps)[:, None]
            self.close(got, mixer.finish(o, a, torch.float64), raw["mixer"]["feature_map"])


class ExtremeGates(unittest.TestCase):
    """Gates near 0 (e^g underflows) stay finite in the chunked path, and still equal the oracle."""

    def run_both(self, model, dtype):
        ids, present = inputs(model.config.vocab_size, seed=5)
        oracle = model.forward_recurrent(ids, present)
        for chunk, block, sub, tile in LAYOUTS:
            got = model.forward_chunked(ids, present, chunk, block, sub, dtype, tile_tokens=tile)
            tolerance = CHUNKED_VS_ORACLE if dtype == torch.float64 else FLOAT32_VS_ORACLE
            assert_results_close(self, got, oracle, tolerance, f"{dtype} chunk {chunk} block {block}")

    def test_gla_preactivations_of_minus_40(self):
        model = model_for(config([layer("elu", gate={"type": "gla", "rank": 4, "tau": 1.0}),
                                  layer("identity", gate={"type": "gla", "rank": 4, "tau": 1.0}, normalizer="none")]))
        with torch.no_grad():
            for block in model.layers:
                block.mixer.gate.w2.zero_()
                block.mixer.gate.b.fill_(-40.0)
        for dtype in (torch.float64, torch.float32):
            self.run_both(model, dtype)

    def test_scalar_gate_with_huge_dt(self):
        model = model_for(config([layer("elu", gate=SCALAR), layer("favor+", gate=SCALAR)]))
        with torch.no_grad():
            for block in model.layers:
                block.mixer.gate.a_log.fill_(10.0)  # e^10 · softplus(≈50): g ≈ −10⁶ per step
                block.mixer.gate.b_dt.fill_(50.0)
        for dtype in (torch.float64, torch.float32):
            self.run_both(model, dtype)

    def test_wildly_varying_gates_in_float32(self):
        """Decays from ~0 to ~−10³ side by side: each factor is summed from its own gates, so a
        weak decay next to strong ones keeps its precision even in float32."""
        model = model_for(config([layer("elu", gate=SCALAR, rope=True), layer("relu", gate=STRONG_GLA)]))
        with torch.no_grad():
            model.layers[0].mixer.gate.w_dt.mul_(12.0)
            model.layers[0].mixer.gate.a_log.fill_(3.0)
        for dtype in (torch.float64, torch.float32):
            self.run_both(model, dtype)


class RandomFeatureRange(unittest.TestCase):
    """Exponential features far beyond float32's range stay finite and right in the chunked path."""

    def test_large_logits(self):
        for causal in (True, False):
            for fmap in ("favor+", "trig"):
                raw = config([layer(fmap, causal=causal, gate=CONSTANT if causal else None, output_norm=False)])
                model = model_for(raw, seed=11)
                with torch.no_grad():
                    model.layers[0].mixer.wq.mul_(7.0)  # trig's log-weights reach ~190 per side:
                    model.layers[0].mixer.wk.mul_(7.0)  # past float32 (89), short of float64 (709)
                ids, present = inputs(model.config.vocab_size, seed=2)
                oracle = model.forward_recurrent(ids, present)
                # the oracle's own features overflow float32 here
                k = model.layers[0].norm1(model.embed(ids, torch.float64)) @ model.layers[0].mixer.wk.double()
                xh = k.view(N, HEADS, D_KEY) * D_KEY ** -0.25
                self.assertGreater(float((xh * xh).sum(-1).max()) / 2, 89.0, "logits not large enough")
                with self.subTest(fmap=fmap, causal=causal):
                    got64 = model.forward_chunked(ids, present, 16, 5, 2, torch.float64, tile_tokens=10)
                    assert_results_close(self, got64, oracle, CHUNKED_VS_ORACLE, f"{fmap} float64")
                    got32 = model.forward_chunked(ids, present, 16, 5, 2, torch.float32, tile_tokens=10)
                    out = got32.final[present]
                    self.assertTrue(bool(torch.isfinite(out).all()), f"{fmap} float32 outputs overflowed")
                    if fmap == "favor+":  # trig's normalizer crosses 0 at such logits: finite is all one can ask
                        err = relative_error(self, got32.final, oracle.final, "favor+ float32")
                        self.assertLessEqual(err, FLOAT32_VS_ORACLE)


class SummaryLaws(unittest.TestCase):
    """(ℓ₁, U₁) ⊕ (ℓ₂, U₂) is associative with identity, and equals the unscaled merge."""

    TOLERANCE = 1e-12

    def summaries(self, m_g):
        gen = torch.Generator().manual_seed(m_g)
        out = []
        for i in range(3):
            ell = -torch.rand(HEADS, m_g, generator=gen, dtype=torch.float64) * 3
            scale = torch.tensor([0.0, 5.0 * i - 4.0], dtype=torch.float64)
            out.append(R.Summary(ell, torch.randn(HEADS, FEATURES, 4, generator=gen, dtype=torch.float64),
                                 torch.rand(HEADS, FEATURES, generator=gen, dtype=torch.float64), scale))
        return out

    def test_laws(self):
        for m_g in (1, FEATURES):
            a, b, c = self.summaries(m_g)
            identity = R.Summary.identity(HEADS, m_g, FEATURES, 4, torch.float64)
            left, right = a.merge(b).merge(c).state(), a.merge(b.merge(c)).state()
            # unscaled: U = diag(e^(ℓ₂ + ℓ₃))·U₁ + diag(e^(ℓ₃))·U₂ + U₃
            S = [s.state()[0] for s in (a, b, c)]
            direct = (torch.exp(b.ell + c.ell)[:, :, None] * S[0] + torch.exp(c.ell)[:, :, None] * S[1] + S[2])
            for got in (left[0], right[0]):
                self.assertLessEqual(float((got - direct).abs().max() / direct.abs().max()), self.TOLERANCE)
            for x in (a, b):
                for merged in (identity.merge(x), x.merge(identity)):
                    self.assertLessEqual(float((merged.state()[0] - x.state()[0]).abs().max()), 1e-12)


class ConfigChecks(unittest.TestCase):
    def refused(self, raw, *words):
        with self.assertRaises(R.ModelFormatError) as caught:
            R.parse_config(raw, "M/config.json")
        message = str(caught.exception)
        self.assertIn("M/config.json", message)
        for w in words:
            self.assertIn(w, message)

    def test_refusals(self):
        raw = config([VARIANTS[0]])
        self.refused(dict(raw, extra=1), "'extra'", "unknown")
        self.refused({k: v for k, v in raw.items() if k != "d_out"}, "'d_out'", "missing")
        self.refused(dict(raw, format=1), "'format'")
        self.refused(dict(raw, d_model=15), "'d_model'", "even")
        self.refused(config([dict(layer("elu", causal=False),
                                  mixer=dict(layer("elu", causal=False)["mixer"], gate=GLA))]),
                     "'layers[0].mixer.gate'", "causal")
        self.refused(config([layer("favor+", rope=True)]), "'layers[0].mixer.rope'", "favor+")
        self.refused(config([layer("favor+", gate=GLA)]), "'layers[0].mixer.gate'", "elementwise")
        odd = layer("elu", rope=True)
        odd["mixer"]["d_key"] = 7
        self.refused(config([odd]), "'layers[0].mixer.rope'", "even")
        trig = layer("trig")
        trig["mixer"]["features"] = 5
        self.refused(config([trig]), "'layers[0].mixer.features'", "even")
        elu = layer("elu")
        elu["mixer"]["features"] = 8
        self.refused(config([elu]), "'layers[0].mixer.features'")
        bad = layer("elu", gate={"type": "constant", "decay": [0.9]})
        self.refused(config([bad]), "'layers[0].mixer.gate.decay'", "one decay per head")
        bad = layer("elu", gate={"type": "constant", "decay": [0.9, 1.5]})
        self.refused(config([bad]), "decay[1]")
        bad = layer("elu")
        bad["mixer"]["heads"] = True
        self.refused(config([bad]), "'layers[0].mixer.heads'", "integer")
        bad = layer("elu")
        bad["mixer"]["output_norm"] = {"type": "layernorm", "eps": 1e-5}
        self.refused(config([bad]), "'layers[0].mixer.output_norm.type'")
        self.refused(config([]), "'layers'")

    def test_a_global_mixer_may_omit_the_gate_or_say_none(self):
        absent = layer("elu", causal=False)
        self.assertNotIn("gate", absent["mixer"])
        none = layer("elu", causal=False)
        none["mixer"]["gate"] = {"type": "none"}
        for raw in (absent, none):
            self.assertEqual(R.parse_config(config([raw])).layers[0].mixer.gate.type, "none")


SPEC_NAMES_GLA_LAYERNORM_GELU = [
    "embedding",
    "layers.0.norm1.weight", "layers.0.norm1.bias",
    "layers.0.mixer.wq", "layers.0.mixer.wk", "layers.0.mixer.wv", "layers.0.mixer.wo", "layers.0.mixer.wg",
    "layers.0.mixer.out_norm.weight", "layers.0.mixer.gate.w1", "layers.0.mixer.gate.w2", "layers.0.mixer.gate.b",
    "layers.0.norm2.weight", "layers.0.norm2.bias",
    "layers.0.ffn.w1", "layers.0.ffn.b1", "layers.0.ffn.w2", "layers.0.ffn.b2",
    "layers.1.norm1.weight", "layers.1.mixer.wq", "layers.1.mixer.wk", "layers.1.mixer.wv", "layers.1.mixer.wo",
    "layers.1.mixer.omega", "layers.1.mixer.gate.a_log", "layers.1.mixer.gate.w_dt", "layers.1.mixer.gate.b_dt",
    "final_norm.weight", "final_norm.bias", "head.wo",
]


class ModelDirectory(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self.tmp.name, "model")

    def tearDown(self):
        self.tmp.cleanup()

    def test_names_and_shapes_are_the_specs(self):
        raw = config([layer("elu", gate=GLA, norm="layernorm", ffn="gelu"),
                      layer("favor+", gate=SCALAR, output_norm=False, output_gate=False, ffn=None)],
                     final_norm="layernorm", d_out=3)
        shapes = {k: tuple(v.shape) for k, v in model_for(raw).state_dict().items()}
        self.assertEqual(sorted(shapes), sorted(SPEC_NAMES_GLA_LAYERNORM_GELU))
        H, dk, dv, f, r = HEADS, D_KEY, D_VALUE, 20, 4
        expected = {"embedding": (17, D), "layers.0.mixer.wq": (D, H * dk), "layers.0.mixer.wv": (D, H * dv),
                    "layers.0.mixer.wo": (H * dv, D), "layers.0.mixer.wg": (D, H * dv),
                    "layers.0.mixer.out_norm.weight": (dv,), "layers.0.mixer.gate.w1": (D, r),
                    "layers.0.mixer.gate.w2": (r, H * dk), "layers.0.mixer.gate.b": (H * dk,),
                    "layers.0.ffn.w1": (D, f), "layers.0.ffn.b1": (f,), "layers.0.ffn.w2": (f, D),
                    "layers.1.mixer.omega": (H, FEATURES, dk), "layers.1.mixer.gate.a_log": (H,),
                    "layers.1.mixer.gate.w_dt": (D, H), "layers.1.mixer.gate.b_dt": (H,), "head.wo": (D, 3),
                    "final_norm.bias": (D,)}
        for name, shape in expected.items():
            self.assertEqual(shapes[name], shape, name)
        trig = model_for(config([layer("trig")])).state_dict()
        self.assertEqual(tuple(trig["layers.0.mixer.omega"].shape), (H, FEATURES // 2, D_KEY))
        swiglu = model_for(config([layer("elu")])).state_dict()
        self.assertEqual([tuple(swiglu[f"layers.0.ffn.{n}"].shape) for n in ("w_gate", "w_up", "w_down")],
                         [(D, 20), (D, 20), (20, D)])

    def test_export_load_round_trip(self):
        raw = config([VARIANTS[0], VARIANTS[2], VARIANTS[5], VARIANTS[12]])
        for dtype in (torch.float32, torch.float64):
            model = model_for(raw, seed=4, dtype=dtype)
            model.export(self.dir, overwrite=True)
            loaded = R.SeqAttnModel.load(self.dir)
            a, b = model.state_dict(), loaded.state_dict()
            self.assertEqual(list(a), list(b))
            for name in a:
                self.assertEqual(a[name].dtype, b[name].dtype, name)
                self.assertTrue(torch.equal(a[name], b[name]), name)
            with open(os.path.join(self.dir, "config.json")) as f:
                self.assertEqual(json.load(f), raw)
            arr = np.load(os.path.join(self.dir, "layers.0.mixer.wq.npy"))
            self.assertEqual(arr.dtype.str, "<f4" if dtype == torch.float32 else "<f8")
            self.assertTrue(arr.flags.c_contiguous)

    def refused(self, *words):
        with self.assertRaises(R.ModelFormatError) as caught:
            R.SeqAttnModel.load(self.dir)
        for w in words:
            self.assertIn(w, str(caught.exception))

    def test_refusals_name_the_tensor(self):
        model_for(config([VARIANTS[0]])).export(self.dir)
        path = lambda name: os.path.join(self.dir, name + ".npy")
        np.save(path("layers.0.mixer.wqq"), np.zeros((D, 16), np.float32))
        self.refused("'layers.0.mixer.wqq'", "not called for")
        os.remove(path("layers.0.mixer.wqq"))
        wq = np.load(path("layers.0.mixer.wq"))
        os.remove(path("layers.0.mixer.wq"))
        self.refused("'layers.0.mixer.wq'", "missing", "[16, 16]")
        np.save(path("layers.0.mixer.wq"), wq.T[:3].copy())
        self.refused("'layers.0.mixer.wq'", "[3, 16]", "[16, 16]")
        bad = wq.copy()
        bad[2, 5] = np.inf
        np.save(path("layers.0.mixer.wq"), bad)
        self.refused("'layers.0.mixer.wq'", "[2, 5]", "finite")
        np.save(path("layers.0.mixer.wq"), wq.astype(">f4"))
        self.refused("'layers.0.mixer.wq'", ">f4")
        np.save(path("layers.0.mixer.wq"), np.asfortranarray(wq))
        self.refused("'layers.0.mixer.wq'", "Fortran")
        np.save(path("layers.0.mixer.wq"), wq.astype(np.float16))
        self.refused("'layers.0.mixer.wq'", "<f2")

    def test_export_refuses_a_non_empty_directory(self):
        model = model_for(config([VARIANTS[0]]))
        model.export(self.dir)
        with self.assertRaises(R.InputError):
            model.export(self.dir)


class Initialization(unittest.TestCase):
    def test_scales(self):
        raw = config([layer("elu", gate=GLA), layer("favor+", gate=SCALAR), layer("trig", causal=False)])
        raw["layers"][1]["mixer"]["features"] = 20  # more rows than d_key: two orthogonal blocks
        model = model_for(raw, seed=9)
        a, b = model.state_dict(), model_for(raw, seed=9).state_dict()
        self.assertTrue(all(torch.equal(a[k], b[k]) for k in a), "same seed, same weights")
        gate = torch.sigmoid(model.layers[0].mixer.gate.b.double()) ** (1 / 16)
        self.assertGreater(float(gate.min()), 0.99)
        dt = R.softplus(model.layers[1].mixer.gate.b_dt.double())
        self.assertTrue(bool(((dt >= 1e-3 - 1e-12) & (dt <= 0.1 + 1e-12)).all()), dt)
        a_exp = torch.exp(model.layers[1].mixer.gate.a_log.double())
        self.assertTrue(bool(((a_exp >= 1) & (a_exp <= 16)).all()))
        omega = model.layers[1].mixer.omega.double()  # [H, 20, 8]: blocks of 8 orthogonal rows
        for h in range(HEADS):
            for start in (0, 8, 16):
                rows = omega[h, start:start + 8]
                unit = rows / rows.norm(dim=1, keepdim=True)
                gram = unit @ unit.T
                self.assertLessEqual(float((gram - torch.eye(rows.shape[0], dtype=torch.float64)).abs().max()), 1e-12)
        lengths = model.layers[1].mixer.omega.double().norm(dim=-1)
        self.assertLess(abs(float((lengths ** 2).mean()) - D_KEY), 3.0, "chi-distributed lengths, E = d_k")
        self.assertEqual(float(model.layers[0].norm1.weight.min()), 1.0)


def read_safetensors(path):
    """A reader written from the format: header length, JSON header, contiguous data."""
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length].decode("utf-8"))
    data = blob[8 + length:]
    tensors, end = {}, 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, stop = info["data_offsets"]
        assert begin == end, f"{name}: gap or overlap in the data section"
        end = stop
        raw = data[begin:stop]
        if info["dtype"] == "F32":
            arr = np.frombuffer(raw, "<f4")
        elif info["dtype"] == "F16":
            arr = np.frombuffer(raw, "<f2").astype(np.float32)
        elif info["dtype"] == "BF16":
            arr = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(info["dtype"])
        tensors[name] = arr.reshape(info["shape"])
    assert end == len(data), "data section not covered exactly"
    return length, header, tensors


class Safetensors(unittest.TestCase):
    def test_round_trip(self):
        model = model_for(config([VARIANTS[0], VARIANTS[4]]), dtype=torch.float32)
        with torch.no_grad():
            model.embedding[0, :4] = torch.tensor([1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8, -(1.0 + 2 ** -9), 3e38])
        with tempfile.TemporaryDirectory() as tmp:
            for dtype in ("F32", "F16", "BF16"):
                path = os.path.join(tmp, f"m-{dtype}.safetensors")
                tensors = R.reference_tensors(model)
                if dtype == "F16":  # 3e38 is beyond float16: refused, so write the tensors without it
                    with self.assertRaises(R.InputError):
                        R.write_safetensors(path, tensors, dtype)
                    tensors = [(n, a if n != "embedding" else np.where(np.abs(a) > 6e4, 0.0, a)) for n, a in tensors]
                R.write_safetensors(path, tensors, dtype, {"format": "pt", "note": "ü"})
                length, header, got = read_safetensors(path)
                self.assertEqual(length % 8, 0)
                self.assertEqual(header["__metadata__"], {"format": "pt", "note": "ü"})
                self.assertEqual(list(got), [n for n, _ in tensors])
                for name, arr in tensors:
                    self.assertEqual(header[name]["dtype"], dtype)
                    self.assertEqual(list(got[name].shape), list(arr.shape), name)
                    f32 = np.asarray(arr, np.float32)
                    if dtype == "F32":
                        want = f32
                    elif dtype == "F16":
                        want = f32.astype(np.float16).astype(np.float32)
                    else:  # torch's own float32 → bfloat16 rounds to nearest even
                        want = torch.from_numpy(f32).to(torch.bfloat16).to(torch.float32).numpy()
                    self.assertTrue(np.array_equal(got[name], want), f"{dtype} {name}")
                if dtype == "BF16":
                    self.assertEqual(list(got["embedding"][0, :3]), [1.0, 1.0 + 2 ** -6, -1.0])


def fla_gla_forward(tensors, fla, ids):
    """GLAModel's forward as FLA defines it, from the checkpoint alone, in float64."""
    W = lambda name: torch.from_numpy(np.asarray(tensors[name], np.float64))
    eps, H = fla["norm_eps"], fla["num_heads"]
    d = fla["hidden_size"]
    dk, dv = int(d * fla["expand_k"]) // H, int(d * fla["expand_v"]) // H
    rms = lambda x, w: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w
    x = W("model.embeddings.weight")[ids]
    n = x.shape[0]
    for i in range(fla["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms(x, W(p + "attn_norm.weight"))
        q = (h @ W(p + "attn.q_proj.weight").T).view(n, H, dk) * dk ** -0.5  # chunk_gla's default scale
        k = (h @ W(p + "attn.k_proj.weight").T).view(n, H, dk)
        v = (h @ W(p + "attn.v_proj.weight").T).view(n, H, dv)
        gk = F.linear(F.linear(h, W(p + "attn.gk_proj.0.weight")), W(p + "attn.gk_proj.1.weight"),
                      W(p + "attn.gk_proj.1.bias"))
        gk = (F.logsigmoid(gk) / fla["gate_logit_normalizer"]).view(n, H, dk)
        state = torch.zeros(H, dk, dv, dtype=torch.float64)
        o = torch.empty(n, H, dv, dtype=torch.float64)
        for t in range(n):
            state = torch.exp(gk[t])[:, :, None] * state + k[t][:, :, None] * v[t][:, None, :]
            o[t] = torch.einsum("hk,hkv->hv", q[t], state)
        g = (h @ W(p + "attn.g_proj.weight").T).view(n, H, dv)
        o = rms(o, W(p + "attn.g_norm_swish_gate.weight")) * (g * torch.sigmoid(g))  # FusedRMSNormGated
        x = x + o.reshape(n, H * dv) @ W(p + "attn.o_proj.weight").T
        h = rms(x, W(p + "mlp_norm.weight"))
        gate, up = h @ W(p + "mlp.gate_proj.weight").T, h @ W(p + "mlp.up_proj.weight").T
        x = x + (gate * torch.sigmoid(gate) * up) @ W(p + "mlp.down_proj.weight").T
    return rms(x, W("model.norm.weight"))


def gla_layer(query_scale):
    raw = layer("identity", gate={"type": "gla", "rank": 4, "tau": 16.0}, normalizer="none",
                query_scale=query_scale)
    raw["mixer"]["output_norm"]["eps"] = 1e-6
    return raw


class FlaCheckpoint(unittest.TestCase):
    def test_forward_from_the_checkpoint_matches(self):
        for query_scale, tolerance in ((D_KEY ** -0.5, FLA_EXACT), (0.5, FLA_FOLDED)):
            raw = config([gla_layer(query_scale), gla_layer(query_scale)], positional="none", d_out=0, vocab=50)
            model = model_for(raw, seed=5, dtype=torch.float32)
            tensors, fla, warnings = R.fla_checkpoint(model)
            names = dict(tensors)
            self.assertEqual(names["model.layers.1.attn.q_proj.weight"].shape, (HEADS * D_KEY, D))
            self.assertEqual(names["model.layers.0.attn.gk_proj.0.weight"].shape, (4, D))
            self.assertEqual(names["model.layers.0.attn.gk_proj.1.weight"].shape, (HEADS * D_KEY, 4))
            self.assertEqual(names["model.layers.0.attn.o_proj.weight"].shape, (D, HEADS * D_VALUE))
            self.assertEqual(names["model.layers.0.mlp.down_proj.weight"].shape, (D, 20))
            self.assertEqual(len(tensors), 2 + 2 * 14)
            # FLA scales q by d_k^(−1/2) itself, so q_proj carries s·√d_k; the output RMSNorm
            # would hide a wrong fold from the forward below (it cancels any scale of q but eps)
            folded = model.layers[1].mixer.wq.detach().double().numpy() * query_scale * math.sqrt(D_KEY)
            self.assertLessEqual(float(np.abs(names["model.layers.1.attn.q_proj.weight"] - folded.T).max()), 1e-6)
            self.assertEqual((fla["hidden_size"], fla["num_heads"], fla["num_hidden_layers"], fla["vocab_size"],
                              fla["gate_low_rank_dim"], fla["gate_logit_normalizer"], fla["intermediate_size"]),
                             (D, HEADS, 2, 50, 4, 16, 20))
            self.assertTrue(any("gate rank 4" in w for w in warnings))
            with tempfile.TemporaryDirectory() as tmp:  # through the file, as an importer reads it
                path = os.path.join(tmp, "gla.safetensors")
                R.write_safetensors(path, tensors, "F32", {"format": "pt"})
                _, _, read = read_safetensors(path)
            ids = torch.randint(0, 50, (40,), generator=torch.Generator().manual_seed(1))
            got = fla_gla_forward(read, fla, ids)
            want = model.forward_recurrent(ids).final
            err = relative_error(self, got, want, "fla")
            self.assertLessEqual(err, tolerance, f"query_scale {query_scale}: {err:.3g}")

    def test_refuses_other_models(self):
        cases = [
            (config([gla_layer(1.0)], d_out=0), "positional"),
            (config([layer("elu", gate=GLA, normalizer="none")], positional="none", d_out=0), "identity"),
            (config([gla_layer(1.0)], positional="none", d_out=3), "d_out"),
            (config([gla_layer(1.0)], positional="none", d_out=0, final_norm="layernorm"), "final_norm"),
            (config([gla_layer(1.0), layer("identity", gate=SCALAR, normalizer="none")], positional="none", d_out=0),
             "layers[1]: needs mixer.gate 'gla'"),
        ]
        eps = gla_layer(1.0)
        eps["norm"]["eps"] = 1e-5
        cases.append((config([eps], positional="none", d_out=0), "norm_eps"))
        for raw, words in cases:
            with self.subTest(words=words), self.assertRaises(R.InputError) as caught:
                R.fla_checkpoint(model_for(raw))
            self.assertIn(words, str(caught.exception))


class CommandLine(unittest.TestCase):
    def run_cli(self, *argv):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = R.main(list(argv))
        return code, err.getvalue()

    def test_commands(self):
        with tempfile.TemporaryDirectory() as tmp:
            j = lambda *p: os.path.join(tmp, *p)
            raw = config([VARIANTS[0], VARIANTS[5]])
            with open(j("c.json"), "w") as f:
                json.dump(raw, f)
            code, err = self.run_cli("init", "--config", j("c.json"), "--out", j("m"), "--seed", "3")
            self.assertEqual(code, 0, err)
            ids, present = inputs(17)
            np.save(j("ids.npy"), ids.numpy().astype(np.int32))
            np.save(j("mask.npy"), present.numpy())
            code, err = self.run_cli("forward", j("m"), "--ids", j("ids.npy"), "--present", j("mask.npy"),
                                     "--out", j("r.npz"), "--path", "recurrent")
            self.assertEqual(code, 0, err)
            code, err = self.run_cli("forward", j("m"), "--ids", j("ids.npy"), "--present", j("mask.npy"),
                                     "--out", j("c.npz"), "--chunk", "16", "--block", "5", "--threads", "1",
                                     "--malloc", "default")
            self.assertEqual(code, 0, err)
            self.assertIn("tokens/s", err)
            a, b = np.load(j("r.npz")), np.load(j("c.npz"))
            self.assertEqual(sorted(a.files), sorted(["final", "embedding", "layer_0", "layer_1", "state_s_0",
                                                      "state_z_0", "state_s_1", "state_z_1"]))
            self.assertEqual(a["state_s_1"].shape, (HEADS, FEATURES, D_VALUE))
            self.assertEqual(a["state_z_0"].shape, (HEADS, D_KEY))
            for name in a.files:
                diff = np.nanmax(np.abs(a[name] - b[name])) / np.nanmax(np.abs(a[name]))
                self.assertLessEqual(diff, CHUNKED_VS_ORACLE, name)
            code, err = self.run_cli("safetensors", j("m"), j("m.safetensors"), "--dtype", "BF16")
            self.assertEqual(code, 0, err)
            _, header, tensors = read_safetensors(j("m.safetensors"))
            self.assertEqual(sorted(tensors), sorted(R.SeqAttnModel.load(j("m")).state_dict()))
            self.assertEqual(json.loads(header["__metadata__"]["seqattn_config"]), raw)
            code, err = self.run_cli("fla-checkpoint", j("m"), j("fla", "x.safetensors"))
            self.assertEqual(code, 1)
            self.assertEqual(err.count("\n"), 1, err)
            self.assertIn("not a GLA-shaped model", err)

            gla = config([gla_layer(D_KEY ** -0.5)], positional="none", d_out=0)
            with open(j("g.json"), "w") as f:
                json.dump(gla, f)
            self.assertEqual(self.run_cli("init", "--config", j("g.json"), "--out", j("g"), "--seed", "1")[0], 0)
            os.mkdir(j("fla"))
            code, err = self.run_cli("fla-checkpoint", j("g"), j("fla", "gla.safetensors"))
            self.assertEqual(code, 0, err)
            with open(j("fla", "fla-config.json")) as f:
                self.assertEqual(json.load(f)["model_type"], "gla")

            code, err = self.run_cli("forward", j("m"), "--ids", j("c.json"), "--out", j("x.npz"))
            self.assertEqual((code, err.count("\n")), (1, 1), err)
            np.save(j("big.npy"), np.array([0, 17], np.int64))
            code, err = self.run_cli("forward", j("m"), "--ids", j("big.npy"), "--out", j("x.npz"))
            self.assertIn("ids[1] = 17", err)
            code, err = self.run_cli("init", "--config", j("c.json"), "--out", j("m"), "--seed", "3")
            self.assertIn("not empty", err)


if __name__ == "__main__":
    unittest.main()
