"""The seed's VGG11 for CIFAR-10 (seed_vgg11_module.py: five blockVGG blocks with Dropout(0.5) after every conv,
head 512->100->10), its training step and forward pass timed: the reference bin/pipeline bench measures the
trainer against. Synthetic data only: the throughput of a step does not depend on pixel values.

Prints a JSON line with torch's version and threads, then one per mode: {"mode", "train_step_ms", "train_img_s",
the step's phases ("zero_grad_ms", "forward_ms" with the loss, "backward_ms", "update_ms": medians, each phase timed
alone), "eval_batch", "eval_img_s", "loss"}. Run: /usr/bin/python3 tools/reference/seed_vgg11.py --threads N [--modes fp32]
(Debian's python3-torch; its default is one thread, so always say how many).
"""
import argparse
import json
import time

import torch
import torch.nn as nn

from seed_vgg11_module import VGG11


def sync(dev):
    if dev.type == 'cuda':
        torch.cuda.synchronize()


def bench(dev, mode, steps, warm, batch=128):
    torch.manual_seed(0)
    net = VGG11().to(dev)
    fmt = torch.channels_last if 'cl' in mode else torch.contiguous_format
    net = net.to(memory_format=fmt)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    crit = nn.CrossEntropyLoss()
    if dev.type == 'cuda':
        torch.backends.cuda.matmul.allow_tf32 = 'tf32' in mode
        torch.backends.cudnn.allow_tf32 = 'tf32' in mode
        torch.backends.cudnn.benchmark = True
    xs = [torch.randn(batch, 3, 32, 32, device=dev).to(memory_format=fmt) for _ in range(4)]
    ys = [torch.randint(0, 10, (batch,), device=dev) for _ in range(4)]
    amp = 'bf16' in mode
    net.train()
    times = []
    phases = {'zero_grad_ms': [], 'forward_ms': [], 'backward_ms': [], 'update_ms': []}
    for i in range(warm + steps):
        sync(dev); t = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        sync(dev); t1 = time.perf_counter()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=amp):
            loss = crit(net(xs[i % 4]), ys[i % 4])
        sync(dev); t2 = time.perf_counter()
        loss.backward()
        sync(dev); t3 = time.perf_counter()
        opt.step()
        sync(dev); t4 = time.perf_counter()
        if i >= warm:
            times.append(t4 - t)
            for k, (a, b) in zip(phases, ((t, t1), (t1, t2), (t2, t3), (t3, t4))):
                phases[k].append((b - a) * 1e3)
    times.sort(); med = times[len(times) // 2]
    phase_medians = {k: round(sorted(v)[len(v) // 2], 2) for k, v in phases.items()}
    net.eval(); et = []
    xe = torch.randn(1000 if dev.type == 'cuda' else 100, 3, 32, 32, device=dev).to(memory_format=fmt)
    with torch.no_grad():
        for i in range(warm + steps):
            sync(dev); t = time.perf_counter()
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=amp):
                net(xe)
            sync(dev)
            if i >= warm:
                et.append(time.perf_counter() - t)
    et.sort(); emed = et[len(et) // 2]
    return dict(mode=mode, train_step_ms=round(med * 1e3, 3), train_img_s=round(batch / med), **phase_medians,
                eval_batch=xe.shape[0], eval_img_s=round(xe.shape[0] / emed), loss=float(loss))


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--modes', default='fp32')
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--warm', type=int, default=5)
    ap.add_argument('--threads', type=int, default=0)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    print(json.dumps(dict(torch=torch.__version__, threads=torch.get_num_threads(), device=str(dev))), flush=True)
    for m in a.modes.split(','):
        print(json.dumps(bench(dev, m, a.steps, a.warm)), flush=True)
