"""``ember.nn.parallel``: ``DataParallel`` as torch runs it without GPUs (the module itself, once).

Ember has one device, the CPU, so there is nothing to replicate a module onto: ``DataParallel``
wraps a module (its parameters appear under ``module.`` in ``state_dict``, as in torch) and its
forward is the wrapped module's. ``DistributedDataParallel`` is not provided.
"""

from __future__ import annotations

from .data_parallel import DataParallel, data_parallel

__all__ = ["DataParallel", "data_parallel"]
