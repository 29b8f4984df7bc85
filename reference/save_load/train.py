"""How weights.pth was made: train the reference Network and save its state_dict, as the notes teach.

    python reference/save_load/train.py [--data ROOT] [--out weights.pth]

ROOT is a torchvision dataset root holding MNIST; without ``--data`` the
grader's offline stand-in is used (the bundled weights were made that way,
seed 0, so they are meant for the stand-in: retrain with ``--data`` for the
real MNIST). The recipe is mnist-mlp's: ToTensor then
Normalize((0.1307,), (0.3081,)), Adam lr 1e-3, batch 64, 10 epochs.
"""
import argparse
import sys
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

sys.path.insert(0, str(Path(__file__).parent))
from model import Network  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="torchvision dataset root with MNIST (default: the grader's stand-in)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "weights.pth"))
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    if args.data is None:
        from grader.data import MNIST

        args.data = str(MNIST.standin_root())
    torch.manual_seed(0)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train = datasets.MNIST(args.data, train=True, download=False, transform=transform)
    loader = DataLoader(train, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0))
    model = Network()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for epoch in range(args.epochs):
        for X, y in loader:
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}")
    torch.save(model.state_dict(), args.out)
    print(f"saved the state_dict of {sum(p.numel() for p in model.parameters()):,} parameters to {args.out}")


if __name__ == "__main__":
    main()
