"""digit-features' own probe: copied into the runner child and imported there as a top-level module.

Like every runner module it may import only the standard library, numpy,
torch, torchvision, PIL and ``graderrunner.*``, and returns plain data.
"""
import torch
from graderrunner.probes_model import instantiate


def feature_range(ctx, batch: int = 16) -> dict:
    """The smallest and largest feature, and the share of zeros, for a random batch."""
    model = instantiate(ctx, "model", "Features")
    model.eval()
    with torch.no_grad():
        features = model(torch.randn(batch, 1, 28, 28))
    return {"min": float(features.min()), "max": float(features.max()),
            "zeros": float((features == 0).float().mean()), "shape": list(features.shape)}
