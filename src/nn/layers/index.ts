// torch.nn class name -> layer factory. A name not here is refused as Python would: no such attribute.
import { nnFail } from '../errors';
import { conv2d } from './conv';
import type { Layer, LayerContext } from './layer';
import { linear } from './linear';
import { batchNorm, groupNorm, instanceNorm2d, layerNorm } from './norm';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from './pool';
import { flatten, relu } from './simple';

export type { Layer, Param, StateBuffer } from './layer';

type Factory = (kw: Record<string, unknown>, ctx: LayerContext) => Layer;

export const LAYERS: Record<string, Factory> = {
  Conv2d: conv2d,
  Linear: linear,
  ReLU: relu,
  MaxPool2d: maxPool2d,
  AvgPool2d: avgPool2d,
  AdaptiveAvgPool2d: adaptiveAvgPool2d,
  Flatten: flatten,
  BatchNorm1d: (kw, ctx) => batchNorm(1, kw, ctx),
  BatchNorm2d: (kw, ctx) => batchNorm(2, kw, ctx),
  GroupNorm: groupNorm,
  InstanceNorm2d: instanceNorm2d,
  LayerNorm: layerNorm,
};

export function makeLayer(name: string, kw: Record<string, unknown>, ctx: LayerContext): Layer {
  const f = Object.prototype.hasOwnProperty.call(LAYERS, name) ? LAYERS[name] : undefined;
  if (!f) nnFail(`layer ${ctx.index}: module 'torch.nn' has no attribute '${name}' that NormLab supports (one of ${Object.keys(LAYERS).join(', ')})`);
  return f(kw, ctx);
}
