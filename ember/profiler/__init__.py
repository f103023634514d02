"""``ember.profiler``: torch.profiler's interface over ``ember.autograd.profiler``.

``profile`` collects the ranges marked with ``record_function`` (Ember's operations themselves are
not recorded one by one), following a ``schedule`` of wait/warmup/active steps advanced by
``step()``; ``on_trace_ready`` gets the profiler at the end of each active cycle, e.g.
``tensorboard_trace_handler(dir)``, which writes a Chrome trace file there. Only the CPU exists.
"""

from __future__ import annotations

import enum
import gzip
import os
import socket
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from ..autograd.profiler import EventList, FunctionEventAvg, record_function
from ..autograd.profiler import profile as _RangeProfiler

__all__ = [
    "EventList",
    "FunctionEventAvg",
    "profile",
    "schedule",
    "supported_activities",
    "tensorboard_trace_handler",
    "ProfilerAction",
    "ProfilerActivity",
    "kineto_available",
    "record_function",
]


class ProfilerActivity(enum.Enum):
    """Where activity is recorded; Ember records the CPU only."""

    CPU = 0
    XPU = 1
    CUDA = 2
    HPU = 3
    MTIA = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What the profiler does at a step, as a ``schedule`` answers."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3
    DEVICE_STOPPED = 4


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)


def supported_activities() -> set[ProfilerActivity]:
    """``{ProfilerActivity.CPU}``."""
    return {ProfilerActivity.CPU}


def kineto_available() -> bool:
    """False: Ember's profiler is its own, not Kineto."""
    return False


def schedule(
    *,
    wait: int,
    warmup: int,
    active: int,
    repeat: int = 0,
    skip_first: int = 0,
    skip_first_wait: int = 0,
) -> Callable[[int], ProfilerAction]:
    """The action for each step: ``skip_first`` steps idle, then cycles of ``wait`` idle,
    ``warmup`` and ``active`` recording steps (the last one saves), ``repeat`` times (0: for
    ever); ``skip_first_wait=1`` drops the first cycle's wait."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup={warmup} "
            f"(need >= 0), active={active} (need > 0), repeat={repeat} (need >= 0), "
            f"skip_first={skip_first} (need >= 0)."
        )
    if warmup == 0:
        warnings.warn(
            "Profiler won't be using warmup, this can skew profiler results", stacklevel=2
        )
    cycle = wait + warmup + active
    offset = wait if skip_first_wait else 0

    def action(step: int) -> ProfilerAction:
        if step < skip_first:
            return ProfilerAction.NONE
        step = step - skip_first + offset
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        phase = step % cycle
        if phase < wait:
            return ProfilerAction.NONE
        if phase < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if phase < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return action


def _always_record(step: int) -> ProfilerAction:
    return ProfilerAction.RECORD


def tensorboard_trace_handler(
    dir_name: str,
    worker_name: str | None = None,
    use_gzip: bool = False,
    use_python_export: bool = False,
) -> Callable[[profile], None]:
    """An ``on_trace_ready`` that writes each trace to
    ``dir_name/<worker>.<time_ns>.pt.trace.json`` (``.gz`` with ``use_gzip``)."""

    def handler(prof: profile) -> None:
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker}.{time.time_ns()}.pt.trace.json"
        path = os.path.join(dir_name, name)
        prof.export_chrome_trace(path)
        if use_gzip:
            with open(path, "rb") as src, gzip.open(path + ".gz", "wb") as dst:
                dst.write(src.read())
            os.remove(path)

    return handler


class profile:  # noqa: N801 - torch's name
    """Record ``record_function`` ranges over the steps ``schedule`` marks as active (all steps
    without a schedule): ``with profile() as p: ...``, then ``p.key_averages().table()``."""

    def __init__(
        self,
        *,
        activities: Iterable[ProfilerActivity] | None = None,
        schedule: Callable[[int], ProfilerAction] | None = None,
        on_trace_ready: Callable[..., Any] | None = None,
        record_shapes: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_flops: bool = False,
        with_modules: bool = False,
        experimental_config: Any = None,
        execution_trace_observer: Any = None,
        acc_events: bool = False,
        use_cuda: bool | None = None,
        custom_trace_id_callback: Callable[[], str] | None = None,
        post_processing_timeout_s: float | None = None,
    ) -> None:
        self.activities = set(activities) if activities else supported_activities()
        self.schedule = schedule or _always_record
        self.on_trace_ready = on_trace_ready
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.step_num = 0
        self.current_action = self.schedule(0)
        self.profiler: _RangeProfiler | None = None  # the cycle recording now, or the last one
        self._recording = False

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        """Begin: record at once if the schedule's first step is active."""
        self.step_num = 0
        self.current_action = self.schedule(0)
        if self.current_action in _RECORDING:
            self._begin()

    def stop(self) -> None:
        """End: the cycle being recorded is finished and handed to ``on_trace_ready``."""
        if self._recording:
            self._save()

    def step(self) -> None:
        """Mark the end of a step: the schedule's next action may start or save a cycle."""
        previous = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        if previous is ProfilerAction.RECORD_AND_SAVE or (
            self._recording and self.current_action not in _RECORDING
        ):
            self._save()
        if self.current_action in _RECORDING and not self._recording:
            self._begin()

    def _begin(self) -> None:
        self.profiler = _RangeProfiler()
        self.profiler.__enter__()
        self._recording = True

    def _save(self) -> None:
        self.profiler.__exit__(None, None, None)
        self._recording = False
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def _finished(self) -> _RangeProfiler:
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before exporting events")
        return self.profiler

    def events(self) -> EventList:
        """The ranges of the last recorded cycle."""
        return self._finished().function_events

    def key_averages(
        self, group_by_input_shape: bool = False, group_by_stack_n: int = 0, **kwargs
    ) -> EventList:
        """The last cycle's ranges summed per name; ``.table(sort_by=...)`` prints them."""
        return self.events().key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path: str | os.PathLike) -> None:
        """Write the last cycle's ranges as a Chrome trace JSON file."""
        self.events().export_chrome_trace(path)
