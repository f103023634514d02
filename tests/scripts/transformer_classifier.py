"""Tiny transformer classifier: is the sequence's first token larger than its last?"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=32):
        super().__init__()
        pos = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return x + self.pe[: x.size(1)]


class Classifier(nn.Module):
    def __init__(self, vocab=10, d_model=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = PositionalEncoding(d_model)
        layer = nn.TransformerEncoderLayer(d_model, 2, 32, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, 2)

    def forward(self, x, pad_mask):
        h = self.encoder(self.pos(self.embed(x) * math.sqrt(16)), src_key_padding_mask=pad_mask)
        keep = (~pad_mask).unsqueeze(-1).float()
        return self.head((h * keep).sum(1) / keep.sum(1))


def batch(n=16, length=6):
    x = torch.randint(1, 10, (n, length))
    lengths = torch.randint(3, length + 1, (n,))
    pad = torch.arange(length).unsqueeze(0) >= lengths.unsqueeze(1)
    x = x.masked_fill(pad, 0)
    last = x.gather(1, (lengths - 1).unsqueeze(1)).squeeze(1)
    return x, pad, (x[:, 0] > last).long()


model = Classifier()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
for step in range(25):
    x, pad, y = batch()
    loss = F.cross_entropy(model(x, pad), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 8 == 0:
        print(f"step {step} loss {loss.item():.5f}")

model.eval()
with torch.no_grad():
    x, pad, y = batch(64)
    logits = model(x, pad)
    acc = (logits.argmax(1) == y).float().mean()
    attn = model.encoder.layers[0].self_attn
    _, w = attn(
        model.embed(x[:2]), model.embed(x[:2]), model.embed(x[:2]), key_padding_mask=pad[:2]
    )
print(f"eval acc {acc.item():.4f} logits sum {logits.sum().item():.5f}")
print("attn weights", tuple(w.shape), f"{w[0, 0].sum().item():.5f}", f"{w.max().item():.5f}")
