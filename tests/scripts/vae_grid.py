"""Variational autoencoder on tiny synthetic images; saves a grid of samples with save_image."""

import os
import sys
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.utils import make_grid, save_image

torch.manual_seed(0)


class VAE(nn.Module):
    def __init__(self, d=64, h=32, z=4):
        super().__init__()
        self.fc1 = nn.Linear(d, h)
        self.mu = nn.Linear(h, z)
        self.logvar = nn.Linear(h, z)
        self.fc3 = nn.Linear(z, h)
        self.fc4 = nn.Linear(h, d)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.mu(h), self.logvar(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 64))
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar


def loss_function(recon, x, mu, logvar):
    bce = F.binary_cross_entropy(recon, x.view(-1, 64), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


data = (torch.rand(32, 1, 8, 8) > 0.6).float()
model = VAE()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
model.train()
for epoch in range(3):
    total = 0.0
    for i in range(0, 32, 8):
        x = data[i : i + 8]
        recon, mu, logvar = model(x)
        loss = loss_function(recon, x, mu, logvar)
        opt.zero_grad()
        loss.backward()
        total += loss.item()
        opt.step()
    print(f"epoch {epoch} loss {total / 32:.5f}")

model.eval()
with torch.no_grad():
    sample = model.decode(torch.randn(16, 4)).view(16, 1, 8, 8)
    grid = make_grid(sample, nrow=4, padding=1, normalize=True)
    print("grid", tuple(grid.shape), f"{grid.sum().item():.4f}")
    path = os.path.join(tempfile.mkdtemp(), "samples.png")
    save_image(sample, path, nrow=4)
    from PIL import Image

    pixels = list(Image.open(path).getdata())
    print("png", Image.open(path).size, sum(p[0] for p in pixels))
print("done", file=sys.stderr)
