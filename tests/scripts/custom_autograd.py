"""Custom autograd.Function: a clamp with a straight-through gradient and a Legendre
polynomial with a hand-written derivative, checked with gradcheck."""

import torch


class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x**2 - 1)


class StraightThroughClamp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.lo = lo
        return x.clamp(lo, hi)

    @staticmethod
    def backward(ctx, g):
        return g, None, None


torch.manual_seed(0)
x = torch.linspace(-1, 1, 50)
y = torch.sin(3.0 * x)
a, b, c, d = (torch.randn((), requires_grad=True) for _ in range(4))
opt = torch.optim.SGD([a, b, c, d], lr=0.02)
for t in range(60):
    pred = a + b * LegendreP3.apply(c + d * x)
    loss = (pred - y).pow(2).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if t % 20 == 0:
        print(t, f"{loss.item():.5f}")
print("params", [round(p.item(), 4) for p in (a, b, c, d)])
xd = torch.randn(5, dtype=torch.double, requires_grad=True)
print("gradcheck", torch.autograd.gradcheck(LegendreP3.apply, (xd,)))
z = torch.randn(6, requires_grad=True)
StraightThroughClamp.apply(z * 2, -0.5, 0.5).sum().backward()
print("ste grad", z.grad.tolist(), LegendreP3.apply(z).grad_fn.__class__.__name__)
