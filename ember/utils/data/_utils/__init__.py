"""Internals of the DataLoader: collation, fetching, and the worker-process loop."""

from . import collate, fetch, worker
from .worker import MP_STATUS_CHECK_INTERVAL, ExceptionWrapper

__all__ = ["collate", "fetch", "worker", "MP_STATUS_CHECK_INTERVAL", "ExceptionWrapper"]
