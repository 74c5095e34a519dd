#!/usr/bin/env python3
"""Extra PyTorch training reference cases for NormLab, in the format of test/golden/train/FORMAT.md.

Run with Debian's python3-torch (1.13) and python3-numpy:  /usr/bin/python3 scripts/make-golden-train.py
Writes test/golden/train/extra/{cases.json, errors.json, NNN_<id>_<role>.*}:
- trajectories: more layer / stride / padding combinations, nesterov, a cosine schedule with warm-up
  (`flags` holds the extra `normlab train` flags), each 20 SGD steps with torch.optim.SGD; truth = the float64
  model from the same float32 init, tolerances from torch's own float32 run, as in the shared set;
- errors.json: what PyTorch raises for inputs it refuses (BatchNorm training on one value per channel).
Needs no safetensors package: the .safetensors files are written by the small writer below.
"""
import json, math, os, struct
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'golden', 'train', 'extra')
BASE_SEED = 1357
STEPS = 20


def save_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        a = t.detach().cpu().numpy()
        dt = {np.dtype('float32'): 'F32', np.dtype('float64'): 'F64', np.dtype('int64'): 'I64'}[a.dtype]
        b = np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tobytes()
        header[k] = {'dtype': dt, 'shape': list(a.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def load_safetensors(path):
    """The reader a PyTorch user would write: used to check that `normlab train --save` loads into the model."""
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        dt = {'F32': np.float32, 'F64': np.float64, 'I64': np.int64}[v['dtype']]
        s, e = v['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(raw[8 + n + s:8 + n + e], dtype=dt).reshape(v['shape']).copy())
    return out


def build(spec):
    return nn.Sequential(*[getattr(nn, name)(**kw) for name, kw in spec['layers']])


def lr_at(step, lr, schedule, warm_steps):
    warm = (step + 1) / warm_steps if step < warm_steps else 1.0
    if schedule == 'cosine':
        span = STEPS - warm_steps
        t = 0 if step < warm_steps or span <= 0 else (step - warm_steps) / span
        return warm * lr * 0.5 * (1 + math.cos(math.pi * t))
    return warm * lr


def run(spec, init, x, y, order, hyper, dtype):
    model = build(spec).to(dtype)
    model.load_state_dict({k: (v.to(dtype) if v.is_floating_point() else v) for k, v in init.items()})
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=hyper['lr'], momentum=hyper['momentum'], weight_decay=hyper['weight_decay'], nesterov=hyper['nesterov'])
    xs, ys, losses = torch.from_numpy(x).to(dtype), torch.from_numpy(y), []
    for s in range(STEPS):
        for g in opt.param_groups:
            g['lr'] = lr_at(s, hyper['lr'], hyper['schedule'], hyper['warm_steps'])
        idx = torch.from_numpy(order[s])
        loss = F.cross_entropy(model(xs[idx]), ys[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model, losses


CASES = [
    ('conv5_s2_bn_cma_nesterov', [3, 16, 16], [
        ['Conv2d', {'in_channels': 3, 'out_channels': 6, 'kernel_size': 5, 'stride': 2, 'padding': 2}],
        ['BatchNorm2d', {'num_features': 6, 'momentum': None}], ['ReLU', {}], ['MaxPool2d', {'kernel_size': 3, 'stride': 2}],
        ['Flatten', {}], ['Linear', {'in_features': 54, 'out_features': 10}]],
     {'lr': 0.03, 'momentum': 0.9, 'weight_decay': 5e-4, 'nesterov': True, 'schedule': 'constant', 'warm_steps': 0}, 8),
    ('conv_rect_gn_eps_avgpool', [2, 10, 10], [
        ['Conv2d', {'in_channels': 2, 'out_channels': 8, 'kernel_size': [3, 2], 'padding': 1, 'bias': False}],
        ['GroupNorm', {'num_groups': 2, 'num_channels': 8, 'eps': 1e-3}], ['ReLU', {}], ['AvgPool2d', {'kernel_size': 3, 'stride': 1}],
        ['Conv2d', {'in_channels': 8, 'out_channels': 4, 'kernel_size': 1}], ['AdaptiveAvgPool2d', {'output_size': [1, 1]}],
        ['Flatten', {}], ['Linear', {'in_features': 4, 'out_features': 10}]],
     {'lr': 0.1, 'momentum': 0.5, 'weight_decay': 0.0, 'nesterov': False, 'schedule': 'constant', 'warm_steps': 0}, 6),
    ('in_track_eval_ln_mlp_head', [1, 12, 12], [
        ['Conv2d', {'in_channels': 1, 'out_channels': 4, 'kernel_size': 3, 'padding': 'same'}],
        ['InstanceNorm2d', {'num_features': 4, 'affine': True, 'track_running_stats': True, 'momentum': 0.2}], ['ReLU', {}],
        ['MaxPool2d', {'kernel_size': 2, 'stride': 1}], ['Flatten', {}], ['Linear', {'in_features': 484, 'out_features': 16}],
        ['LayerNorm', {'normalized_shape': 16}], ['ReLU', {}], ['Linear', {'in_features': 16, 'out_features': 10}]],
     {'lr': 0.05, 'momentum': 0.9, 'weight_decay': 1e-4, 'nesterov': False, 'schedule': 'constant', 'warm_steps': 0}, 4),
    ('linear_3d_bn1d_3d', [4, 6], [
        ['Linear', {'in_features': 6, 'out_features': 8}], ['BatchNorm1d', {'num_features': 4}], ['ReLU', {}],
        ['Flatten', {}], ['Linear', {'in_features': 32, 'out_features': 10}]],
     {'lr': 0.1, 'momentum': 0.0, 'weight_decay': 0.0, 'nesterov': False, 'schedule': 'constant', 'warm_steps': 0}, 5),
    ('bn_untracked_noaffine_valid', [1, 9, 9], [
        ['Conv2d', {'in_channels': 1, 'out_channels': 5, 'kernel_size': 3, 'padding': 'valid'}],
        ['BatchNorm2d', {'num_features': 5, 'affine': False, 'track_running_stats': False}], ['ReLU', {}],
        ['MaxPool2d', {'kernel_size': 2}], ['Flatten', {'start_dim': 1, 'end_dim': -1}], ['Linear', {'in_features': 45, 'out_features': 10}]],
     {'lr': 0.05, 'momentum': 0.9, 'weight_decay': 0.0, 'nesterov': False, 'schedule': 'constant', 'warm_steps': 0}, 8),
    ('mlp_ln_noaffine_cosine_warmup', [20], [
        ['Linear', {'in_features': 20, 'out_features': 24}], ['LayerNorm', {'normalized_shape': [24], 'elementwise_affine': False}],
        ['ReLU', {}], ['Linear', {'in_features': 24, 'out_features': 10, 'bias': False}]],
     {'lr': 0.2, 'momentum': 0.9, 'weight_decay': 1e-3, 'nesterov': True, 'schedule': 'cosine', 'warm_steps': 5}, 8),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    torch.set_num_threads(1)
    cases = []
    for i, (cid, shape, layers, hyper, batch) in enumerate(CASES):
        seed = BASE_SEED + i
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        spec = {'input_shape': shape, 'layers': layers}
        init = build(spec).state_dict()
        n = 4 * batch
        x = rng.standard_normal([n] + shape).astype(np.float32)
        y = rng.integers(0, 10, n).astype(np.int64)
        order = np.stack([rng.permutation(n)[:batch] for _ in range(STEPS)]).astype(np.int64)
        eval_x = rng.standard_normal([5] + shape).astype(np.float32)
        m64, l64 = run(spec, init, x, y, order, hyper, torch.float64)
        m32, l32 = run(spec, init, x, y, order, hyper, torch.float32)
        m64.eval(), m32.eval()
        with torch.no_grad():
            e64 = m64(torch.from_numpy(eval_x).double()).numpy()
            e32 = m32(torch.from_numpy(eval_x)).double().numpy()
        s64, s32 = m64.state_dict(), m32.state_dict()
        st_err = max(float((s64[k].double() - s32[k].double()).abs().max()) for k in s64 if s64[k].is_floating_point())
        loss_err = max(abs(a - b) for a, b in zip(l64, l32))
        ev_err = float(np.abs(e64 - e32).max())
        p = lambda role: f'{i:03d}_{cid}_{role}'
        json.dump(spec, open(os.path.join(OUT, p('model.json')), 'w'))
        save_safetensors(os.path.join(OUT, p('init.safetensors')), init)
        save_safetensors(os.path.join(OUT, p('final.safetensors')), s64)
        np.savez_compressed(os.path.join(OUT, p('data.npz')), x=x, y=y)
        np.save(os.path.join(OUT, p('order.npy')), order)
        np.save(os.path.join(OUT, p('eval_x.npy')), eval_x)
        np.save(os.path.join(OUT, p('eval_logits.npy')), e64)
        flags = []
        if hyper['nesterov']:
            flags.append('--nesterov')
        if hyper['schedule'] != 'constant':
            flags += ['--schedule', hyper['schedule']]
        if hyper['warm_steps']:
            flags += ['--warmup-epochs', str(hyper['warm_steps'] / STEPS)]
        cases.append({
            'id': cid, 'index': i, 'kind': 'trajectory', 'batch_size': batch, 'steps': STEPS,
            'hyper': {k: hyper[k] for k in ('lr', 'momentum', 'weight_decay')}, 'flags': flags,
            'files': {r: p(f) for r, f in [('model', 'model.json'), ('init', 'init.safetensors'), ('data', 'data.npz'), ('order', 'order.npy'),
                                           ('eval_x', 'eval_x.npy'), ('eval_logits', 'eval_logits.npy'), ('final', 'final.safetensors')]},
            'losses': l64,
            'tolerance': {
                'loss': {'atol': max(20 * loss_err, 1e-5), 'torch_f32_max_abs_err': loss_err},
                'state': {'atol': max(20 * st_err, 1e-5), 'rtol': 1e-3, 'torch_f32_max_abs_err': st_err},
                'eval_logits': {'atol': max(20 * ev_err, 1e-5), 'rtol': 1e-3, 'torch_f32_max_abs_err': ev_err},
            },
        })
    json.dump({'format_version': 1, 'set': 'extra', 'torch_version': torch.__version__, 'base_seed': BASE_SEED,
               'truth': 'torch autograd in float64 on the float32 inputs; trajectories: float64 model from the same float32 init',
               'cases': cases}, open(os.path.join(OUT, 'cases.json'), 'w'), indent=1)

    errors = []
    for name, kw, shape in [('BatchNorm1d', {'num_features': 8}, [1, 8]), ('BatchNorm2d', {'num_features': 3}, [1, 3, 1, 1])]:
        try:
            getattr(nn, name)(**kw).train()(torch.zeros(shape))
            raise SystemExit(f'{name} on {shape} did not raise')
        except ValueError as e:
            errors.append({'layer': [name, kw], 'input_shape': shape, 'torch_message': str(e)})
    json.dump(errors, open(os.path.join(OUT, 'errors.json'), 'w'), indent=1)
    print(f'{len(cases)} trajectories and {len(errors)} error cases in {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
