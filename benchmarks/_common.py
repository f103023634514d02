"""What the benchmarks share: the seed program's toy CNN, built in torch or in Ember."""

from __future__ import annotations


def toy_model(nn, size: int = 32):
    """The seed program's CNN in ``nn`` (``torch.nn`` or ``ember.nn``), as one ``Sequential``;
    ``size`` is the input's height and width."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 5, padding=2),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * (size // 8) ** 2, 64),
        nn.Linear(64, 10),
    )
