"""Runner probes for custom-dataset: build the student's datasets over the grader's fixtures.

Runs in the runner child (imported there as a top-level module, next to
``graderrunner``). Each probe builds ``CustomImageDataset`` or ``MyData``
from ``dataset.py`` over the generated files in the job's inputs folder and
returns what it saw: lengths, every item described (pixels saved as arrays),
how often the counting transforms were called, and what a DataLoader
collated. The parent compares all of it with the reference's.
"""
from __future__ import annotations

import functools
import operator

from graderrunner.probes_data import call, describe, error_of, load as load_names, lookup

MODULE = "dataset"
LIMIT = 64  # items looked at, whatever __len__ claims


def load(ctx) -> dict:
    return load_names(ctx, MODULE, ["CustomImageDataset", "MyData"])


def _path(ctx, relative: str) -> str:
    return str(ctx.inputs_dir / relative)


def _csv_dataset(ctx, annotations: str, img_dir: str, **transforms):
    cls = lookup(ctx, MODULE, "CustomImageDataset")
    return call("construct", cls, _path(ctx, annotations), _path(ctx, img_dir), **transforms)


def _pair(item) -> tuple:
    """``(image, label)`` from an item, or a sentence saying why it is not a pair."""
    if isinstance(item, (tuple, list)) and len(item) == 2:
        return item[0], item[1], None
    size = f" of {len(item)} values" if isinstance(item, (tuple, list)) else ""
    return None, None, f"__getitem__ returned {type(item).__name__}{size}, not a pair (image, label)"


def _items(ctx, dataset, length: int, describe_item) -> list[dict]:
    """Every item (up to LIMIT), described; the first failure is recorded and ends the walk."""
    items = []
    for index in range(min(length, LIMIT)):
        try:
            image, label, problem = _pair(dataset[index])
        except BaseException as exc:  # student code may raise anything
            items.append({"index": index, "error": error_of(exc, ctx)})
            break
        if problem:
            items.append({"index": index, "problem": problem})
            break
        items.append({"index": index, **describe_item(index, image, label)})
    return items


def csv_items(ctx, annotations: str, img_dir: str) -> dict:
    """CustomImageDataset without transforms: its length and every (image, label)."""
    dataset = _csv_dataset(ctx, annotations, img_dir)
    length = call("len", len, dataset)
    items = _items(ctx, dataset, length, lambda i, image, label: {
        "image": describe(ctx, f"image{i}", image), "label": describe(ctx, f"label{i}", label, save=False)})
    return {"length": length, "items": items}


class Counting:
    """A transform that counts its calls and returns a fresh marker each time.

    The marker tells the grader whether ``__getitem__`` returned what the
    transform gave (and not the untransformed value); the count tells it
    whether the transform ran exactly once for that item.
    """

    def __init__(self):
        self.calls = 0
        self.last = None

    def __call__(self, value):
        self.calls += 1
        self.last = Marker(self.calls)
        return self.last


class Marker:
    def __init__(self, number: int):
        self.number = number

    def __repr__(self):
        return f"<output {self.number} of the grader's counting transform>"


def csv_counting(ctx, annotations: str, img_dir: str) -> dict:
    """CustomImageDataset with counting transform and target_transform: calls per item."""
    transform, target = Counting(), Counting()
    dataset = _csv_dataset(ctx, annotations, img_dir, transform=transform, target_transform=target)
    at_init = {"transform": transform.calls, "target_transform": target.calls}
    length = call("len", len, dataset)
    before = [transform.calls, target.calls]  # calls so far; each item's are the ones its __getitem__ made

    def counted(index, image, label):
        facts = {"transform": transform.calls - before[0], "target_transform": target.calls - before[1],
                 "image_is_output": transform.calls > before[0] and image is transform.last,
                 "label_is_output": target.calls > before[1] and label is target.last,
                 "image": describe(ctx, f"image{index}", image, save=False),
                 "label": describe(ctx, f"label{index}", label, save=False)}
        before[:] = [transform.calls, target.calls]
        return facts

    items = _items(ctx, dataset, length, counted)
    return {"length": length, "at_init": at_init, "items": items}


def to_float(image):
    """The ToTensor-style transform the grader passes: uint8 (C, H, W) in [0, 255] -> float in [0, 1]."""
    return image.float() / 255


def csv_loader(ctx, annotations: str, img_dir: str, batch_size: int = 4) -> dict:
    """A DataLoader (no shuffling) over CustomImageDataset with a ToTensor-style transform."""
    from torch.utils.data import DataLoader

    dataset = _csv_dataset(ctx, annotations, img_dir, transform=to_float)
    batches = []
    try:
        for number, batch in enumerate(DataLoader(dataset, batch_size=batch_size, shuffle=False)):
            if number >= LIMIT:
                break
            if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
                return {"batches": batches, "problem": f"a batch is {type(batch).__name__}, not (images, labels)"}
            images, labels = batch
            batches.append({"images": describe(ctx, f"images{number}", images),
                            "labels": describe(ctx, f"labels{number}", labels)})
    except BaseException as exc:  # collation fails on mixed sizes; student code may raise anything
        return {"batches": batches, "error": error_of(exc, ctx)}
    return {"batches": batches}


def _pil_item(ctx, prefix: str):
    def describe_item(index, image, label):
        return {"image": describe(ctx, f"{prefix}{index}", image, save=False),
                "label": describe(ctx, f"{prefix}label{index}", label, save=False)}

    return describe_item


def mydata(ctx, root: str, labels: list) -> dict:
    """MyData(root, label) for each label folder: its length and every (image, label)."""
    cls = lookup(ctx, MODULE, "MyData")
    sets = {}
    for label in labels:
        dataset = call("construct", cls, _path(ctx, root), label)
        length = call("len", len, dataset)
        sets[label] = {"length": length, "items": _items(ctx, dataset, length, _pil_item(ctx, label))}
    return {"sets": sets}


def mydata_concat(ctx, root: str, labels: list) -> dict:
    """``MyData(root, labels[0]) + MyData(root, labels[1]) + ...``: its length and items, and each part's."""
    cls = lookup(ctx, MODULE, "MyData")
    parts = [call("construct", cls, _path(ctx, root), label) for label in labels]
    total = call("concatenate", functools.reduce, operator.add, parts)
    length = call("len", len, total)
    part_items = [[item.get("image", {}).get("sha256") for item in
                   _items(ctx, part, call("len", len, part), _pil_item(ctx, f"part{n}_"))]
                  for n, part in enumerate(parts)]
    items = _items(ctx, total, length, _pil_item(ctx, "all"))
    return {"type": type(total).__name__, "length": length, "items": items, "parts": part_items}
