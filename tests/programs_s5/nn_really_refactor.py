"""What is torch.nn really: F.cross_entropy, nn.Module, nn.Linear, optim, DataLoader."""

import math

import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
n, d, c = 192, 32, 5
centers = torch.randn(c, d)
y_train = torch.randint(0, c, (n,))
x_train = centers[y_train] + 2.0 * torch.randn(n, d)
x_valid, y_valid = x_train[:64] + 0.1 * torch.randn(64, d), y_train[:64]
loss_func = F.cross_entropy


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(d, c) / math.sqrt(d))
        self.bias = nn.Parameter(torch.zeros(c))

    def forward(self, xb):
        return xb @ self.weights + self.bias


model = Mnist_Logistic()
print(model, loss_func(model(x_train[:64]), y_train[:64]))
print([(k, p.shape) for k, p in model.named_parameters()])


class Mnist_Linear(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(d, c)

    def forward(self, xb):
        return self.lin(xb)


def get_model():
    model = Mnist_Linear()
    return model, optim.SGD(model.parameters(), lr=0.2)


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)
        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = sum(l * n for l, n in zip(losses, nums)) / sum(nums)
        print(epoch, round(val_loss, 5), nums)


train_ds = TensorDataset(x_train, y_train)
valid_ds = TensorDataset(x_valid, y_valid)
print(len(train_ds), train_ds[3][1], [t.shape for t in train_ds[0:5]])
train_dl = DataLoader(train_ds, batch_size=32, shuffle=True)
valid_dl = DataLoader(valid_ds, batch_size=48)
model, opt = get_model()
print(model, opt, sep="\n")
fit(3, model, loss_func, opt, train_dl, valid_dl)
print(model.lin.bias, next(iter(train_dl))[1])
print(opt.state_dict()["param_groups"], len(train_dl), len(valid_dl))
