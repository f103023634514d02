"""The seed note's CNN on handwritten digits, with SGD + momentum and a cosine learning-rate
schedule. Runs unchanged with PyTorch and with Ember:
    python seed_cnn_scheduler.py digits.npz        (torch)
    ember run seed_cnn_scheduler.py digits.npz     (ember)
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
    images, labels = f["images"][:512].astype(np.float32) / 8.0 - 1.0, f["labels"][:512]

# 8x8 grey digits -> 32x32 "RGB" images, so the seed's model applies unchanged.
x = torch.tensor(images).reshape(-1, 1, 8, 8)
x = x.repeat_interleave(4, dim=2).repeat_interleave(4, dim=3).expand(-1, 3, -1, -1)
y = torch.tensor(labels, dtype=torch.int64)


class toy_model(nn.Module):  # noqa: N801 - the seed note's name
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(3, 32, 5, padding=2),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 5, padding=2),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(1024, 64),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.model(x)


torch.manual_seed(0)
model = toy_model()
loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
epochs = 3
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

for epoch in range(epochs):
    total = 0.0
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * xb.size(0)
    scheduler.step()
    print(f"epoch {epoch + 1}: loss {total / len(x):.3f}, lr {scheduler.get_last_lr()[0]:.5f}")
