"""Looks for the grader through /proc: its command line, environment, open files and root."""
import os

import torch
from torch import nn

FOUND = []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    for what in ("cmdline", "environ", "maps"):
        try:
            with open(f"/proc/{pid}/{what}", "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if b"grader.cli" in data or b"GRADER_CACHE_DIR" in data or b"test_y" in data or b"t10k" in data:
            FOUND.append(f"/proc/{pid}/{what}")
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if "labels" in target or "grader-cache" in target:
                FOUND.append(target)
    except OSError:
        pass
try:
    FOUND += [p for p in os.listdir("/proc/1/root/tmp") if p.startswith("pytest")]
except OSError:
    pass
if FOUND:
    raise RuntimeError("LEAKED through /proc: " + ", ".join(FOUND[:5]))


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(784, 256)
        self.layer2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        return self.layer2(torch.relu(self.layer1(x)))
