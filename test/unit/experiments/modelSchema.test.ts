// media/normlab-model.schema.json (contributes.jsonValidation for *.normlab-model.json) covers what the presets use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { applyNorm } from '../../../src/experiments/grid';
import { MINI_CNN } from '../../../src/experiments/presets';
import { METHODS } from '../../../src/experiments/types';

const root = new URL('../../../', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('media/normlab-model.schema.json', root), 'utf8'));
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

interface Variant { items: [{ const: string }, { properties: Record<string, unknown>; required: string[] }] }
const variants = new Map((schema.properties.layers.items.oneOf as Variant[]).map((v) => [v.items[0].const, v.items[1]]));

test('package.json points *.normlab-model.json at the schema', () => {
  assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: '*.normlab-model.json', url: './media/normlab-model.schema.json' }]);
});

test('every layer and argument of the presets\' models, under every method, is in the schema', () => {
  for (const method of METHODS) {
    for (const [name, kw] of applyNorm(MINI_CNN, { method }).layers) {
      const v = variants.get(name);
      assert.ok(v, `${name} is missing from the schema`);
      for (const k of Object.keys(kw)) assert.ok(k in v.properties, `${name}.${k} is missing from the schema`);
      for (const k of v.required) assert.ok(k in kw, `${name} requires ${k}`);
    }
  }
  assert.deepEqual([...variants.keys()].sort(), ['AdaptiveAvgPool2d', 'AvgPool2d', 'BatchNorm1d', 'BatchNorm2d', 'Conv2d', 'Flatten', 'GroupNorm', 'InstanceNorm2d', 'LayerNorm', 'Linear', 'MaxPool2d', 'ReLU']);
});

test('the presets\' model is the bundled examples/models/mini-cnn-bn.normlab-model.json', () => {
  const file = JSON.parse(readFileSync(new URL('examples/models/mini-cnn-bn.normlab-model.json', root), 'utf8'));
  assert.deepEqual(MINI_CNN, file);
});
