"""A tiny CNN with BatchNorm and Dropout: train and eval modes, running stats, state_dict."""

import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(2, 4, 3, padding=1, bias=False),
    nn.BatchNorm2d(4),
    nn.ReLU(),
    nn.Dropout(p=0.5),
    nn.Flatten(),
    nn.Linear(4 * 5 * 5, 6, bias=False),  # a bias before BatchNorm only gets round-off noise
    nn.BatchNorm1d(6, momentum=0.2),
    nn.Dropout(0.25),
    nn.Linear(6, 2),
)
print(model)
x = torch.randn(8, 2, 5, 5)
target = torch.randint(0, 2, (8,))
print(model.training, model[1].training, model[1].running_mean, model[1].num_batches_tracked)
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
running_loss = 0.0
for step in range(4):
    out = model(x)
    loss = loss_fn(out, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    running_loss = running_loss + loss  # as the seed program: a tensor that keeps its graph
    running_loss = running_loss + loss.item() * x.size(0)
    print(step, loss, running_loss)
print(model[1].running_mean, model[1].running_var, model[1].num_batches_tracked, sep="\n")
print(model[6].running_mean, model[6].running_var)
model.eval()
print(model.training, model[3].training)
with torch.no_grad():
    a = model(x)
    b = model(x)
print(a, torch.equal(a, b))
model.train()
d = nn.Dropout(0.5)
print(d(torch.ones(2, 6)), d.eval()(torch.ones(2, 6)), d)
print(list(model.state_dict().keys()))
print({k: v.shape for k, v in model[6].state_dict().items()})
print(model[1].weight, model[1].bias.grad)
bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
print(bn, bn(torch.arange(12.0).view(4, 3)), bn.running_mean)
ln = nn.LayerNorm(3)
print(ln, ln(torch.arange(6.0).view(2, 3)))
d2 = nn.Dropout2d(0.5)
print(d2(torch.ones(1, 4, 2, 2)))
