#!/usr/bin/python3
"""Times PyTorch CPU training steps of the miniature CNN for `npm run bench:train` (bench/train.ts).

One thread (torch.set_num_threads(1)), the same model, batch and step as NormLab's: forward, cross-entropy (mean),
backward, SGD with momentum 0.9. Stays alive so rounds alternate with NormLab's: reads one JSON request per line on
stdin, {"norm": "bn"|"gn", "batch": B, "seconds": S[, "threads": T]}, and answers one JSON line
{"examples_per_second", "steps", "seconds", "cpu_examples_per_second", "cpu_seconds", "torch"}. Also runnable alone: `bench-torch-train.py bn 8 2`.
Only for benchmarking: NormLab never needs Python.
"""
import json
import sys
import time

import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(0)


def norm_layer(kind, c):
    return nn.BatchNorm2d(c) if kind == 'bn' else nn.GroupNorm(min(8, c), c)


def miniature_cnn(kind):
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), norm_layer(kind, 16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), norm_layer(kind, 32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), norm_layer(kind, 64), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


_cache = {}


def setup(kind, batch):
    key = (kind, batch)
    if key not in _cache:
        model = miniature_cnn(kind)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        # 64 batches of standardized noise, cycled: the step's cost does not depend on the values.
        xs = torch.randn(64, batch, 1, 28, 28)
        ys = torch.randint(0, 10, (64, batch))
        _cache[key] = (model, opt, xs, ys)
    return _cache[key]


def run(kind, batch, seconds):
    model, opt, xs, ys = setup(kind, batch)
    loss_fn = nn.CrossEntropyLoss()

    def step(i):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs[i % 64]), ys[i % 64])
        loss.backward()
        opt.step()

    for i in range(5):
        step(i)
    steps = 0
    c0 = time.process_time()
    t0 = time.perf_counter()
    while True:
        step(steps)
        steps += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds and steps >= 3:
            break
    cpu = time.process_time() - c0
    return {'examples_per_second': steps * batch / elapsed, 'steps': steps, 'seconds': elapsed,
            'cpu_examples_per_second': steps * batch / cpu, 'cpu_seconds': cpu, 'torch': torch.__version__}


def main():
    if len(sys.argv) == 4:
        print(json.dumps(run(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))))
        return
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        # "threads": intra-op threads for this request (NormLab's --workers N is measured against N threads too).
        torch.set_num_threads(int(req.get('threads', 1)))
        print(json.dumps(run(req['norm'], int(req['batch']), float(req['seconds']))), flush=True)


if __name__ == '__main__':
    main()
