#!/usr/bin/env python3
"""Extra PyTorch reference cases for NormLab, in the golden format (test/golden/FORMAT.md).

Run with Debian's python3-torch (1.13) and python3-numpy:  /usr/bin/python3 scripts/make-golden.py
Writes test/golden/extra/{cases.json, NNN_<id>_<role>.npy}. Truth = torch.nn.functional in float64 on the float32
input; torch's float32 result sets the tolerance exactly as in the public set.
"""
import json, os, sys
import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'golden', 'extra')
BASE_SEED = 777
cases = []


def ulp32(x):
    return float(np.spacing(np.float32(max(abs(x), 1e-30))))


def make_x(shape, dist, rng):
    if dist['kind'] == 'normal':
        return rng.standard_normal(shape).astype(np.float32)
    if dist['kind'] == 'large_offset':
        return (dist['mean'] + dist['std'] * rng.standard_normal(shape)).astype(np.float32)
    if dist['kind'] == 'uniform':
        return rng.uniform(-3, 5, shape).astype(np.float32)
    raise ValueError(dist)


def to_stored(a, layout):
    if layout == 'NHWC' and a.ndim >= 3:
        return np.ascontiguousarray(np.moveaxis(a, 1, -1))
    return a


def run(method, t, p, w, b, rm, rv, dtype):
    t = t.to(dtype)
    w = None if w is None else torch.from_numpy(w).to(dtype)
    b = None if b is None else torch.from_numpy(b).to(dtype)
    rm = None if rm is None else torch.from_numpy(rm.copy()).to(dtype)
    rv = None if rv is None else torch.from_numpy(rv.copy()).to(dtype)
    if method == 'group':
        y = F.group_norm(t, p['num_groups'], w, b, p['eps'])
    elif method == 'layer':
        y = F.layer_norm(t, p['normalized_shape'], w, b, p['eps'])
    elif method == 'rms':
        k = len(p['normalized_shape'])
        dims = tuple(range(t.dim() - k, t.dim()))
        y = t / torch.sqrt((t * t).mean(dim=dims, keepdim=True) + p['eps'])
        if w is not None:
            y = y * w
    elif method == 'batch':
        y = F.batch_norm(t, rm, rv, w, b, p['training'], 0.0 if p['momentum'] is None else p['momentum'], p['eps']) \
            if p['momentum'] is not None else None
        if y is None:  # cumulative average: torch passes 1/(num_batches_tracked+1) as the factor
            f = 1.0 / (p['num_batches_tracked_in'] + 1)
            y = F.batch_norm(t, rm, rv, w, b, p['training'], f, p['eps'])
    elif method == 'instance':
        y = F.instance_norm(t, rm, rv, w, b, p['use_input_stats'], p['momentum'], p['eps'])
    return y, rm, rv


def stats_of(method, x64, p, G=None):
    if method == 'batch':
        dims = [0] + list(range(2, x64.ndim)); keep = x64.reshape(x64.shape[0], x64.shape[1], -1).transpose(1, 0, 2).reshape(x64.shape[1], -1)
    elif method == 'instance':
        keep = x64.reshape(x64.shape[0] * x64.shape[1], -1)
    elif method == 'group':
        keep = x64.reshape(x64.shape[0] * G, -1)
    else:
        k = int(np.prod(p['normalized_shape']))
        keep = x64.reshape(-1, k)
    return keep.mean(axis=1), keep.var(axis=1), (keep * keep).mean(axis=1)


def add(cid, method, shape, params, layout='NCHW', affine=True, dist=None, running=False):
    dist = dist or {'kind': 'normal'}
    idx = len(cases)
    seed = BASE_SEED + 1000 * idx
    rng = np.random.default_rng(seed)
    x = make_x(shape, dist, rng)
    C = shape[1]
    pshape = params['normalized_shape'] if method in ('layer', 'rms') else [C]
    w = b = rm = rv = None
    if affine:
        w = (1 + 0.3 * rng.standard_normal(pshape)).astype(np.float32)
        if method != 'rms':
            b = (0.2 * rng.standard_normal(pshape)).astype(np.float32)
    if running:
        rm = (0.1 * rng.standard_normal(C)).astype(np.float32)
        rv = (1 + 0.2 * rng.random(C)).astype(np.float32)
    t = torch.from_numpy(x)
    y64, rm64, rv64 = run(method, t, params, w, b, rm, rv, torch.float64)
    y32, rm32, rv32 = run(method, t, params, w, b, rm, rv, torch.float32)
    y64n = y64.numpy(); x64 = x.astype(np.float64)
    mean, var, ms = stats_of(method, x64, params, params.get('num_groups'))
    stats_shape = {'batch': [C], 'instance': [shape[0], C], 'group': [shape[0], params.get('num_groups', 1)]}.get(
        method, list(shape[:len(shape) - len(pshape)]))
    pre = f'{idx:03d}_{cid}_'
    files = {}

    def save(role, arr, dt):
        name = pre + role + '.npy'
        np.save(os.path.join(OUT, name), np.ascontiguousarray(arr).astype(dt))
        files[role] = name

    save('x', to_stored(x, layout), np.float32)
    save('y', to_stored(y64n, layout), np.float64)
    save('y_torch_f32', to_stored(y32.numpy(), layout), np.float32)
    if w is not None: save('weight', w, np.float32)
    if b is not None: save('bias', b, np.float32)
    save('mean', mean.reshape(stats_shape), np.float64)
    save('var', var.reshape(stats_shape), np.float64)
    if method == 'rms': save('ms', ms.reshape(stats_shape), np.float64)
    tol = {}
    ymax = float(np.abs(y64n).max())
    err_y = float(np.abs(y32.numpy().astype(np.float64) - y64n).max())
    tol['y'] = {'atol': max(1e-5 * max(1.0, ymax), 4 * err_y), 'rtol': 1e-4}
    matol = 2 * ulp32(float(np.abs(x).max())) + 1e-6
    tol['mean'] = {'atol': matol, 'rtol': 1e-5}
    tol['var'] = {'atol': 1e-4 * float(var.max()) + matol ** 2 + 1e-7, 'rtol': 1e-4}
    if method == 'rms': tol['ms'] = {'atol': 1e-4 * float(ms.max()) + 1e-7, 'rtol': 1e-4}
    if running:
        save('running_mean_in', rm, np.float32); save('running_var_in', rv, np.float32)
        save('running_mean_out', rm64.numpy(), np.float64); save('running_var_out', rv64.numpy(), np.float64)
        for key, a64, a32 in (('running_mean', rm64, rm32), ('running_var', rv64, rv32)):
            e = float(np.abs(a32.numpy().astype(np.float64) - a64.numpy()).max()); sc = float(np.abs(a64.numpy()).max())
            tol[key] = {'atol': max(1e-6, 1e-5 * sc, 2 * ulp32(sc), 4 * e), 'rtol': 1e-5}
    cases.append({'id': cid, 'index': idx, 'method': method, 'layout': layout, 'shape': list(shape),
                  'stored_shape': list(to_stored(x, layout).shape),
                  'channel_axis': None if method in ('layer', 'rms') else (len(shape) - 1 if layout == 'NHWC' and len(shape) > 2 else 1),
                  'dtype_in': 'float32', 'params': params, 'affine': affine, 'dist': dist, 'seed': seed,
                  'files': files, 'stats_shape': stats_shape, 'tolerance': tol})


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    e = 1e-5
    bn = lambda **k: {'eps': e, 'training': True, 'momentum': 0.1, 'track_running_stats': True, 'num_batches_tracked_in': 0, **k}
    inn = lambda **k: {'eps': e, 'training': True, 'momentum': 0.1, 'track_running_stats': False, 'use_input_stats': True, **k}
    add('gn_g4_nhwc_rank3', 'group', [3, 8, 10], {'eps': e, 'num_groups': 4}, layout='NHWC')
    add('gn_gC_nhwc_rank5', 'group', [2, 6, 2, 3, 4], {'eps': e, 'num_groups': 6}, layout='NHWC')
    add('gn_g1_uniform_eps0.1', 'group', [2, 5, 3, 3], {'eps': 0.1, 'num_groups': 1}, dist={'kind': 'uniform'})
    add('gn_large_offset_nhwc', 'group', [2, 8, 6, 6], {'eps': e, 'num_groups': 2}, layout='NHWC', dist={'kind': 'large_offset', 'mean': 1e4, 'std': 1e-2})
    add('bn_train_nhwc_rank4', 'batch', [4, 6, 3, 5], bn(), layout='NHWC', running=True)
    add('bn_eval_nhwc_rank4', 'batch', [2, 5, 4, 4], bn(training=False), layout='NHWC', running=True)
    add('bn_train_m0.5_step3', 'batch', [5, 3, 4], bn(momentum=0.5, num_batches_tracked_in=3), running=True)
    add('bn_cma_step7', 'batch', [6, 4, 2, 2], bn(momentum=None, num_batches_tracked_in=7), running=True)
    add('bn_train_noaffine_rank2', 'batch', [9, 7], bn(), affine=False, running=True)
    add('in_large_offset', 'instance', [2, 3, 9, 9], inn(), dist={'kind': 'large_offset', 'mean': 1e4, 'std': 1e-2})
    add('in_track_eval_nhwc', 'instance', [2, 4, 3, 5], inn(training=False, track_running_stats=True, use_input_stats=False), layout='NHWC', running=True)
    add('in_track_train_rank5', 'instance', [2, 3, 2, 2, 3], inn(track_running_stats=True), running=True)
    add('ln_last1_rank5', 'layer', [2, 2, 3, 2, 16], {'eps': e, 'normalized_shape': [16]})
    add('ln_all_rank4', 'layer', [3, 4, 5, 6], {'eps': 1e-6, 'normalized_shape': [4, 5, 6]})
    add('rms_large_offset', 'rms', [4, 64], {'eps': 1e-6, 'normalized_shape': [64]}, dist={'kind': 'large_offset', 'mean': 1e4, 'std': 1e-2})
    add('rms_last3_rank4', 'rms', [2, 3, 4, 5], {'eps': 1e-5, 'normalized_shape': [3, 4, 5]})
    meta = {'format_version': 1, 'set': 'extra', 'generator': 'scripts/make-golden.py', 'torch_version': torch.__version__,
            'numpy_version': np.__version__, 'base_seed': BASE_SEED,
            'truth': 'torch.nn.functional in float64 on the float32 input', 'cases': cases}
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
