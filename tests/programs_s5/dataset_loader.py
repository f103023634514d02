"""Datasets and DataLoaders: a custom Dataset, default collate of dicts, splits, samplers."""

import torch
from torch.utils.data import (
    ConcatDataset,
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    WeightedRandomSampler,
    random_split,
)


class Points(Dataset):
    def __init__(self, n, transform=None):
        self.x = torch.arange(n * 2, dtype=torch.float32).view(n, 2)
        self.y = torch.arange(n) % 3
        self.transform = transform

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        sample = {"x": self.x[idx], "label": int(self.y[idx]), "name": f"p{idx}", "w": 0.5 * idx}
        if self.transform:
            sample = self.transform(sample)
        return sample


torch.manual_seed(0)
ds = Points(7)
print(len(ds), ds[2])
for i_batch, batch in enumerate(DataLoader(ds, batch_size=3)):
    print(i_batch, batch["x"].size(), batch["label"], batch["name"], batch["w"])
train, val = random_split(ds, [5, 2], generator=torch.Generator().manual_seed(42))
print(len(train), len(val), train.indices, val.indices, val[0]["name"])
print(random_split(range(10), [0.6, 0.4], generator=torch.Generator().manual_seed(1))[1].indices)
sub = Subset(ds, [0, 6])
cat = ConcatDataset([TensorDataset(torch.ones(2, 1)), TensorDataset(torch.zeros(3, 1))])
print(sub[1]["label"], len(cat), cat[3], cat.cumulative_sizes)
loader = DataLoader(ds, batch_size=2, shuffle=True, drop_last=True)
print(len(loader), [b["label"].tolist() for b in loader])
sampler = WeightedRandomSampler([0.1, 0.1, 5.0, 0.1], num_samples=6, replacement=True)
print(
    list(sampler), list(DataLoader(TensorDataset(torch.arange(4)), batch_size=3, sampler=sampler))
)


def collate_pad(batch):
    lengths = torch.tensor([len(s) for s in batch])
    padded = torch.nn.utils.rnn.pad_sequence(batch, batch_first=True, padding_value=-1)
    return padded, lengths


seqs = [torch.arange(n) for n in (3, 1, 4, 2)]
for padded, lengths in DataLoader(seqs, batch_size=2, collate_fn=collate_pad):
    print(padded, lengths)
tup = [(torch.tensor([i, i + 1]), i * 1.5, (i, str(i))) for i in range(3)]
print(next(iter(DataLoader(tup, batch_size=3))))
print(next(iter(DataLoader([[1, 2], [3, 4]], batch_size=2))), next(iter(DataLoader(range(5)))))
print(list(DataLoader(range(5), batch_size=None)), list(DataLoader(range(5), batch_size=2)))
it = iter(DataLoader(TensorDataset(torch.randn(4, 2), torch.arange(4)), batch_size=4, shuffle=True))
xb, yb = next(it)
print(xb, yb, xb.dtype, yb.dtype)
print(torch.utils.data.default_collate([{"a": 1.0}, {"a": 2.0}]), type(loader.sampler).__name__)
