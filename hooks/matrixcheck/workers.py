"""Runs identity checks in child processes, in parallel, each with a time and a memory limit.

A page must never hang or exhaust the build: every identity is checked in its own forked process
with an address-space limit, and killed if it exceeds its time limit. Its result (or the reason it
was stopped) comes back through a pipe. Up to one process per core runs at once; results are
returned in the order of the specs, whatever order the processes finish in, so reports do not
depend on scheduling.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from .check import IdentityResult
from .model import IdentitySpec

TIME_LIMIT = 60.0
#: Memory an identity's check may allocate beyond what the build process already holds.
MEMORY_LIMIT = 2 * 1024**3


@dataclass
class _Running:
    index: int
    process: multiprocessing.Process
    connection: Connection
    deadline: float


def run_all(
    specs: list[IdentitySpec],
    check: Callable[[IdentitySpec], IdentityResult],
    jobs: int | None = None,
    time_limit: float = TIME_LIMIT,
    memory_limit: int = MEMORY_LIMIT,
) -> list[IdentityResult]:
    """``check`` applied to every spec in a bounded child process; results in spec order."""
    context = multiprocessing.get_context("fork")
    jobs = jobs or _jobs_from_environment()
    results: list[IdentityResult | None] = [None] * len(specs)
    pending = list(enumerate(specs))
    running: list[_Running] = []
    while pending or running:
        while pending and len(running) < jobs:
            index, spec = pending.pop(0)
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=_child, args=(spec, check, sender, memory_limit), daemon=True
            )
            process.start()
            sender.close()
            running.append(_Running(index, process, receiver, time.monotonic() + time_limit))
        soonest = min(r.deadline for r in running)
        ready = wait([r.connection for r in running], timeout=max(0.0, soonest - time.monotonic()))
        for job in list(running):
            if job.connection in ready:
                results[job.index] = _receive(job, specs[job.index], memory_limit)
            elif time.monotonic() >= job.deadline:
                job.process.kill()
                results[job.index] = _stopped(
                    specs[job.index],
                    f"the check took longer than {time_limit:g} s and was stopped; simplify the "
                    "formula or split it into smaller identities",
                )
            else:
                continue
            job.process.join()
            job.connection.close()
            running.remove(job)
    return [result for result in results if result is not None]


def _jobs_from_environment() -> int:
    """``MATRIXCHECK_JOBS`` if set to a positive number, else the number of cores."""
    text = os.environ.get("MATRIXCHECK_JOBS", "")
    return int(text) if text.isdigit() and int(text) > 0 else os.cpu_count() or 1


def _address_space() -> int:
    """The bytes of address space this process already has (its own libraries and heap)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _child(
    spec: IdentitySpec,
    check: Callable[[IdentitySpec], IdentityResult],
    sender: Connection,
    memory_limit: int,
) -> None:
    limit = _address_space() + memory_limit
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        sender.send(check(spec))
    except MemoryError:
        sender.send(None)
    finally:
        sender.close()


def _receive(job: _Running, spec: IdentitySpec, memory_limit: int) -> IdentityResult:
    try:
        result = job.connection.recv()
    except EOFError:
        result = None
    if result is None:
        return _stopped(
            spec,
            f"the check ran out of memory (limit {memory_limit // 1024**2} MiB) or crashed; "
            "use smaller sizes or a simpler formula",
        )
    return result


class Stopped(IdentityResult):
    """The result of a check that was stopped (time, memory): it says nothing about the formula
    and depends on the machine's load, so it is never cached."""


def _stopped(spec: IdentitySpec, message: str) -> IdentityResult:
    return Stopped(spec, "error", message)
