// Groups a state dict's dotted names into normalization layers, e.g. 'layer1.0.bn1.running_var' -> layer
// 'layer1.0.bn1'. A prefix with running_mean and running_var is a BatchNorm (or InstanceNorm with running
// stats); a prefix with only weight/bias is a GroupNorm/LayerNorm/RMSNorm when its weight is 1-D (if shapes
// are given) or, from names alone, when its last name part looks like a norm (norm, bn, gn, ln, ...).
export type NormMember = 'weight' | 'bias' | 'running_mean' | 'running_var' | 'num_batches_tracked';

export interface NormLayer {
  prefix: string;
  kind: 'batchnorm' | 'norm';
  members: Partial<Record<NormMember, string>>;
}

const MEMBERS: readonly NormMember[] = ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'];
const NORM_NAME = /norm|^(bn|gn|ln|in)(_?\d+)?$|^(bn|gn|ln)_|_(bn|gn|ln)$|^ln_f$/i;

export function findNormLayers(names: string[], shapes?: Readonly<Record<string, readonly number[]>>): NormLayer[] {
  const groups = new Map<string, Partial<Record<NormMember, string>>>();
  const others = new Set<string>();
  for (const name of names) {
    const dot = name.lastIndexOf('.');
    const prefix = dot < 0 ? '' : name.slice(0, dot);
    const leaf = name.slice(dot + 1) as NormMember;
    if (MEMBERS.includes(leaf)) {
      const g = groups.get(prefix) ?? {};
      g[leaf] = name;
      groups.set(prefix, g);
    } else {
      others.add(prefix);
    }
  }
  const layers: NormLayer[] = [];
  for (const [prefix, members] of groups) {
    if (members.running_mean && members.running_var) {
      layers.push({ prefix, kind: 'batchnorm', members });
      continue;
    }
    if (!members.weight || members.running_mean || members.running_var || others.has(prefix)) continue;
    const w = shapes?.[members.weight];
    const b = members.bias ? shapes?.[members.bias] : undefined;
    const looksNorm = w
      ? w.length >= 1 && (w.length === 1 || /norm|ln/i.test(prefix)) && (!members.bias || (b !== undefined && b.join() === w.join()))
      : NORM_NAME.test(prefix.slice(prefix.lastIndexOf('.') + 1));
    if (looksNorm) layers.push({ prefix, kind: 'norm', members });
  }
  return layers;
}
