"""A custom autograd.Function (a clamp whose gradient passes straight through), checked by hand.

Runs unchanged with PyTorch (python custom_function.py) and with Ember (ember run ...).
"""

import torch


class StraightThroughClamp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        return x.clamp(low, high)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * torch.ones_like(x), None, None


x = torch.tensor([-2.0, -0.5, 0.5, 2.0], requires_grad=True)
y = StraightThroughClamp.apply(x, -1.0, 1.0)
(y * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
print(y)
print(x.grad)
