// torch.optim.SGD exactly (1.13, foreach=False): with d = grad + weight_decay·p on every parameter,
//   momentum: buf = d on the first step, then buf = momentum·buf + (1 − dampening)·d (dampening 0);
//             d = d + momentum·buf (nesterov) or d = buf;
//   p = p − lr·d.
// Buffers are float32 like the parameters; momentum 0 keeps none.
import { nnFail } from './errors';
import { floats } from './layers/layer';
import type { NnOps } from './ops';

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

export function checkSgd(lr: number, o: SgdOptions): void {
  if (!(lr >= 0) || !Number.isFinite(lr)) nnFail(`Invalid learning rate: ${lr}`);
  if (!(o.momentum >= 0) || !Number.isFinite(o.momentum)) nnFail(`Invalid momentum value: ${o.momentum}`);
  if (!(o.weightDecay >= 0) || !Number.isFinite(o.weightDecay)) nnFail(`Invalid weight_decay value: ${o.weightDecay}`);
  if (o.nesterov && o.momentum <= 0) nnFail('Nesterov momentum requires a momentum and zero dampening');
}

export class Sgd {
  private readonly bufs: Float32Array[];
  private started = false;
  /** ops: where the momentum buffers live and, if the ops have it, sgdMomentum (the common case in one kernel). */
  constructor(private readonly params: { data: Float32Array; grad: Float32Array }[], private readonly o: SgdOptions, private readonly ops?: NnOps) {
    this.bufs = o.momentum > 0 ? params.map((p) => (ops ? floats(ops, p.data.length) : new Float32Array(p.data.length))) : [];
  }

  step(lr: number): void {
    const { momentum: m, weightDecay: wd, nesterov } = this.o;
    // The same arithmetic as one loop with every option tested per element, split so that the common case
    // (momentum, no weight decay, no Nesterov) is a tight loop: a few percent of a small batch's step.
    for (let j = 0; j < this.params.length; j++) {
      const { data: p, grad: g } = this.params[j];
      const buf = this.bufs[j];
      const n = p.length;
      if (buf && wd === 0 && !nesterov && this.ops?.sgdMomentum) {
        this.ops.sgdMomentum(n, p, g, buf, lr, m, !this.started);
        continue;
      }
      if (buf && wd === 0 && !nesterov) {
        // fround: d is buf's stored (float32) value, as below.
        if (this.started) {
          for (let i = 0; i < n; i++) {
            const d = Math.fround(m * buf[i] + g[i]);
            buf[i] = d;
            p[i] = p[i] - lr * d;
          }
        } else {
          for (let i = 0; i < n; i++) {
            buf[i] = g[i];
            p[i] = p[i] - lr * g[i];
          }
        }
        continue;
      }
      for (let i = 0; i < n; i++) {
        let d = wd !== 0 ? Math.fround(g[i] + wd * p[i]) : g[i];
        if (buf) {
          buf[i] = this.started ? m * buf[i] + d : d;
          d = nesterov ? Math.fround(d + m * buf[i]) : buf[i];
        }
        p[i] = p[i] - lr * d;
      }
    }
    this.started = true;
  }
}
