from helpers import check_op


def test_seed_losses_print():
    import ember
    from ember import nn  # noqa: F401

    x = ember.tensor([1, 2, 5], dtype=ember.float32)
    y = ember.tensor([1, 2, 3], dtype=ember.float32)
    assert repr((x - y).abs().mean()) == "tensor(0.6667)"
    assert repr(((x - y) ** 2).mean()) == "tensor(1.3333)"


def test_chain():
    check_op(lambda m, a, b: ((a @ b).tanh() * 2 - a.sum()).softmax(-1), [(3, 4), (4, 5)])
