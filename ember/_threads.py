"""Re-exports the thread controls from ``ember.kernels._threads``, where the kernels need them."""

from .kernels._threads import get_num_threads, set_num_threads  # noqa: F401
