"""'What is torch.nn really?' CNN part: Conv2d, view, Lambda in nn.Sequential, WrappedDataLoader."""

import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
n = 96
y_train = torch.randint(0, 4, (n,))
x_train = torch.rand(n, 64) * 0.5
for k in range(4):
    x_train[y_train == k, k * 16 : k * 16 + 16] += 0.7


class Mnist_CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(8, 4, kernel_size=3, stride=2, padding=1)

    def forward(self, xb):
        xb = xb.view(-1, 1, 8, 8)
        xb = F.relu(self.conv1(xb))
        xb = F.relu(self.conv2(xb))
        return F.avg_pool2d(xb, 2).view(-1, xb.size(1))


class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x, y):
    return x.view(-1, 1, 8, 8), y


class WrappedDataLoader:
    def __init__(self, dl, func):
        self.dl = dl
        self.func = func

    def __iter__(self):
        for b in self.dl:
            yield (self.func(*b))


model = Mnist_CNN()
print(model, model(x_train[:2]))
seq = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(8, 4, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
print(seq)
train_dl = DataLoader(TensorDataset(x_train, y_train), batch_size=16, shuffle=True)
dl = WrappedDataLoader(train_dl, preprocess)
opt = optim.SGD(seq.parameters(), lr=0.3, momentum=0.9)
for epoch in range(3):
    seq.train()
    total = 0.0
    for xb, yb in dl:
        loss = F.cross_entropy(seq(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        total += loss.item()
    print(epoch, f"{total / len(dl.dl):.4f}", loss)
seq.eval()
with torch.no_grad():
    out = seq(x_train[:4].view(-1, 1, 8, 8))
print(out, out.shape, y_train[:4], seq[0].weight.grad, seq[4](torch.ones(1, 2, 3, 3)))
