"""Synthetic stand-in images the grader draws itself, for grading offline.

Each class is a drawn shape with class-dependent parts (a T-shirt's short
sleeves, a coat's long ones and its opening, a truck's cab), varied per
image in size, position, rotation, brightness and texture, with pixel noise
on top. Some classes are drawn alike on purpose (T-shirt / shirt, pullover /
coat, cat / dog, automobile / truck, deer / horse), so that a network
learns them well but not perfectly. Everything is seeded: the same version
of a stand-in is the same bytes everywhere.

These are not FashionMNIST or CIFAR-10 images, and every report that uses
them says so (see :mod:`grader.data`).
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

SUPERSAMPLE = 4  # drawn at 4x and shrunk, so edges are anti-aliased

FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                 "dog", "frog", "horse", "ship", "truck"]


def _transform(parts, rng, size: int, jitter: float):
    """Scale, rotate and shift every polygon of a drawing about the image centre."""
    c = size / 2
    scale = rng.uniform(0.8, 1.08)
    aspect = rng.uniform(0.9, 1.1)
    angle = math.radians(rng.uniform(-10, 10))
    dx, dy = rng.uniform(-jitter, jitter, size=2)
    cos, sin = math.cos(angle), math.sin(angle)
    moved = []
    for points, value in parts:
        out = []
        for x, y in points:
            x, y = (x - c) * scale * aspect, (y - c) * scale
            out.append(((c + dx + x * cos - y * sin) * SUPERSAMPLE, (c + dy + x * sin + y * cos) * SUPERSAMPLE))
        moved.append((out, value))
    return moved


def _rect(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _ellipse(cx, cy, rx, ry, n: int = 16):
    return [(cx + rx * math.cos(2 * math.pi * k / n), cy + ry * math.sin(2 * math.pi * k / n)) for k in range(n)]


# --------------------------------------------------------------------------
# FashionMNIST-like garments: (N, 28, 28) grayscale on black
# --------------------------------------------------------------------------


def _garment(label: int, u) -> list:
    """Polygons (in 28-pixel coordinates) and their ink, 0 (cut out) to 1."""
    cx = 14
    if label in (0, 6):  # T-shirt/top, shirt: short sleeves; a shirt's are longer, with a placket
        w, top, bottom = u(4.5, 6), u(6, 8), u(22, 25)
        reach, end = (u(4, 6), u(11, 14)) if label == 0 else (u(4.5, 6.5), u(13, 17))
        parts = [(_rect(cx - w, top, cx + w, bottom), 1.0)]
        for s in (-1, 1):
            parts.append(([(cx + s * w, top), (cx + s * (w + reach), top + u(2, 4)), (cx + s * (w + reach - 1), end),
                           (cx + s * w, end - u(1, 3))], u(0.8, 1.0)))
        parts.append((_ellipse(cx, top, u(1.5, 2.5), u(1, 2)), 0.0))
        if label == 6:
            parts.append((_rect(cx - 0.5, top + 1, cx + 0.5, bottom), u(0.35, 0.75)))
            parts.append(([(cx - 2.5, top), (cx, top + u(3, 4)), (cx + 2.5, top)], u(0.3, 0.5)))
        return parts
    if label in (2, 4):  # pullover, coat: long sleeves; a coat is longer and open down the middle
        w, top = u(4.5, 6), u(5, 7)
        bottom = u(21, 24) if label == 2 else u(23, 26)
        parts = [(_rect(cx - w, top, cx + w, bottom), 1.0)]
        for s in (-1, 1):
            cuff = u(20, 24)
            parts.append(([(cx + s * w, top), (cx + s * (w + u(3, 4.5)), top + 2), (cx + s * (w + u(4, 6)), cuff),
                           (cx + s * (w + u(1, 2)), cuff), (cx + s * w, top + 5)], u(0.75, 1.0)))
        parts.append((_ellipse(cx, top, u(1.5, 2.5), u(1, 2)), 0.0))
        if label == 4:
            parts.append((_rect(cx - 0.6, top + 1, cx + 0.6, bottom), u(0.25, 0.7)))
        return parts
    if label == 3:  # dress: narrow top, flared skirt
        neck, waist, hem = u(2.5, 4), u(3, 4.5), u(7, 10)
        return [([(cx - neck, 4), (cx + neck, 4), (cx + waist, u(11, 13)), (cx + hem, u(23, 26)),
                  (cx - hem, u(23, 26)), (cx - waist, u(11, 13))], 1.0)]
    if label == 1:  # trouser: waistband and two legs
        w, gap, bottom = u(4.5, 6), u(0.4, 1.4), u(24, 26)
        return [(_rect(cx - w, 3, cx + w, u(5.5, 7)), 1.0),
                ([(cx - w, 5), (cx - gap, 5), (cx - gap, bottom), (cx - w - u(0, 1.5), bottom)], 1.0),
                ([(cx + gap, 5), (cx + w, 5), (cx + w + u(0, 1.5), bottom), (cx + gap, bottom)], 1.0)]
    if label == 5:  # sandal: a sole and a few thin straps
        sole = u(19, 22)
        parts = [(_rect(3, sole, 25, sole + u(1.5, 2.5)), 1.0)]
        for k in range(int(u(2, 4.99))):
            x = 5 + k * u(4, 6)
            parts.append(([(x, sole), (x + 1.5, sole), (x + u(3, 6), u(11, 15)), (x + u(1.5, 4.5), u(11, 15))],
                          u(0.6, 1.0)))
        return parts
    if label == 7:  # sneaker: a low wedge with laces
        toe, heel = u(17, 19), u(12, 15)
        return [([(3, 22), (25, 22), (25, toe), (u(15, 18), heel), (u(7, 10), u(14, 16)), (3, u(17, 19))], 1.0),
                (_rect(u(11, 13), heel + 1.5, u(15, 17), heel + 2.3), u(0.1, 0.4))]
    if label == 9:  # ankle boot: a shaft and a foot
        shaft = u(7, 9)
        return [([(shaft, u(3, 6)), (shaft + u(7, 9), u(3, 6)), (shaft + u(8, 10), u(14, 16)), (25, u(17, 19)),
                  (25, 23), (shaft, 23)], 1.0)]
    # label 8, bag: a body and a handle
    left, right, top = u(4, 7), u(21, 24), u(10, 13)
    parts = [(_rect(left, top, right, u(23, 25)), 1.0)]
    handle = _ellipse((left + right) / 2, top, (right - left) / 2 - u(2, 4), u(5, 8))
    parts.append((handle, u(0.7, 1.0)))
    parts.append((_ellipse((left + right) / 2, top, (right - left) / 2 - u(3.5, 5.5), u(3.5, 6.5)), 0.0))
    parts.append((_rect(left, top, right, top + 1), 1.0))
    return parts


def fashion_images(labels: np.ndarray, seed: int) -> np.ndarray:
    """uint8 (N, 28, 28) garments for ``labels``, light on black like FashionMNIST."""
    rng = np.random.RandomState(seed)
    size, big = 28, 28 * SUPERSAMPLE
    out = np.empty((len(labels), size, size), dtype=np.uint8)
    for i, label in enumerate(labels):
        parts = _transform(_garment(int(label), rng.uniform), rng, size, jitter=2.5)
        canvas = Image.new("L", (big, big), 0)
        draw = ImageDraw.Draw(canvas)
        ink = rng.uniform(120, 250)
        for points, value in parts:
            draw.polygon(points, fill=int(ink * value))
        image = np.asarray(canvas.resize((size, size), Image.BOX), dtype=np.float32)
        texture = 1 + rng.uniform(0.05, 0.3) * np.sin(np.arange(size) * rng.uniform(0.5, 2.5) + rng.uniform(0, 6))
        image = image * (texture[:, None] if rng.rand() < 0.5 else texture[None, :])
        image += rng.normal(0, rng.uniform(4, 14), image.shape) * (image > 8)
        out[i] = np.clip(image, 0, 255).round().astype(np.uint8)
    return out


# --------------------------------------------------------------------------
# CIFAR-10-like scenes: (N, 32, 32, 3) colour
# --------------------------------------------------------------------------


def _colour(rng, base, spread: float = 40):
    return tuple(int(np.clip(c + rng.uniform(-spread, spread), 0, 255)) for c in base)


def _animal(u, legs: bool, head: bool, ears: str, antlers: bool = False) -> list:
    parts = []
    if legs:
        body = _ellipse(15, 17, u(6, 8), u(3.5, 4.5))
        parts.append((body, "body"))
        for x in (u(9, 11), u(12, 14), u(17, 19), u(20, 22)):
            parts.append((_rect(x, 19, x + 1.6, u(25, 27)), "body"))
        parts.append((_rect(20, u(10, 12), 22.5, 17), "body"))  # neck
        parts.append((_ellipse(u(22, 24), u(9, 11), u(2.5, 3.5), u(1.8, 2.4)), "body"))
        if antlers:
            parts.append(([(21, 8), (19, 3), (20, 3), (22, 7)], "dark"))
            parts.append(([(24, 8), (26, 3), (27, 3), (25, 8)], "dark"))
        return parts
    if head:  # cat / dog: a face with ears
        r = u(7, 9)
        parts.append((_ellipse(16, 18, r, r * u(0.8, 0.95)), "body"))
        if ears == "pointed":
            for s in (-1, 1):
                parts.append(([(16 + s * r * 0.9, 14), (16 + s * r * u(0.6, 0.8), u(5, 8)), (16 + s * r * 0.2, 12)],
                              "body"))
        else:
            for s in (-1, 1):
                parts.append((_ellipse(16 + s * r * 0.95, u(17, 20), u(2, 3), u(4, 5.5)), "dark"))
        for s in (-1, 1):
            parts.append((_ellipse(16 + s * r * 0.35, 17, 1.1, 1.1), "eye"))
        parts.append((_ellipse(16, 20.5, 1.3, 0.9), "dark"))
        return parts
    return parts


def _scene(label: int, rng):
    """A background (two colours, top and bottom) and coloured polygons for one image."""
    u = rng.uniform
    sky, grass, water, road, indoor = (110, 160, 220), (70, 130, 60), (40, 80, 160), (110, 110, 110), (150, 120, 100)
    if label == 0:  # airplane: fuselage and wings in the sky
        bg = (sky, _colour(rng, sky, 30))
        parts = [(_rect(5, 15, 27, 18), "metal"), ([(13, 16), (19, 16), (15, u(4, 8)), (12, u(4, 8))], "metal"),
                 ([(13, 17), (19, 17), (15, u(25, 29)), (12, u(25, 29))], "metal"), ([(5, 15), (7, 10), (9, 15)], "metal")]
        colours = {"metal": _colour(rng, (215, 215, 220), 35)}
    elif label == 8:  # ship: a hull on water
        bg = (_colour(rng, sky, 30), water)
        parts = [([(3, 19), (29, 19), (25, 25), (7, 25)], "hull"), (_rect(11, u(12, 14), 21, 19), "cabin"),
                 (_rect(14, u(7, 10), 16, 13), "cabin")]
        colours = {"hull": _colour(rng, (120, 60, 50), 60), "cabin": _colour(rng, (225, 225, 225), 30)}
    elif label in (1, 9):  # automobile / truck: a body on a road, two wheels; a truck is taller with a cab
        bg = (_colour(rng, (160, 170, 180), 40), road)
        if label == 1:
            parts = [(_rect(4, 17, 28, 23), "paint"), ([(9, 17), (12, u(11, 13)), (21, u(11, 13)), (24, 17)], "paint"),
                     (_rect(12, 13.5, 20, 16.5), "glass")]
        else:
            parts = [(_rect(3, u(8, 10), 20, 23), "box"), (_rect(20, u(12, 14), 29, 23), "paint"),
                     (_rect(22, 14.5, 27, 17.5), "glass")]
        parts += [(_ellipse(9, 23.5, 2.6, 2.6), "tyre"), (_ellipse(23, 23.5, 2.6, 2.6), "tyre")]
        colours = {"paint": _colour(rng, (rng.randint(60, 255), rng.randint(0, 120), rng.randint(0, 200)), 30),
                   "box": _colour(rng, (200, 200, 190), 50), "glass": (150, 190, 220), "tyre": (25, 25, 25)}
    elif label == 2:  # bird: a small body, a wing and a beak, in the sky or in a tree
        bg = (sky, grass) if rng.rand() < 0.5 else (_colour(rng, sky, 40), _colour(rng, sky, 40))
        parts = [(_ellipse(16, 16, u(5, 6.5), u(3, 4)), "body"), (_ellipse(u(21, 22), 13, 2.5, 2.3), "body"),
                 ([(23.5, 12.5), (27, 13.5), (23.5, 14.5)], "beak"), ([(12, 15), (18, u(8, 11)), (19, 15)], "wing")]
        colours = {"body": _colour(rng, (150, 100, 60), 60), "beak": (230, 170, 40),
                   "wing": _colour(rng, (90, 70, 50), 40)}
    elif label in (3, 5):  # cat / dog: a face indoors; pointed ears or floppy ones
        bg = (_colour(rng, indoor, 50), _colour(rng, indoor, 50))
        parts = _animal(u, legs=False, head=True, ears="pointed" if label == 3 else "floppy")
        fur = (rng.randint(60, 230),) * 3 if rng.rand() < 0.4 else _colour(rng, (190, 130, 70), 50)
        colours = {"body": fur, "dark": _colour(rng, (60, 40, 30), 25), "eye": (20, 20, 20) if label == 5
                   else (120, 200, 80)}
    elif label in (4, 7):  # deer / horse: a four-legged animal on grass; a deer has antlers
        bg = (_colour(rng, (120, 170, 120), 40), _colour(rng, grass, 30))
        parts = _animal(u, legs=True, head=False, ears="", antlers=label == 4)
        colours = {"body": _colour(rng, (140, 95, 55) if label == 4 else (110, 70, 40), 40),
                   "dark": (70, 50, 30)}
    else:  # frog: a green blob with big eyes on the ground
        bg = (_colour(rng, (90, 110, 60), 40), _colour(rng, (90, 80, 50), 40))
        parts = [(_ellipse(16, 19, u(8, 10), u(5, 6.5)), "body"), (_ellipse(11, 13.5, 2.6, 2.6), "body"),
                 (_ellipse(21, 13.5, 2.6, 2.6), "body"), (_ellipse(11, 13.5, 1.1, 1.1), "eye"),
                 (_ellipse(21, 13.5, 1.1, 1.1), "eye")]
        colours = {"body": _colour(rng, (80, 170, 60), 45), "eye": (15, 15, 15)}
    return bg, parts, colours


def cifar_images(labels: np.ndarray, seed: int) -> np.ndarray:
    """uint8 (N, 32, 32, 3) scenes for ``labels``, in CIFAR-10's class order."""
    rng = np.random.RandomState(seed)
    size, big = 32, 32 * SUPERSAMPLE
    out = np.empty((len(labels), size, size, 3), dtype=np.uint8)
    for i, label in enumerate(labels):
        (top, bottom), parts, colours = _scene(int(label), rng)
        canvas = Image.new("RGB", (big, big), top)
        draw = ImageDraw.Draw(canvas)
        horizon = rng.uniform(0.45, 0.75) * big
        draw.rectangle([0, horizon, big, big], fill=bottom)
        flip = rng.rand() < 0.5
        moved = _transform([(p, name) for p, name in parts], rng, size, jitter=3.0)
        for points, name in moved:
            if flip:
                points = [(big - x, y) for x, y in points]
            draw.polygon(points, fill=colours[name])
        image = np.asarray(canvas.resize((size, size), Image.BOX), dtype=np.float32)
        image = image * rng.uniform(0.8, 1.1) + rng.uniform(-10, 10, size=3)
        image += rng.normal(0, rng.uniform(3, 8), image.shape)
        out[i] = np.clip(image, 0, 255).round().astype(np.uint8)
    return out


def balanced_labels(count: int, classes: int, seed: int) -> np.ndarray:
    """``count`` labels, as equal per class as possible, in a seeded random order."""
    labels = np.arange(count) % classes
    return np.random.RandomState(seed).permutation(labels).astype(np.uint8)
