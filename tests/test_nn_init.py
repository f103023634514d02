"""nn.init against torch: same draws for the same seed, distributions, gains; nn.utils."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ember
from ember import nn


@pytest.mark.parametrize(
    "name,kw",
    [
        ("uniform_", dict(a=-0.5, b=2.0)),
        ("normal_", dict(mean=1.0, std=0.5)),
        ("xavier_uniform_", dict(gain=2.0)),
        ("xavier_normal_", {}),
        ("kaiming_uniform_", dict(a=math.sqrt(5))),
        ("kaiming_uniform_", dict(mode="fan_out", nonlinearity="relu")),
        ("kaiming_normal_", dict(nonlinearity="leaky_relu", a=0.1)),
        ("trunc_normal_", dict(std=0.2)),
    ],
    ids=str,
)
def test_init_same_stream_as_torch(name, kw):
    torch.manual_seed(5)
    t = getattr(torch.nn.init, name)(torch.empty(64, 32, 3), **kw)
    ember.manual_seed(5)
    e = getattr(nn.init, name)(ember.empty(64, 32, 3), **kw)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-6)


def test_init_distributions():
    ember.manual_seed(0)
    w = nn.init.kaiming_uniform_(ember.empty(256, 512), a=0, nonlinearity="relu")
    bound = math.sqrt(2.0) * math.sqrt(3.0 / 512)
    a = w.numpy()
    assert a.min() >= -bound and a.max() <= bound
    assert abs(a.std() - bound / math.sqrt(3)) < 0.01 * bound
    w = nn.init.kaiming_normal_(ember.empty(256, 512), mode="fan_out")
    assert abs(w.numpy().std() - math.sqrt(2.0 / 256)) < 0.01 * math.sqrt(2.0 / 256)
    w = nn.init.xavier_normal_(ember.empty(300, 500))
    assert abs(w.numpy().std() - math.sqrt(2.0 / 800)) < 0.02 * math.sqrt(2.0 / 800)
    w = nn.init.trunc_normal_(ember.empty(100000), a=-1.0, b=1.0).numpy()
    assert w.min() >= -1 and w.max() <= 1 and abs(w.mean()) < 0.01
    assert abs(w.std() - 0.5396) < 0.01  # std of N(0,1) truncated to [-1, 1]
    w = nn.init.orthogonal_(ember.empty(6, 10), gain=2.0).numpy()
    np.testing.assert_allclose(w @ w.T, 4 * np.eye(6), atol=1e-5)


def test_init_deterministic_fills_and_gain():
    assert nn.init.constant_(ember.empty(2, 2), 3.0).tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert nn.init.ones_(ember.empty(2)).tolist() == [1.0, 1.0]
    assert nn.init.zeros_(ember.ones(2)).tolist() == [0.0, 0.0]
    assert (
        nn.init.eye_(ember.empty(2, 3)).tolist() == torch.nn.init.eye_(torch.empty(2, 3)).tolist()
    )
    d = nn.init.dirac_(ember.empty(4, 2, 3, 3), groups=2).numpy()
    np.testing.assert_array_equal(d, torch.nn.init.dirac_(torch.empty(4, 2, 3, 3), 2).numpy())
    for nl, p in [
        ("relu", None),
        ("leaky_relu", 0.2),
        ("tanh", None),
        ("selu", None),
        ("conv2d", None),
        ("sigmoid", None),
    ]:
        assert nn.init.calculate_gain(nl, p) == torch.nn.init.calculate_gain(nl, p)
    with pytest.raises(ValueError):
        nn.init.calculate_gain("bogus")
    p = nn.Parameter(ember.ones(3))
    nn.init.normal_(p)  # under no_grad: a leaf that requires grad may be filled
    assert p.requires_grad and p.grad_fn is None


def test_init_generator():
    g = ember.Generator().manual_seed(3)
    tg = torch.Generator().manual_seed(3)
    e = nn.init.uniform_(ember.empty(5), generator=g)
    t = torch.nn.init.uniform_(torch.empty(5), generator=tg)
    np.testing.assert_allclose(e.numpy(), t.numpy())


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm(norm_type):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s).astype(np.float32) for s in [(3, 4), (5,)]]
    ep = [nn.Parameter(ember.zeros(g.shape)) for g in grads]
    tp = [torch.nn.Parameter(torch.zeros(g.shape)) for g in grads]
    for p, q, g in zip(ep, tp, grads):
        p.grad = ember.tensor(g.copy())
        q.grad = torch.tensor(g.copy())
    en = nn.utils.clip_grad_norm_(ep, 0.5, norm_type)
    tn = torch.nn.utils.clip_grad_norm_(tp, 0.5, norm_type)
    np.testing.assert_allclose(en.item(), tn.item(), rtol=1e-5)
    for p, q in zip(ep, tp):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5)


def test_clip_grad_errors_value_and_vectors():
    p = nn.Parameter(ember.zeros(2))
    p.grad = ember.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    p.grad = ember.tensor([-3.0, 0.5])
    nn.utils.clip_grad_value_(p, 1.0)
    assert p.grad.tolist() == [-1.0, 0.5]
    m = nn.Linear(3, 2)
    v = nn.utils.parameters_to_vector(m.parameters())
    assert v.shape == (8,)
    nn.utils.vector_to_parameters(ember.arange(8.0), m.parameters())
    assert m.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and m.bias.tolist() == [6.0, 7.0]


def test_trunc_normal_narrow_window_same_stream():
    torch.manual_seed(2)
    t = torch.nn.init.trunc_normal_(torch.empty(1000), mean=0.5, std=2.0, a=0.0, b=0.5)
    ember.manual_seed(2)
    e = nn.init.trunc_normal_(ember.empty(1000), mean=0.5, std=2.0, a=0.0, b=0.5)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-6)
