"""The seed's test() loop, timed: the reference the evaluator's scoring is measured against.

seed_vgg11.py times the network's forward alone on one random tensor; the seed's test()
does more for every checkpoint: the test set through torchvision's transform_test (ToTensor, Normalize) and a
DataLoader of batches of 100, the cross-entropy, the arg-max and the count. The evaluator does the same work
(normalise the stored uint8 images, forward, loss, arg-max, confusion), so this is the like-for-like figure.
The code between the markers is the seed's (the tutorial this project rebuilds), device 'cpu' for 'npu', tqdm left out; the
network is the seed's module (seed_vgg11_module.py).

Data: the CIFAR-10 python test batch under --data (torchvision.datasets.CIFAR10, download=False), else
--images synthetic uint8 images served exactly as CIFAR10.__getitem__ serves them (PIL image, then the
transform) — the time does not depend on the pixel values. The network is the seed's VGG11 with PyTorch's
default initialisation (seed 0).

Prints one JSON line: {"torch", "threads", "images", "seed_eval_seconds", "seed_eval_images_per_s", "accuracy"}.
Run: /usr/bin/python3 tools/reference/seed_test_loop.py [--images 10000] [--threads N] [--data DIR]
(Debian's python3-torch and python3-torchvision).
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision
import torchvision.transforms as transforms
from PIL import Image

from seed_vgg11_module import VGG11


class SyntheticCifarTest(torch.utils.data.Dataset):
    """CIFAR10.__getitem__'s path (HWC uint8 -> PIL image -> transform) over random images."""

    def __init__(self, images, transform):
        rng = np.random.default_rng(0)
        self.data = rng.integers(0, 256, size=(images, 32, 32, 3), dtype=np.uint8)
        self.targets = rng.integers(0, 10, size=images).tolist()
        self.transform = transform

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        img, target = self.data[index], self.targets[index]
        img = Image.fromarray(img)
        img = self.transform(img)
        return img, target


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--images', type=int, default=10000)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--data', default=None, help='a folder holding cifar-10-batches-py (real CIFAR-10)')
    ap.add_argument('--rounds', type=int, default=1, help='timed passes after one warm-up batch; the median is printed')
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    device = 'cpu'

    # --- the seed's data preparation (test half) ---
    transform_test = transforms.Compose([
        transforms.ToTensor(),
        transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)),
    ])
    if a.data:
        testset = torchvision.datasets.CIFAR10(root=a.data, train=False, download=False, transform=transform_test)
    else:
        testset = SyntheticCifarTest(a.images, transform_test)
    testloader = torch.utils.data.DataLoader(testset, batch_size=100, shuffle=False)
    net = VGG11().to(device)
    criterion = nn.CrossEntropyLoss()

    # --- the seed's test(), verbatim but for tqdm ---
    def test():
        net.eval()
        test_loss = 0
        correct = 0
        total = 0
        with torch.no_grad():
            for batch_idx, (inputs, targets) in enumerate(testloader):
                inputs, targets = inputs.to(device), targets.to(device)
                outputs = net(inputs)
                loss = criterion(outputs, targets)
                test_loss += loss.item()
                _, predicted = outputs.max(1)
                total += targets.size(0)
                correct += predicted.eq(targets).sum().item()
        return 100 * correct / total
    # --- end of the seed's code ---

    with torch.no_grad():  # warm-up: one batch through the network, as the Java side warms up
        net.eval()
        net(next(iter(testloader))[0])
    times, accuracy = [], None
    for _ in range(a.rounds):
        t = time.perf_counter()
        accuracy = test()
        times.append(time.perf_counter() - t)
    times.sort()
    seconds = times[len(times) // 2]
    print(json.dumps(dict(torch=torch.__version__, threads=torch.get_num_threads(), images=len(testset),
                          seed_eval_seconds=round(seconds, 2), seed_eval_images_per_s=round(len(testset) / seconds, 1),
                          accuracy=accuracy)), flush=True)


if __name__ == '__main__':
    main()
