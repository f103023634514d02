"""RNN, LSTM, GRU and their cells against torch (weights copied through state dicts): outputs,
final states and gradients across options; packing utilities and packed-sequence round trips."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.nn.modules import rnn as R
from ember.nn.utils import rnn as U

CLASSES = {
    "RNN": (torch.nn.RNN, R.RNN),
    "LSTM": (torch.nn.LSTM, R.LSTM),
    "GRU": (torch.nn.GRU, R.GRU),
}


def _pair(name, dtype=np.float32, **kw):
    tcls, ecls = CLASSES[name]
    torch.manual_seed(0)
    tm, em = tcls(**kw), ecls(**kw)
    if dtype == np.float64:
        tm, em = tm.double(), em.double()
    assert list(tm.state_dict()) == list(em.state_dict())
    for (k, v), (_, p) in zip(tm.state_dict().items(), em.state_dict().items()):
        assert tuple(v.shape) == tuple(p.shape), k
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    return tm, em


def _t(a, grad=True):
    return torch.tensor(a, requires_grad=grad), ember.tensor(a.copy(), requires_grad=grad)


def _close(e, t, dtype, msg=""):
    tol = 2e-5 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(
        e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol, err_msg=msg
    )
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]


def _flat(x):
    return list(x) if isinstance(x, tuple) else [x]


def _check(tm, em, t_in, e_in, t_hx=None, e_hx=None, leaves=(), dtype=np.float32):
    to, th = tm(t_in, t_hx)
    eo, eh = em(e_in, e_hx)
    if isinstance(to, torch.nn.utils.rnn.PackedSequence):
        assert isinstance(eo, U.PackedSequence)
        assert eo.batch_sizes.tolist() == to.batch_sizes.tolist()
        to, eo = to.data, eo.data
    _close(eo, to, dtype, "output")
    for a, b in zip(_flat(eh), _flat(th)):
        _close(a, b, dtype, "final state")
    rng = np.random.default_rng(1)
    tl, el = 0, 0
    for a, b in zip([eo] + _flat(eh), [to] + _flat(th)):
        w = rng.standard_normal(tuple(b.shape)).astype(dtype)
        tl = tl + (b * torch.tensor(w)).sum()
        el = el + (a * ember.tensor(w)).sum()
    tl.backward()
    el.backward()
    for (n, p), q in zip(tm.named_parameters(), em.parameters()):
        _close(q.grad, p.grad, dtype, f"grad of {n}")
    for t_leaf, e_leaf in leaves:
        _close(e_leaf.grad, t_leaf.grad, dtype, "input grad")


CONFIGS = [
    dict(),
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(bias=False, num_layers=2),
]


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("cfg", range(len(CONFIGS)))
def test_layers_match_torch(name, cfg):
    kw = dict(input_size=4, hidden_size=5, **CONFIGS[cfg])
    tm, em = _pair(name, **kw)
    shape = (3, 6, 4) if kw.get("batch_first") else (6, 3, 4)
    x = np.random.default_rng(cfg).standard_normal(shape).astype(np.float32)
    tx, ex = _t(x)
    _check(tm, em, tx, ex, leaves=[(tx, ex)])


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_float64_initial_states_unbatched(name):
    kw = dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    if name == "RNN":
        kw["nonlinearity"] = "relu"
    tm, em = _pair(name, np.float64, **kw)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 2, 3))
    hshape = (4, 2, 4)
    tx, ex = _t(x)
    th, eh = _t(rng.standard_normal(hshape))
    leaves = [(tx, ex), (th, eh)]
    if name == "LSTM":
        tc, ec = _t(rng.standard_normal(hshape))
        leaves.append((tc, ec))
        _check(tm, em, tx, ex, (th, tc), (eh, ec), leaves, np.float64)
    else:
        _check(tm, em, tx, ex, th, eh, leaves, np.float64)
    # unbatched input (L, H_in) with a 2-D state
    tm.zero_grad()
    em.zero_grad()
    tx, ex = _t(x[:, 0])
    th, eh = _t(rng.standard_normal((4, 4)))
    if name == "LSTM":
        tc, ec = _t(rng.standard_normal((4, 4)))
        _check(tm, em, tx, ex, (th, tc), (eh, ec), [(tx, ex), (th, eh)], np.float64)
    else:
        _check(tm, em, tx, ex, th, eh, [(tx, ex), (th, eh)], np.float64)


def test_lstm_projection():
    tm, em = _pair(
        "LSTM", input_size=4, hidden_size=6, proj_size=3, num_layers=2, bidirectional=True
    )
    assert tuple(em.weight_hr_l1_reverse.shape) == (3, 6)
    assert tuple(em.weight_hh_l0.shape) == (24, 3)
    x = np.random.default_rng(4).standard_normal((5, 2, 4)).astype(np.float32)
    tx, ex = _t(x)
    _check(tm, em, tx, ex, leaves=[(tx, ex)])


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("sorted_", [True, False])
def test_packed_input(name, sorted_):
    tm, em = _pair(name, input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    lengths = [5, 3, 3, 1] if sorted_ else [3, 5, 1, 3]
    x = np.random.default_rng(5).standard_normal((5, 4, 3)).astype(np.float32)
    tx, ex = _t(x)
    tp = torch.nn.utils.rnn.pack_padded_sequence(tx, lengths, enforce_sorted=sorted_)
    ep = U.pack_padded_sequence(ex, lengths, enforce_sorted=sorted_)
    np.testing.assert_array_equal(ep.data.detach().numpy(), tp.data.detach().numpy())
    if not sorted_:
        assert ep.sorted_indices.tolist() == tp.sorted_indices.tolist()
        assert ep.unsorted_indices.tolist() == tp.unsorted_indices.tolist()
    rng = np.random.default_rng(6)
    if name == "LSTM":
        th, eh = _t(rng.standard_normal((4, 4, 4)).astype(np.float32))
        tc, ec = _t(rng.standard_normal((4, 4, 4)).astype(np.float32))
        _check(tm, em, tp, ep, (th, tc), (eh, ec), [(tx, ex), (th, eh), (tc, ec)])
    else:
        th, eh = _t(rng.standard_normal((4, 4, 4)).astype(np.float32))
        _check(tm, em, tp, ep, th, eh, [(tx, ex), (th, eh)])


def test_packing_round_trips():
    rng = np.random.default_rng(7)
    seqs = [rng.standard_normal((n, 2)).astype(np.float32) for n in (2, 4, 1, 4)]
    ts = [torch.tensor(s) for s in seqs]
    es = [ember.tensor(s) for s in seqs]
    for bf in (False, True):
        for side in ("right", "left"):
            tp = torch.nn.utils.rnn.pad_sequence(
                ts, batch_first=bf, padding_value=-1.0, padding_side=side
            )
            ep = U.pad_sequence(es, batch_first=bf, padding_value=-1.0, padding_side=side)
            np.testing.assert_array_equal(ep.numpy(), tp.numpy())
    tk = torch.nn.utils.rnn.pack_sequence(ts, enforce_sorted=False)
    ek = U.pack_sequence(es, enforce_sorted=False)
    np.testing.assert_array_equal(ek.data.numpy(), tk.data.numpy())
    assert ek.batch_sizes.tolist() == tk.batch_sizes.tolist()
    assert ek.batch_sizes.dtype == ember.int64
    for bf in (False, True):
        tpad, tlen = torch.nn.utils.rnn.pad_packed_sequence(
            tk, batch_first=bf, total_length=6, padding_value=9.0
        )
        epad, elen = U.pad_packed_sequence(ek, batch_first=bf, total_length=6, padding_value=9.0)
        np.testing.assert_array_equal(epad.numpy(), tpad.numpy())
        assert elen.tolist() == tlen.tolist()
    back = U.unpack_sequence(ek)
    for a, b in zip(back, seqs):
        np.testing.assert_array_equal(a.numpy(), b)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        U.pack_sequence(es)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        torch.nn.utils.rnn.pack_sequence(ts)
    # gradients flow back through pack/pad
    x = ember.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    padded, _ = U.pad_packed_sequence(U.pack_padded_sequence(x, [3, 1]))
    padded.sum().backward()
    assert x.grad[:, 0].tolist() == [[1, 1]] * 3 and x.grad[1:, 1].sum().item() == 0


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells(cell, batched):
    torch.manual_seed(1)
    kw = dict(input_size=3, hidden_size=4)
    tm = getattr(torch.nn, cell)(**kw)
    em = getattr(R, cell)(**kw)
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    rng = np.random.default_rng(8)
    shape = (2,) if batched else ()
    tx, ex = _t(rng.standard_normal(shape + (3,)).astype(np.float32))
    th, eh = _t(rng.standard_normal(shape + (4,)).astype(np.float32))
    if cell == "LSTMCell":
        tc, ec = _t(rng.standard_normal(shape + (4,)).astype(np.float32))
        to, eo = tm(tx, (th, tc)), em(ex, (eh, ec))
        loss_t, loss_e = to[0].sum() + 2 * to[1].sum(), eo[0].sum() + 2 * eo[1].sum()
        for a, b in zip(eo, to):
            _close(a, b, np.float32)
    else:
        to, eo = tm(tx, th), em(ex, eh)
        _close(eo, to, np.float32)
        loss_t, loss_e = (to * to).sum(), (eo * eo).sum()
    loss_t.backward()
    loss_e.backward()
    for p, q in zip(tm.parameters(), em.parameters()):
        _close(q.grad, p.grad, np.float32)
    _close(ex.grad, tx.grad, np.float32)
    _close(eh.grad, th.grad, np.float32)
    assert repr(em) == repr(tm)
    out = em(ex)  # default zero state
    assert (out[0] if isinstance(out, tuple) else out).shape == ((2, 4) if batched else (4,))


def test_init_names_repr_and_errors():
    torch.manual_seed(3)
    ember.manual_seed(3)
    tm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True)
    em = R.LSTM(4, 5, num_layers=2, bidirectional=True)
    for (n, p), (n2, q) in zip(tm.named_parameters(), em.named_parameters()):
        assert n == n2
        np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
    for kw in [
        dict(num_layers=2, batch_first=True, dropout=0.5, bidirectional=True),
        dict(bias=False, proj_size=2),
    ]:
        assert repr(R.LSTM(4, 5, **kw)) == repr(torch.nn.LSTM(4, 5, **kw))
    assert repr(R.RNN(4, 5, nonlinearity="relu")) == repr(torch.nn.RNN(4, 5, nonlinearity="relu"))
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        em(ember.zeros(2, 3, 7))
    with pytest.raises(RuntimeError, match="Expected hidden\\[0\\] size"):
        em(ember.zeros(2, 3, 4), (ember.zeros(1, 3, 5), ember.zeros(4, 3, 5)))
    with pytest.raises(ValueError, match="only supported for LSTM"):
        R.GRU(4, 5, proj_size=2)
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        R.RNN(4, 5, nonlinearity="gelu")


def test_dropout_between_layers():
    # Ember's generator draws dropout masks as torch's does: same seed, same outputs and grads.
    for name in ("GRU", "LSTM"):
        tm, em = _pair(name, input_size=3, hidden_size=4, num_layers=3, dropout=0.5)
        x = np.random.default_rng(9).standard_normal((5, 2, 3)).astype(np.float32)
        tx, ex = _t(x)
        torch.manual_seed(7)
        ember.manual_seed(7)
        _check(tm, em, tx, ex, leaves=[(tx, ex)])
    em = R.GRU(3, 4, num_layers=2, dropout=0.5)
    x = ember.randn(5, 2, 3)
    em.eval()
    a, b = em(x)[0], em(x)[0]
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    em.train()
    ember.manual_seed(0)
    c = em(x)[0]
    ember.manual_seed(0)
    d = em(x)[0]
    np.testing.assert_array_equal(c.detach().numpy(), d.detach().numpy())
    assert not np.allclose(c.detach().numpy(), a.detach().numpy())
    one = R.GRU(3, 4, num_layers=1)
    one.train()
    np.testing.assert_array_equal(one(x)[0].detach().numpy(), one.eval()(x)[0].detach().numpy())


def _names(node):
    return [None if n is None else n.name() for n, _ in node.next_functions]


@pytest.mark.parametrize(
    "cfg",
    [{}, {"bidirectional": True}, {"num_layers": 2}, {"batch_first": True}, {"bias": False}],
)
def test_lstm_layer_node_as_torch(cfg):
    """float32 LSTM layers are one MkldnnRnnLayerBackward0 node each, wired as torch's."""
    tm, em = _pair("LSTM", input_size=4, hidden_size=3, **cfg)
    rng = np.random.default_rng(0)
    shape = (2, 5, 4) if cfg.get("batch_first") else (5, 2, 4)
    tx, ex = _t(rng.standard_normal(shape).astype(np.float32))
    layers = tm.num_layers * (2 if tm.bidirectional else 1)
    th, eh = _t(rng.standard_normal((layers, 2, 3)).astype(np.float32))
    tc, ec = _t(rng.standard_normal((layers, 2, 3)).astype(np.float32), grad=False)
    to, (th_n, tc_n) = tm(tx, (th, tc))
    eo, (eh_n, ec_n) = em(ex, (eh, ec))
    for e, t in ((eo, to), (eh_n, th_n), (ec_n, tc_n)):
        assert e.grad_fn.name() == t.grad_fn.name()
        assert _names(e.grad_fn) == _names(t.grad_fn)
    node = eo.grad_fn
    while node.name() != "MkldnnRnnLayerBackward0":
        node = node.next_functions[0][0]
    tnode = to.grad_fn
    while tnode.name() != "MkldnnRnnLayerBackward0":
        tnode = tnode.next_functions[0][0]
    assert _names(node) == _names(tnode)
    # gradients of all three outputs, then of a gradient (create_graph) against torch
    tl = (to * to).sum() + 2 * th_n.sum() + (tc_n * tc_n).sum()
    el = (eo * eo).sum() + 2 * eh_n.sum() + (ec_n * ec_n).sum()
    (tg,) = torch.autograd.grad(tl, tx, create_graph=True)
    (eg,) = ember.autograd.grad(el, ex, create_graph=True)
    _close(eg, tg, np.float32, "input gradient")
    (tg * tg).sum().backward()
    (eg * eg).sum().backward()
    _close(eh.grad, th.grad, np.float32, "second order, h0")
    for (name, p), q in zip(em.named_parameters(), tm.parameters()):
        np.testing.assert_allclose(
            p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=name
        )


def test_lstm_fused_plain_backward_and_no_grad():
    """A plain backward (the hand-written backward through time) and a no-grad float64 run."""
    tm, em = _pair("LSTM", input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    x = np.random.default_rng(2).standard_normal((6, 3, 3)).astype(np.float32)
    tx, ex = _t(x)
    to, (th, tc) = tm(tx)
    eo, (eh, ec) = em(ex)
    (to.sum() + th.sum() * 3 - tc.sum()).backward()
    (eo.sum() + eh.sum() * 3 - ec.sum()).backward()
    _close(ex.grad, tx.grad, np.float32, "input gradient")
    for (name, p), q in zip(em.named_parameters(), tm.parameters()):
        np.testing.assert_allclose(
            p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=name
        )
    tm64, em64 = tm.double(), em.double()
    with torch.no_grad(), ember.no_grad():
        to, _ = tm64(torch.tensor(x, dtype=torch.float64))
        eo, _ = em64(ember.tensor(x, dtype=ember.float64))
    _close(eo, to, np.float64, "float64 output")
    x64 = ember.tensor(x, dtype=ember.float64, requires_grad=True)
    assert em64(x64)[0].grad_fn.name() == tm64(torch.tensor(x).double())[0].grad_fn.name()
