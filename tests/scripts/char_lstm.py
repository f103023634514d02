"""Character-level LSTM language model: Embedding -> 2-layer LSTM -> Linear, greedy sampling."""

import torch
import torch.nn as nn

torch.manual_seed(0)
text = "hello world, hello torch. the quick brown fox jumps over the lazy dog. "
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)


class CharLSTM(nn.Module):
    def __init__(self, vocab, emb=16, hidden=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=2, batch_first=True, dropout=0.1)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


model = CharLSTM(len(chars))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
seq = 16
for step in range(30):
    starts = torch.randint(0, len(data) - seq - 1, (4,))
    x = torch.stack([data[s : s + seq] for s in starts])
    y = torch.stack([data[s + 1 : s + seq + 1] for s in starts])
    logits, _ = model(x)
    loss = loss_fn(logits.reshape(-1, len(chars)), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if step % 10 == 0:
        print(f"step {step} loss {loss.item():.5f} grad_norm {norm.item():.5f}")

model.eval()
with torch.no_grad():
    idx = torch.tensor([[stoi["h"]]])
    state, out = None, "h"
    for _ in range(20):
        logits, state = model(idx, state)
        idx = logits[:, -1].argmax(dim=-1, keepdim=True)
        out += chars[idx.item()]
print("sample:", repr(out))
print("h shape", tuple(state[0].shape), "c mean", f"{state[1].mean().item():.5f}")
