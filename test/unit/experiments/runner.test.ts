import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandGrid } from '../../../src/experiments/grid';
import { preset } from '../../../src/experiments/presets';
import { parseResults, resultsJson } from '../../../src/experiments/results';
import { Experiment, type ExperimentEvent, type StartRun } from '../../../src/experiments/runner';
import type { EpochRecord } from '../../../src/nn/types';

const data = { name: 'fake', trainSize: 4000, valSize: 1000, standardized: null };
const epoch = (e: number, err: number): EpochRecord => ({ epoch: e, train_loss: 1 / e, train_error: err, val_loss: 1, val_error: err, seconds: 0.01 });

/** A fake trainRun: `epochs` epochs of a few ms each, reporting losses and epochs; honours cancellation. */
const fakeStart = (fail?: number): StartRun => (run, signal, onProgress) => new Promise((resolve, reject) => {
  const epochs: EpochRecord[] = [];
  let e = 0;
  const tick = setInterval(() => {
    if (signal.aborted) {
      clearInterval(tick);
      const err = new Error('cancelled');
      err.name = 'CancelledError';
      reject(err);
      return;
    }
    e++;
    if (run.index === fail) {
      clearInterval(tick);
      reject(new Error('the loss became NaN at step 7'));
      return;
    }
    epochs.push(epoch(e, run.batchSize / 100));
    onProgress({ fraction: e / 3, losses: [2, 1.5], epoch: epochs.at(-1) });
    if (e === 3) {
      clearInterval(tick);
      resolve({ epochs, examples_per_second: 1000, train_seconds: 0.03 });
    }
  }, 5);
});

test('an experiment runs every run, fills results.json as epochs finish and ends with a valid file', async () => {
  const config = preset('fig1');
  const events: ExperimentEvent[] = [];
  const x = new Experiment({ config, runs: expandGrid(config), data, engine: 'normlab test', workers: 2, startRun: fakeStart(3), onEvent: (e) => events.push(e) });
  const results = await x.done;
  assert.deepEqual(results.runs.map((r) => r.status), ['done', 'done', 'done', 'failed', 'done', 'done', 'done', 'done', 'done', 'done']);
  assert.equal(results.runs[3].error, 'the loss became NaN at step 7');
  assert.equal(results.runs[0].epochs.length, 3);
  assert.equal(results.runs[0].examples_per_second, 1000);
  assert.ok(results.runs[0].seconds > 0);
  assert.doesNotThrow(() => parseResults(JSON.parse(resultsJson(results))));
  assert.ok(events.some((e) => e.type === 'losses' && e.losses.length === 2));
  const runEvents = events.filter((e) => e.type === 'run' && e.index === 0);
  assert.ok(runEvents.length >= 4, 'start, 3 epochs (and the end)');
  const last = events.filter((e) => e.type === 'progress').at(-1);
  assert.ok(last && last.type === 'progress' && last.fraction === 1 && last.eta === 0);
});

test('cancelling one run and then all leaves a results file with cancelled runs', async () => {
  const config = preset('curves');
  const x = new Experiment({ config, runs: expandGrid(config), data, engine: 'normlab test', workers: 1, startRun: fakeStart() });
  x.cancel(3);
  setTimeout(() => x.cancelAll(), 8);
  const results = await x.done;
  assert.equal(results.runs[3].status, 'cancelled');
  assert.ok(results.runs.every((r) => r.status === 'cancelled'), results.runs.map((r) => r.status).join());
});
