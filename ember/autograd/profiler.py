"""``ember.autograd.profiler``: wall-clock ranges marked with ``record_function``, collected by
``profile`` and summed per name in a table, or written as a Chrome trace.

Modest by design: Ember's operations are not recorded one by one (no per-op hooks run on the hot
path); only the ranges you mark are (``record_function("forward")``, or the decorator form).
Times are in microseconds; "self" time is a range's time minus that of the ranges nested in it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "EventList",
    "FunctionEvent",
    "FunctionEventAvg",
    "profile",
    "record_function",
]

_active: list[profile] = []  # the profilers recording now (nested profilers all record)


def _now_us() -> float:
    return time.perf_counter_ns() / 1000.0


def _format_time(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class _Unmeasured:
    """What Ember does not measure, as zeros, so that torch's ``sort_by`` keys all work."""

    device_time = device_time_total = self_device_time_total = 0.0
    cuda_time = cuda_time_total = self_cuda_time_total = 0.0
    cpu_memory_usage = self_cpu_memory_usage = 0
    device_memory_usage = self_device_memory_usage = 0
    flops = 0


class FunctionEvent(_Unmeasured):
    """One recorded range: its name, start and end (microseconds) and the ranges nested in it."""

    def __init__(self, id: int, name: str, thread: int, start_us: float, end_us: float) -> None:  # noqa: A002
        self.id = id
        self.name = name
        self.thread = thread
        self.start_us = start_us
        self.end_us = end_us
        self.cpu_children: list[FunctionEvent] = []
        self.cpu_parent: FunctionEvent | None = None
        self.count = 1
        self.is_user_annotation = True

    @property
    def key(self) -> str:
        return self.name

    @property
    def cpu_time_total(self) -> float:
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self) -> float:
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    def __repr__(self) -> str:
        return (
            f"<FunctionEvent id={self.id} name={self.name} thread={self.thread} "
            f"cpu_time={_format_time(self.cpu_time_total)} "
            f"self_cpu_time={_format_time(self.self_cpu_time_total)}>"
        )


class FunctionEventAvg(_Unmeasured):
    """The ranges of one name summed: ``count``, ``cpu_time_total``, ``self_cpu_time_total``,
    ``cpu_time`` (the mean)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0

    def add(self, other: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        """Add another event (or average) of the same name."""
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        return self

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total / self.count if self.count else 0.0

    @property
    def cpu_time_str(self) -> str:
        return _format_time(self.cpu_time)

    @property
    def cpu_time_total_str(self) -> str:
        return _format_time(self.cpu_time_total)

    @property
    def self_cpu_time_total_str(self) -> str:
        return _format_time(self.self_cpu_time_total)

    def __repr__(self) -> str:
        return (
            f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
            f"cpu_time={self.cpu_time_str} count={self.count}>"
        )


class EventList(list):
    """A list of events (or of per-name averages) with a table and a Chrome trace."""

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(
        self, group_by_input_shape: bool = False, group_by_stack_n: int = 0, **kwargs
    ) -> EventList:
        """One :class:`FunctionEventAvg` per name, in order of first appearance."""
        averages: dict[str, FunctionEventAvg] = {}
        for event in self:
            averages.setdefault(event.key, FunctionEventAvg(event.key)).add(event)
        return EventList(averages.values())

    def total_average(self) -> FunctionEventAvg:
        """All events summed under the key ``'Total'``."""
        total = FunctionEventAvg("Total")
        for event in self:
            total.add(event)
        return total

    def table(
        self,
        sort_by: str | None = None,
        row_limit: int = 100,
        max_src_column_width: int = 75,
        max_name_column_width: int = 55,
        max_shapes_column_width: int = 80,
        header: str | None = None,
        top_level_events_only: bool = False,
        time_unit: str | None = None,
    ) -> str:
        """torch's table: name, self and total CPU time (and their shares), mean, calls; sorted
        descending by the attribute ``sort_by`` (``'cpu_time_total'``...) when given."""
        rows = list(self)
        if top_level_events_only:
            rows = [e for e in rows if getattr(e, "cpu_parent", None) is None]
        if sort_by is not None:
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if row_limit > 0:
            rows = rows[:row_limit]
        self_total = self.self_cpu_time_total  # each moment once: both shares are of this

        def fmt(us: float) -> str:
            if time_unit == "s":
                return f"{us / 1e6:.3f}s"
            if time_unit == "ms":
                return f"{us / 1e3:.3f}ms"
            if time_unit == "us":
                return f"{us:.3f}us"
            return _format_time(us)

        def share(us: float) -> str:
            return f"{100.0 * us / self_total:.2f}%" if self_total else "0.00%"

        names = [
            e.key
            if len(e.key) <= max_name_column_width
            else e.key[: max_name_column_width - 3] + "..."
            for e in rows
        ]
        name_width = max([len(n) for n in names] + [len("Name")]) + 4
        headers = [
            "Self CPU %",
            "Self CPU",
            "CPU total %",
            "CPU total",
            "CPU time avg",
            "# of Calls",
        ]
        widths = [name_width] + [12] * len(headers)
        line = "".join("-" * w + "  " for w in widths)

        def row(cells: list[str]) -> str:
            return "".join(c.rjust(w) + "  " for c, w in zip(cells, widths))

        out = [header] if header else []
        out += [line, row(["Name", *headers]), line]
        for name, e in zip(names, rows):
            cpu_total = e.cpu_time_total
            mean = cpu_total / e.count if e.count else 0.0
            out.append(
                row(
                    [
                        name,
                        share(e.self_cpu_time_total),
                        fmt(e.self_cpu_time_total),
                        share(cpu_total),
                        fmt(cpu_total),
                        fmt(mean),
                        str(e.count),
                    ]
                )
            )
        out += [line, f"Self CPU time total: {fmt(self_total)}", ""]
        return "\n".join(out)

    def export_chrome_trace(self, path: str | os.PathLike) -> None:
        """Write the events as a Chrome trace (open with chrome://tracing or Perfetto)."""
        import json

        pid = os.getpid()
        events = [
            {
                "ph": "X",
                "cat": "user_annotation",
                "name": e.name,
                "pid": pid,
                "tid": e.thread,
                "ts": e.start_us,
                "dur": e.cpu_time_total,
                "args": {"Ev Idx": i},
            }
            for i, e in enumerate(self)
            if isinstance(e, FunctionEvent)
        ]
        trace = {
            "schemaVersion": 1,
            "displayTimeUnit": "ms",
            "traceEvents": events,
            "traceName": os.fspath(path),
        }
        with open(path, "w", encoding="utf-8") as f:
            json.dump(trace, f)


class record_function(contextlib.ContextDecorator):  # noqa: N801 - torch's name
    """Mark a range (``with record_function("name"):`` or ``@record_function("name")``) for the
    profilers recording now; costs one clock read when none is."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self.args = args
        self._start: float | None = None

    def _recreate_cm(self) -> record_function:
        # each call of a decorated function gets its own range (recursion, threads)
        return record_function(self.name, self.args)

    def __enter__(self) -> record_function:
        if _active:  # nesting is found from the times afterwards: no stack to keep here
            self._start = _now_us()
        return self

    def __exit__(self, *exc) -> None:
        if self._start is None:
            return
        end = _now_us()
        for prof in _active:
            prof._add(self.name, self._start, end)
        self._start = None


class profile:  # noqa: N801 - torch's name
    """Collect the ``record_function`` ranges run while it is entered (``with profile() as p:``);
    then ``p.key_averages().table()``, ``p.export_chrome_trace(path)``, ``p.function_events``."""

    def __init__(
        self,
        enabled: bool = True,
        *,
        use_cuda: bool = False,
        use_device: str | None = None,
        record_shapes: bool = False,
        with_flops: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_modules: bool = False,
        use_kineto: bool = False,
        use_cpu: bool = True,
        experimental_config: Any = None,
        acc_events: bool = False,
        custom_trace_id_callback: Callable[[], str] | None = None,
        post_processing_timeout_s: float | None = None,
        activity_filters: dict | None = None,
    ) -> None:
        self.enabled = enabled
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self._events: list[FunctionEvent] = []
        self._lock = threading.Lock()
        self.entered = False

    def _add(self, name: str, start: float, end: float) -> None:
        with self._lock:
            self._events.append(
                FunctionEvent(len(self._events), name, threading.get_ident(), start, end)
            )

    def __enter__(self) -> profile:
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        self._events = []
        _active.append(self)
        return self

    def __exit__(self, *exc) -> None:
        if not self.enabled:
            return
        if self in _active:
            _active.remove(self)
        self.entered = False

    @property
    def function_events(self) -> EventList:
        """The recorded ranges, outer ones first, with ``cpu_parent``/``cpu_children`` set."""
        self._check_finished()
        return _nest(self._events)

    def _check_finished(self) -> None:
        if self.entered:
            raise RuntimeError("Profiler didn't finish running")

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0, **kwargs):
        """The ranges summed per name."""
        return self.function_events.key_averages(group_by_input_shape, group_by_stack_n)

    def table(self, sort_by: str | None = None, row_limit: int = 100, **kwargs) -> str:
        """``function_events.key_averages().table(...)``."""
        return self.key_averages().table(sort_by=sort_by, row_limit=row_limit, **kwargs)

    def total_average(self) -> FunctionEventAvg:
        """All ranges summed."""
        return self.function_events.total_average()

    @property
    def self_cpu_time_total(self) -> float:
        """The recorded time, each moment counted once (microseconds)."""
        return self.function_events.self_cpu_time_total

    def export_chrome_trace(self, path: str | os.PathLike) -> None:
        """Write the ranges as a Chrome trace JSON file."""
        self.function_events.export_chrome_trace(path)

    def __str__(self) -> str:
        return self.table()


def _nest(events: list[FunctionEvent]) -> EventList:
    """Sort by start (outer first) and link each range to the innermost one enclosing it, per
    thread."""
    ordered = sorted(events, key=lambda e: (e.thread, e.start_us, -e.end_us))
    open_ranges: dict[int, list[FunctionEvent]] = {}
    for event in ordered:
        event.cpu_parent, event.cpu_children = None, []
        stack = open_ranges.setdefault(event.thread, [])
        while stack and stack[-1].end_us <= event.start_us:
            stack.pop()
        if stack and event.end_us <= stack[-1].end_us:
            event.cpu_parent = stack[-1]
            stack[-1].cpu_children.append(event)
        stack.append(event)
    return EventList(sorted(ordered, key=lambda e: (e.start_us, -e.end_us)))
