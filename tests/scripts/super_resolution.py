"""Sub-pixel super-resolution (ESPCN-style): conv layers ending in PixelShuffle(2)."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.init as init

torch.manual_seed(0)


class SuperResolution(nn.Module):
    def __init__(self, upscale=2):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5, padding=2)
        self.conv2 = nn.Conv2d(16, 8, 3, padding=1)
        self.conv3 = nn.Conv2d(8, upscale**2, 3, padding=1)
        self.shuffle = nn.PixelShuffle(upscale)
        for conv in (self.conv1, self.conv2):
            init.kaiming_normal_(conv.weight, nonlinearity="relu")
        init.xavier_uniform_(self.conv3.weight)

    def forward(self, x):
        x = torch.tanh(self.conv1(x))
        x = torch.tanh(self.conv2(x))
        return self.shuffle(self.conv3(x))


hr = F.avg_pool2d(torch.rand(6, 1, 16, 16), 3, stride=1, padding=1)
lr = F.interpolate(hr, scale_factor=0.5, mode="bicubic", align_corners=False)
model = SuperResolution()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for step in range(20):
    sr = model(lr)
    loss = F.mse_loss(sr, hr)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 5 == 0:
        print(f"step {step} loss {loss.item():.6f} psnr {10 * math.log10(1 / loss.item()):.4f}")
up = F.interpolate(lr, scale_factor=2, mode="bicubic", align_corners=False)
print(f"bicubic baseline mse {F.mse_loss(up, hr).item():.6f}")
print("unshuffle", tuple(nn.PixelUnshuffle(2)(hr).shape), f"{sr.mean().item():.6f}")
