"""Optimizers with learning-rate schedulers: StepLR, CosineAnnealingLR, OneCycleLR,
ReduceLROnPlateau, and a param group with its own lr."""

import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
x, y = torch.randn(64, 4), torch.randn(64, 1)
loss_fn = nn.SmoothL1Loss()


def train(opt, sched, steps=12, plateau=False):
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step(loss.item()) if plateau else sched.step()
    return loss.item()


opt = torch.optim.SGD(
    [{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": 0.01}],
    lr=0.1,
    momentum=0.9,
)
loss = train(opt, torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5))
print(f"StepLR loss {loss:.6f} lrs {[g['lr'] for g in opt.param_groups]}")
opt = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.99))
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=1e-4)
loss = train(opt, sched)
print(f"Cosine loss {loss:.6f} lr {sched.get_last_lr()[0]:.6f}")
opt = torch.optim.AdamW(model.parameters(), lr=0.01)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=12)
loss = train(opt, sched)
print(f"OneCycle loss {loss:.6f} lr {opt.param_groups[0]['lr']:.6f}")
opt = torch.optim.RMSprop(model.parameters(), lr=0.01)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
loss = train(opt, sched, plateau=True)
print(f"Plateau loss {loss:.6f} lr {opt.param_groups[0]['lr']:.6f}")
state = opt.state_dict()
print("state keys", sorted(state["state"][0].keys()), len(state["param_groups"]))
