"""Variable-length sequence classifier: GRU over packed sequences, bidirectional."""

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

torch.manual_seed(0)
lengths = torch.tensor([7, 5, 4, 2])
seqs = [torch.randn(int(n), 3) for n in lengths]
labels = torch.tensor([1, 0, 1, 0])
padded = pad_sequence(seqs, batch_first=True)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 6, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(12, 2)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, h = self.gru(packed)
        out, out_lens = pad_packed_sequence(out, batch_first=True)
        return self.fc(torch.cat([h[0], h[1]], dim=1)), out, out_lens


model = Model()
opt = torch.optim.Adagrad(model.parameters(), lr=0.1)
for step in range(15):
    logits, out, out_lens = model(padded, lengths)
    loss = nn.functional.cross_entropy(logits, labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 5 == 0:
        print(f"step {step} loss {loss.item():.5f}")
print("out", tuple(out.shape), out_lens.tolist(), f"{out.abs().sum().item():.4f}")
cell = nn.GRUCell(3, 4)
h = torch.zeros(2, 4)
for t in range(3):
    h = cell(padded[:2, t], h)
print("cell", f"{h.sum().item():.5f}")
