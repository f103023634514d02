"""Autograd beyond the basics: hooks, retain_grad, functional jacobian/hessian, common errors."""

import torch
from torch.autograd.functional import hessian, jacobian, vjp

torch.manual_seed(0)
x = torch.randn(3, requires_grad=True)
y = x * 2
y.retain_grad()
seen = []
h = y.register_hook(lambda g: seen.append(g.clone()) or g * 10)
z = (y**2).sum()
z.backward()
print(y.grad, x.grad, seen, y.is_leaf, y.requires_grad)
h.remove()
x.grad = None
(x * 2).pow(2).sum().backward()
print(x.grad)


def f(v):
    return torch.stack([v[0] * v[1], v[1].sin(), v.pow(3).sum()])


inp = torch.tensor([1.0, 2.0, 0.5])
print(jacobian(f, inp))
print(hessian(lambda v: (v**3).sum() + v[0] * v[2], inp))
print(vjp(f, inp, torch.ones(3)))
a = torch.ones(2, requires_grad=True)
try:
    a.add_(1)
except RuntimeError as e:
    print(e)
b = a.sigmoid()
c = b * 3
b.add_(1)
try:
    c.sum().backward()
except RuntimeError as e:
    print(str(e)[:220])
w = torch.ones(2, requires_grad=True)
out = (w * 3).sum()
out.backward(retain_graph=True)
out.backward()
print(w.grad)
try:
    out2 = (w * w).sum()
    out2.backward()
    out2.backward()
except RuntimeError as e:
    print(str(e)[:80])
try:
    torch.ones(2, requires_grad=True).mul(2).backward()
except RuntimeError as e:
    print(e)
try:
    torch.tensor([1, 2], requires_grad=True)
except RuntimeError as e:
    print(e)
with torch.inference_mode():
    t = torch.ones(2) * 2
print(t.requires_grad, t.is_inference(), torch.is_inference_mode_enabled())
p = torch.tensor([1.0, 2.0], requires_grad=True)
g1, g2 = torch.autograd.grad([(p**2).sum(), (p * 3).sum()], [p, p])
print(g1, g2, torch.autograd.grad((p**3).sum(), p, torch.tensor(2.0))[0])
q = p.detach().requires_grad_()
q.register_hook(lambda g: print("hook", g))
(q * q).sum().backward()
print(q.grad, p.grad, q.grad_fn, (p + 0).detach_().requires_grad)
with torch.set_grad_enabled(False):
    print((p * 2).requires_grad)
m = torch.nn.Linear(2, 1)
m.register_full_backward_hook(lambda mod, gi, go: print("bwd", type(mod).__name__, go[0].shape))
m(torch.ones(4, 2)).sum().backward()
print(m.weight.grad, m.bias.grad)
