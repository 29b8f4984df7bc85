"""Correct loops in another spelling: zero_grad first, the loss averaged per image, accuracy in percent."""
import torch


def train_loop(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()


def test_loop(dataloader, model, loss_fn):
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            total_loss += loss_fn(pred, y).item() * len(X)
            correct += (pred.argmax(dim=1) == y).sum().item()
            seen += len(X)
    return 100.0 * correct / seen, total_loss / seen
