"""custom-dataset: the course's own Dataset classes, CustomImageDataset (notes 002) and MyData (notes 003).

``dataset.py`` defines

* ``CustomImageDataset(annotations_file, img_dir, transform=None,
  target_transform=None)`` over a CSV file with a header row ``file,label``:
  item ``idx`` is ``(read_image(img_dir/file), label)`` for row ``idx``,
  the image a uint8 (C, H, W) tensor before ``transform`` and the label an
  int before ``target_transform``; its length is the number of rows;
* ``MyData(root_dir, label_dir)`` over the files of ``root_dir/label_dir``:
  items are ``(PIL image, label_dir)``, and ``ants + bees`` concatenates.

The grader generates the files (grayscale and RGB images, a CSV whose rows
are not in file-name order and include a label of 0, an image in the folder
that the CSV does not list, ants/bees folders) so they are the same on
every run. Nothing is trained, so every check is fast and also runs under
``grader check``; all are tagged ``dataset`` except the import check.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from grader import explain, hookimpl, reference
from grader.assignment import Assignment, Stage
from grader.checks import CheckFailed, check
from grader.datachecks import expect_same, imports_check, phrase
from grader.fixtures import ImageSpec, write_csv, write_image
from grader.launcher import Call

HERE = Path(__file__).parent
PROBES = "probes_custom_dataset"

# The CSV's rows, in order: not sorted by file name, labels unrelated to the names, two labels of 0.
CSV_ROWS = [
    (ImageSpec("img_4117.png", 14, 11, "L"), 3),
    (ImageSpec("img_0852.png", 9, 13, "RGB"), 0),
    (ImageSpec("img_7730.png", 12, 12, "RGB"), 7),
    (ImageSpec("img_1209.png", 16, 10, "L"), 0),
    (ImageSpec("img_5561.png", 10, 15, "RGB"), 9),
    (ImageSpec("img_0318.png", 11, 9, "L"), 5),
    (ImageSpec("img_9044.png", 13, 14, "RGB"), 1),
    (ImageSpec("img_2675.png", 8, 16, "L"), 8),
]
UNLISTED = ImageSpec("img_6003.png", 12, 10, "RGB")  # in the folder, not in the CSV
# Same-size RGB images for the DataLoader: 10 items make batches of 4, 4 and 2.
BATCH_ROWS = [(ImageSpec(f"tile_{n:02d}.png", 12, 12, "RGB"), label)
              for n, label in enumerate([2, 0, 6, 1, 9, 4, 0, 3, 7, 5])]
FOLDERS = {
    "ants": [ImageSpec("0013035.jpg", 20, 24), ImageSpec("5650366_e22b7e1065.jpg", 18, 26),
             ImageSpec("6240329_72c01e663e.jpg", 22, 20, "L"), ImageSpec("6743948_2b8c096dda.jpg", 24, 24),
             ImageSpec("7759525_1363d24e88.jpg", 19, 21)],
    "bees": [ImageSpec("16838648_415acd9e3f.jpg", 21, 23), ImageSpec("17209602_fe5a5a746f.jpg", 20, 20),
             ImageSpec("21399619_3e61e5bb6f.jpg", 25, 19), ImageSpec("29494643_e3410f0d37.jpg", 18, 22, "L")],
}
ROOT = "hymenoptera/train"
ANNOTATIONS, BATCHES, IMAGES = "annotations/labels.csv", "annotations/batch.csv", "images"
FILES_IN_IMAGES = len(CSV_ROWS) + 1 + len(BATCH_ROWS)


def write_fixtures(inputs: Path) -> None:
    """The generated files the child reads: images, the two CSV files, the ants/bees folders."""
    for spec, _ in CSV_ROWS + BATCH_ROWS:
        write_image(inputs / IMAGES, spec)
    write_image(inputs / IMAGES, UNLISTED)
    write_csv(inputs / ANNOTATIONS, ("file", "label"), [(spec.name, label) for spec, label in CSV_ROWS])
    write_csv(inputs / BATCHES, ("file", "label"), [(spec.name, label) for spec, label in BATCH_ROWS])
    for label, specs in FOLDERS.items():
        for spec in specs:
            write_image(inputs / ROOT / label, spec)


def plan(assignment, options):
    csv_args = {"annotations": ANNOTATIONS, "img_dir": IMAGES}
    folder_args = {"root": ROOT, "labels": list(FOLDERS)}
    return [Stage("dataset", [
        Call("load", f"{PROBES}:load"),
        Call("csv_items", f"{PROBES}:csv_items", csv_args),
        Call("csv_counting", f"{PROBES}:csv_counting", csv_args),
        Call("csv_loader", f"{PROBES}:csv_loader", {"annotations": BATCHES, "img_dir": IMAGES, "batch_size": 4}),
        Call("mydata", f"{PROBES}:mydata", folder_args),
        Call("mydata_concat", f"{PROBES}:mydata_concat", folder_args),
    ], fast=True, timeout=60 + assignment.grace, fixtures=write_fixtures)]


ASSIGNMENT = Assignment(
    id="custom-dataset",
    title="Your own Dataset classes: CustomImageDataset (CSV) and MyData (folders)",
    version="1",
    description=(
        "Submit dataset.py defining CustomImageDataset(annotations_file, img_dir, transform=None, "
        "target_transform=None) over a CSV file with a header row file,label (items: read_image of the file, "
        "the int label), and MyData(root_dir, label_dir) over the files of one folder (items: the PIL image, "
        "label_dir). Read the CSV with pandas (as the notes do), the csv module or numpy."
    ),
    files=["dataset.py"],
    reference=reference.folder("custom_dataset"),
    plan=plan,
    time_budget=30.0,
    examples={"correct": HERE / "examples" / "correct", "mistake": HERE / "examples" / "mistake"},
    runner_modules=[HERE / f"{PROBES}.py"],
)


# --------------------------------------------------------------------------
# CustomImageDataset
# --------------------------------------------------------------------------


def _row(index: int) -> str:
    if index < len(CSV_ROWS):
        return f"dataset[{index}] (row {index + 1} of the CSV: {CSV_ROWS[index][0].name})"
    return f"dataset[{index}]"


def _item_failure(item: dict, index: int, when: str = "") -> CheckFailed | None:
    if "error" in item:
        return CheckFailed(f"{_row(index)} failed{when}: {explain.error(item['error'])}")
    if "problem" in item:
        return CheckFailed(f"{_row(index)}: {item['problem']}.", hint="End __getitem__ with `return image, label`.")
    return None


@check(kind="dataset", points=1, name="CSV dataset: length is the number of rows", depends=["imports"])
def csv_length(ctx):
    """len(CustomImageDataset(annotations_file, img_dir)) is the number of rows below the CSV's header row."""
    mine, ref = ctx.observe("csv_items")["length"], ctx.reference("csv_items")["length"]
    if mine == ref:
        return f"{mine} items, one per row of the annotations file."
    hint = "Count the rows of the annotations file, without its header row."
    if mine == ref + 1:
        hint = ("The header row `file,label` was read as an image. Skip it: next(reader) before reading the "
                "rows with csv.reader, or use csv.DictReader.")
    elif mine == ref - 1:
        hint = "The first image row was dropped: skip the header row only."
    elif mine == FILES_IN_IMAGES:
        hint = "You counted the files of img_dir; the CSV says which images belong to the dataset."
    raise CheckFailed(f"Your dataset has {mine} items; the annotations file lists {ref} images.",
                      expected=ref, actual=mine, hint=hint)


@check(kind="dataset", points=2, name="CSV dataset: images equal read_image of each row's file",
        depends=["csv_length"])
def csv_images(ctx):
    """Each item's image is read_image of the file its CSV row names, in row order: a uint8 (C, H, W) tensor with
    one channel for grayscale files and three for RGB ones.
    """
    mine, ref = ctx.observe("csv_items")["items"], ctx.reference("csv_items")["items"]
    row_of = {r["image"].get("sha256"): i for i, r in enumerate(ref)}
    for index, (m, r) in enumerate(zip(mine, ref)):
        if failure := _item_failure(m, index):
            raise failure
        other = row_of.get(m["image"].get("sha256"))
        if other is not None and other != index:
            raise CheckFailed(f"{_row(index)} holds the image of row {other + 1} ({CSV_ROWS[other][0].name}).",
                              hint="Item idx is the image named in row idx of the CSV (after the header), in the "
                                   "CSV's order, not the folder's.")
        channels = {1: "grayscale", 3: "RGB"}.get(r["image"]["shape"][0], "")
        expect_same(ctx, f"The image of {_row(index)}", "csv_items", m["image"], r["image"], hints={
            "kind": "Return the tensor torchvision.io.read_image gives when no transform is passed.",
            "shape": f"This file is {channels}: read_image gives it {r['image']['shape'][0]} channel(s). Read it "
                     "as it is (no ImageReadMode, no convert) and keep the (C, H, W) layout.",
            "dtype": "read_image gives uint8; leave the pixels as they are when no transform is passed.",
            "values": "Read os.path.join(img_dir, file) with torchvision.io.read_image."})
    return f"{len(ref)} images equal the reference's, grayscale and RGB, in the CSV's order."


@check(kind="dataset", points=1, name="CSV dataset: labels are the rows' ints", depends=["csv_length"])
def csv_labels(ctx):
    """Each item's label is the int in its CSV row's label column (0 included), when no target_transform is passed."""
    mine, ref = ctx.observe("csv_items")["items"], ctx.reference("csv_items")["items"]
    for index, (m, r) in enumerate(zip(mine, ref)):
        if failure := _item_failure(m, index):
            raise failure
        label, expected = m["label"], r["label"]
        if label["kind"] != "int":
            hint = "Convert the label column with int(...) when you read the CSV."
            if label["kind"] == "str":
                hint = f"The csv module gives text: int({label['value']!r}) is the label {expected['value']}."
            raise CheckFailed(f"The label of {_row(index)} is {phrase(label)}; labels must be ints.",
                              expected=f"an int ({expected['value']})", actual=phrase(label), hint=hint)
        if label["value"] != expected["value"]:
            raise CheckFailed(f"The label of {_row(index)} is {label['value']}; its row says {expected['value']}.",
                              expected=expected["value"], actual=label["value"],
                              hint="Take the label from the same row as the file name (its second column).")
    return f"{len(ref)} int labels equal the CSV's, 0 included."


@check(kind="dataset", points=2, name="CSV dataset: transform and target_transform run once per item",
        depends=["csv_length"])
def csv_transforms(ctx):
    """transform and target_transform are each applied exactly once per item, in __getitem__, and the item is
    what they returned.
    """
    observation = ctx.observations.get("csv_counting")
    error = (observation.error or {}) if observation is not None and not observation.ok else {}
    if error.get("phase") == "construct" and error.get("type") == "TypeError":
        raise CheckFailed("CustomImageDataset(annotations_file, img_dir, transform=..., target_transform=...) "
                          "cannot be created: " + explain.error(error),
                          hint="Take both transforms as the notes do: def __init__(self, annotations_file, img_dir, "
                               "transform=None, target_transform=None).")
    data = ctx.observe("csv_counting")
    for key, calls in data["at_init"].items():
        if calls:
            raise CheckFailed(f"{key} was called {calls} times while the dataset was being created.",
                              expected="no calls in __init__", actual=f"{calls} calls",
                              hint="Store the transforms in __init__ and apply them in __getitem__, to one item.")
    for item in data["items"]:
        index = item["index"]
        if failure := _item_failure(item, index, " when transforms were passed"):
            failure.hint = ("Apply transform to the image read_image gave and target_transform to the label, last, "
                            "and return what they return unchanged.")
            raise failure
        for key, subject in (("transform", "image"), ("target_transform", "label")):
            calls = item[key]
            if calls == 1:
                continue
            if calls == 0:
                hint = f"When {key} is given, call self.{key}({subject}) in __getitem__."
                if key == "target_transform" and index < len(CSV_ROWS) and CSV_ROWS[index][1] == 0:
                    hint = ("This item's label is 0, which is false: test `if self.target_transform:` (or "
                            "`is not None`), never the label itself.")
            else:
                hint = (f"Apply self.{key} once: look for a second call, in __getitem__ or elsewhere"
                        + (", or one on the label too." if key == "transform" else "."))
            times = {0: "not called", 2: "called twice"}.get(calls, f"called {calls} times")
            raise CheckFailed(f"{key} was {times} for {_row(index)}; it must run exactly once per item.",
                              expected="1 call", actual=f"{calls} calls", hint=hint)
        for key, subject in (("transform", "image"), ("target_transform", "label")):
            if not item[f"{subject}_is_output"]:
                raise CheckFailed(f"The {subject} of {_row(index)} is not what {key} returned.",
                                  expected=f"the value {key} returned", actual=phrase(item[subject]),
                                  hint=f"Assign the result: {subject} = self.{key}({subject}).")
    return f"Both transforms ran once for each of the {len(data['items'])} items."


@check(kind="dataset", points=1, name="CSV dataset: a DataLoader with batch 4 collates it",
        depends=["csv_images", "csv_labels", "csv_transforms"])
def csv_dataloader(ctx):
    """A DataLoader with batch_size=4 collates your dataset (with a ToTensor-style transform: uint8 to float in
    [0, 1]) into the reference's batches: float images (4, C, H, W) and int64 label tensors.
    """
    mine, ref = ctx.observe("csv_loader"), ctx.reference("csv_loader")
    if mine.get("error") or mine.get("problem"):
        reason = explain.error(mine["error"]) if mine.get("error") else mine["problem"] + "."
        raise CheckFailed(f"The DataLoader failed on your dataset after {len(mine['batches'])} batch(es): {reason}",
                          hint="A DataLoader stacks the items of a batch: each image must be the tensor transform "
                               "returned and each label an int.")
    if len(mine["batches"]) != len(ref["batches"]):
        raise CheckFailed("The DataLoader made a different number of batches.", expected=len(ref["batches"]),
                          actual=len(mine["batches"]), hint="__len__ must count the CSV's rows.")
    for number, (m, r) in enumerate(zip(mine["batches"], ref["batches"])):
        expect_same(ctx, f"The images of batch {number}", "csv_loader", m["images"], r["images"], tol=1e-6,
                    hints={"values": "Apply transform to the image read_image gave, and nothing else to it."})
        expect_same(ctx, f"The labels of batch {number}", "csv_loader", m["labels"], r["labels"],
                    hints={"kind": "Labels must be ints for the DataLoader to make a tensor of them.",
                           "dtype": "Return labels as Python ints so that they collate to int64."})
    shapes = ", ".join(str(tuple(b["images"]["shape"])) for b in mine["batches"])
    return f"{len(mine['batches'])} batches, as the reference's: {shapes}."


# --------------------------------------------------------------------------
# MyData
# --------------------------------------------------------------------------


@check(kind="dataset", points=1, name="MyData: length is the number of files", depends=["imports"])
def mydata_length(ctx):
    """len(MyData(root_dir, label_dir)) is the number of files in root_dir/label_dir, for ants and for bees."""
    mine, ref = ctx.observe("mydata")["sets"], ctx.reference("mydata")["sets"]
    for label, expected in ref.items():
        if mine[label]["length"] != expected["length"]:
            raise CheckFailed(f"MyData(root_dir, {label!r}) has {mine[label]['length']} items; the folder "
                              f"{label}/ holds {expected['length']} images.", expected=expected["length"],
                              actual=mine[label]["length"],
                              hint="Return len(os.listdir(os.path.join(root_dir, label_dir))).")
    return ", ".join(f"{label}: {s['length']} items" for label, s in mine.items()) + ", as the folders."


def _key(item: dict) -> tuple:
    return item["image"].get("sha256"), item["image"].get("mode"), tuple(item["image"].get("size") or ())


@check(kind="dataset", points=1, name="MyData: items are (PIL image, folder name) for every file",
        depends=["mydata_length"])
def mydata_items(ctx):
    """Each item is (the PIL image of one file, as Image.open gives it, label_dir), and every file of the folder
    appears once, in any order (os.listdir has none).
    """
    mine, ref = ctx.observe("mydata")["sets"], ctx.reference("mydata")["sets"]
    for label, expected in ref.items():
        items = mine[label]["items"]
        for item in items:
            if "error" in item:
                hint = None
                if item["error"].get("type") == "FileNotFoundError":
                    hint = ("The files are in the folder root_dir/label_dir: open "
                            "os.path.join(self.root_dir, self.label_dir, img_name), the folder you listed.")
                raise CheckFailed(f"MyData(root_dir, {label!r})[{item['index']}] failed: "
                                  + explain.error(item["error"]), hint=hint)
            if "problem" in item:
                raise CheckFailed(f"MyData(root_dir, {label!r})[{item['index']}]: {item['problem']}.")
            if item["image"]["kind"] != "pil":
                raise CheckFailed(f"The image of MyData(root_dir, {label!r})[{item['index']}] is "
                                  f"{phrase(item['image'])}, not a PIL image.", expected="a PIL image",
                                  actual=phrase(item["image"]), hint="Return Image.open(path) itself.")
            if item["label"].get("value") != label or item["label"]["kind"] != "str":
                raise CheckFailed(f"The label of MyData(root_dir, {label!r})[{item['index']}] is "
                                  f"{phrase(item['label'])}.", expected=repr(label), actual=phrase(item["label"]),
                                  hint="MyData's label is the folder's name: return self.label_dir.")
        found, wanted = Counter(map(_key, items)), Counter(map(_key, expected["items"]))
        if found != wanted:
            modes = Counter(item["image"]["mode"] for item in items)
            ref_modes = Counter(item["image"]["mode"] for item in expected["items"])
            hint = "Open each file of the folder once, with Image.open(os.path.join(root_dir, label_dir, name))."
            if modes != ref_modes:
                hint = "Return the image as Image.open gives it: one of these files is grayscale (mode L); no convert."
            raise CheckFailed(f"The images of MyData(root_dir, {label!r}) are not those of the folder: "
                              f"{sum((wanted - found).values())} of its {len(expected['items'])} images are missing "
                              f"or differ.", expected=dict(sorted(ref_modes.items())),
                              actual=dict(sorted(modes.items())), hint=hint)
    return "Every file of ants/ and bees/ appears once, as a PIL image with its folder's name."


@check(kind="dataset", points=1, name="MyData: ants + bees concatenates", depends=["mydata_items"])
def mydata_concat(ctx):
    """ants_dataset + bees_dataset (a torch ConcatDataset) holds the ants' items, then the bees'."""
    observation = ctx.observations.get("mydata_concat")
    if observation is not None and not observation.ok and (observation.error or {}).get("phase") == "concatenate":
        raise CheckFailed("MyData datasets cannot be added with +: " + explain.error(observation.error),
                          hint="Subclass torch.utils.data.Dataset (class MyData(Dataset)); it defines +.")
    mine, ref = ctx.observe("mydata_concat"), ctx.reference("mydata_concat")
    if mine["length"] != ref["length"]:
        raise CheckFailed("ants_dataset + bees_dataset has the wrong length.", expected=ref["length"],
                          actual=mine["length"], hint="The sum has the items of both datasets.")
    for item in mine["items"]:
        if "error" in item or "problem" in item:
            raise CheckFailed(f"(ants_dataset + bees_dataset)[{item['index']}] failed: "
                              + (explain.error(item["error"]) if "error" in item else item["problem"]))
    order = [sha for part in mine["parts"] for sha in part]
    got = [item["image"].get("sha256") for item in mine["items"]]
    if got != order:
        first = next(i for i, (a, b) in enumerate(zip(got, order)) if a != b) if len(got) == len(order) else 0
        raise CheckFailed(f"Item {first} of ants_dataset + bees_dataset is not the matching item of ants_dataset "
                          f"or bees_dataset.", hint="Let Dataset's + (a ConcatDataset) join them; don't override it.")
    return f"{mine['length']} items: the {len(mine['parts'][0])} ants, then the {len(mine['parts'][1])} bees."


CHECKS = [imports_check("dataset", ["CustomImageDataset", "MyData"]), csv_length, csv_images, csv_labels,
          csv_transforms, csv_dataloader, mydata_length, mydata_items, mydata_concat]


@hookimpl
def grader_register_assignments(register):
    register(ASSIGNMENT)


@hookimpl
def grader_collect_checks(assignment):
    if assignment is ASSIGNMENT:
        return CHECKS
