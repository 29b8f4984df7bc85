"""How the weights files of these test submissions were made (run once; the files are committed).

    python tests/submissions/save_load/make_files.py

Each folder is a submission: model.py and the weights.pth a student with
that mistake would hand in. The trained weights are the reference's
(reference/save_load/weights.pth), so no training happens here.
"""
import pickle
import shutil
import sys
from pathlib import Path

import torch

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
TRAINED = ROOT / "reference" / "save_load" / "weights.pth"
MODEL = ROOT / "reference" / "save_load" / "model.py"


CASES = {  # folder -> what its weights.pth is (model.py is the reference's Network)
    "legacy_format": "Correct: the trained state_dict, saved in the legacy (non-zip) format of older torch.",
    "wrong_shapes": "weights.pth is the state_dict of a Network with 32 hidden units, not 256.",
    "untrained_zeros": "weights.pth is a state_dict of the right names and shapes, all zeros: saved before training.",
    "checkpoint_dict": "weights.pth is a checkpoint dict (epoch, model_state_dict, loss), not a state_dict.",
    "not_a_torch_file": "weights.pth is a text file, not something torch.save wrote.",
    "hostile_pickle": "weights.pth is a pickle that runs code when unpickled (it raises SystemExit('PWNED ...')).",
    "missing_weights": "weights.pth is missing.",
}


class _Payload:
    """Unpickling this runs exec(): what a hostile "weights" file could do with weights_only=False."""

    def __reduce__(self):
        return exec, ("raise SystemExit('PWNED: the grader unpickled a student file')",)


def main() -> None:
    trained = torch.load(TRAINED, weights_only=True)
    shutil.copyfile(TRAINED, HERE / "correct_relu_module" / "weights.pth")
    shutil.copyfile(TRAINED, HERE / "renamed_layers" / "weights.pth")
    torch.save(trained, HERE / "legacy_format" / "weights.pth", _use_new_zipfile_serialization=False)
    small = {"layer1.weight": torch.zeros(32, 784), "layer1.bias": torch.zeros(32),
             "layer2.weight": torch.zeros(10, 32), "layer2.bias": torch.zeros(10)}
    torch.save(small, HERE / "wrong_shapes" / "weights.pth")
    zeros = {k: torch.zeros(1).expand(v.shape) for k, v in trained.items()}  # all zero, stored as one number
    torch.save(zeros, HERE / "untrained_zeros" / "weights.pth")
    torch.save({"epoch": 10, "model_state_dict": {"layer1.bias": torch.zeros(3)}, "loss": 0.07},
               HERE / "checkpoint_dict" / "weights.pth")
    (HERE / "not_a_torch_file" / "weights.pth").write_text("these are my weights: 0.1 0.2 0.3\n")
    (HERE / "hostile_pickle" / "weights.pth").write_bytes(pickle.dumps(_Payload(), protocol=2))
    model = MODEL.read_text().split("\n", 1)[1]  # the reference's Network, without its docstring
    for folder, what in CASES.items():
        (HERE / folder / "model.py").write_text(f'"""{what}"""\n' + model)


if __name__ == "__main__":
    sys.exit(main())
