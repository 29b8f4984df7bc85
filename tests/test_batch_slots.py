"""How many slots ``grader batch`` starts, with how many threads, on which device (no GPU needed)."""
from __future__ import annotations

import pytest

from grader.batch import executor

GiB = 2**30
PER_SLOT = 4 * GiB + executor.WORKER_MEMORY  # the default memory limit plus the worker's share


@pytest.fixture
def machine(monkeypatch):
    """``machine(cores, memory, gpus)`` makes this the machine plan_slots sees."""

    def make(cores: int, memory: int, gpus: list[int] = ()):
        monkeypatch.setattr(executor.os, "sched_getaffinity", lambda pid: set(range(cores)))
        monkeypatch.setattr(executor, "available_memory", lambda: memory)
        monkeypatch.setattr(executor, "_gpus", lambda: list(gpus))

    return make


def test_cpu_slots_are_bound_by_cores_then_by_memory(machine):
    machine(cores=16, memory=128 * GiB)
    slots = executor.plan_slots("cpu", memory_per_slot=PER_SLOT)
    assert len(slots) == 16 and {(s.device, s.threads) for s in slots} == {("cpu", 1)}
    machine(cores=16, memory=12 * GiB)  # two submissions' memory limits fit
    slots = executor.plan_slots("cpu", memory_per_slot=PER_SLOT)
    assert [(s.index, s.device, s.threads) for s in slots] == [(0, "cpu", 8), (1, "cpu", 8)]
    assert [s.threads for s in executor.plan_slots("cpu", threads=4, memory_per_slot=PER_SLOT)] == [4, 4]
    assert len(executor.plan_slots("cpu", workers=5, memory_per_slot=PER_SLOT)) == 5, "--workers wins"


def test_cuda_slots_are_pinned_round_robin_and_bound_by_gpu_memory(machine):
    machine(cores=64, memory=1024 * GiB, gpus=[80 * GiB, 80 * GiB])
    slots = executor.plan_slots("cuda", memory_per_slot=PER_SLOT)
    assert len(slots) == 40 and [s.device for s in slots[:4]] == ["cuda:0", "cuda:1", "cuda:0", "cuda:1"]
    machine(cores=64, memory=1024 * GiB, gpus=[16 * GiB, 16 * GiB])
    assert [s.device for s in executor.plan_slots("cuda", memory_per_slot=PER_SLOT)].count("cuda:1") == 4
    assert {s.device for s in executor.plan_slots("cuda:1", memory_per_slot=PER_SLOT)} == {"cuda:1"}


def test_a_small_gpu_beside_a_big_one_gets_only_its_share(machine):
    machine(cores=16, memory=1024 * GiB, gpus=[80 * GiB, 8 * GiB])
    devices = [s.device for s in executor.plan_slots("cuda", memory_per_slot=PER_SLOT)]
    assert len(devices) == 16 and devices.count("cuda:1") == 2 and devices[:4] == ["cuda:0", "cuda:1"] * 2
    devices = [s.device for s in executor.plan_slots("cuda", workers=22, memory_per_slot=PER_SLOT)]
    assert devices.count("cuda:1") == 2, "--workers beyond the small GPU's share go to the big one"
