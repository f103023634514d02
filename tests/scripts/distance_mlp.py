"""Siamese MLP trained with CosineSimilarity / PairwiseDistance on pairs of vectors."""

import torch
import torch.nn as nn

torch.manual_seed(0)
embed = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 4))
cos = nn.CosineSimilarity(dim=1, eps=1e-6)
dist = nn.PairwiseDistance(p=2)
a = torch.randn(32, 6)
same = torch.randint(0, 2, (32,)).float()
b = torch.where(same.unsqueeze(1).bool(), a + 0.1 * torch.randn(32, 6), torch.randn(32, 6))
opt = torch.optim.SGD(embed.parameters(), lr=0.05, momentum=0.9, nesterov=True)
emb_loss = nn.CosineEmbeddingLoss(margin=0.2)
for step in range(30):
    ea, eb = embed(a), embed(b)
    sim = cos(ea, eb)
    d = dist(ea, eb)
    contrastive = (same * d.pow(2) + (1 - same) * torch.clamp(1.0 - d, min=0).pow(2)).mean()
    loss = contrastive + emb_loss(ea, eb, same * 2 - 1)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 10 == 0:
        print(f"step {step} loss {loss.item():.5f} sim {sim.mean().item():.5f}")
with torch.no_grad():
    sim = cos(embed(a), embed(b))
    print(
        "same",
        f"{sim[same.bool()].mean().item():.5f}",
        "diff",
        f"{sim[~same.bool()].mean().item():.5f}",
    )
    print("cdist", f"{torch.cdist(embed(a[:3]), embed(b[:4])).sum().item():.5f}")
    print("F.cos", f"{nn.functional.cosine_similarity(a, b).sum().item():.5f}")
    print("pdist3", f"{nn.PairwiseDistance(p=3, keepdim=True)(a, b).sum().item():.5f}")
