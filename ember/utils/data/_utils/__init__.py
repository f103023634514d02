"""Internals of the DataLoader: collation, fetching, and the worker-process loop."""

from . import collate, fetch, worker

__all__ = ["collate", "fetch", "worker"]
