"""A character RNN step with nn.RNN, nn.GRU and nn.LSTM and CrossEntropyLoss over sequences."""

import torch
from torch import nn

torch.manual_seed(0)
text = "hello world, hello rnn"
chars = sorted(set(text))
stoi = {ch: i for i, ch in enumerate(chars)}
data = torch.tensor([stoi[ch] for ch in text])
print(chars, data)
V, H = len(chars), 12


class CharModel(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.embed = nn.Embedding(V, 8)
        self.rnn = cell(8, H, num_layers=2, batch_first=True)
        self.head = nn.Linear(H, V)

    def forward(self, x, h=None):
        out, h = self.rnn(self.embed(x), h)
        return self.head(out), h


xs = torch.stack([data[i : i + 6] for i in range(0, 12, 3)])
ys = torch.stack([data[i + 1 : i + 7] for i in range(0, 12, 3)])
print(xs.shape, ys)
criterion = nn.CrossEntropyLoss()
for cell in (nn.RNN, nn.GRU, nn.LSTM):
    torch.manual_seed(1)
    model = CharModel(cell)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    print(model)
    for _step in range(5):
        logits, h = model(xs)
        loss = criterion(logits.view(-1, V), ys.view(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    hs = h if isinstance(h, tuple) else (h,)
    print(cell.__name__, loss, logits.shape, [t.shape for t in hs])
    with torch.no_grad():
        x, h, out = data[:1].view(1, 1), None, []
        for _ in range(8):
            logits, h = model(x, h)
            x = logits[:, -1].argmax(-1, keepdim=True)
            out.append(chars[x.item()])
    print(repr("".join(out)), logits[0, -1, :4])
rnn = nn.RNN(3, 4, nonlinearity="relu")
print(rnn, [n for n, _ in rnn.named_parameters()])
lstm = nn.LSTM(3, 4, bidirectional=True)
seq = torch.randn(5, 2, 3)
out, (h, c) = lstm(seq)
print(out.shape, h.shape, c.shape, out.grad_fn.name(), out[0, 0])
gru_cell = nn.GRUCell(3, 4)
hx = gru_cell(seq[0])
print(gru_cell, hx, hx.grad_fn.name())
