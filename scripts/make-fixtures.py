#!/usr/bin/python3
"""Makes the tensor-file fixtures for NormLab's format tests with real NumPy and PyTorch 1.13.

  /usr/bin/python3 scripts/make-fixtures.py          # writes test/fixtures/formats/ and examples/*.npy|npz|pt|safetensors

test/fixtures/formats/expected.json holds, per good file, the format, metadata and per tensor: dtype (NumPy's
name), shape, every value (small tensors) and statistics computed by NumPy in float64 over the finite values
(population std). Per bad file it holds a piece of the error message the reader must give.
Only for making fixtures: NormLab itself never needs Python.
"""
import io
import json
import math
import os
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'formats')
EXAMPLES = os.path.join(ROOT, 'examples')
rng = np.random.default_rng(1234)
expected = {'files': {}, 'bad': {}}


def enc(v):
    v = float(v)
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def stats(a):
    a = np.asarray(a, dtype=np.float64).ravel()
    fin = a[np.isfinite(a)]
    none = fin.size == 0
    return {
        'count': int(fin.size),
        'min': None if none else float(fin.min()),
        'max': None if none else float(fin.max()),
        'mean': None if none else float(fin.mean()),
        'std': None if none else float(fin.std()),
        'nan': int(np.isnan(a).sum()),
        'inf': int(np.isinf(a).sum()),
    }


def describe(dtype, a, max_values=4096):
    """Expected entry for one tensor: a is any array-like of its logical values (C order)."""
    a64 = np.asarray(a, dtype=np.float64)
    d = {'dtype': dtype, 'shape': list(a64.shape), 'stats': stats(a64)}
    if a64.size <= max_values:
        d['values'] = [enc(x) for x in a64.ravel()]
    return d


def record(rel, fmt, tensors, metadata=None):
    expected['files'][rel] = {'format': fmt, 'metadata': metadata or {}, 'tensors': tensors}


def path(rel):
    p = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def bad(rel, data, message):
    with open(path(rel), 'wb') as f:
        f.write(data)
    expected['bad'][rel] = message


def np_name(a):
    return 'bool' if a.dtype == np.bool_ else a.dtype.name


# ----------------------------------------------------------------------------------------------- npy
def make_npy():
    cases = {
        'float16': rng.standard_normal((3, 4)).astype(np.float16),
        'float32': rng.standard_normal((2, 3, 4)).astype(np.float32),
        'float64': rng.standard_normal((5,)),
        'int8': rng.integers(-128, 128, (4, 5), dtype=np.int8),
        'uint8': rng.integers(0, 256, (4, 5), dtype=np.uint8),
        'int16': rng.integers(-30000, 30000, (6,), dtype=np.int16),
        'uint16': rng.integers(0, 65535, (6,), dtype=np.uint16),
        'int32': rng.integers(-2**31, 2**31 - 1, (2, 3), dtype=np.int32),
        'uint32': rng.integers(0, 2**32 - 1, (2, 3), dtype=np.uint32),
        'int64': np.array([-2**40, -1, 0, 7, 2**40], dtype=np.int64),
        'uint64': np.array([0, 1, 2**33, 2**50], dtype=np.uint64),
        'bool': np.array([[True, False, True], [False, False, True]]),
    }
    for name, a in cases.items():
        np.save(path(f'npy/{name}.npy'), a)
        record(f'npy/{name}.npy', 'npy', {name: describe(np_name(a), a)})
    for name in ['float16', 'float32', 'float64', 'int32', 'int64', 'uint16']:
        a = cases[name].astype(cases[name].dtype.newbyteorder('>'))
        np.save(path(f'npy/be_{name}.npy'), a)
        record(f'npy/be_{name}.npy', 'npy', {f'be_{name}': describe(name, a)})
    f = np.asfortranarray(rng.standard_normal((3, 4)).astype(np.float32))
    np.save(path('npy/fortran_f32.npy'), f)
    record('npy/fortran_f32.npy', 'npy', {'fortran_f32': describe('float32', f)})
    f3 = np.asfortranarray(rng.integers(-100, 100, (2, 3, 4), dtype=np.int16))
    np.save(path('npy/fortran_i16.npy'), f3)
    record('npy/fortran_i16.npy', 'npy', {'fortran_i16': describe('int16', f3)})
    z = np.array(3.5)
    np.save(path('npy/scalar.npy'), z)
    record('npy/scalar.npy', 'npy', {'scalar': describe('float64', z)})
    for name, shape in [('empty1', (0,)), ('empty3', (2, 0, 3))]:
        e = np.zeros(shape, np.float32)
        np.save(path(f'npy/{name}.npy'), e)
        record(f'npy/{name}.npy', 'npy', {name: describe('float32', e)})
    special = np.array([1.0, np.nan, -2.0, np.inf, -np.inf, 4.0, np.nan], dtype=np.float32)
    np.save(path('npy/special.npy'), special)
    record('npy/special.npy', 'npy', {'special': describe('float32', special)})
    allnan = np.array([np.nan, np.inf], dtype=np.float64)
    np.save(path('npy/allnan.npy'), allnan)
    record('npy/allnan.npy', 'npy', {'allnan': describe('float64', allnan)})
    big = (rng.standard_normal(100000) * 3 + 1).astype(np.float32)
    np.save(path('npy/big.npy'), big)
    record('npy/big.npy', 'npy', {'big': describe('float32', big, max_values=0)})
    for ver in [(2, 0), (3, 0)]:
        a = rng.standard_normal((2, 2)).astype(np.float32)
        with open(path(f'npy/v{ver[0]}.npy'), 'wb') as fh:
            np.lib.format.write_array(fh, a, version=ver)
        record(f'npy/v{ver[0]}.npy', 'npy', {f'v{ver[0]}': describe('float32', a)})
    # bfloat16 and float8 are not NumPy dtypes: NormLab reads them when the descr names them.
    t = torch.randn(3, 5).to(torch.bfloat16)
    write_marked_npy('npy/bfloat16.npy', '<bfloat16', (3, 5), t.view(torch.int16).numpy().tobytes())
    record('npy/bfloat16.npy', 'npy', {'bfloat16': describe('bfloat16', t.float().numpy())})

    good = open(path('npy/float32.npy'), 'rb').read()
    hlen = struct.unpack('<H', good[8:10])[0]
    bad('bad/npy_truncated.npy', good[:-5], 'truncated')
    bad('bad/npy_bad_magic.npy', b'\x93NUMPX' + good[6:], 'not a recognized tensor file')
    bad('bad/npy_header_past_end.npy', good[:8] + struct.pack('<H', 60000) + good[10:], 'runs past the end')
    bad('bad/npy_version9.npy', good[:6] + b'\x09\x00' + good[8:], 'version 9')
    bad('bad/npy_complex.npy', npy_bytes("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", b'\0' * 16), "unsupported dtype '<c8'")
    bad('bad/npy_object.npy', npy_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", b'\0' * 16), "unsupported dtype '|O'")
    bad('bad/npy_structured.npy', npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", b'\0' * 8), 'structured')
    bad('bad/npy_shape_lies.npy', npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (100, 100), }", b'\0' * 64), 'truncated')
    bad('bad/npy_absurd_shape.npy', npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000), }", b'\0' * 64), 'too many elements')
    bad('bad/npy_huge_shape.npy', npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (10000000, 10000000), }", b'\0' * 64), 'truncated')
    bad('bad/npy_negative_shape.npy', npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", b'\0' * 64), 'non-negative')
    bad('bad/npy_not_dict.npy', npy_bytes("[1, 2, 3]", b''), 'expected a dict')
    bad('bad/npy_garbage_header.npy', npy_bytes("{'descr': '<f4', 'fortran_order': __import__('os'), }", b''), 'malformed header')
    bad('bad/npy_missing_shape.npy', npy_bytes("{'descr': '<f4', 'fortran_order': False, }", b''), "missing 'shape'")
    _ = hlen


def npy_bytes(header, data, version=1):
    h = header.encode('latin1')
    pre = 10 if version == 1 else 12
    h += b' ' * ((64 - (pre + len(h) + 1) % 64) % 64) + b'\n'
    size = struct.pack('<H', len(h)) if version == 1 else struct.pack('<I', len(h))
    return b'\x93NUMPY' + bytes([version, 0]) + size + h + data


def write_marked_npy(rel, descr, shape, data):
    shape_text = '(%s,)' % shape[0] if len(shape) == 1 else '(%s)' % ', '.join(map(str, shape))
    with open(path(rel), 'wb') as fh:
        fh.write(npy_bytes("{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text), data))


SECTIONS = [make_npy]

if __name__ == '__main__':
    torch.manual_seed(0)
    for make in SECTIONS:
        make()
    with open(os.path.join(OUT, 'expected.json'), 'w') as fh:
        json.dump(expected, fh, indent=1, sort_keys=True)
    print('fixtures:', len(expected['files']), 'good,', len(expected['bad']), 'bad')
