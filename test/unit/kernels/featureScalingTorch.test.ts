// The feature-scaling loss, gradient and GD/momentum path against PyTorch 1.13 autograd + torch.optim.SGD (float64).
// Skipped, with the reason printed, where /usr/bin/python3 has no torch: the product never needs Python.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { analyze, DEFAULT_SCALING_SPEC, descend, generateScalingData, lossGrad, transformData, type Vec2 } from '../../../src/kernels/featureScaling';

const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import json, sys, torch
cases = json.load(sys.stdin)
out = []
for c in cases:
    x = torch.tensor([c['x1'], c['x2']], dtype=torch.float64).T
    y = torch.tensor(c['y'], dtype=torch.float64)
    def loss_of(w):
        z = x @ w
        if c['model'] == 'linear':
            return 0.5 * ((z - y) ** 2).mean()
        return torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    points = []
    for p in c['points']:
        w = torch.tensor(p, dtype=torch.float64, requires_grad=True)
        l = loss_of(w)
        l.backward()
        points.append({'loss': l.item(), 'grad': w.grad.tolist()})
    w = torch.tensor(c['start'], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=c['lr'], momentum=c['momentum'])
    path = [w.detach().tolist()]
    for _ in range(c['steps']):
        opt.zero_grad()
        loss_of(w).backward()
        opt.step()
        path.append(w.detach().tolist())
    out.append({'points': points, 'path': path})
print(json.dumps(out))
`;

function torchAvailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? null : `${PYTHON} has no torch (${(r.stderr || '').trim().split('\n').pop()})`;
}

const skip = torchAvailable();
if (skip) console.log(`# skipping the PyTorch parity test: ${skip}`);

test('loss, gradient and the GD/momentum path match PyTorch (float64)', { skip: skip ?? false }, () => {
  const cases = [];
  const ours: { what: string; points: { loss: number; grad: Vec2 }[]; path: ReturnType<typeof descend> }[] = [];
  for (const model of ['linear', 'logistic'] as const) {
    for (const t of ['raw', 'standardized', 'whitened'] as const) {
      const d = transformData(generateScalingData({ ...DEFAULT_SCALING_SPEC, model, n: 200, rho: 0.6, noise: 1 }), t);
      const a = analyze(d);
      const points: Vec2[] = [[0, 0], [0.3, -0.2], a.optimum];
      const lr = 0.7 * a.maxStableLr;
      const path = descend(d, a, { lr, momentum: 0.8, start: [0, 0], maxSteps: 40 });
      const steps = path.losses.length - 1;
      cases.push({ model, x1: [...d.x1], x2: [...d.x2], y: [...d.y], points, start: [0, 0], lr, momentum: 0.8, steps });
      ours.push({ what: `${model} ${t}`, points: points.map((w) => lossGrad(d, w)), path });
    }
  }
  const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as { points: { loss: number; grad: Vec2 }[]; path: Vec2[] }[];
  ref.forEach((c, k) => {
    const o = ours[k];
    c.points.forEach((p, i) => {
      const mine = o.points[i];
      assert.ok(Math.abs(mine.loss - p.loss) <= 1e-12 * Math.max(1, Math.abs(p.loss)), `${o.what} loss at point ${i}: ${mine.loss} vs torch ${p.loss}`);
      for (let j = 0; j < 2; j++) {
        const scale = Math.max(1e-6, Math.abs(p.grad[0]), Math.abs(p.grad[1]));
        assert.ok(Math.abs(mine.grad[j] - p.grad[j]) <= 1e-9 * scale + 1e-14, `${o.what} grad[${j}] at point ${i}: ${mine.grad[j]} vs torch ${p.grad[j]}`);
      }
    });
    assert.equal(c.path.length, o.path.losses.length, `${o.what}: path length`);
    c.path.forEach((w, i) => {
      for (let j = 0; j < 2; j++) {
        const mine = o.path.points[2 * i + j];
        assert.ok(Math.abs(mine - w[j]) <= 1e-8 * Math.max(1, Math.abs(w[j])), `${o.what} step ${i} w${j + 1}: ${mine} vs torch ${w[j]}`);
      }
    });
  });
});
