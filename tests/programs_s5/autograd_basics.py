"""Autograd tutorial: requires_grad, grad_fn, backward, no_grad, detach, Jacobian products."""

import torch

torch.manual_seed(0)
x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(f"Gradient function for z = {type(z.grad_fn).__name__}")
print(f"Gradient function for loss = {type(loss.grad_fn).__name__}")
print(z, loss, sep="\n")
loss.backward()
print(w.grad)
print(b.grad)
z = torch.matmul(x, w) + b
print(z.requires_grad)
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad, z)
z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det.requires_grad, z_det.is_leaf, z.is_leaf, w.is_leaf)
inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")
a = torch.tensor([2.0, 3.0], requires_grad=True)
bb = torch.tensor([6.0, 4.0], requires_grad=True)
Q = 3 * a**3 - bb**2
external_grad = torch.tensor([1.0, 1.0])
Q.backward(gradient=external_grad)
print(9 * a**2 == a.grad, -2 * bb == bb.grad)
print(Q, Q.grad_fn.name(), [type(f).__name__ for f, _ in Q.grad_fn.next_functions])
v = torch.randn(3, requires_grad=True)
y = v * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)
y.backward(torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float))
print(v.grad)
print(x.requires_grad, (x + w.sum()).requires_grad)
with torch.no_grad():
    print((w * 2).requires_grad, torch.is_grad_enabled())
print(w.detach().requires_grad, w.requires_grad_(False).requires_grad, torch.is_grad_enabled())
s = torch.tensor(3.0, requires_grad=True)
r = s.exp() * s
print(r, r.grad_fn.name(), r.grad_fn.next_functions[0][0].name(), sep="|")
(g,) = torch.autograd.grad(r, s, create_graph=True)
print(g, g.grad_fn is not None)
g.backward()
print(s.grad)
