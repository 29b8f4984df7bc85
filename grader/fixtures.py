"""Fixture files the grader generates for data assignments: images, CSV files, folders.

A stage's ``fixtures(inputs_dir)`` callable writes these into the job's
inputs folder, where the runner child reads them. They are generated, not
shipped, so they are the same on every run and machine (a fixed seed, mixed
with each image's name through SHA-256) and students do not know their exact
content. The grader can regenerate any image's pixels with :func:`image`
when a check needs the input (to prove a crop is a sub-window of it, say).
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEED = 5_2024  # changing it changes every fixture, and so the reference's cached observations


@dataclass(frozen=True)
class ImageSpec:
    """One generated image: its file name, size and PIL mode (``"L"`` or ``"RGB"``)."""

    name: str
    height: int
    width: int
    mode: str = "RGB"

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.height, self.width) if self.mode == "L" else (self.height, self.width, 3)


def image(spec: ImageSpec) -> np.ndarray:
    """The pixels of ``spec`` as uint8 (H, W) or (H, W, 3): smooth gradients plus noise.

    Gradients make resizing and cropping produce distinct values everywhere;
    noise makes every window of the image different from every other one.
    """
    digest = hashlib.sha256(f"{SEED}:{spec.name}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    channels = 1 if spec.mode == "L" else 3
    rows = np.linspace(0.0, 1.0, spec.height)[:, None, None]
    cols = np.linspace(0.0, 1.0, spec.width)[None, :, None]
    phase = rng.uniform(0, 2 * np.pi, size=(1, 1, channels))
    base = 127.5 + 90 * np.sin(3 * rows + 2 * cols + phase)
    noisy = base + rng.normal(0, 25, size=(spec.height, spec.width, channels))
    pixels = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    return pixels[:, :, 0] if channels == 1 else pixels


def write_image(folder: Path, spec: ImageSpec, quality: int = 90) -> Path:
    """Write ``spec`` into ``folder``; the suffix of its name picks PNG or JPEG."""
    from PIL import Image

    path = Path(folder) / spec.name
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = Image.fromarray(image(spec))  # (H, W) uint8 is mode L, (H, W, 3) is RGB
    if path.suffix.lower() in (".jpg", ".jpeg"):
        picture.save(path, format="JPEG", quality=quality)
    else:
        picture.save(path, format="PNG")
    return path


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple]) -> Path:
    """A CSV file with a header row, as the course's annotation files are."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
