"""The seed's VGG11 state_dict, for the evaluator's safetensors export and import tests.

Writes pipeline-model/src/test/resources/reference/seed-vgg11-state-dict.json: every state_dict name with its
shape, in the module's order, and the eval-mode logits of two fixed inputs under weights given by a formula
(tensor k, element i: 0.05 * sin(0.37 k + 0.011 i)), which the Java test rebuilds without Python.
The module below is the seed's code verbatim (../shared/seed/), Ascend imports left out.

Run: /usr/bin/python3 tools/reference/seed_state_dict.py  (Debian's python3-torch)
"""
import json
import math
import pathlib

import torch
import torch.nn as nn


def blockVGG(covLayerNum, inputChannel, outputChannel, kernelSize):
    layer = nn.Sequential()
    layer.add_module('conv2D1', nn.Conv2d(inputChannel, outputChannel, kernelSize, padding=1))
    layer.add_module('relu-1', nn.ReLU())
    layer.add_module('Dropout0', nn.Dropout(0.5))
    for i in range(covLayerNum - 1):
        layer.add_module('conv2D{}'.format(i), nn.Conv2d(outputChannel, outputChannel, kernelSize, padding=1))
        layer.add_module('relu{}'.format(i), nn.ReLU())
        layer.add_module('Dropout{}'.format(i + 1), nn.Dropout(0.5))
    layer.add_module('max-pool', nn.MaxPool2d(2, 2))
    return layer


class VGG11(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = blockVGG(1, 3, 64, 3)
        self.layer2 = blockVGG(1, 64, 128, 3)
        self.layer3 = blockVGG(2, 128, 256, 3)
        self.layer4 = blockVGG(2, 256, 512, 3)
        self.layer5 = blockVGG(2, 512, 512, 3)
        self.layer6 = nn.Sequential(
            nn.Linear(512, 100),
            nn.ReLU(),
            nn.Linear(100, 10),
        )

    def forward(self, x: torch.Tensor):
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.layer5(x)
        x = x.view(x.shape[0], -1)
        x = self.layer6(x)
        return x


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
