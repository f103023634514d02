"""Custom autograd Functions from the tutorials: MyReLU, Exp, LegendrePolynomial3."""

import math

import torch

torch.manual_seed(0)


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


x = torch.randn(6, requires_grad=True)
y = MyReLU.apply(x)
print(x, y, type(y.grad_fn).__name__, y.grad_fn.name(), sep="\n")
y.sum().backward()
print(x.grad)
z = Exp.apply(torch.tensor([0.0, 1.0, 2.0], requires_grad=True))
print(z, type(z.grad_fn).__name__, z.requires_grad, z.is_leaf)
z.backward(torch.tensor([1.0, 0.5, 0.25]))
try:
    print(z.grad_fn.saved_tensors)
except RuntimeError as e:
    print(e, z.grad_fn.next_functions[0][0].variable.grad)
x = torch.linspace(-math.pi, 2.0, 2000)  # asymmetric: c's gradient is not noise
y = torch.sin(x)
a, b, c, d = (torch.full((), v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
learning_rate = 5e-6
for t in range(300):
    y_pred = a + b * LegendrePolynomial3.apply(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss)
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None
print(f"Result: y = {a.item():.4f} + {b.item():.4f} * P3({c.item():.4f} + {d.item():.4f} x)")
with torch.no_grad():
    print(MyReLU.apply(torch.tensor([-1.0, 2.0], requires_grad=True)).requires_grad, math.pi)
xd = torch.randn(4, dtype=torch.double, requires_grad=True)
print(torch.autograd.gradcheck(MyReLU.apply, (xd,)), torch.autograd.gradcheck(Exp.apply, (xd,)))
