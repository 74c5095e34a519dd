#!/usr/bin/python3
"""Makes the tensor-file fixtures for NormLab's format tests with real NumPy and PyTorch 1.13.

  /usr/bin/python3 scripts/make-fixtures.py          # writes test/fixtures/formats/ and examples/*.npy|npz|pt|safetensors

test/fixtures/formats/expected.json holds, per good file, the format, metadata and per tensor: dtype (NumPy's
name), shape, every value (small tensors) and statistics computed by NumPy in float64 over the finite values
(population std). Per bad file it holds a piece of the error message the reader must give.
Only for making fixtures: NormLab itself never needs Python. Re-running rewrites identical files except the
legacy-format checkpoints, whose storage keys are memory addresses.
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
    bad('bad/npy_header_too_big.npy', npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", b'\0' * 8, version=2)[:8] + struct.pack('<I', 2 ** 20) + b' ' * 100, 'above the header limit')
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



# --------------------------------------------------------------------------------------- safetensors
ST_DTYPES = {torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.int64: 'I64',
             torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8', torch.bool: 'BOOL'}
TORCH_NAMES = {torch.float64: 'float64', torch.float32: 'float32', torch.float16: 'float16', torch.bfloat16: 'bfloat16',
               torch.int64: 'int64', torch.int32: 'int32', torch.int16: 'int16', torch.int8: 'int8', torch.uint8: 'uint8', torch.bool: 'bool'}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def tensor_values(t):
    return t.to(torch.float64).numpy() if t.dtype != torch.bool else t.numpy().astype(np.float64)


def safetensors_bytes(tensors, metadata=None, raw=None):
    """tensors: name -> torch.Tensor; raw: name -> (dtype string, shape, bytes) for dtypes torch 1.13 lacks."""
    header, blobs, off = {}, [], 0
    if metadata is not None:
        header['__metadata__'] = metadata
    items = [(k, ST_DTYPES[v.dtype], list(v.shape), tensor_bytes(v)) for k, v in tensors.items()]
    items += [(k, d, list(sh), b) for k, (d, sh, b) in (raw or {}).items()]
    for k, d, sh, b in items:
        header[k] = {'dtype': d, 'shape': sh, 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    return struct.pack('<Q', len(h)) + h + b''.join(blobs)


def write_safetensors(p, tensors, metadata=None, raw=None):
    with open(p, 'wb') as fh:
        fh.write(safetensors_bytes(tensors, metadata, raw))


def describe_torch(t):
    return describe(TORCH_NAMES[t.dtype], tensor_values(t))


def f8_value(b, e_bits, m_bits, bias, fn):
    """Decodes one float8 byte from the OFP8 definitions (E4M3FN: no inf, S.1111.111 is NaN)."""
    s = -1.0 if b & 0x80 else 1.0
    e = (b >> m_bits) & ((1 << e_bits) - 1)
    m = b & ((1 << m_bits) - 1)
    if fn and e == 15 and m == 7:
        return float('nan')
    if not fn and e == 31:
        return float('nan') if m else s * float('inf')
    if e == 0:
        return s * m * 2.0 ** (1 - bias - m_bits)
    return s * (1 + m / 2 ** m_bits) * 2.0 ** (e - bias)


def make_safetensors():
    ts = OrderedDict()
    ts['f64'] = torch.randn(2, 3, dtype=torch.float64)
    ts['f32'] = torch.randn(4, 5)
    ts['f16'] = torch.randn(3, 3).half()
    ts['bf16'] = torch.randn(7).bfloat16()
    ts['i64'] = torch.tensor([-(2 ** 40), 0, 5, 2 ** 40])
    ts['i32'] = torch.randint(-1000, 1000, (2, 2), dtype=torch.int32)
    ts['i16'] = torch.randint(-1000, 1000, (5,), dtype=torch.int16)
    ts['i8'] = torch.randint(-128, 127, (2, 4), dtype=torch.int8)
    ts['u8'] = torch.randint(0, 255, (3, 2), dtype=torch.uint8)
    ts['bool'] = torch.tensor([True, False, True, True])
    ts['scalar'] = torch.tensor(2.5)
    ts['empty'] = torch.zeros(0, 4)
    meta = {'format': 'pt', 'note': 'NormLab fixture'}
    write_safetensors(path('st/all_dtypes.safetensors'), ts, meta)
    record('st/all_dtypes.safetensors', 'safetensors', {k: describe_torch(v) for k, v in ts.items()}, meta)

    allbytes = bytes(range(256))
    raw = {'e4m3': ('F8_E4M3', (16, 16), allbytes), 'e5m2': ('F8_E5M2', (256,), allbytes)}
    write_safetensors(path('st/float8.safetensors'), {}, None, raw)
    e4 = np.array([f8_value(b, 4, 3, 7, True) for b in range(256)]).reshape(16, 16)
    e5 = np.array([f8_value(b, 5, 2, 15, False) for b in range(256)])
    record('st/float8.safetensors', 'safetensors', {'e4m3': describe('float8_e4m3fn', e4), 'e5m2': describe('float8_e5m2', e5)})

    # A sharded checkpoint: two shards and the index that maps names to them.
    shard1 = OrderedDict([('bn.weight', torch.rand(4)), ('bn.bias', torch.randn(4))])
    shard2 = OrderedDict([('bn.running_mean', torch.randn(4)), ('bn.running_var', torch.rand(4) + 0.5), ('bn.num_batches_tracked', torch.tensor(10))])
    write_safetensors(path('st/sharded/model-00001-of-00002.safetensors'), shard1, {'format': 'pt'})
    write_safetensors(path('st/sharded/model-00002-of-00002.safetensors'), shard2, {'format': 'pt'})
    index = {'metadata': {'total_size': 68}, 'weight_map': {**{k: 'model-00001-of-00002.safetensors' for k in shard1},
                                                            **{k: 'model-00002-of-00002.safetensors' for k in shard2}}}
    with open(path('st/sharded/model.safetensors.index.json'), 'w') as fh:
        json.dump(index, fh, indent=2)
    record('st/sharded/model.safetensors.index.json', 'safetensors', {k: describe_torch(v) for k, v in {**shard1, **shard2}.items()}, {'total_size': 68})

    good = safetensors_bytes(OrderedDict([('x', torch.randn(2, 3))]))
    n = struct.unpack('<Q', good[:8])[0]
    bad('bad/st_truncated.safetensors', good[:-4], 'truncated')
    bad('bad/st_header_past_end.safetensors', struct.pack('<Q', 2 ** 40) + good[8:], 'runs past the end')
    bad('bad/st_not_json.safetensors', struct.pack('<Q', 12) + b'{not json!!}' + b'\0' * 24, 'not valid JSON')
    bad('bad/st_array_header.safetensors', struct.pack('<Q', 8) + b'[1,2,3] ', 'must be a JSON object')
    hdr = lambda d: (lambda h: struct.pack('<Q', len(h)) + h)(json.dumps(d).encode())
    bad('bad/st_complex.safetensors', hdr({'z': {'dtype': 'C64', 'shape': [2], 'data_offsets': [0, 16]}}) + b'\0' * 16, 'unsupported dtype "C64"')
    bad('bad/st_shape_lies.safetensors', hdr({'x': {'dtype': 'F32', 'shape': [100, 100], 'data_offsets': [0, 24]}}) + b'\0' * 24, 'needs 40000')
    bad('bad/st_offsets_past_end.safetensors', hdr({'x': {'dtype': 'F32', 'shape': [1000], 'data_offsets': [0, 4000]}}) + b'\0' * 24, 'truncated')
    bad('bad/st_negative_shape.safetensors', hdr({'x': {'dtype': 'F32', 'shape': [-1, 2], 'data_offsets': [0, 8]}}) + b'\0' * 8, 'non-negative')
    bad('bad/st_absurd_shape.safetensors', hdr({'x': {'dtype': 'F64', 'shape': [2 ** 31, 2 ** 31, 2 ** 31], 'data_offsets': [0, 8]}}) + b'\0' * 8, 'too many elements')
    bad('bad/st_bad_offsets.safetensors', hdr({'x': {'dtype': 'F32', 'shape': [2], 'data_offsets': [8, 0]}}) + b'\0' * 8, 'data_offsets must be')
    bad('bad/st_bad_utf8.safetensors', struct.pack('<Q', 4) + b'{\xff\xfe}', 'not valid UTF-8')
    os.makedirs(path('bad/sharded/x'), exist_ok=True)
    with open(path('bad/sharded/escape.safetensors.index.json'), 'w') as fh:
        json.dump({'weight_map': {'w': '../st_truncated.safetensors'}}, fh)
    expected['bad']['bad/sharded/escape.safetensors.index.json'] = 'same folder'
    with open(path('bad/sharded/missing.safetensors.index.json'), 'w') as fh:
        json.dump({'weight_map': {'w': 'missing_shard.safetensors'}}, fh)
    expected['bad']['bad/sharded/missing.safetensors.index.json'] = "cannot open shard 'missing_shard.safetensors'"
    with open(path('bad/sharded/wrong.safetensors.index.json'), 'w') as fh:
        json.dump({'weight_map': {'nope': 'only_x.safetensors'}}, fh)
    with open(path('bad/sharded/only_x.safetensors'), 'wb') as fh:
        fh.write(good)
    expected['bad']['bad/sharded/wrong.safetensors.index.json'] = "has no such tensor"
    os.rmdir(path('bad/sharded/x'))
    _ = n


# ----------------------------------------------------------------------------------------------- npz
def zip64_bytes(members):
    """A stored zip whose central directory and end records use zip64 fields (as a >4 GiB archive would)."""
    out, central = bytearray(), bytearray()
    for name, data in members:
        nb = name.encode()
        crc = zipfile.crc32(data) & 0xffffffff
        off = len(out)
        local_extra = struct.pack('<HHQQ', 1, 16, len(data), len(data))
        out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 0, 0, 0, crc, 0xffffffff, 0xffffffff, len(nb), len(local_extra)) + nb + local_extra + data
        extra = struct.pack('<HHQQQ', 1, 24, len(data), len(data), off)
        central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, 0, 0, 0, crc, 0xffffffff, 0xffffffff,
                               len(nb), len(extra), 0, 0, 0, 0, 0xffffffff) + nb + extra
    cd_off = len(out)
    out += central
    z64 = len(out)
    out += struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, len(members), len(members), len(central), cd_off)
    out += struct.pack('<IIQI', 0x07064b50, 0, z64, 1)
    out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xffff, 0xffff, 0xffffffff, 0xffffffff, 0)
    return bytes(out)


def npy_of(a):
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


def make_npz():
    arrays = OrderedDict([('x', rng.standard_normal((2, 3, 4)).astype(np.float32)), ('labels', np.array([3, 1, 4, 1, 5], dtype=np.int64)),
                          ('mask', np.array([True, False, True])), ('f16', rng.standard_normal((3,)).astype(np.float16)),
                          ('fort', np.asfortranarray(rng.standard_normal((3, 2))))])
    desc = {k: describe(np_name(v), v) for k, v in arrays.items()}
    np.savez(path('npz/stored.npz'), **arrays)
    record('npz/stored.npz', 'npz', desc)
    np.savez_compressed(path('npz/deflated.npz'), **arrays)
    record('npz/deflated.npz', 'npz', desc)
    big = np.repeat(rng.standard_normal(1000).astype(np.float32), 50)  # compressible: many deflate blocks
    np.savez_compressed(path('npz/deflated_big.npz'), big=big)
    record('npz/deflated_big.npz', 'npz', {'big': describe('float32', big, max_values=0)})
    with open(path('npz/zip64.npz'), 'wb') as fh:
        fh.write(zip64_bytes([(k + '.npy', npy_of(v)) for k, v in arrays.items()]))
    record('npz/zip64.npz', 'npz', desc)

    good = open(path('npz/deflated.npz'), 'rb').read()
    stored = open(path('npz/stored.npz'), 'rb').read()
    bad('bad/npz_truncated.npz', good[:len(good) // 2], 'no end-of-central-directory')
    # Corrupt the deflate stream of the first member (just after its local header and name).
    name_len, extra_len = struct.unpack('<HH', good[26:30])
    start = 30 + name_len + extra_len
    corrupt = bytearray(good)
    for k in range(start, start + 40):
        corrupt[k] = 0xff
    bad('bad/npz_corrupt_deflate.npz', bytes(corrupt), 'corrupt deflate data')
    # Central directory lies about sizes: uncompressed size smaller (a zip bomb shape) and larger than the data.
    bad('bad/npz_bomb.npz', patch_central(good, 0, uncompressed=60), 'more than its declared size')
    bad('bad/npz_short.npz', patch_central(good, 0, compressed=40), 'deflate')
    bad('bad/npz_method.npz', patch_central(stored, 0, method=12), 'unsupported compression method 12')
    bad('bad/npz_cd_past_end.npz', patch_eocd(stored, cd_offset=len(stored) * 4), 'runs past the end')
    bad('bad/npz_local_offset.npz', patch_central(stored, 0, offset=len(stored) - 10), 'past the end')
    # One deflated member with a 60 kB header, listed 2000 times by the central directory.
    h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
    member = npy_bytes(h + ' ' * (60000 - len(h)), b'\0' * 8)
    one = io.BytesIO()
    with zipfile.ZipFile(one, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo('x.npy', date_time=(2020, 1, 1, 0, 0, 0)), member, zipfile.ZIP_DEFLATED)
    one = one.getvalue()
    cd_off = central_offset(one)
    eocd = one.rindex(b'PK\x05\x06')
    entry = one[cd_off:eocd]
    n = 2000
    many = one[:cd_off] + entry * n + struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, n, n, len(entry) * n, cd_off, 0)
    bad('bad/npz_many_headers.npz', many, 'overlapping members are refused')
    with zipfile.ZipFile(path('bad/npz_member_not_npy.npz'), 'w') as z:
        z.writestr(zipfile.ZipInfo('x.npy', date_time=(2020, 1, 1, 0, 0, 0)), b'this is not an npy file at all')
    expected['bad']['bad/npz_member_not_npy.npz'] = 'not a .npy file'


def central_offset(data):
    eocd = data.rindex(b'PK\x05\x06')
    return struct.unpack('<I', data[eocd + 16:eocd + 20])[0]


def patch_central(data, index, uncompressed=None, method=None, offset=None, compressed=None):
    b = bytearray(data)
    p = central_offset(data)
    for _ in range(index):
        n, e, c = struct.unpack('<HHH', b[p + 28:p + 34])
        p += 46 + n + e + c
    if uncompressed is not None:
        b[p + 24:p + 28] = struct.pack('<I', uncompressed)
    if compressed is not None:
        b[p + 20:p + 24] = struct.pack('<I', compressed)
    if method is not None:
        b[p + 10:p + 12] = struct.pack('<H', method)
    if offset is not None:
        b[p + 42:p + 46] = struct.pack('<I', offset)
    return bytes(b)


def patch_eocd(data, cd_offset):
    b = bytearray(data)
    eocd = data.rindex(b'PK\x05\x06')
    b[eocd + 16:eocd + 20] = struct.pack('<I', cd_offset)
    return bytes(b)


# ------------------------------------------------------------------------------------------- pytorch
class SmallCNN(torch.nn.Module):
    """Conv -> BatchNorm2d -> ReLU -> Conv -> GroupNorm -> ReLU -> pool -> Linear."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(8)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, padding=1)
        self.gn2 = torch.nn.GroupNorm(4, 16)
        self.fc = torch.nn.Linear(16, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.gn2(self.conv2(x)))
        return self.fc(x.mean((2, 3)))


def trained_cnn():
    torch.manual_seed(7)
    m = SmallCNN()
    opt = torch.optim.SGD(m.parameters(), lr=0.05)
    for _ in range(5):
        x = torch.randn(8, 3, 16, 16) * 2 + 0.5
        loss = m(x).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return m.eval()


def torch_zip(members, archive='archive'):
    """A torch.save-style zip: stored members under '<archive>/'."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_STORED) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(f'{archive}/{name}', date_time=(2020, 1, 1, 0, 0, 0)), data)
    return b.getvalue()


class Evil:
    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def make_pytorch():
    sd = trained_cnn().state_dict()
    torch.save(sd, path('pt/small_cnn_state.pt'))
    record('pt/small_cnn_state.pt', 'pytorch', {k: describe_torch(v) for k, v in sd.items()})

    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = OrderedDict([('base', base), ('row', base[1]), ('col', base[:, 2]), ('t', base.t()), ('block', base[1:3, 2:5]), ('step', base[::2, ::3])])
    torch.save(views, path('pt/views.pt'))
    record('pt/views.pt', 'pytorch', {k: describe_torch(v) for k, v in views.items()})

    types = OrderedDict((TORCH_NAMES[d], (torch.randn(3, 2) * 50).to(d)) for d in TORCH_NAMES)
    torch.save(types, path('pt/dtypes.pt'))
    record('pt/dtypes.pt', 'pytorch', {k: describe_torch(v) for k, v in types.items()})

    nested = {'epoch': 3, 'lr': 0.1, 'arch': 'tiny', 'best': None, 'model': OrderedDict([('ln.weight', torch.ones(5)), ('ln.bias', torch.zeros(5))]),
              'param': torch.nn.Parameter(torch.randn(2, 2)), 'history': [torch.tensor([1.0, 2.0]), torch.tensor([3.0])]}
    torch.save(nested, path('pt/nested.pth'))
    flat = {'model.ln.weight': nested['model']['ln.weight'], 'model.ln.bias': nested['model']['ln.bias'], 'param': nested['param'].detach(),
            'history.0': nested['history'][0], 'history.1': nested['history'][1]}
    record('pt/nested.pth', 'pytorch', {k: describe_torch(v) for k, v in flat.items()}, {'epoch': 3, 'lr': 0.1, 'arch': 'tiny', 'best': None})

    # The same views written by a big-endian machine: byteorder 'big' and byte-swapped storage.
    with zipfile.ZipFile(path('pt/views.pt')) as z:
        members = [(n.split('/', 1)[1], z.read(n)) for n in z.namelist()]
    swapped = [(n, np.frombuffer(d, '<f4').astype('>f4').tobytes() if n.startswith('data/') else b'big' if n == 'byteorder' else d) for n, d in members]
    if not any(n == 'byteorder' for n, _ in swapped):
        swapped.append(('byteorder', b'big'))
    with open(path('pt/views_big_endian.pt'), 'wb') as fh:
        fh.write(torch_zip(swapped))
    record('pt/views_big_endian.pt', 'pytorch', {k: describe_torch(v) for k, v in views.items()})

    # NumPy arrays and scalars inside a checkpoint (a saved RNG state, metrics): read from the pickle's own bytes.
    rng_state = np.random.RandomState(0).get_state()
    mixed = OrderedDict([('w', torch.randn(3)), ('rng', rng_state), ('arr', np.arange(6, dtype=np.float32).reshape(2, 3)),
                         ('farr', np.asfortranarray(np.arange(6.0).reshape(2, 3))), ('be', np.arange(3, dtype='>i4')),
                         ('strs', np.array(['a', 'b'])), ('best', np.float64(2.5))])
    torch.save(mixed, path('pt/numpy_inside.pt'))
    record('pt/numpy_inside.pt', 'pytorch', {'w': describe_torch(mixed['w']), 'rng.1': describe('uint32', rng_state[1]), 'arr': describe('float32', mixed['arr']),
                                             'farr': describe('float64', mixed['farr']), 'be': describe('int32', mixed['be'])},
           {'rng.0': 'MT19937', 'rng.2': 624, 'best': 2.5, 'strs': "numpy array of dtype 'U1' (not read)"})

    # The legacy (pre-1.6) format, still written with _use_new_zipfile_serialization=False.
    torch.save(views, path('pt/legacy_views.pt'), _use_new_zipfile_serialization=False)
    record('pt/legacy_views.pt', 'pytorch', {k: describe_torch(v) for k, v in views.items()})
    torch.save(sd, path('pt/legacy_state.pth'), _use_new_zipfile_serialization=False)
    record('pt/legacy_state.pth', 'pytorch', {k: describe_torch(v) for k, v in sd.items()})

    single = torch.randn(3, 4)
    torch.save(single, path('pt/single.bin'))
    record('pt/single.bin', 'pytorch', {'single': describe_torch(single)})

    # Hostile and broken checkpoints.
    version = ('version', b'3\n')
    # Protocol 2 (what torch.save writes) spells Python 3 modules the Python 2 way: builtins -> __builtin__.
    hostile = [('os_system', Evil(os.system, 'echo pwned'), 2, "'posix.system'"), ('eval', Evil(eval, '1+1'), 2, "'__builtin__.eval'"),
               ('subprocess', Evil(__import__('subprocess').Popen, ['true']), 4, "'subprocess.Popen'"),
               ('exec_p4', Evil(exec, 'import os'), 4, "'builtins.exec'")]
    for name, obj, proto, msg in hostile:
        bad(f'bad/pt_{name}.pt', torch_zip([('data.pkl', pickle.dumps(obj, protocol=proto)), version]), msg)
    deep = b'\x80\x02' + b']' * 100000 + b'a' * 99999 + b'.'
    bad('bad/pt_deep.pt', torch_zip([('data.pkl', deep), version]), 'deeper than')
    bad('bad/pt_huge_memo.pt', torch_zip([('data.pkl', b'\x80\x02j\xff\xff\xff\xff.'), version]), 'memo entry 4294967295')
    bad('bad/pt_truncated_pickle.pt', torch_zip([('data.pkl', pickle.dumps({'a': 1}, protocol=2)[:-3]), version]), 'truncated')
    # A small pickle that copies one big list again and again through an allowed call (set()).
    amplify = b'\x80\x02]q\x00(' + b'N' * 100000 + b'ec__builtin__\nset\nq\x01]' + b'h\x01h\x00\x85Ra' * 5000 + b'.'
    bad('bad/pt_amplify.pt', torch_zip([('data.pkl', amplify), version]), 'expands far beyond')
    legacy = open(path('pt/legacy_views.pt'), 'rb').read()
    bad('bad/pt_legacy_truncated.pt', legacy[:-10], 'truncated')
    head = pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2) + pickle.dumps(1001, protocol=2) + pickle.dumps({'little_endian': True}, protocol=2)
    bad('bad/pt_legacy_eval.pt', head + pickle.dumps(Evil(eval, '1+1'), protocol=2) + pickle.dumps([], protocol=2), "'__builtin__.eval'")
    bad('bad/pt_plain_pickle.pkl', pickle.dumps({'a': 1}, protocol=2), 'a plain pickle')
    bad('bad/pt_model_object.pt', model_bytes(), "refusing global 'torch.nn.modules.batchnorm.BatchNorm2d'")
    cplx = io.BytesIO()
    torch.save({'z': torch.zeros(2, dtype=torch.complex64)}, cplx)
    bad('bad/pt_complex.pt', cplx.getvalue(), "unsupported dtype: storage type 'torch.ComplexFloatStorage'")
    good = io.BytesIO()
    torch.save({'w': torch.randn(4)}, good)
    with zipfile.ZipFile(good) as z:
        pkl = z.read([n for n in z.namelist() if n.endswith('data.pkl')][0])
    bad('bad/pt_missing_storage.pt', torch_zip([('data.pkl', pkl), version]), "has no member")
    bad('bad/pt_short_storage.pt', torch_zip([('data.pkl', pkl), ('data/0', b'\0' * 8), version]), 'declares 4 float32')
    lying = pickle_with_view(size=(4,), stride=(3,))
    bad('bad/pt_view_out_of_range.pt', torch_zip([('data.pkl', lying), ('data/0', b'\0' * 16), version]), 'outside its storage')


def model_bytes():
    b = io.BytesIO()
    torch.save(torch.nn.BatchNorm2d(3), b)
    return b.getvalue()


def pickle_with_view(size, stride):
    """A data.pkl whose tensor is a view (size, stride) into a 4-element float storage."""
    class Storage:
        pass

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            return ('storage', torch.FloatStorage, '0', 'cpu', 4) if isinstance(obj, Storage) else None
    b = io.BytesIO()
    Pickler(b, protocol=2).dump({'w': Evil(torch._utils._rebuild_tensor_v2, Storage(), 0, size, stride, False, OrderedDict())})
    return b.getvalue()


# ---------------------------------------------------------------------------------------------- onnx
def pb_varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7f
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def pb_field(num, wire, payload):
    key = pb_varint(num << 3 | wire)
    if wire == 0:
        return key + pb_varint(payload)
    return key + pb_varint(len(payload)) + payload


def pb_tensor(name, dims, data_type, raw=None, typed=None, external=None):
    """A TensorProto; dims unpacked (proto2 default, as onnx writes them)."""
    out = b''.join(pb_field(1, 0, d) for d in dims) + pb_field(2, 0, data_type) + pb_field(8, 2, name.encode())
    if raw is not None:
        out += pb_field(9, 2, raw)
    if typed is not None:
        field, payload = typed
        out += pb_field(field, 2, payload)
    if external is not None:
        for k, v in external.items():
            out += pb_field(13, 2, pb_field(1, 2, k.encode()) + pb_field(2, 2, str(v).encode()))
        out += pb_field(14, 0, 1)
    return out


def pb_model(initializers, producer='normlab-fixtures'):
    graph = pb_field(2, 2, b'g') + b''.join(pb_field(5, 2, t) for t in initializers)
    return pb_field(1, 0, 8) + pb_field(2, 2, producer.encode()) + pb_field(7, 2, graph) + pb_field(8, 2, pb_field(2, 0, 17))


def make_onnx():
    m = trained_cnn().train()
    # Exported in training mode so that Conv and BatchNorm are not fused: every parameter and running
    # statistic stays an initializer under its state-dict name (num_batches_tracked is dropped by the exporter).
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        torch.onnx.export(m, torch.randn(2, 3, 16, 16), path('onnx/small_cnn.onnx'), do_constant_folding=False,
                          export_params=True, training=torch.onnx.TrainingMode.TRAINING, opset_version=13)
    sd = m.state_dict()
    with open(path('onnx/small_cnn.onnx'), 'rb') as fh:
        data = fh.read()
    names = [k for k in sd if k.encode() in data and not k.endswith('num_batches_tracked')]
    record('onnx/small_cnn.onnx', 'onnx', {k: describe_torch(sd[k]) for k in names}, {'producer_name': 'pytorch'})

    f32 = rng.standard_normal((2, 3)).astype(np.float32)
    f64 = rng.standard_normal(4)
    i8 = np.array([-128, -1, 0, 5, 127], dtype=np.int8)
    i64 = np.array([-(2 ** 40), -3, 0, 2 ** 40], dtype=np.int64)
    u64 = np.array([0, 7, 2 ** 40], dtype=np.uint64)
    f16 = rng.standard_normal(3).astype(np.float16)
    ext = rng.standard_normal((3, 4)).astype(np.float32)
    packed = lambda vals: b''.join(pb_varint(int(v)) for v in vals)
    with open(path('onnx/weights.bin'), 'wb') as fh:
        fh.write(b'\0' * 16 + ext.tobytes())
    tensors = [
        pb_tensor('raw_f32', f32.shape, 1, raw=f32.tobytes()),
        pb_tensor('float_data', f32.shape, 1, typed=(4, f32.tobytes())),
        pb_tensor('double_data', f64.shape, 11, typed=(10, f64.tobytes())),
        pb_tensor('int8_data', i8.shape, 3, typed=(5, packed(i8))),
        pb_tensor('int64_data', i64.shape, 7, typed=(7, packed(i64))),
        pb_tensor('uint64_data', u64.shape, 13, typed=(11, packed(u64))),
        pb_tensor('f16_bits', f16.shape, 10, typed=(5, packed(f16.view(np.uint16)))),
        pb_tensor('scalar', [], 1, raw=np.float32(1.5).tobytes()),
        pb_tensor('external', ext.shape, 1, external={'location': 'weights.bin', 'offset': 16, 'length': ext.nbytes}),
    ]
    with open(path('onnx/typed.onnx'), 'wb') as fh:
        fh.write(pb_model(tensors))
    record('onnx/typed.onnx', 'onnx', {'raw_f32': describe('float32', f32), 'float_data': describe('float32', f32), 'double_data': describe('float64', f64),
                                       'int8_data': describe('int8', i8), 'int64_data': describe('int64', i64), 'uint64_data': describe('uint64', u64),
                                       'f16_bits': describe('float16', f16), 'scalar': describe('float32', np.float32(1.5)), 'external': describe('float32', ext)},
           {'producer_name': 'normlab-fixtures', 'ir_version': 8, 'opset': 17})

    bad('bad/onnx_string.onnx', pb_model([pb_tensor('s', [1], 8, typed=(6, b'\x03abc'))]), 'unsupported dtype STRING')
    bad('bad/onnx_raw_lies.onnx', pb_model([pb_tensor('w', [100], 1, raw=b'\0' * 8)]), 'raw_data holds 8 bytes')
    bad('bad/onnx_escape.onnx', pb_model([pb_tensor('w', [2], 1, external={'location': '../weights.bin', 'length': 8})]), 'beside the model')
    bad('bad/onnx_few_values.onnx', pb_model([pb_tensor('w', [5], 6, typed=(5, packed([1, 2])))]), 'fewer than the 5 values')
    good = pb_model([pb_tensor('w', [4], 1, raw=b'\0' * 16)])
    bad('bad/onnx_truncated.onnx', good[:-6], 'runs past')
    bad('bad/onnx_not_model.onnx', b'\x08\x01', 'not an ONNX model')


# ---------------------------------------------------------------------------------------------- gguf
def gguf_str(x):
    b = x.encode()
    return struct.pack('<Q', len(b)) + b


def gguf_bytes(kvs, tensors, alignment=32, version=3):
    """kvs: [(key, type, packed value bytes)]; tensors: [(name, ggml type, numpy-order shape, raw bytes)]."""
    out = b'GGUF' + struct.pack('<IQQ', version, len(tensors), len(kvs))
    for k, t, v in kvs:
        out += gguf_str(k) + struct.pack('<I', t) + v
    offsets, off = [], 0
    for _, _, _, raw in tensors:
        offsets.append(off)
        off += (len(raw) + alignment - 1) // alignment * alignment
    for (name, t, shape, _), o in zip(tensors, offsets):
        out += gguf_str(name) + struct.pack('<I', len(shape)) + b''.join(struct.pack('<Q', d) for d in reversed(shape)) + struct.pack('<IQ', t, o)
    out += b'\0' * ((-len(out)) % alignment)
    for (_, _, _, raw), o in zip(tensors, offsets):
        out += raw + b'\0' * ((-len(raw)) % alignment)
    return out


def make_gguf():
    w = rng.standard_normal((4, 6)).astype(np.float32)
    norm = (1 + 0.1 * rng.standard_normal(6)).astype(np.float16)
    big = rng.standard_normal(5)
    ids = np.array([1, -2, 3], dtype=np.int32)
    bf = torch.randn(2, 3).bfloat16()
    vocab = [f'tok{i}' for i in range(100)]
    kvs = [('general.architecture', 8, gguf_str('llama')), ('general.name', 8, gguf_str('normlab-fixture')),
           ('llama.context_length', 4, struct.pack('<I', 2048)), ('llama.rope.freq_base', 6, struct.pack('<f', 10000.0)),
           ('tokenizer.ggml.tokens', 9, struct.pack('<IQ', 8, len(vocab)) + b''.join(gguf_str(v) for v in vocab)),
           ('general.flag', 7, b'\x01')]
    tensors = [('token_embd.weight', 0, (4, 6), w.tobytes()), ('blk.0.attn_norm.weight', 1, (6,), norm.tobytes()),
               ('blk.0.ffn.bias', 28, (5,), big.tobytes()), ('ids', 26, (3,), ids.tobytes()),
               ('bf', 30, (2, 3), bf.view(torch.int16).numpy().tobytes()), ('blk.0.attn_q.weight', 12, (256,), b'\0' * 144)]
    with open(path('gguf/tiny.gguf'), 'wb') as fh:
        fh.write(gguf_bytes(kvs, tensors))
    record('gguf/tiny.gguf', 'gguf', {'token_embd.weight': describe('float32', w), 'blk.0.attn_norm.weight': describe('float16', norm),
                                      'blk.0.ffn.bias': describe('float64', big), 'ids': describe('int32', ids), 'bf': describe_torch(bf)},
           {'general.architecture': 'llama', 'general.name': 'normlab-fixture', 'llama.context_length': 2048, 'general.flag': True,
            'unsupported_tensors': ['blk.0.attn_q.weight (Q4_K)'], 'gguf_version': 3})
    good = gguf_bytes(kvs[:2], tensors[:1])
    bad('bad/gguf_truncated.gguf', good[:-8], 'truncated')
    bad('bad/gguf_version1.gguf', good[:4] + struct.pack('<I', 1) + good[8:], 'unsupported GGUF version 1')
    bad('bad/gguf_huge_count.gguf', good[:8] + struct.pack('<Q', 2 ** 40) + good[16:], 'more than the file')
    bad('bad/gguf_header_cut.gguf', good[:60], 'header is truncated')


# ------------------------------------------------------------------------------------------ examples
def make_examples():
    os.makedirs(EXAMPLES, exist_ok=True)
    r = np.random.default_rng(42)
    offsets = np.linspace(-3, 3, 32, dtype=np.float32).reshape(1, 32, 1, 1)
    scales = np.linspace(0.5, 2.0, 32, dtype=np.float32).reshape(1, 32, 1, 1)
    act = (r.standard_normal((8, 32, 16, 16)).astype(np.float32) * scales + offsets).astype(np.float32)
    np.save(os.path.join(EXAMPLES, 'activations.npy'), act)
    np.savez_compressed(os.path.join(EXAMPLES, 'batch.npz'), x=(r.standard_normal((16, 8, 8, 8)) * 2 + 1).astype(np.float32),
                        labels=r.integers(0, 10, 16), tokens=r.standard_normal((4, 10, 64)).astype(np.float32))
    sd = trained_cnn().state_dict()
    torch.save(sd, os.path.join(EXAMPLES, 'small_cnn.pt'))
    write_safetensors(os.path.join(EXAMPLES, 'small_cnn.safetensors'), OrderedDict(sd), {'format': 'pt', 'model': 'SmallCNN'})
    for name in ['activations.npy', 'batch.npz', 'small_cnn.pt', 'small_cnn.safetensors']:
        rel = os.path.relpath(os.path.join(EXAMPLES, name), OUT)
        expected['examples'] = expected.get('examples', []) + [rel]


SECTIONS = [make_npy, make_safetensors, make_npz, make_pytorch, make_onnx, make_gguf, make_examples]

if __name__ == '__main__':
    torch.manual_seed(0)
    for make in SECTIONS:
        make()
    with open(os.path.join(OUT, 'expected.json'), 'w') as fh:
        json.dump(expected, fh, indent=1, sort_keys=True)
    print('fixtures:', len(expected['files']), 'good,', len(expected['bad']), 'bad')
