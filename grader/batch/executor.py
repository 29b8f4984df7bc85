"""Where grading jobs run: slots, and a local pool of worker processes behind a small interface.

A *slot* is one submission graded at a time, pinned to a device and a
number of threads. :class:`Executor` is
what the batch pipeline needs from whatever runs the jobs::

    slot = executor.free_slot()          # None while every slot is busy
    executor.submit(job, slot)           # a Job is plain JSON-able data
    outcomes = executor.wait(timeout)    # the jobs that ended since
    executor.running()                   # (slot, job, seconds) for the display
    executor.close()

:class:`LocalPool` keeps one long-lived worker process per slot
(``python -m grader.batch.worker``), so torch is imported and the data read
once per slot, not once per student. Jobs and outcomes travel as JSON lines
over the worker's stdin and stdout. A worker that dies (a submission killed
it, the machine ran out of memory) or outlives its job's time limit fails
that job with the reason and is replaced; the batch goes on. A distributed
backend implements the same four methods.

How many slots the machine carries (:func:`plan_slots`): one per
``threads`` CPU cores, at most one per ``memory_per_slot`` bytes of
available memory (the submission's memory limit plus
:data:`WORKER_MEMORY`), and with CUDA at most one per
:data:`GPU_MEMORY_PER_SLOT` of each GPU's memory, slots spread round-robin
over the GPUs, each up to its share while another has room.
"""
from __future__ import annotations

import abc
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader.errors import GraderError

WORKER_MEMORY = 3 * 2**30 // 2
"""Host memory a slot uses besides what the submission may allocate: the worker and the runner's torch (1.5 GiB)."""
GPU_MEMORY_PER_SLOT = 4 * 2**30
"""GPU memory one slot may use; a GPU with 80 GiB carries up to 20 slots (the CPU cores usually bind first)."""
STOP_GRACE = 5.0  # seconds a worker gets to stop its runner before it is killed


@dataclass
class Slot:
    index: int
    device: str  # cpu, cuda:0, ...
    threads: int  # the runner's torch/OMP/MKL threads


@dataclass
class Job:
    """One submission to grade; plain data, so any backend can carry it."""

    run_id: int
    student: str
    source: str
    staging: str  # an empty folder to write results.json and report.html into
    options: dict  # seed, time_budget, data_root
    timeout: float  # seconds before the job is given up


@dataclass
class Outcome:
    job: Job
    slot: Slot
    ok: bool  # a grade was produced (however bad the submission)
    payload: dict = field(default_factory=dict)  # the worker's answer: results, timings, reason
    reason: str | None = None  # why no grade was produced
    seconds: float = 0.0


class Executor(abc.ABC):
    """The interface the pipeline uses; see the module docstring."""

    slots: list[Slot]

    @abc.abstractmethod
    def free_slot(self) -> Slot | None:
        """A slot with no job, or None when all are busy."""

    @abc.abstractmethod
    def submit(self, job: Job, slot: Slot) -> None:
        """Start ``job`` on ``slot`` (which :meth:`free_slot` returned)."""

    @abc.abstractmethod
    def wait(self, timeout: float) -> list[Outcome]:
        """The outcomes of jobs that finished within ``timeout`` seconds (maybe none)."""

    @abc.abstractmethod
    def running(self) -> list[tuple[Slot, Job, float]]:
        """Each busy slot, its job and the seconds it has been running."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop every worker; jobs still running are abandoned."""


# --------------------------------------------------------------------------
# How many slots
# --------------------------------------------------------------------------


def available_memory() -> int:
    """Bytes of memory available to new processes (MemAvailable, within a cgroup limit)."""
    available = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit != "max":
            available = min(available or 2**62, int(limit) - used)
    except (OSError, ValueError):
        pass
    return available if available is not None else 8 * 2**30


def _gpus() -> list[int]:
    """Total memory of each visible GPU."""
    import torch

    if not torch.cuda.is_available():
        return []
    return [torch.cuda.get_device_properties(i).total_memory for i in range(torch.cuda.device_count())]


def plan_slots(device: str, workers: int | None = None, threads: int | None = None,
               memory_per_slot: int = 4 * 2**30 + WORKER_MEMORY) -> list[Slot]:
    """The slots for this machine: ``workers`` (default: what it carries) of ``threads`` each.

    :param device: ``cpu``, ``cuda`` (every GPU, round-robin) or ``cuda:N`` (that GPU only).
    :param memory_per_slot: host memory one slot may use at most.
    """
    cores = len(os.sched_getaffinity(0))
    gpus = _gpus() if device.startswith("cuda") else []
    if device.startswith("cuda:"):
        index = int(device.partition(":")[2])
        devices = [(f"cuda:{index}", gpus[index] if index < len(gpus) else GPU_MEMORY_PER_SLOT)]
    elif device == "cuda":
        devices = [(f"cuda:{i}", memory) for i, memory in enumerate(gpus)] or [("cuda", GPU_MEMORY_PER_SLOT)]
    else:
        devices = [("cpu", 0)]
    if workers is None:
        workers = max(1, cores // (threads or 1))
        workers = min(workers, max(1, available_memory() // memory_per_slot))
        if device.startswith("cuda"):
            workers = min(workers, sum(max(1, memory // GPU_MEMORY_PER_SLOT) for _, memory in devices))
    threads = threads or max(1, cores // workers)
    return [Slot(index=i, device=device, threads=threads) for i, device in enumerate(_spread(devices, workers))]


def _spread(devices: list[tuple[str, int]], workers: int) -> list[str]:
    """Round-robin over the devices, skipping a GPU once it carries its share (one slot per
    :data:`GPU_MEMORY_PER_SLOT`) while another still has room; plain round-robin past that."""
    room = [max(1, memory // GPU_MEMORY_PER_SLOT) if memory else workers for _, memory in devices]
    placed: list[str] = []
    turn = 0
    while len(placed) < workers:
        if any(room) and not room[turn % len(devices)]:
            turn += 1
            continue
        index = turn % len(devices)
        room[index] = max(0, room[index] - 1)
        placed.append(devices[index][0])
        turn += 1
    return placed


# --------------------------------------------------------------------------
# The local pool
# --------------------------------------------------------------------------


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "it stopped answering"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"it was killed by {name}"
    return f"it exited with status {returncode}"


class _Worker:
    """One worker process serving one slot."""

    def __init__(self, slot: Slot, assignment: str, log_dir: Path, selector: selectors.BaseSelector):
        self.slot = slot
        self.job: Job | None = None
        self.job_started = 0.0
        self.ready = False
        self.buffer = b""
        self.selector = selector
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"slot-{slot.index}.log"
        argv = [sys.executable, "-m", "grader.batch.worker", "--slot", str(slot.index), "--assignment", assignment,
                "--device", slot.device, "--threads", str(slot.threads), "--parent", str(os.getpid())]
        env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONUNBUFFERED="1")
        with open(self.log_path, "ab") as log:
            # Its own session: Ctrl-C reaches the batch, which then stops the workers in order.
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                         start_new_session=True)
        os.set_blocking(self.proc.stdout.fileno(), False)
        selector.register(self.proc.stdout, selectors.EVENT_READ, self)

    def send(self, job: Job) -> None:
        self.job, self.job_started = job, time.monotonic()
        try:
            self.proc.stdin.write((json.dumps({"job": asdict(job)}) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:  # it died just now: the end of its output fails the job with the reason
            pass

    def read(self) -> tuple[list[dict], bool]:
        """Messages that arrived, and whether the worker's output ended."""
        try:
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
        except BlockingIOError:
            return [], False
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        messages = []
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                messages.append(message)
        return messages, not chunk

    def log_tail(self, lines: int = 8) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Ask the worker to stop its runner and exit; kill it when it does not."""
        try:
            self.selector.unregister(self.proc.stdout)
        except (KeyError, ValueError):
            pass
        if self.proc.poll() is None:
            if self.job is None:
                try:
                    self.proc.stdin.close()  # end of jobs: it exits
                except OSError:
                    pass
            else:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


class LocalPool(Executor):
    """One worker process per slot on this machine."""

    def __init__(self, assignment: str, slots: list[Slot], log_dir: Path):
        self.assignment, self.slots, self.log_dir = assignment, slots, Path(log_dir)
        self.selector = selectors.DefaultSelector()
        self.workers: dict[int, _Worker] = {s.index: self._start(s) for s in slots}

    def _start(self, slot: Slot) -> _Worker:
        return _Worker(slot, self.assignment, self.log_dir, self.selector)

    def free_slot(self) -> Slot | None:
        return next((w.slot for w in self.workers.values() if w.job is None), None)

    def submit(self, job: Job, slot: Slot) -> None:
        worker = self.workers[slot.index]
        if worker.job is not None:
            raise RuntimeError(f"slot {slot.index} is busy")
        if worker.proc.poll() is not None:
            worker.stop()
            worker = self.workers[slot.index] = self._start(slot)
        worker.send(job)

    def running(self) -> list[tuple[Slot, Job, float]]:
        now = time.monotonic()
        return [(w.slot, w.job, now - w.job_started) for w in self.workers.values() if w.job is not None]

    def wait(self, timeout: float) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for key, _ in self.selector.select(timeout):
            worker: _Worker = key.data
            messages, ended = worker.read()
            for message in messages:
                if "fatal" in message:
                    raise GraderError(f"a grading worker could not start: {message['fatal']}")
                if message.get("ready"):
                    worker.ready = True
                elif worker.job is not None and message.get("run_id") == worker.job.run_id:
                    outcomes.append(self._finish(worker, ok=bool(message.get("ok")), payload=message,
                                                 reason=message.get("reason") if not message.get("ok") else None))
            if ended:
                outcomes += self._died(worker)
        now = time.monotonic()
        for worker in list(self.workers.values()):
            if worker.job is not None and now - worker.job_started > worker.job.timeout:
                job = worker.job
                worker.stop()
                outcomes.append(self._finish(worker, ok=False, reason=(
                    f"grading took longer than {job.timeout:.0f} s, the most this submission's stages may take; "
                    "the worker was stopped"), job=job))
        return outcomes

    def _finish(self, worker: _Worker, *, ok: bool, payload: dict | None = None, reason: str | None = None,
                job: Job | None = None) -> Outcome:
        job = job or worker.job
        outcome = Outcome(job=job, slot=worker.slot, ok=ok, payload=payload or {}, reason=reason,
                          seconds=round(time.monotonic() - worker.job_started, 3))
        worker.job = None
        return outcome

    def _died(self, worker: _Worker) -> list[Outcome]:
        job = worker.job
        worker.stop(grace=1.0)
        how = describe_exit(worker.proc.returncode)
        if not worker.ready:
            raise GraderError(f"a grading worker stopped while starting ({how}); its log "
                              f"{worker.log_path} ends with:\n{worker.log_tail()}")
        if job is None:  # a new worker is started for the slot's next job (see submit)
            return []
        return [self._finish(worker, ok=False, job=job, reason=(
            f"the grading worker died while grading this submission ({how}): the submission's code may have "
            "killed it, or the machine ran out of memory"))]

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()
        self.selector.close()
