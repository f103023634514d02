"""Old-style (0.3-era) training loop: Variable, FloatTensor, .data updates, size_average."""

import warnings

import torch
from torch.autograd import Variable

warnings.simplefilter("ignore")
torch.manual_seed(0)
dtype = torch.FloatTensor
N, D_in, H, D_out = 16, 10, 8, 3
x = Variable(torch.randn(N, D_in).type(dtype), requires_grad=False)
y = Variable(torch.randn(N, D_out).type(dtype), requires_grad=False)
w1 = Variable(torch.randn(D_in, H).type(dtype), requires_grad=True)
w2 = Variable(torch.randn(H, D_out).type(dtype), requires_grad=True)
print(type(x).__name__, x.type(), w1.requires_grad, isinstance(x, torch.Tensor))
lr = 1e-3
for t in range(10):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 3 == 0:
        print(t, f"{loss.data.item():.4f}")
    loss.backward()
    w1.data -= lr * w1.grad.data
    w2.data -= lr * w2.grad.data
    w1.grad.data.zero_()
    w2.grad.data.zero_()

labels = torch.LongTensor([0, 2, 1, 1])
logits = Variable(torch.FloatTensor(4, 3).uniform_(-1, 1), requires_grad=True)
crit = torch.nn.CrossEntropyLoss(size_average=False)
loss = crit(logits, labels)
loss.backward()
print("ce sum", f"{loss.item():.5f}", crit.reduction, labels.type(), torch.IntTensor([1, 2]).dtype)
print("grad", [round(v, 5) for v in logits.grad[0].tolist()])
mse = torch.nn.MSELoss(reduce=False)(Variable(torch.ones(2)), Variable(torch.zeros(2)))
print("mse", mse.tolist(), torch.DoubleTensor([1.5]).type(), torch.ByteTensor([3]).dtype)
