"""Writes torch.optim.SGD trajectories as reference tables for PyTorchSgdTest: a 6-element parameter fed a
fixed, deterministic gradient sequence, its values after every step. Run with Debian's python3-torch:

    /usr/bin/python3 tools/reference/sgd_reference.py trainer-service/src/test/resources/reference

The tables are committed; the build never runs Python.
"""
import math, sys
import torch

def gradient(step, i):
    # deterministic, sign-changing, different scale per element
    return math.sin(0.7 * step + 1.3 * i) * (1.0 + 0.5 * i) + 0.1 * math.cos(3.1 * step * (i + 1))

def run(path, steps, make_opt, one_cycle_max_lr=None):
    p = torch.nn.Parameter(torch.tensor([0.5, -0.25, 1.0, -2.0, 0.0, 3.0], dtype=torch.float64))
    opt = make_opt([p])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=one_cycle_max_lr, total_steps=steps) if one_cycle_max_lr else None
    with open(path, 'w') as out:
        out.write('# torch %s; step,lr,momentum,p0..p5 after the step\n' % torch.__version__)
        for step in range(steps):
            p.grad = torch.tensor([gradient(step, i) for i in range(6)], dtype=torch.float64)
            g = opt.param_groups[0]
            lr, m = g['lr'], g['momentum']
            opt.step()
            if sched:
                sched.step()
            out.write(','.join([str(step), repr(lr), repr(m)] + [repr(v) for v in p.detach().tolist()]) + '\n')

if __name__ == '__main__':
    d = sys.argv[1]
    # the seed: SGD(lr=1.0, weight_decay=5e-4) without momentum, OneCycleLR cycling it anyway
    run(d + '/sgd-seed-onecycle.csv', 40, lambda ps: torch.optim.SGD(ps, lr=1.0, weight_decay=5e-4), one_cycle_max_lr=0.1)
    run(d + '/sgd-nesterov.csv', 25, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3))
    run(d + '/sgd-dampening.csv', 25, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.0))
