"""An MLP on handwritten digits (8x8), with Adam and a step learning-rate schedule.

The data are passed in as a .npz file so the script runs unchanged with PyTorch and with Ember:
    python mlp_digits.py digits.npz        (torch)
    ember run mlp_digits.py digits.npz     (ember)
With no argument it uses Ember's bundled copy when run on Ember.
"""

import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

if len(sys.argv) > 1:
    path = sys.argv[1]
else:
    from ember.vision.datasets.digits import DATA_FILE as path
with np.load(path) as f:
    images, labels = f["images"].astype(np.float32) / 16.0, f["labels"]

x = torch.tensor(images.reshape(len(images), 64))
y = torch.tensor(labels, dtype=torch.int64)
n_train = 1437
train = DataLoader(TensorDataset(x[:n_train], y[:n_train]), batch_size=32, shuffle=True)

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.5)
loss_fn = nn.CrossEntropyLoss()

for _ in range(10):
    total, seen = 0.0, 0
    for xb, yb in train:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * xb.size(0)
        seen += xb.size(0)
    scheduler.step()

with torch.no_grad():
    accuracy = (model(x[n_train:]).argmax(1) == y[n_train:]).float().mean().item()
print(f"train loss {total / seen:.4f}, test accuracy {accuracy:.3f}")
