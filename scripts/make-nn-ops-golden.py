#!/usr/bin/python3
"""Makes test/fixtures/nn/ops-golden.json: conv2d, linear and max-pool forward and backward from PyTorch 1.13.

  /usr/bin/python3 scripts/make-nn-ops-golden.py

Inputs are small multiples of 1/32 (exact in float32 and short in JSON); outputs and gradients are computed by
PyTorch autograd in float64 from those same values, so the float32 ops must match them within float32 rounding.
Max-pool inputs are coarse (many ties, including windows of zeros as after a ReLU): the argmax must be PyTorch
CPU's, the first maximum of each window in row-major order. Only for making fixtures: NormLab never needs Python.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'nn', 'ops-golden.json')
rng = np.random.default_rng(2026)


def grid(shape, lo=-64, hi=64):
    return torch.tensor(rng.integers(lo, hi, size=shape) / 32.0, dtype=torch.float64)


def flat(t):
    return [float('%.10g' % v) for v in t.detach().reshape(-1).tolist()]


def conv_case(N, Cin, H, W, Cout, KH, KW, stride, padding, bias):
    x = grid((N, Cin, H, W)).requires_grad_()
    w = grid((Cout, Cin, KH, KW)).requires_grad_()
    b = grid((Cout,)).requires_grad_() if bias else None
    y = F.conv2d(x, w, b, stride=stride, padding=padding)
    dy = grid(tuple(y.shape))
    y.backward(dy)
    _, _, OH, OW = y.shape
    return {
        'dims': dict(N=N, Cin=Cin, H=H, W=W, Cout=Cout, KH=KH, KW=KW, stride=stride, padding=padding, OH=OH, OW=OW),
        'x': flat(x), 'w': flat(w), 'b': flat(b) if bias else None, 'dy': flat(dy),
        'y': flat(y), 'dx': flat(x.grad), 'dw': flat(w.grad), 'db': flat(b.grad) if bias else None,
    }


def linear_case(N, In, Out, bias):
    x = grid((N, In)).requires_grad_()
    w = grid((Out, In)).requires_grad_()
    b = grid((Out,)).requires_grad_() if bias else None
    y = F.linear(x, w, b)
    dy = grid(tuple(y.shape))
    y.backward(dy)
    return {
        'N': N, 'In': In, 'Out': Out,
        'x': flat(x), 'w': flat(w), 'b': flat(b) if bias else None, 'dy': flat(dy),
        'y': flat(y), 'dx': flat(x.grad), 'dw': flat(w.grad), 'db': flat(b.grad) if bias else None,
    }


def pool_case(N, C, H, W, KH, KW, SH, SW, zeros):
    # Values in {-2..2}; with `zeros`, ReLU'd so whole windows tie at 0. float32 on CPU: PyTorch's own kernel.
    x = torch.tensor(rng.integers(-2, 3, size=(N, C, H, W)), dtype=torch.float32)
    if zeros:
        x = torch.relu(x)
    x.requires_grad_()
    y, idx = F.max_pool2d(x, (KH, KW), (SH, SW), return_indices=True)
    dy = grid(tuple(y.shape)).float()
    y.backward(dy)
    _, _, OH, OW = y.shape
    return {
        'dims': dict(N=N, C=C, H=H, W=W, KH=KH, KW=KW, SH=SH, SW=SW, OH=OH, OW=OW),
        'x': flat(x), 'dy': flat(dy), 'y': flat(y), 'argmax': idx.reshape(-1).tolist(), 'dx': flat(x.grad),
    }


def main():
    conv = [
        conv_case(2, 1, 6, 6, 3, 3, 3, 1, 1, False),
        conv_case(2, 3, 7, 5, 4, 3, 3, 1, 0, True),
        conv_case(1, 2, 8, 8, 3, 3, 3, 2, 1, True),
        conv_case(2, 2, 7, 7, 2, 3, 3, 2, 0, False),
        conv_case(1, 3, 9, 6, 2, 5, 5, 1, 2, True),
        conv_case(2, 2, 6, 9, 3, 3, 2, 2, 2, True),
        conv_case(3, 4, 5, 5, 5, 1, 1, 1, 0, True),
        conv_case(1, 2, 10, 10, 3, 4, 4, 3, 1, False),
        conv_case(2, 3, 4, 4, 2, 5, 5, 1, 2, False),
    ]
    linear = [linear_case(3, 5, 4, True), linear_case(1, 7, 3, False), linear_case(5, 16, 10, True)]
    pool = [
        pool_case(2, 3, 6, 6, 2, 2, 2, 2, False),
        pool_case(2, 2, 7, 7, 2, 2, 2, 2, True),
        pool_case(1, 3, 7, 9, 3, 3, 2, 2, True),
        pool_case(2, 2, 6, 5, 2, 3, 1, 2, False),
        pool_case(1, 2, 5, 5, 2, 2, 1, 1, True),
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'torch': torch.__version__, 'conv2d': conv, 'linear': linear, 'maxPool2d': pool}, f, separators=(',', ':'))
        f.write('\n')
    print('wrote', os.path.relpath(OUT, ROOT), os.path.getsize(OUT), 'bytes')


if __name__ == '__main__':
    main()
