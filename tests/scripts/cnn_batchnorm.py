"""CNN with BatchNorm2d, Dropout2d and AdaptiveAvgPool2d; train/eval modes and accuracy."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Dropout2d(0.2),
            nn.Conv2d(8, 16, 3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d((1, 1)),
        )
        self.classifier = nn.Linear(16, 3)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


# class k: images brighter in channel k
x = torch.rand(48, 3, 8, 8)
y = torch.randint(0, 3, (48,))
x[torch.arange(48), y] += 0.5
net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
for epoch in range(4):
    net.train()
    perm = torch.randperm(48)
    for i in range(0, 48, 12):
        idx = perm[i : i + 12]
        loss = F.cross_entropy(net(x[idx]), y[idx], label_smoothing=0.05)
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()
    with torch.no_grad():
        acc = (net(x).argmax(1) == y).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.5f} acc {acc:.4f}")
bn = net.features[1]
print("running_mean", [round(v, 4) for v in bn.running_mean[:4].tolist()])
print("batches tracked", bn.num_batches_tracked.item())
