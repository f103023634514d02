"""Adam's update in blocks and over threads (ember/optim/_adam_update.py): float32 roundings
exactly those of torch's single-tensor Adam op sequence on whole arrays, and torch's values."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

# (260, 510) and (131073,) split into two threads of two blocks each (an odd part among them);
# (5,) and (0,) stay whole.
SHAPES = [(260, 510), (131073,), (5,), (0,)]
CONFIGS = [
    dict(lr=1e-2),
    dict(lr=1e-2, amsgrad=True, weight_decay=0.01),
    dict(lr=3e-3, betas=(0.3, 0.99), maximize=True, decoupled_weight_decay=True, weight_decay=0.1),
]


def _reference_step(p, g, state, lr, betas, eps, weight_decay, amsgrad, maximize, decoupled):
    """torch.optim.Adam's single-tensor algorithm on whole arrays: one NumPy op per float32
    rounding of torch's ops (lerp_, mul_, addcmul_, sqrt, div, add_, addcdiv_)."""
    beta1, beta2 = betas
    state["step"] += 1
    step = state["step"]
    m, v = state["exp_avg"], state["exp_avg_sq"]
    if maximize:
        g = -g
    if weight_decay:
        if decoupled:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    w = 1 - beta1
    if abs(w) < 0.5:
        m += (g - m) * w
    else:
        m[...] = g - (g - m) * (1 - w)
    v *= beta2
    v += g * (1 - beta2) * g
    if amsgrad:
        v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
    denom = np.sqrt(v) / (1 - beta2**step) ** 0.5 + eps
    p += m * -(lr / (1 - beta1**step)) / denom


def _gradients(shape, steps, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal(shape) * 10.0 ** rng.uniform(-4, 1)).astype(dtype)
        for _ in range(steps)
    ]


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    before = ember.get_num_threads()
    ember.set_num_threads(request.param)
    yield request.param
    ember.set_num_threads(before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_blocked_update_rounds_as_whole_array_sequence(cfg, dtype, threads):
    full = dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False)
    full.update(decoupled=cfg.get("decoupled_weight_decay", False))
    full.update({k: v for k, v in cfg.items() if k != "decoupled_weight_decay"})
    rng = np.random.default_rng(1)
    starts = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    params = [ember.tensor(a.copy(), requires_grad=True) for a in starts]
    opt = ember.optim.Adam(params, **cfg)
    refs = [a.copy() for a in starts]
    states = [
        dict(step=0, exp_avg=np.zeros_like(a), exp_avg_sq=np.zeros_like(a), max_exp_avg_sq=None)
        for a in starts
    ]
    for s in states:
        if full["amsgrad"]:
            s["max_exp_avg_sq"] = np.zeros_like(s["exp_avg"])
    grads = [_gradients(s, 8, dtype, seed=i) for i, s in enumerate(SHAPES)]
    for step in range(8):
        for p, r, s, gs in zip(params, refs, states, grads):
            p.grad = ember.tensor(gs[step])
            _reference_step(r, gs[step], s, **full)
        opt.step()
        for k, (p, r, s) in enumerate(zip(params, refs, states)):
            assert np.array_equal(p.detach().numpy(), r), f"param {k} after step {step + 1}"
            st = opt.state[p]
            assert np.array_equal(st["exp_avg"].numpy(), s["exp_avg"])
            assert np.array_equal(st["exp_avg_sq"].numpy(), s["exp_avg_sq"])
            if full["amsgrad"]:
                assert np.array_equal(st["max_exp_avg_sq"].numpy(), s["max_exp_avg_sq"])
            assert float(st["step"]) == step + 1


def test_non_contiguous_gradient_takes_the_whole_array_path(threads):
    rng = np.random.default_rng(2)
    start = rng.standard_normal((260, 510)).astype(np.float32)
    pe = ember.tensor(start.copy(), requires_grad=True)
    pt = torch.tensor(start.copy(), requires_grad=True)
    oe, ot = ember.optim.Adam([pe], lr=1e-2), torch.optim.Adam([pt], lr=1e-2)
    ref, state = start.copy(), dict(step=0, exp_avg=np.zeros_like(start))
    state["exp_avg_sq"] = np.zeros_like(start)
    for g in _gradients((510, 260), 5, np.float32):
        pe.grad, pt.grad = ember.tensor(g).t(), torch.tensor(g).t()
        assert not pe.grad.is_contiguous()
        oe.step()
        ot.step()
        _reference_step(ref, g.T, state, 1e-2, (0.9, 0.999), 1e-8, 0, False, False, False)
        assert np.array_equal(pe.detach().numpy(), ref)
        np.testing.assert_allclose(pe.detach().numpy(), pt.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_large_parameter_trajectory_matches_torch(cfg, threads):
    # torch's kernels fuse multiply-adds (and its AVX-512 sqrt is not correctly rounded), so
    # some elements differ by a rounding that a later step can scale: compared to tolerance.
    rng = np.random.default_rng(3)
    start = rng.standard_normal((260, 510)).astype(np.float32)
    pe = ember.tensor(start.copy(), requires_grad=True)
    pt = torch.tensor(start.copy(), requires_grad=True)
    oe, ot = ember.optim.Adam([pe], **cfg), torch.optim.Adam([pt], **cfg)
    for g in _gradients((260, 510), 12, np.float32, seed=4):
        pe.grad, pt.grad = ember.tensor(g), torch.tensor(g)
        oe.step()
        ot.step()
    np.testing.assert_allclose(pe.detach().numpy(), pt.detach().numpy(), rtol=1e-5, atol=1e-5)
    for key in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_allclose(
            oe.state[pe][key].numpy(), ot.state[pt][key].numpy(), rtol=1e-5, atol=1e-6
        )
