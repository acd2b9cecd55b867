"""Writes PyTorch's OneCycleLR learning rate and momentum, step by step, as reference tables for
OneCycleScheduleTest. Run with Debian's python3-torch (apt-get install python3-torch):

    /usr/bin/python3 tools/reference/onecycle_reference.py trainer-service/src/test/resources/reference

The tables are committed; the build never runs Python.
"""
import sys
import torch

def table(path, total_steps, every, max_lr=0.1):
    # The seed's optimizer: SGD(lr=1.0, weight_decay=5e-4) built without momentum; OneCycleLR still cycles it.
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=total_steps)
    with open(path, 'w') as out:
        out.write('# torch %s OneCycleLR(max_lr=%s, total_steps=%d), defaults otherwise\n' % (torch.__version__, max_lr, total_steps))
        out.write('step,lr,momentum\n')
        for step in range(total_steps):
            g = opt.param_groups[0]
            if step % every == 0 or step == total_steps - 1 or abs(step - (0.3 * total_steps - 1)) < 2:
                out.write('%d,%r,%r\n' % (step, g['lr'], g['momentum']))
            opt.step()
            sched.step()

if __name__ == '__main__':
    d = sys.argv[1]
    table(d + '/onecycle-seed-150x391.csv', 150 * 391, 97)   # the seed's schedule
    table(d + '/onecycle-126.csv', 126, 1)                   # the end-to-end test's, every step
