"""Linear regression with autograd and SGD: recovers y = 3x - 2 from noisy samples.

Runs unchanged with PyTorch (python linear_regression.py) and with Ember (ember run ...).
"""

import torch
from torch import nn

torch.manual_seed(0)
x = torch.linspace(-1, 1, 200).unsqueeze(1)
y = 3 * x - 2 + 0.1 * torch.randn(x.shape)

model = nn.Linear(1, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.MSELoss()
for _ in range(200):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

w, b = model.weight.item(), model.bias.item()
print(f"weight {w:.2f}, bias {b:.2f}, loss {loss.item():.4f}")
