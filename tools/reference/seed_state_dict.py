"""The seed's VGG11 state_dict, for the evaluator's safetensors export and import tests.

Writes pipeline-model/src/test/resources/reference/seed-vgg11-state-dict.json: every state_dict name with its
shape, in the module's order, and the eval-mode logits of two fixed inputs under weights given by a formula
(tensor k, element i: 0.05 * sin(0.37 k + 0.011 i)), which the Java test rebuilds without Python.
The module is the seed's code verbatim (seed_vgg11_module.py).

Run: /usr/bin/python3 tools/reference/seed_state_dict.py  (Debian's python3-torch)
"""
import json
import math
import pathlib

import torch

from seed_vgg11_module import VGG11


def formula(k, n):
    i = torch.arange(n, dtype=torch.float64)
    return (0.05 * torch.sin(0.37 * k + 0.011 * i)).to(torch.float32)


net = VGG11().eval()
state = net.state_dict()
with torch.no_grad():
    for k, (name, tensor) in enumerate(state.items()):
        tensor.copy_(formula(k, tensor.numel()).reshape(tensor.shape))
    n = 2 * 3 * 32 * 32
    x = torch.sin(0.1 * torch.arange(n, dtype=torch.float64)).to(torch.float32).reshape(2, 3, 32, 32)
    logits = net(x)
out = {
    "tensors": [{"name": name, "shape": list(t.shape)} for name, t in state.items()],
    "parameters": sum(t.numel() for t in state.values()),
    "weights": "tensor k (state_dict order), element i: 0.05 * sin(0.37 k + 0.011 i), float32",
    "input": "2x3x32x32, element i: sin(0.1 i), float32",
    "logits": [[float(v) for v in row] for row in logits],
    "torch": torch.__version__,
}
path = pathlib.Path(__file__).resolve().parents[2] / "pipeline-model/src/test/resources/reference/seed-vgg11-state-dict.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(path, out["parameters"], "parameters,", len(out["tensors"]), "tensors")
