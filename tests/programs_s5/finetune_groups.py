"""Fine-tuning: frozen layers, parameter groups, add_param_group, schedulers and their state."""

import torch
from torch import nn, optim

torch.manual_seed(0)
backbone = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU())
head = nn.Linear(8, 3)
model = nn.Sequential(backbone, head)
for param in backbone[0].parameters():
    param.requires_grad = False
print([n for n, p in model.named_parameters() if p.requires_grad])
optimizer = optim.SGD(
    [{"params": backbone[2].parameters()}, {"params": head.parameters(), "lr": 0.1}],
    lr=0.01,
    momentum=0.9,
)
print(optimizer)
sched = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[2, 4], gamma=0.1)
plateau_opt = optim.Adam(head.parameters(), lr=0.01)
plateau = optim.lr_scheduler.ReduceLROnPlateau(plateau_opt, mode="min", factor=0.5, patience=1)
x, y = torch.randn(32, 6), torch.randint(0, 3, (32,))
crit = nn.CrossEntropyLoss(label_smoothing=0.1)
w0 = backbone[0].weight.clone()
for epoch in range(6):
    loss = crit(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    sched.step()
    plateau.step(1.0)
    print(epoch, loss, [g["lr"] for g in optimizer.param_groups], plateau_opt.param_groups[0]["lr"])
print(torch.equal(w0, backbone[0].weight), backbone[0].weight.grad, head.bias)
print(sched.state_dict(), sched.get_last_lr())
for param in backbone[0].parameters():
    param.requires_grad = True
optimizer.add_param_group({"params": backbone[0].parameters(), "lr": 1e-3})
print(
    len(optimizer.param_groups),
    optimizer.param_groups[2]["momentum"],
    optimizer.param_groups[2]["lr"],
)
loss = crit(model(x), y)
optimizer.zero_grad()
loss.backward()
optimizer.step()
print(loss, backbone[0].bias)
ad = optim.AdamW(model.parameters(), lr=1e-3, betas=(0.8, 0.99), weight_decay=0.05)
warm = optim.lr_scheduler.LambdaLR(ad, lr_lambda=lambda e: min(1.0, (e + 1) / 3))
lrs = []
for _ in range(4):
    crit(model(x), y).backward()
    ad.step()
    ad.zero_grad(set_to_none=False)
    warm.step()
    lrs.append(round(warm.get_last_lr()[0], 7))
print(lrs, ad.state[head.bias]["exp_avg"], head.bias.grad)
print(ad.state_dict()["param_groups"][0]["betas"], ad)
