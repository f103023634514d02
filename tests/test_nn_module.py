"""nn.Module mechanics against torch: registration errors, traversal, state_dict, hooks, repr."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch
from nn_helpers import load_from_torch, toy_model

import ember
from ember import nn


def test_seed_model_repr_keys_and_init_equal_torch():
    torch.manual_seed(42)
    tm = toy_model(torch)
    ember.manual_seed(42)
    em = toy_model(ember)
    assert repr(em) == repr(tm)
    assert str(em) == str(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    for (k, a), (_, b) in zip(em.state_dict().items(), tm.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    assert em.to(ember.device("cpu")) is em


def test_seed_model_sgd_step_matches_torch():
    torch.manual_seed(0)
    tm = toy_model(torch)
    ember.manual_seed(0)
    em = toy_model(ember)
    rng = np.random.default_rng(0)
    x = rng.random((8, 3, 32, 32), dtype=np.float32)
    y = rng.integers(0, 10, 8)
    for lib, m, xs, ys in (
        (torch, tm, torch.tensor(x), torch.tensor(y)),
        (ember, em, ember.tensor(x), ember.tensor(y)),
    ):
        for _ in range(2):
            out = m(xs)
            loss = -lib.nn.functional.log_softmax(out, 1).gather(1, ys.unsqueeze(1)).mean()
            m.zero_grad()
            loss.backward()
            with lib.no_grad():
                for p in m.parameters():
                    p -= 0.01 * p.grad
        m.loss = loss.item()
    assert abs(em.loss - tm.loss) < 1e-5
    for (k, a), (_, b) in zip(em.state_dict().items(), tm.state_dict().items()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    for (k, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=k)


def _errors(fn):
    out = []
    for lib in (torch, ember):
        with pytest.raises(Exception) as info:
            fn(lib)
        out.append(info.value)
    t, e = out
    assert type(e) is type(t)
    assert str(e) == str(t).replace("torch.", "ember.").replace(
        "ember.nn.Parameter", "torch.nn.Parameter"
    ), (e, t)
    return e


def test_registration_errors():
    def early_module(lib):
        class M(lib.nn.Module):
            def __init__(self):
                self.l = lib.nn.Linear(2, 2)

        M()

    def early_param(lib):
        class M(lib.nn.Module):
            def __init__(self):
                self.w = lib.nn.Parameter(lib.ones(2))

        M()

    e = _errors(early_module)
    assert str(e) == "cannot assign module before Module.__init__() call"
    _errors(early_param)

    def wrong_param(lib):
        m = lib.nn.Linear(2, 2)
        m.weight = lib.ones(2, 2)

    _errors(wrong_param)

    def missing(lib):
        return lib.nn.Linear(2, 2).nope

    assert str(_errors(missing)) == "'Linear' object has no attribute 'nope'"

    def dotted(lib):
        lib.nn.Linear(2, 2).register_buffer("a.b", lib.ones(1))

    _errors(dotted)

    def wrong_child(lib):
        m = lib.nn.Sequential(lib.nn.ReLU())
        m.add_module("x", 3)

    _errors(wrong_child)


def test_parameter_repr_and_defaults():
    p = nn.Parameter(ember.tensor([1.0, 2.0]))
    t = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == repr(t)
    assert p.requires_grad and p.is_leaf
    q = nn.Parameter(ember.ones(2), requires_grad=False)
    assert not q.requires_grad
    assert type(p * 2) is ember.Tensor


def test_traversal_shared_and_prefix():
    lin = nn.Linear(3, 3)
    m = nn.Sequential(lin, nn.ReLU(), lin, nn.BatchNorm1d(3))
    tl = torch.nn.Linear(3, 3)
    tm = torch.nn.Sequential(tl, torch.nn.ReLU(), tl, torch.nn.BatchNorm1d(3))
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in m.named_parameters(prefix="x")] == [
        n for n, _ in tm.named_parameters(prefix="x")
    ]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in tm.named_modules()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in tm.named_children()]
    assert len(list(m.parameters(recurse=False))) == 0
    assert m.get_submodule("3") is m[3]
    assert len(list(m.modules())) == len(list(tm.modules()))


def test_buffers_persistent_and_state_dict():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)
            self.register_buffer("keep", ember.zeros(2))
            self.register_buffer("drop", ember.ones(2), persistent=False)

    m = M()
    assert list(m.state_dict()) == ["keep", "lin.weight", "lin.bias"]
    assert [n for n, _ in m.named_buffers()] == ["keep", "drop"]
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict) and not sd["lin.weight"].requires_grad


def test_load_state_dict_roundtrip_and_errors():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    em = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    w = em[0].weight
    res = load_from_torch(em, tm)
    assert w is em[0].weight  # copied in place
    assert repr(res) == "<All keys matched successfully>"
    np.testing.assert_array_equal(em[0].weight.detach().numpy(), tm[0].weight.detach().numpy())
    before = em[0].weight.detach().numpy().copy()
    sd = {k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()}
    tsd = dict(tm.state_dict())
    del sd["0.bias"], tsd["0.bias"]
    sd["extra"] = ember.ones(1)
    tsd["extra"] = torch.ones(1)
    sd["0.weight"] = ember.zeros(5, 3)
    tsd["0.weight"] = torch.zeros(5, 3)
    with pytest.raises(RuntimeError) as te:
        tm.load_state_dict(tsd)
    with pytest.raises(RuntimeError) as ee:
        em.load_state_dict(sd)
    assert str(ee.value) == str(te.value).replace("torch.", "ember.")
    np.testing.assert_array_equal(em[0].weight.detach().numpy(), before)  # nothing written
    del sd["0.weight"], tsd["0.weight"]
    r = em.load_state_dict(sd, strict=False)
    rt = tm.load_state_dict(tsd, strict=False)
    assert r.missing_keys == rt.missing_keys and r.unexpected_keys == rt.unexpected_keys
    assert repr(r) == repr(rt)


def test_hooks_order_and_effects():
    calls = []
    m = nn.Linear(2, 2)
    m.register_forward_pre_hook(lambda mod, args: calls.append("pre1"))
    m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    m.register_forward_hook(lambda mod, args, out: calls.append("fwd1"))
    h = m.register_forward_hook(lambda mod, args, out: out * 0)
    m.register_forward_hook(lambda mod, args, out: calls.append("first"), prepend=True)
    x = ember.ones(1, 2)
    assert m(x).abs().sum().item() == 0
    assert calls == ["pre1", "first", "fwd1"]
    h.remove()
    ref = ember.nn.functional.linear(x * 2, m.weight, m.bias)
    np.testing.assert_allclose(m(x).detach().numpy(), ref.detach().numpy())


def test_full_backward_hook_matches_torch():
    results = {}
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2)
        seen = []

        def hook(mod, gin, gout, seen=seen):
            seen.append((gin[0].detach().numpy().copy(), gout[0].detach().numpy().copy()))
            return (gin[0] * 2,)

        m.register_full_backward_hook(hook)
        x = lib.ones(4, 3, requires_grad=True)
        (m(x) ** 2).sum().backward()
        results[lib.__name__] = (seen, x.grad.numpy().copy())
    (ts, tg), (es, eg) = results["torch"], results["ember"]
    assert len(es) == len(ts) == 1
    np.testing.assert_allclose(es[0][0], ts[0][0], rtol=1e-5)
    np.testing.assert_allclose(es[0][1], ts[0][1], rtol=1e-5)
    np.testing.assert_allclose(eg, tg, rtol=1e-5)


def test_train_eval_zero_grad_requires_grad_apply():
    m = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    assert m.training and m[1].training
    m.eval()
    assert not m.training and not m[1].training
    m(ember.ones(1, 2)).sum().backward()
    assert m[0].weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert m[0].weight.grad.abs().sum().item() == 0
    m.zero_grad()
    assert m[0].weight.grad is None
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    names = []
    m.apply(lambda mod: names.append(type(mod).__name__))
    assert names == ["Linear", "Dropout", "Sequential"]


def test_to_dtype_keeps_identity_and_cuda_errors():
    m = nn.Linear(2, 3)
    w = m.weight
    m.double()
    assert m.weight is w and w.dtype == ember.float64
    m.to(ember.float32)
    assert w.dtype == ember.float32
    m.half().float()
    assert m(ember.ones(1, 2)).dtype == ember.float32
    with pytest.raises(AssertionError):
        m.cuda()
    with pytest.raises(AssertionError):
        m.to("cuda")


def test_containers():
    s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    ts = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    assert repr(s[-1]) == repr(ts[-1]) and len(s) == 3
    assert repr(s[1:]) == repr(ts[1:])
    s.append(nn.Tanh())
    s.insert(0, nn.Identity())
    s.extend([nn.Sigmoid()])
    assert [type(m).__name__ for m in s] == [
        "Identity",
        "Linear",
        "ReLU",
        "Linear",
        "Tanh",
        "Sigmoid",
    ]
    del s[0]
    assert list(s._modules) == [str(i) for i in range(5)]
    with pytest.raises(IndexError):
        s[10]
    od = nn.Sequential(OrderedDict([("a", nn.ReLU()), ("b", nn.Tanh())]))
    assert repr(od) == repr(
        torch.nn.Sequential(OrderedDict([("a", torch.nn.ReLU()), ("b", torch.nn.Tanh())]))
    )
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
    tml = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU()])
    assert repr(ml) == repr(tml)
    assert len(list(ml.parameters())) == 6
    md = nn.ModuleDict({"a": nn.ReLU(), "b": nn.Linear(1, 1)})
    tmd = torch.nn.ModuleDict({"a": torch.nn.ReLU(), "b": torch.nn.Linear(1, 1)})
    assert repr(md) == repr(tmd) and list(md.keys()) == ["a", "b"]
    pl = nn.ParameterList([nn.Parameter(ember.ones(2, 3)), ember.zeros(4)])
    tpl = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2, 3)), torch.zeros(4)])
    assert repr(pl) == repr(tpl).replace("torch.", "ember.")
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    pd = nn.ParameterDict({"w": nn.Parameter(ember.ones(2))})
    tpd = torch.nn.ParameterDict({"w": torch.nn.Parameter(torch.ones(2))})
    assert repr(pd) == repr(tpd).replace("torch.", "ember.")
    assert list(pd.state_dict()) == ["w"]


def test_layer_reprs_match_torch():
    cases = [
        lambda n: n.Conv2d(3, 8, 3, stride=2, padding=1, dilation=2, groups=1, bias=False),
        lambda n: n.Conv2d(4, 8, (3, 5), padding="same", padding_mode="reflect"),
        lambda n: n.ConvTranspose2d(4, 8, 3, stride=2, output_padding=1, groups=2),
        lambda n: n.MaxPool2d(3, 2, 1, ceil_mode=True),
        lambda n: n.MaxPool1d(2),
        lambda n: n.AvgPool2d(2),
        lambda n: n.AvgPool1d(3),
        lambda n: n.AdaptiveAvgPool2d((2, 3)),
        lambda n: n.AdaptiveMaxPool2d(1),
        lambda n: n.Upsample(scale_factor=2),
        lambda n: n.Upsample(size=(3, 4), mode="bilinear"),
        lambda n: n.Dropout(0.3),
        lambda n: n.Dropout2d(),
        lambda n: n.Embedding(10, 3, padding_idx=0),
        lambda n: n.LeakyReLU(0.2, inplace=True),
        lambda n: n.ReLU(inplace=True),
        lambda n: n.ReLU6(),
        lambda n: n.Hardtanh(),
        lambda n: n.ELU(),
        lambda n: n.GELU("tanh"),
        lambda n: n.Softmax(dim=1),
        lambda n: n.Softmax(),
        lambda n: n.PReLU(3),
        lambda n: n.Threshold(0.1, 2.0),
        lambda n: n.Softplus(),
        lambda n: n.Hardshrink(),
        lambda n: n.Unflatten(1, (2, 3)),
        lambda n: n.Bilinear(2, 3, 4),
        lambda n: n.ZeroPad2d(2),
        lambda n: n.ConstantPad2d(1, 0.5),
        lambda n: n.ReflectionPad1d((1, 2)),
        lambda n: n.BatchNorm1d(3, affine=False),
        lambda n: n.LayerNorm([2, 3]),
        lambda n: n.GroupNorm(2, 4),
        lambda n: n.Identity(),
    ]
    for make in cases:
        assert repr(make(nn)) == repr(make(torch.nn))
