"""Spatial transformer network: a localization net predicts an affine map applied by
affine_grid / grid_sample; it learns to undo a known shift."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class STN(nn.Module):
    def __init__(self):
        super().__init__()
        self.loc = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=3), nn.MaxPool2d(2), nn.ReLU(True), nn.Flatten()
        )
        self.fc = nn.Sequential(nn.Linear(4 * 5 * 5, 16), nn.ReLU(True), nn.Linear(16, 6))
        self.fc[2].weight.data.zero_()
        self.fc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))

    def forward(self, x):
        theta = self.fc(self.loc(x)).view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False, padding_mode="border"), theta


images = torch.rand(8, 1, 12, 12)
shift = torch.tensor([[1.0, 0.0, 0.25], [0.0, 1.0, -0.2]]).expand(8, 2, 3)
target = F.grid_sample(
    images,
    F.affine_grid(shift, images.shape, align_corners=False),
    align_corners=False,
    padding_mode="border",
)
model = STN()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
for step in range(20):
    out, theta = model(images)
    loss = F.mse_loss(out, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 5 == 0:
        print(f"step {step} loss {loss.item():.6f}")
print("theta mean", [round(v, 4) for v in theta.mean(0).flatten().tolist()])
near = F.grid_sample(
    images,
    F.affine_grid(shift, images.shape, align_corners=True),
    mode="nearest",
    padding_mode="reflection",
    align_corners=True,
)
print(f"nearest/reflection checksum {near.sum().item():.4f}")
