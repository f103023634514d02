"""Saving and loading a checkpoint (model and optimizer state_dict) with torch.save/torch.load."""

import io

import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.BatchNorm1d(8), nn.Linear(8, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
x, y = torch.randn(16, 4), torch.randn(16, 2)
for _ in range(3):
    loss = nn.functional.mse_loss(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())
print("Optimizer's state_dict:")
for var_name, value in optimizer.state_dict().items():
    # the full buffers print in scientific notation, where float32 round-off shows
    print(var_name, "\t", {k: list(v) for k, v in value.items()} if var_name == "state" else value)
buf = io.BytesIO()
torch.save(
    {
        "epoch": 3,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": loss,
    },
    buf,
)
buf.seek(0)
torch.manual_seed(1)
model2 = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.BatchNorm1d(8), nn.Linear(8, 2))
optimizer2 = torch.optim.SGD(model2.parameters(), lr=0.5)
checkpoint = torch.load(buf, weights_only=True)
print(model2.load_state_dict(checkpoint["model_state_dict"]))
optimizer2.load_state_dict(checkpoint["optimizer_state_dict"])
print(checkpoint["epoch"], checkpoint["loss"], optimizer2.param_groups[0]["lr"])
model.eval()
model2.eval()
print(torch.equal(model(x), model2(x)), model2(x[:2]))
print(optimizer2.state_dict()["state"][1]["momentum_buffer"])
model.train()
model2.train()
for m, o in ((model, optimizer), (model2, optimizer2)):
    loss = nn.functional.mse_loss(m(x), y)
    o.zero_grad()
    loss.backward()
    o.step()
    print(loss, m[3].bias)
buf = io.BytesIO()
torch.save(model[0].state_dict(), buf)
buf.seek(0)
lin = nn.Linear(4, 8, bias=False)
result = lin.load_state_dict(torch.load(buf), strict=False)
print(result, result.missing_keys, result.unexpected_keys)
print(lin.weight[0])
buf = io.BytesIO()
torch.save([torch.arange(3), {"a": torch.tensor(2.5, dtype=torch.float64)}, "text", 7], buf)
buf.seek(0)
print(torch.load(buf))
try:
    model2.load_state_dict({"0.weight": torch.zeros(8, 4)})
except RuntimeError as e:
    print(type(e).__name__, e)
buf = io.BytesIO()
torch.save(model, buf)  # the whole module: torch.load refuses it unless weights_only=False
buf.seek(0)
try:
    torch.load(buf)
except Exception as e:
    print(type(e).__name__, e)
buf.seek(0)
print(torch.load(buf, weights_only=False))
