#!/usr/bin/env python3
"""The benchmark cases in PyTorch on the CPU: the reference of what this machine's processor does.

Run by bench/torch.ts with Debian's python3-torch (/usr/bin/python3). Reads a JSON job on stdin:

  {"threads": 2, "cases": [{"id", "kind", "params", "warmup", "reps", "targetRepMs", "maxInner"}],
   "mnist": {"path": "<file>", "count": N}}

and prints {"torch": version, "threads": n, "results": {id: {"timesMs": [...], "inner": k}}} on stdout.
The shapes, dtype (float32), batch, optimizer and timing rule (warm-up excluded, `inner` iterations
per repetition chosen the same way as for the WebGPU libraries) match bench/cases.ts. The MNIST
file holds `count` uint8 labels then count*28*28 uint8 pixels (the digits of the epoch case).
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


class BasicBlock(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv1 = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(ch)
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(ch)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + x)


class ResNetStage1(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv1 = nn.Conv2d(3, ch, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(ch)
        self.layer1 = nn.Sequential(BasicBlock(ch), BasicBlock(ch))
        self.fc = nn.Linear(ch, 10)

    def forward(self, x):
        h = self.layer1(F.relu(self.bn1(self.conv1(x))))
        return self.fc(h.mean((2, 3)))


def training_step(model, opt, x, y):
    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return step


def make_case(kind, p, job):
    g = torch.Generator().manual_seed(0)
    if kind == 'lenet_step':
        b = p['batch']
        model = lenet()
        return training_step(model, torch.optim.Adam(model.parameters(), lr=1e-3),
                             torch.randn(b, 1, 28, 28, generator=g), torch.randint(0, 10, (b,), generator=g))
    if kind in ('conv_fwd', 'conv_fwdbwd'):
        n, c, k, s = p['n'], p['c'], p['k'], p['size']
        x = torch.randn(n, c, s, s, generator=g, requires_grad=kind == 'conv_fwdbwd')
        w = (torch.randn(k, c, 3, 3, generator=g) / (c * 9) ** 0.5).requires_grad_(kind == 'conv_fwdbwd')
        dy = torch.randn(n, k, s, s, generator=g)
        if kind == 'conv_fwd':
            def fwd():
                with torch.no_grad():
                    F.conv2d(x, w, padding=1)
            return fwd

        def fwdbwd():
            torch.autograd.grad(F.conv2d(x, w, padding=1), (x, w), dy)
        return fwdbwd
    if kind == 'matmul':
        s = p['size']
        a = torch.randn(s, s, generator=g)
        b = torch.randn(s, s, generator=g)
        return lambda: torch.mm(a, b)
    if kind == 'resnet_step':
        b, s, ch = p['batch'], p['size'], p['channels']
        model = ResNetStage1(ch)
        return training_step(model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9),
                             torch.randn(b, 3, s, s, generator=g), torch.randint(0, 10, (b,), generator=g))
    if kind == 'mnist_epoch':
        return mnist_epoch(p, job['mnist'])
    raise ValueError(f'unknown case kind {kind}')


def mnist_epoch(p, mnist):
    """One epoch as the main job runs it: shuffle, gather, scale, random +-2 pixel shift, normalize,
    Adam step, loss and accuracy read every step."""
    count, batch = mnist['count'], p['batch']
    raw = open(mnist['path'], 'rb').read()
    labels = torch.frombuffer(bytearray(raw[:count]), dtype=torch.uint8).long()
    images = torch.frombuffer(bytearray(raw[count:count + count * 784]), dtype=torch.uint8).view(count, 1, 28, 28)
    model = lenet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(count, generator=g)
        loss_sum, correct = 0.0, 0
        for start in range(0, count, batch):
            idx = order[start:start + batch]
            n = len(idx)
            x = images[idx].float() / 255
            padded = F.pad(x, (2, 2, 2, 2))
            shifts = torch.randint(0, 5, (n, 2), generator=g).tolist()
            x = torch.stack([padded[i, :, dy:dy + 28, dx:dx + 28] for i, (dy, dx) in enumerate(shifts)])
            x = (x - 0.1307) / 0.3081
            y = labels[idx]
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * n
            correct += int((logits.argmax(1) == y).sum())
        return loss_sum, correct
    return epoch


WARMUP_MIN_ITERS = 3
WARMUP_MIN_S = 1.0
WARMUP_MAX_ITERS = 50


def timed(fn, inner):
    t0 = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - t0) * 1000 / inner


def main():
    job = json.load(sys.stdin)
    threads = int(job.get('threads', 1))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    results = {}
    for c in job['cases']:
        fn = make_case(c['kind'], c['params'], job)
        # PyTorch's first iterations build oneDNN primitives and grow its allocator's caches, and
        # its iterations are cheap: warm up for at least WARMUP_MIN_ITERS iterations and
        # WARMUP_MIN_S seconds (beyond the case's own warm-up count).
        last, n, t0 = 0.0, 0, time.perf_counter()
        while n < c['warmup'] or (c['warmup'] > 0 and n < WARMUP_MAX_ITERS and
                                  (n < WARMUP_MIN_ITERS or time.perf_counter() - t0 < WARMUP_MIN_S)):
            last = timed(fn, 1)
            n += 1
        inner = 1
        if c['warmup'] > 0 and c['targetRepMs'] > 0:
            inner = max(1, min(c['maxInner'], -(-c['targetRepMs'] // max(last, 1e-3))))
        inner = int(inner)
        times = [timed(fn, inner) for _ in range(c['reps'])]
        results[c['id']] = {'timesMs': times, 'inner': inner}
        print(f"  torch {c['id']}: {sorted(times)[len(times) // 2]:.1f} ms/iter ({inner} per rep)", file=sys.stderr, flush=True)
    json.dump({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'results': results}, sys.stdout)


if __name__ == '__main__':
    main()
