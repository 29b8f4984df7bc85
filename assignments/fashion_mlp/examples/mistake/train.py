"""Example: a typical fashion-mlp mistake -- train_loop never calls optimizer.zero_grad().

PyTorch adds each backward pass's gradients to those already in .grad, so
without zero_grad every step uses the sum of the gradients of all the
batches so far: the steps grow and grow. The model may still learn
something, but not as the notes' loop teaches it; the grader sees that the
weights after one epoch differ from the reference loop's.
"""
import torch


def train_loop(dataloader, model, loss_fn, optimizer):
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()


def test_loop(dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return correct / size, test_loss / num_batches
