"""The seed's VGG11, verbatim from the tutorial this project rebuilds, Ascend imports left out: one copy for the
reference scripts here (seed_state_dict.py, seed_test_loop.py) to import."""
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
