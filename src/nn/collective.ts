// Workers that split one training batch meet here (`normlab train --workers N`): every step they add up their
// BatchNorm statistics, their gradients and their losses through one SharedArrayBuffer. Sums are taken in rank order,
// so every worker gets the same bits and the model replicas stay identical. Pure: SharedArrayBuffer and Atomics only.
import { CancelledError } from '../formats/errors';

/** What a worker needs to join: post it to each (a SharedArrayBuffer is shared, not copied). */
export interface CollectiveInit {
  buffer: SharedArrayBuffer;
  world: number;
  /** The most float64 values one allReduceSum adds up. */
  capacity: number;
}

// Control words (Int32): arrivals at the current barrier, barrier generation, aborted. Data from byte 64.
const COUNT = 0;
const GEN = 1;
const ABORTED = 2;
const DATA_AT = 64;
/** A waiter spins this long before sleeping: the other half of a step is usually a few microseconds away. */
const SPIN_MS = 0.2;
/** A sleeping waiter wakes this often to see whether its own job was cancelled. */
const WAIT_MS = 50;

export function createCollective(world: number, capacity: number): CollectiveInit {
  if (!Number.isInteger(world) || world < 1) throw new RangeError(`a collective needs at least one worker, got ${world}`);
  // Two sets of slots, used in turn: a worker writes the next sum's slot while a slower one may still read this one.
  return { buffer: new SharedArrayBuffer(DATA_AT + 2 * world * capacity * 8), world, capacity };
}

/** Stops the workers of a collective from outside (the host of a part that failed or crashed): as Collective.abort. */
export function abortCollective(init: CollectiveInit): void {
  const ctl = new Int32Array(init.buffer, 0, 3);
  Atomics.store(ctl, ABORTED, 1);
  Atomics.notify(ctl, GEN);
}

/** The first and last + 1 of `n` items that worker `rank` of `world` takes: contiguous, sizes differing by at most 1. */
export function shareOf(n: number, rank: number, world: number): [number, number] {
  return [Math.floor((n * rank) / world), Math.floor((n * (rank + 1)) / world)];
}

export class Collective {
  readonly world: number;
  private readonly ctl: Int32Array;
  private readonly data: Float64Array;
  private readonly capacity: number;
  private calls = 0;

  /** cancelled: throws when this worker's job was cancelled (checked while it waits for the others). */
  constructor(private readonly init: CollectiveInit, readonly rank: number, private readonly cancelled: () => void = () => {}) {
    if (!Number.isInteger(rank) || rank < 0 || rank >= init.world) throw new RangeError(`rank ${rank} is not one of 0..${init.world - 1}`);
    this.world = init.world;
    this.capacity = init.capacity;
    this.ctl = new Int32Array(init.buffer, 0, 3);
    this.data = new Float64Array(init.buffer, DATA_AT, 2 * init.world * init.capacity);
  }

  /** This worker's part [from, to) of n items. */
  share(n: number): [number, number] {
    return shareOf(n, this.rank, this.world);
  }

  /**
   * Replaces every value of `arrays` (taken as one vector) by its sum over all workers, added in rank order (a float32
   * array gets the float64 sum rounded once). Every worker must call it with the same lengths, in the same order.
   * Throws CancelledError once any worker aborted.
   */
  allReduceSum(...arrays: (Float32Array | Float64Array)[]): void {
    const length = arrays.reduce((s, a) => s + a.length, 0);
    if (length > this.capacity) throw new RangeError(`allReduceSum of ${length} values exceeds the collective's capacity of ${this.capacity}`);
    const { data, capacity, world } = this;
    const base = (this.calls++ & 1) * world * capacity;
    let at = base + this.rank * capacity;
    for (const a of arrays) {
      data.set(a, at);
      at += a.length;
    }
    this.barrier();
    at = base;
    for (const a of arrays) {
      for (let i = 0; i < a.length; i++) {
        let s = data[at + i];
        for (let r = 1; r < world; r++) s += data[at + r * capacity + i];
        a[i] = s;
      }
      at += a.length;
    }
  }

  /** Stops every worker: each one's current or next allReduceSum throws CancelledError. */
  abort(): void {
    abortCollective(this.init);
  }

  get aborted(): boolean {
    return Atomics.load(this.ctl, ABORTED) !== 0;
  }

  private barrier(): void {
    const c = this.ctl;
    if (this.aborted) throw new CancelledError();
    const gen = Atomics.load(c, GEN);
    if (Atomics.add(c, COUNT, 1) === this.world - 1) {
      Atomics.store(c, COUNT, 0);
      Atomics.add(c, GEN, 1);
      Atomics.notify(c, GEN);
      return;
    }
    const spinUntil = performance.now() + SPIN_MS;
    while (Atomics.load(c, GEN) === gen) {
      if (this.aborted) throw new CancelledError();
      if (performance.now() < spinUntil) continue;
      Atomics.wait(c, GEN, gen, WAIT_MS);
      try {
        this.cancelled();
      } catch (e) {
        this.abort();
        throw e;
      }
    }
  }
}
