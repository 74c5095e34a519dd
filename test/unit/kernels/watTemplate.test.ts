// scripts/wat-template.mjs: the WAT templates that build-wasm.mjs expands before compiling (the kernels' loop bodies).
import { test } from 'node:test';
import assert from 'node:assert/strict';

type Expand = (source: string, file?: string) => string;
const load = async (): Promise<Expand> => ((await import('../../../scripts/wat-template.mjs' as string)) as { expandWat: Expand }).expandWat;
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

test('plain WAT passes through unchanged', async () => {
  const expandWat = await load();
  const wat = '(module\n  ;; a comment with (parens)\n  (func (export "f") (param $p i32) (result i32) (local.get $p)))\n';
  assert.equal(expandWat(wat), wat);
});

test('a template is replaced by its body with its arguments, in tokens too; (@seq) splices forms', async () => {
  const expandWat = await load();
  const out = expandWat(`(module
    (@define load (%off %p) (v128.load offset=%off (local.get %p)))
    (@define twice (%f) %f %f)
    (func (drop (@load 16 $x)) (@twice (@seq (nop) (nop)))))`);
  assert.equal(squash(out), '(module (func (drop (v128.load offset=16 (local.get $x))) (nop) (nop) (nop) (nop)))');
});

test('a definition may call a template whose name is an argument', async () => {
  const expandWat = await load();
  const out = expandWat(`(module
    (@define bumpA (%n) (i32.const %n))
    (@define loop (%step) (@%step 64) (@%step 4))
    (func (@loop bumpA)))`);
  assert.equal(squash(out), '(module (func (i32.const 64) (i32.const 4)))');
});

test('mistakes are named: unknown template, wrong argument count, unknown parameter', async () => {
  const expandWat = await load();
  assert.throws(() => expandWat('(module (@nope 1))', 'k.wat'), /k\.wat: unknown template \(@nope\)/);
  assert.throws(() => expandWat('(module (@define a (%x) %x) (@a 1 2))'), /takes 1 argument\(s\) \(%x\), got 2/);
  assert.throws(() => expandWat('(module (@define a (%x) %y) (@a 1))'), /uses %y, which is not one of its parameters/);
  assert.throws(() => expandWat('(module (@define a () (@a)) (@a))'), /more than 50 deep/);
});
