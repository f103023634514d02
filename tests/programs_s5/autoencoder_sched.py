"""A tiny autoencoder with MSELoss and Adam, lr_scheduler steps and gradient clipping."""

import torch
from torch import nn

torch.manual_seed(0)
basis = torch.randn(3, 12)
data = torch.randn(64, 3) @ basis


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(12, 6), nn.Tanh(), nn.Linear(6, 3))
        self.decoder = nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 12))

    def forward(self, x):
        return self.decoder(self.encoder(x))


model = AutoEncoder()
print(model)
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
for epoch in range(8):
    for i in range(0, 64, 16):
        batch = data[i : i + 16]
        loss = criterion(model(batch), batch)
        optimizer.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0)
        optimizer.step()
    scheduler.step()
    print(f"epoch {epoch} loss {loss.item():.4f} norm {norm:.4f} lr {scheduler.get_last_lr()}")
print(loss, norm)
with torch.no_grad():
    code = model.encoder(data[:2])
    print(code, criterion(model(data), data))
print(optimizer.state_dict()["state"][0]["step"], optimizer.param_groups[0]["lr"])
print(scheduler.state_dict())
w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
opt = torch.optim.SGD([w], lr=1.0, momentum=0.9)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
lrs = []
for _ in range(4):
    (w**2).sum().backward()
    torch.nn.utils.clip_grad_value_([w], clip_value=0.5)
    print(w.grad)
    opt.step()
    opt.zero_grad()
    sched.step()
    lrs.append(round(sched.get_last_lr()[0], 6))
print(w, lrs, w.grad)
opt2 = torch.optim.SGD([w], lr=0.1)
cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=5)
onecycle = []
for _ in range(6):
    opt2.step()
    cos.step()
    onecycle.append(round(opt2.param_groups[0]["lr"], 6))
print(onecycle)
big = [torch.nn.Parameter(torch.ones(3)) for _ in range(2)]
for p in big:
    p.grad = torch.full((3,), 4.0)
print(torch.nn.utils.clip_grad_norm_(big, 1.0, norm_type=float("inf")), big[0].grad)
