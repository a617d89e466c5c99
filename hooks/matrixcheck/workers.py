"""Runs identity checks in worker processes, in parallel, each check with a time and a memory limit.

A page must never hang or exhaust the build. Checks run in forked worker processes, one per core,
each with an address-space limit; a worker takes one identity at a time. The time limit counts
the CPU time of the check, not the wall clock, so whether a check is stopped does not depend on
how busy the machine is: the worker's ``RLIMIT_CPU`` is set before each check, and the signal
the kernel sends when it is reached stops the check, whose worker then takes the next identity.
A check that is not stopped that way (one that waits instead of computing, or is stuck in one
long native call) is killed once the wall clock reaches :data:`WALL_CLOCK_FACTOR` times the
limit. A check that runs out of memory or crashes costs its worker, which is replaced. Each of
these becomes that identity's error. Workers are reused from one identity to the next, so a site
of hundreds of identities does not pay for hundreds of processes; nothing is started when there
is nothing to check. Results are returned in the order of the specs, whatever order the workers
finish in, so reports do not depend on scheduling.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext

from .model import IdentitySpec
from .results import IdentityResult

#: CPU seconds a check may use.
TIME_LIMIT = 60.0
#: A check is killed when the wall clock reaches this many times its CPU time limit.
WALL_CLOCK_FACTOR = 5
#: What a worker sends back instead of a result when a check used up its CPU time.
OUT_OF_TIME = "out of time"
#: Memory an identity's check may allocate beyond what the build process already holds.
MEMORY_LIMIT = 2 * 1024**3

Check = Callable[[IdentitySpec], IdentityResult]


@dataclass(eq=False)
class _Worker:
    """A worker process and the identity it is checking (index into the specs, deadline)."""

    process: multiprocessing.Process
    connection: Connection
    index: int = -1
    deadline: float = 0.0

    @classmethod
    def start(
        cls, context: BaseContext, check: Check, time_limit: float, memory_limit: int
    ) -> _Worker:
        ours, theirs = context.Pipe()
        arguments = (theirs, check, time_limit, memory_limit)
        process = context.Process(target=_serve, args=arguments, daemon=True)
        process.start()
        theirs.close()
        return cls(process, ours)

    def assign(self, index: int, spec: IdentitySpec, time_limit: float) -> None:
        self.index = index
        self.deadline = time.monotonic() + time_limit * WALL_CLOCK_FACTOR
        self.connection.send(spec)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                self.process.kill()
        self.process.join()
        self.connection.close()


def run_all(
    specs: list[IdentitySpec],
    check: Check,
    jobs: int | None = None,
    time_limit: float = TIME_LIMIT,
    memory_limit: int = MEMORY_LIMIT,
    on_result: Callable[[int, IdentityResult], None] | None = None,
) -> list[IdentityResult]:
    """``check`` applied to every spec in bounded worker processes; results in spec order.

    ``time_limit`` is in CPU seconds, ``memory_limit`` in bytes of address space. ``on_result``
    is given each result (with the index of its spec) as soon as it arrives, while the workers go
    on with the others.
    """
    if not specs:
        return []
    context = multiprocessing.get_context("fork")
    jobs = min(jobs or _jobs_from_environment(), len(specs))
    results: list[IdentityResult | None] = [None] * len(specs)
    pending = deque(enumerate(specs))
    idle: list[_Worker] = []
    busy: list[_Worker] = []
    try:
        while pending or busy:
            while pending and len(busy) < jobs:
                if idle:
                    worker = idle.pop()
                else:
                    worker = _Worker.start(context, check, time_limit, memory_limit)
                index, spec = pending.popleft()
                worker.assign(index, spec, time_limit)
                busy.append(worker)
            soonest = min(w.deadline for w in busy)
            ready = wait([w.connection for w in busy], max(0.0, soonest - time.monotonic()))
            for worker in list(busy):
                spec = specs[worker.index]
                if worker.connection in ready:
                    outcome = _receive(worker)
                    if outcome is None:
                        result = _stopped(spec, _out_of_memory(memory_limit))
                        worker.stop(kill=True)
                    elif isinstance(outcome, str):
                        result = _stopped(
                            spec,
                            f"the check used more than {time_limit:g} s of CPU time and was "
                            "stopped; simplify the formula or split it into smaller identities",
                        )
                        idle.append(worker)
                    else:
                        result = outcome
                        idle.append(worker)
                elif time.monotonic() >= worker.deadline:
                    worker.stop(kill=True)
                    result = _stopped(
                        spec,
                        f"the check was still running after {time_limit * WALL_CLOCK_FACTOR:g} s "
                        "(wall clock) and was stopped; simplify the formula or split it into "
                        "smaller identities",
                    )
                else:
                    continue
                results[worker.index] = result
                if on_result is not None:
                    on_result(worker.index, result)
                busy.remove(worker)
    finally:
        for worker in idle + busy:
            worker.stop(kill=worker in busy)
    return [result for result in results if result is not None]


def _jobs_from_environment() -> int:
    """``MATRIXCHECK_JOBS`` if set to a positive number, else the number of cores."""
    text = os.environ.get("MATRIXCHECK_JOBS", "")
    return int(text) if text.isdigit() and int(text) > 0 else os.cpu_count() or 1


def _address_space() -> int:
    """The bytes of address space this process already has (its own libraries and heap)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


class _OutOfTime(BaseException):
    """Raised in a worker when its check reaches the CPU time limit (a BaseException, so that
    no ``except Exception`` in the checker turns it into that identity's result)."""


def _out_of_time(signum: int, frame: object) -> None:
    raise _OutOfTime


@contextlib.contextmanager
def _cpu_time_limit(seconds: float) -> Iterator[None]:
    """The process may use ``seconds`` more CPU time in the block, then gets ``SIGXCPU``."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))


def _serve(connection: Connection, check: Check, time_limit: float, memory_limit: int) -> None:
    """A worker's loop: check each spec received, until told to stop (None) or out of memory."""
    limit = _address_space() + memory_limit
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGXCPU, _out_of_time)
    while (spec := _next(connection)) is not None:
        try:
            with _cpu_time_limit(time_limit):
                result: IdentityResult | str = check(spec)
        except _OutOfTime:
            result = OUT_OF_TIME
        except MemoryError:
            connection.send(None)
            break
        connection.send(result)
    connection.close()


def _next(connection: Connection) -> IdentitySpec | None:
    try:
        return connection.recv()
    except EOFError:
        return None


def _receive(worker: _Worker) -> IdentityResult | str | None:
    """The worker's result, :data:`OUT_OF_TIME`, or None if it ran out of memory or died."""
    try:
        return worker.connection.recv()
    except (EOFError, OSError):
        return None


def _out_of_memory(memory_limit: int) -> str:
    return (
        f"the check ran out of memory (limit {memory_limit // 1024**2} MiB) or crashed; "
        "use smaller sizes or a simpler formula"
    )


class Stopped(IdentityResult):
    """The result of a check that was stopped (time, memory): it says nothing about the formula
    and depends on the machine (its speed, and for the wall-clock limit its load), so it is never
    cached."""


def _stopped(spec: IdentitySpec, message: str) -> IdentityResult:
    return Stopped(spec, "error", message)
