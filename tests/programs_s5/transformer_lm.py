"""Language modelling with nn.TransformerEncoder (tutorial style) on a tiny token stream."""

import math

import torch
from torch import Tensor, nn


class PositionalEncoding(nn.Module):
    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 50):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout(x + self.pe[: x.size(0)])


class TransformerModel(nn.Module):
    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, dropout=0.1):
        super().__init__()
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        layer = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(layer, nlayers, enable_nested_tensor=False)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)

    def forward(self, src: Tensor, src_mask: Tensor = None) -> Tensor:
        src = self.pos_encoder(self.embedding(src) * math.sqrt(self.d_model))
        return self.linear(self.transformer_encoder(src, src_mask))


torch.manual_seed(0)
ntokens = 11
data = torch.arange(60) % ntokens
bptt = 6
mask = nn.Transformer.generate_square_subsequent_mask(bptt)
print(mask, PositionalEncoding(4, 0.0, 3).pe)
model = TransformerModel(ntokens, 16, 2, 32, 2, dropout=0.0)
print(model.transformer_encoder.layers[0], sum(p.numel() for p in model.parameters()))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
src = torch.stack([data[i : i + bptt] for i in range(0, 24, 6)], 1)  # (seq, batch)
tgt = torch.stack([data[i + 1 : i + 1 + bptt] for i in range(0, 24, 6)], 1)
model.train()
for step in range(4):
    output = model(src, mask)
    loss = criterion(output.view(-1, ntokens), tgt.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    optimizer.step()
    print(step, f"{loss.item():.4f}", f"{math.exp(loss.item()):.3f}", f"{gnorm.item():.4f}")
model.eval()
with torch.no_grad():
    out = model(src[:, :1], mask)
print(out.shape, out[-1, 0, :5], out.argmax(-1).view(-1))
mha = nn.MultiheadAttention(8, 2, batch_first=True)
q = torch.randn(2, 3, 8)
attn_out, attn_w = mha(q, q, q, need_weights=True)
print(mha, attn_out.shape, attn_w, attn_out.grad_fn.name())
sdpa = nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True)
print(sdpa[0, :2], nn.functional.softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0))
