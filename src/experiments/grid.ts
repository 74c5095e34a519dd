// From a configuration to its grid of runs: every (normalization, batch size, seed), each with the model's
// normalization layers replaced by the run's method and the learning rate of the GN paper's rule.
// Validation happens here, once, before any run: a bad config is one clear error, never a failed run later.
//
// How each method maps onto torch.nn (the GN paper's definitions, section 3):
//   BN -> BatchNorm2d(C) (BatchNorm1d(C) where the model had a 1-d norm)
//   GN -> GroupNorm(G, C), G = min(G, C), which must divide C
//   LN -> GroupNorm(1, C): LN over (C, H, W) with a per-channel affine, as the paper defines it (torch's
//         nn.LayerNorm([C, H, W]) would have a per-element affine and tie the model to one input size)
//   IN -> GroupNorm(C, C): IN with a per-channel affine; in training it equals InstanceNorm2d(C, affine=True),
//         and unlike InstanceNorm2d's default it has no running statistics to diverge in eval mode (neither has GN).
import type { LayerSpec, ModelSpec, TrainConfig } from '../nn/types';
import { ExperimentConfigError, METHODS, type ExperimentConfig, type Method, type NormChoice, type RunPlan } from './types';

/** The miniature's default G (the paper uses 32 for ResNet-50's wider layers). */
export const DEFAULT_GROUPS = 8;

/** Layers that count as "the normalization" of a model and are swapped per run, with their channel argument. */
const NORM_LAYERS: Record<string, string> = {
  BatchNorm1d: 'num_features',
  BatchNorm2d: 'num_features',
  InstanceNorm2d: 'num_features',
  GroupNorm: 'num_channels',
};

export const METHOD_NAMES: Record<Method, string> = { bn: 'BN', gn: 'GN', ln: 'LN', in: 'IN' };

/** A short label for a normalization choice: "BN", "GN (G=8)", "GN (4 ch/group)", "LN", "IN". */
export function normLabel(n: NormChoice): string {
  if (n.method !== 'gn') return METHOD_NAMES[n.method];
  if (n.channelsPerGroup !== undefined) return `GN (${n.channelsPerGroup} ch/group)`;
  return `GN (G=${n.groups ?? DEFAULT_GROUPS})`;
}

/** Norms as the CLI's --methods and the panel write them: "bn, gn, ln, in", gn:G (G groups), gn/c (c channels per group). */
export function formatNorms(norms: NormChoice[]): string {
  return norms.map((n) => (n.method !== 'gn' ? n.method : n.channelsPerGroup !== undefined ? `gn/${n.channelsPerGroup}` : `gn:${n.groups ?? DEFAULT_GROUPS}`)).join(', ');
}

/** The inverse of formatNorms; a string is the first part that is not a method. */
export function parseNorms(text: string): NormChoice[] | string {
  const out: NormChoice[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(bn|gn|ln|in)(?:([:/])(\d+))?$/i.exec(part);
    if (!m || (m[2] && m[1].toLowerCase() !== 'gn')) return part;
    const method = m[1].toLowerCase() as Method;
    out.push(m[2] === ':' ? { method, groups: Number(m[3]) } : m[2] === '/' ? { method, channelsPerGroup: Number(m[3]) } : { method });
  }
  return out;
}

/** The channel count of each normalization layer, in order (empty: the model has none). */
export function normChannels(model: ModelSpec): { index: number; channels: number; name: string }[] {
  const out: { index: number; channels: number; name: string }[] = [];
  model.layers.forEach(([name, kw], index) => {
    const key = NORM_LAYERS[name];
    if (!key) return;
    const c = kw[key];
    if (!Number.isInteger(c) || (c as number) < 1) {
      throw new ExperimentConfigError(`layer ${index} (${name}): expected a positive integer ${key}, found ${JSON.stringify(c)}`);
    }
    out.push({ index, channels: c as number, name });
  });
  return out;
}

/** G for GroupNorm over C channels under a choice; throws when it does not divide C. */
function groupsFor(n: NormChoice, C: number, layer: number): number {
  switch (n.method) {
    case 'ln':
      return 1;
    case 'in':
      return C;
    case 'bn':
      return 0;
    case 'gn': {
      if (n.channelsPerGroup !== undefined) {
        const c = n.channelsPerGroup;
        if (c > C || C % c !== 0) {
          throw new ExperimentConfigError(`${normLabel(n)}: layer ${layer} has ${C} channels, which ${c} channels per group do not divide`);
        }
        return C / c;
      }
      const G = Math.min(n.groups ?? DEFAULT_GROUPS, C);
      if (C % G !== 0) throw new ExperimentConfigError(`${normLabel(n)}: num_groups ${G} does not divide num_channels ${C} (layer ${layer})`);
      return G;
    }
  }
}

/** The model with every normalization layer replaced by `n`'s. Other layers are kept as they are. */
export function applyNorm(model: ModelSpec, n: NormChoice): ModelSpec {
  const norms = normChannels(model);
  if (norms.length === 0) {
    throw new ExperimentConfigError('the model has no normalization layer (BatchNorm1d/2d, GroupNorm or InstanceNorm2d) to swap between methods');
  }
  const layers: LayerSpec[] = model.layers.map(([name, kw], i) => {
    const norm = norms.find((x) => x.index === i);
    if (!norm) return [name, { ...kw }];
    const C = norm.channels;
    const eps = typeof kw.eps === 'number' ? { eps: kw.eps } : {};
    if (n.method === 'bn') return [name === 'BatchNorm1d' ? 'BatchNorm1d' : 'BatchNorm2d', { num_features: C, ...eps }];
    return ['GroupNorm', { num_groups: groupsFor(n, C, i), num_channels: C, ...eps }];
  });
  return { input_shape: [...model.input_shape], layers };
}

/** The learning rate of a run: base · B / 32 under the paper's rule. */
export function runLr(config: Pick<ExperimentConfig, 'lr' | 'scaleLrByBatch'>, batchSize: number): number {
  return config.scaleLrByBatch ? (config.lr * batchSize) / 32 : config.lr;
}

const isPosInt = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 1;

/** Static checks of a configuration (data sizes are checked again against the files by checkDataSizes). */
export function validateConfig(c: ExperimentConfig): void {
  const bad = (msg: string): never => {
    throw new ExperimentConfigError(msg);
  };
  if (c.norms.length === 0) bad('expected at least one method (bn, gn, ln, in), found none');
  for (const n of c.norms) {
    if (!(METHODS as readonly string[]).includes(n.method)) bad(`unknown method '${String(n.method)}' (expected one of ${METHODS.join(', ')})`);
    if (n.groups !== undefined && !isPosInt(n.groups)) bad(`${normLabel(n)}: expected a positive integer number of groups, found ${n.groups}`);
    if (n.channelsPerGroup !== undefined && !isPosInt(n.channelsPerGroup)) bad(`GN: expected a positive integer of channels per group, found ${n.channelsPerGroup}`);
  }
  if (c.batchSizes.length === 0) bad('expected at least one batch size, found none');
  for (const b of c.batchSizes) if (!isPosInt(b)) bad(`expected positive integer batch sizes, found ${b}`);
  if (!isPosInt(c.seeds)) bad(`expected a positive integer number of seeds, found ${c.seeds}`);
  if (!isPosInt(c.epochs)) bad(`expected a positive integer number of epochs, found ${c.epochs}`);
  if (!(c.lr > 0) || !Number.isFinite(c.lr)) bad(`expected a positive learning rate, found ${c.lr}`);
  if (!(c.momentum >= 0 && c.momentum < 1)) bad(`expected momentum in [0, 1), found ${c.momentum}`);
  if (!(c.weightDecay >= 0) || !Number.isFinite(c.weightDecay)) bad(`expected a weight decay ≥ 0, found ${c.weightDecay}`);
  if (!(Number.isInteger(c.warmupEpochs) && c.warmupEpochs >= 0 && c.warmupEpochs < c.epochs)) {
    bad(`expected 0 ≤ warm-up epochs < epochs (${c.epochs}), found ${c.warmupEpochs}`);
  }
  if (c.schedule.kind === 'step') {
    for (const m of c.schedule.milestones) if (!isPosInt(m) || m > c.epochs) bad(`expected step milestones between 1 and ${c.epochs}, found ${m}`);
  }
  if (!isPosInt(c.trainSize)) bad(`expected a positive integer training size, found ${c.trainSize}`);
  if (!isPosInt(c.valSize)) bad(`expected a positive integer validation size, found ${c.valSize}`);
  const maxB = Math.max(...c.batchSizes);
  if (maxB > c.trainSize) bad(`batch size ${maxB} is larger than the training data (${c.trainSize} samples)`);
  if (!Array.isArray(c.model.input_shape) || !c.model.input_shape.every(isPosInt)) {
    bad(`expected the model's input_shape to be positive integers, found ${JSON.stringify(c.model.input_shape)}`);
  }
  for (const n of c.norms) applyNorm(c.model, n); // groups that do not divide channels, a model without norms
}

/** The sample counts the data files really hold (after loading their headers). */
export function checkDataSizes(c: ExperimentConfig, available: { train: number; val: number | null }): void {
  const heldOut = available.val === null;
  const trainAvail = heldOut ? available.train - c.valSize : available.train;
  if (heldOut && trainAvail < 1) {
    throw new ExperimentConfigError(`the training data has ${available.train} samples: too few to hold out ${c.valSize} for validation`);
  }
  if (c.trainSize > trainAvail) {
    throw new ExperimentConfigError(`training size ${c.trainSize} is larger than the data (${trainAvail} samples${heldOut ? ` after holding out ${c.valSize} for validation` : ''})`);
  }
  if (available.val !== null && c.valSize > available.val) {
    throw new ExperimentConfigError(`validation size ${c.valSize} is larger than the validation data (${available.val} samples)`);
  }
}

/** Every run: normalizations × batch sizes × seeds, in that order. Validates first. */
export function expandGrid(c: ExperimentConfig): RunPlan[] {
  validateConfig(c);
  const runs: RunPlan[] = [];
  for (const norm of c.norms) {
    const model = applyNorm(c.model, norm);
    const firstGn = model.layers.find(([name]) => name === 'GroupNorm');
    const groups = firstGn ? (firstGn[1].num_groups as number) : null;
    for (const batchSize of c.batchSizes) {
      for (let seed = 0; seed < c.seeds; seed++) {
        const parts = [normLabel(norm), `B=${batchSize}`];
        if (c.seeds > 1) parts.push(`seed ${seed}`);
        runs.push({
          index: runs.length, label: parts.join(' · '), method: norm.method, groups,
          channelsPerGroup: norm.method === 'gn' ? (norm.channelsPerGroup ?? null) : null,
          batchSize, seed, lr: runLr(c, batchSize), model,
        });
      }
    }
  }
  return runs;
}

/** trainRun's configuration for one run (the lr rule is already applied, so scaleLrByBatch is off). */
export function trainConfigFor(c: ExperimentConfig, run: RunPlan): TrainConfig {
  return {
    epochs: c.epochs, batchSize: run.batchSize, lr: run.lr, momentum: c.momentum, weightDecay: c.weightDecay,
    nesterov: c.nesterov, schedule: c.schedule, warmupEpochs: c.warmupEpochs, scaleLrByBatch: false, seed: run.seed,
  };
}

/**
 * A run's relative cost, for scheduling (longest first) and the ETA before any run has reported: examples
 * seen, with a per-step overhead that makes small batches slower per example.
 */
export function runCost(c: Pick<ExperimentConfig, 'epochs' | 'trainSize' | 'valSize'>, batchSize: number): number {
  const STEP_OVERHEAD_EXAMPLES = 4;
  const steps = Math.ceil(c.trainSize / batchSize);
  return c.epochs * (c.trainSize + steps * STEP_OVERHEAD_EXAMPLES + c.valSize / 3);
}
