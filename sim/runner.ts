/**
 * The Monte-Carlo runner: independent replications, in process or on a pool of worker threads.
 *
 * Determinism: replication i depends only on (config, i); results are stored by index and every
 * statistic is computed from the stored values in replication order, so the outcome is
 * byte-identical whatever the number of workers or the block sizes. A precision target is judged
 * only at checkpoints, and work is never handed out past the next checkpoint, so the stopping
 * point depends only on the values of the replications before it.
 *
 * Stopping early: an aborted signal (Ctrl-C, SIGTERM) or a passed deadline stops the run with
 * the replications 0..k-1 that were complete by then (the longest completed prefix: blocks
 * finished beyond a gap are dropped and run again on resume), marked partial. A later run given
 * that prefix (`resume`) continues exactly where it stopped: the values of replication i do not
 * depend on when or where it ran, and checkpoints are judged again on the same values.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describeFailure, runBlock, type BlockRequest, type WorkerMessage } from './block.js';
import { ReplicationError, type ModelModule, type ReplicationResult, type Replicator } from './replication.js';
import { summarize } from './stats.js';

export interface PrecisionTarget {
  /** Index of the metric the target is on. */
  metric: number;
  relativeHalfWidth: number;
  confidence: number;
  minReplications: number;
  maxReplications: number;
}

export interface RunPlan {
  /** URL of a module exporting `createReplicator` (a ModelModule). */
  moduleUrl: string;
  /** Plain, structured-cloneable data handed to `createReplicator`. */
  config: unknown;
  /** Number of values each replication returns. */
  metrics: number;
  /** Fixed replication count (ignored when `precision` is given). */
  replications?: number;
  precision?: PrecisionTarget;
  /** Worker threads; 1 runs in this thread. Default: available cores. */
  workers?: number;
  /**
   * Called as replications complete (for a progress bar), with the count of replications
   * 0..done-1 all complete: what partial results would hold if the run stopped now (blocks from
   * two workers may complete out of order, and a later block alone is not kept).
   */
  onProgress?: (done: number, target: number) => void;
  /**
   * Aborting it stops the run at once (workers are terminated; in this thread, after the block
   * in progress): the outcome holds the completed prefix, `partial`, stop reason 'signal'.
   */
  signal?: AbortSignal;
  /**
   * A `Date.now()` value: no work is handed out after it, blocks in flight may finish (a
   * replication that runs long stops at the model's own deadline check, WallClockExceeded, which
   * the model reads from its config), and the outcome is partial with stop reason 'time-limit'.
   */
  deadline?: number;
  /** The completed prefix of an earlier run of this plan that stopped early (see `partial`). */
  resume?: ResumeState;
}

/** Replications 0..replications-1 of a run, as a partial outcome returned them. */
export interface ResumeState {
  replications: number;
  /** columns[m][i] for i < replications. */
  columns: ArrayLike<number>[];
  extras: unknown[];
  events: number;
}

export interface PrecisionOutcome {
  reached: boolean;
  /** Half-width achieved at the stopping checkpoint, absolute and relative to |mean|. */
  halfWidth: number;
  relativeHalfWidth: number;
  checkpoints: number[];
}

/** Why a run stopped before its count: a signal, or the deadline (with the replication it cut short, if one). */
export interface StopInfo {
  reason: 'signal' | 'time-limit';
  /** A replication stopped by its wall-clock check (kind 'time'): index, time and what was pending. */
  running?: ReplicationError;
}

export interface RunOutcome {
  replications: number;
  /** columns[m][i] = metric m of replication i. */
  columns: Float64Array[];
  /** Per-replication extras returned by the model (undefined where none). */
  extras: unknown[];
  events: number;
  workers: number;
  wallSeconds: number;
  precision?: PrecisionOutcome;
  /** True when the run stopped early: `replications` is the completed prefix, below `target`. */
  partial?: boolean;
  /** The count the run was working towards (the fixed count, or the current checkpoint). */
  target?: number;
  stop?: StopInfo;
}

/**
 * The checkpoint after `n` completed replications when the target was not met: aim at the count
 * the current variance predicts (plus 20%), at least 1.5x and at most 8x the current count.
 * A zero estimate (nothing observed yet) jumps by the maximum factor.
 */
export function nextCheckpoint(n: number, halfWidth: number, mean: number, target: PrecisionTarget): number {
  const goal = target.relativeHalfWidth * Math.abs(mean);
  const predicted = goal > 0 && Number.isFinite(halfWidth) ? Math.ceil(1.2 * n * (halfWidth / goal) ** 2) : 8 * n;
  const next = Math.max(Math.ceil(1.5 * n), Math.min(8 * n, predicted));
  return Math.min(target.maxReplications, next);
}

/** How a run may be stopped early. */
interface StopControl {
  signal?: AbortSignal;
  deadline?: number;
}

/** Runs a study and returns every replication's values in index order. */
export async function runReplications(plan: RunPlan): Promise<RunOutcome> {
  const started = performance.now();
  const workers = Math.max(1, Math.floor(plan.workers ?? availableParallelism()));
  const store = new ResultStore(plan.metrics);
  if (plan.resume) store.preload(plan.resume);
  const precision = plan.precision;
  const checkpoints: number[] = [];
  const control: StopControl = { signal: plan.signal, deadline: plan.deadline };

  let target = precision ? Math.min(precision.minReplications, precision.maxReplications) : (plan.replications ?? 1000);
  const executor = workers > 1 ? await WorkerPool.start(plan, workers) : await InProcess.start(plan);
  let precisionOutcome: PrecisionOutcome | undefined;
  let stop: StopInfo | null = null;
  try {
    for (;;) {
      if (store.prefix < target) stop = await executor.runUntil(store, target, control, plan.onProgress);
      if (stop) break;
      if (!precision) break;
      checkpoints.push(target);
      const s = summarize(store.column(precision.metric, target), precision.confidence);
      const relative = s.mean !== 0 ? s.halfWidth / Math.abs(s.mean) : Infinity;
      const reached = relative <= precision.relativeHalfWidth;
      precisionOutcome = { reached, halfWidth: s.halfWidth, relativeHalfWidth: relative, checkpoints };
      if (reached || target >= precision.maxReplications) break;
      target = nextCheckpoint(target, s.halfWidth, s.mean, precision);
    }
  } finally {
    await executor.close();
  }
  const n = stop ? Math.min(store.prefix, target) : target;
  return {
    replications: n,
    columns: Array.from({ length: plan.metrics }, (_, m) => store.column(m, n)),
    extras: store.extras.slice(0, n),
    events: store.eventsBelow(n),
    workers,
    wallSeconds: (performance.now() - started) / 1000,
    precision: stop ? undefined : precisionOutcome,
    partial: stop !== null,
    target,
    ...(stop ? { stop } : {}),
  };
}

/** The replications of a shard: columns[m][k] and extras[k] belong to replication indices[k]. */
export interface SelectedOutcome {
  indices: number[];
  columns: Float64Array[];
  extras: unknown[];
  events: number;
  workers: number;
  wallSeconds: number;
  /** Set when the run stopped before every listed replication ran (the values are then incomplete). */
  stop?: StopInfo;
}

/**
 * Runs exactly the listed replications (`resim run --shard`), each with the same streams as in a
 * full run (replication i depends only on (config, i)); results are placed by position in `indices`.
 * `plan.replications` and `plan.precision` are ignored.
 */
export async function runSelectedReplications(plan: RunPlan, indices: readonly number[]): Promise<SelectedOutcome> {
  const started = performance.now();
  const workers = Math.max(1, Math.min(Math.floor(plan.workers ?? availableParallelism()), Math.max(1, indices.length)));
  const position = new Map<number, number>();
  indices.forEach((r, k) => position.set(r, k));
  const columns = Array.from({ length: plan.metrics }, () => new Float64Array(indices.length));
  const extras: unknown[] = new Array<unknown>(indices.length).fill(undefined);
  let events = 0;
  let done = 0;
  const accept = (m: Extract<WorkerMessage, { type: 'result' }>) => {
    for (let r = m.from; r < m.to; r++) {
      const k = position.get(r)!;
      for (let c = 0; c < plan.metrics; c++) columns[c]![k] = m.values[(r - m.from) * plan.metrics + c]!;
      extras[k] = m.extras[r - m.from];
    }
    events += m.events;
    done += m.to - m.from;
    plan.onProgress?.(done, indices.length);
  };
  const blocks = indices.map((r) => ({ from: r, to: r + 1 }));
  const executor = workers > 1 ? await WorkerPool.start(plan, workers) : await InProcess.start(plan);
  let stop: StopInfo | null;
  try {
    stop = await executor.runBlocks(blocks, accept, { signal: plan.signal, deadline: plan.deadline });
  } finally {
    await executor.close();
  }
  return { indices: [...indices], columns, extras, events, workers, wallSeconds: (performance.now() - started) / 1000, ...(stop ? { stop } : {}) };
}

/** Reruns a single replication in this thread (`resim run FILE --replication I`). */
export async function runOne(moduleUrl: string, config: unknown, replication: number): Promise<ReplicationResult> {
  const mod = (await import(moduleUrl)) as ModelModule;
  const replicate = mod.createReplicator(config);
  try {
    return replicate(replication);
  } catch (err) {
    throw toReplicationError(describeFailure(err, replication));
  }
}

function toReplicationError(m: Extract<WorkerMessage, { type: 'error' }>): ReplicationError {
  return new ReplicationError(m.replication, m.time, m.entity, m.detail, m.kind, m.stack);
}

/**
 * Per-replication values, growing by doubling. Blocks may complete in any order; `prefix` is
 * the count of replications 0..prefix-1 all complete, the only part ever read.
 */
class ResultStore {
  private data: Float64Array[];
  private have: Uint8Array;
  readonly extras: unknown[] = [];
  /** Events of each accepted block, by its first replication (to count a prefix's events). */
  private readonly blockEvents: Array<{ from: number; events: number }> = [];
  events = 0;
  /** Replications accepted (in any order). */
  done = 0;
  prefix = 0;

  constructor(private readonly metrics: number) {
    this.data = Array.from({ length: metrics }, () => new Float64Array(1024));
    this.have = new Uint8Array(1024);
  }

  private reserve(need: number): void {
    if (need <= this.have.length) return;
    let cap = this.have.length;
    while (cap < need) cap *= 2;
    this.data = this.data.map((col) => {
      const grown = new Float64Array(cap);
      grown.set(col);
      return grown;
    });
    const have = new Uint8Array(cap);
    have.set(this.have);
    this.have = have;
  }

  /** The completed prefix of an earlier run. */
  preload(state: ResumeState): void {
    const n = state.replications;
    this.reserve(n);
    for (let m = 0; m < this.metrics; m++) {
      const column = state.columns[m]!;
      for (let r = 0; r < n; r++) this.data[m]![r] = column[r]!;
    }
    for (let r = 0; r < n; r++) {
      this.have[r] = 1;
      const extra = state.extras[r];
      if (extra !== undefined && extra !== null) this.extras[r] = extra;
    }
    this.blockEvents.push({ from: 0, events: state.events });
    this.events += state.events;
    this.done += n;
    this.prefix = n;
  }

  accept(message: Extract<WorkerMessage, { type: 'result' }>): void {
    const { from, to, values, extras } = message;
    this.reserve(to);
    for (let r = from; r < to; r++) {
      const row = (r - from) * this.metrics;
      for (let m = 0; m < this.metrics; m++) this.data[m]![r] = values[row + m]!;
      const extra = extras[r - from];
      if (extra !== undefined) this.extras[r] = extra;
      this.have[r] = 1;
    }
    this.blockEvents.push({ from, events: message.events });
    this.events += message.events;
    this.done += to - from;
    while (this.prefix < this.have.length && this.have[this.prefix] === 1) this.prefix++;
  }

  /** Events of the replications below n (blocks never straddle a complete prefix's end). */
  eventsBelow(n: number): number {
    if (n >= this.prefix && this.done === this.prefix) return this.events;
    let sum = 0;
    for (const b of this.blockEvents) if (b.from < n) sum += b.events;
    return sum;
  }

  column(metric: number, n: number): Float64Array {
    return this.data[metric]!.slice(0, n);
  }
}

interface Executor {
  /**
   * Completes every replication below `target` (blocks never cross it), or stops early as
   * `control` says and returns why (null when complete).
   */
  runUntil(store: ResultStore, target: number, control: StopControl, onProgress?: (done: number, target: number) => void): Promise<StopInfo | null>;
  close(): Promise<void>;
  /** Runs the given blocks (any order of completion) and hands each result to `accept`. */
  runBlocks(blocks: BlockRequest[], accept: (m: Extract<WorkerMessage, { type: 'result' }>) => void, control: StopControl): Promise<StopInfo | null>;
}

/** Blocks sized for about 50 ms of work, so progress and signals stay responsive. */
function nextBlockSize(msPerReplication: number, remaining: number, workers: number): number {
  const byTime = msPerReplication > 0 ? Math.floor(50 / msPerReplication) : 64;
  const fair = Math.ceil(remaining / (2 * workers));
  return Math.max(1, Math.min(byTime, fair, 10_000));
}

/**
 * Blocks queued at each worker: while it runs one, the next is already waiting, so it never idles
 * for the round trip to this thread (measured: about 1 ms per 50 ms block, 2% of the run, when
 * the two workers keep both cores busy and this thread must wait for one of them to be scheduled).
 */
const PIPELINE_DEPTH = 2;

/** After the deadline, how long blocks in flight may take to end before their workers are stopped. */
const DEADLINE_GRACE_MS = 2000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Why to stop now, before the next block: a signal, or the deadline passed (null: go on). */
function stopNow(control: StopControl): StopInfo | null {
  if (control.signal?.aborted) return { reason: 'signal' };
  if (control.deadline !== undefined && Date.now() >= control.deadline) return { reason: 'time-limit' };
  return null;
}

/** A block result or error; a time-limit error becomes a stop, any other error is thrown. */
function settleBlock(message: WorkerMessage): Extract<WorkerMessage, { type: 'result' }> | StopInfo {
  if (message.type === 'error') {
    if (message.kind === 'time') return { reason: 'time-limit', running: toReplicationError(message) };
    throw toReplicationError(message);
  }
  if (message.type !== 'result') throw new Error('unexpected block message');
  return message;
}

class InProcess implements Executor {
  private constructor(private readonly replicate: Replicator, private readonly metrics: number) {}

  static async start(plan: RunPlan): Promise<InProcess> {
    const mod = (await import(plan.moduleUrl)) as ModelModule;
    return new InProcess(mod.createReplicator(plan.config), plan.metrics);
  }

  async runUntil(store: ResultStore, target: number, control: StopControl, onProgress?: (done: number, target: number) => void): Promise<StopInfo | null> {
    let msPerReplication = 0;
    while (store.prefix < target) {
      const stop = stopNow(control);
      if (stop) return stop;
      const from = store.prefix;
      const size = from === 0 ? 1 : nextBlockSize(msPerReplication, target - from, 1);
      const to = Math.min(target, from + size);
      const t0 = performance.now();
      const message = settleBlock(runBlock(this.replicate, this.metrics, { from, to }));
      if (!('type' in message)) return message;
      msPerReplication = (performance.now() - t0) / (to - from);
      store.accept(message);
      onProgress?.(store.prefix, target);
      // Let timers, signals and the progress bar run between blocks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return null;
  }

  async runBlocks(blocks: BlockRequest[], accept: (m: Extract<WorkerMessage, { type: 'result' }>) => void, control: StopControl): Promise<StopInfo | null> {
    for (const block of blocks) {
      const stop = stopNow(control);
      if (stop) return stop;
      const message = settleBlock(runBlock(this.replicate, this.metrics, block));
      if (!('type' in message)) return message;
      accept(message);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return null;
  }

  async close(): Promise<void> {}
}

class WorkerPool implements Executor {
  /** Per worker, the replication it is running (shared memory it writes before each one). */
  private readonly current = new Map<Worker, Int32Array>();

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) this.current.set(w, new Int32Array(new SharedArrayBuffer(4)).fill(-1));
  }

  static async start(plan: RunPlan, count: number): Promise<WorkerPool> {
    const url = new URL('./worker.js', import.meta.url);
    const workers = Array.from(
      { length: count },
      () => new Worker(url, { workerData: { moduleUrl: plan.moduleUrl, config: plan.config, metrics: plan.metrics } }),
    );
    const pool = new WorkerPool(workers);
    try {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              const onMessage = (m: WorkerMessage) => {
                if (m.type === 'ready') {
                  w.off('message', onMessage);
                  w.off('error', reject);
                  w.off('exit', onExit);
                  resolve();
                }
              };
              const onExit = (code: number) => reject(new Error(`a worker thread exited while loading the model (code ${code})`));
              w.on('message', onMessage);
              w.once('error', reject);
              w.once('exit', onExit);
            }),
        ),
      );
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  runUntil(store: ResultStore, target: number, control: StopControl, onProgress?: (done: number, target: number) => void): Promise<StopInfo | null> {
    let next = store.prefix;
    let msPerReplication = 0;
    return this.drive(
      () => {
        if (next >= target) return null;
        const size = next === 0 ? 1 : nextBlockSize(msPerReplication, target - next, this.workers.length);
        const from = next;
        const to = Math.min(target, from + size);
        next = to;
        return { from, to };
      },
      (m, ms) => {
        msPerReplication = ms / (m.to - m.from);
        store.accept(m);
        onProgress?.(store.prefix, target);
      },
      control,
    );
  }

  runBlocks(blocks: BlockRequest[], accept: (m: Extract<WorkerMessage, { type: 'result' }>) => void, control: StopControl): Promise<StopInfo | null> {
    let next = 0;
    return this.drive(
      () => (next < blocks.length ? blocks[next++]! : null),
      (m) => accept(m),
      control,
    );
  }

  /**
   * Keeps PIPELINE_DEPTH blocks queued at each worker, as `nextBlock` chooses them until it says
   * null, passes each result to `onResult` with the milliseconds the worker spent on it, and
   * stops at the first failure (a replication error; a worker that crashes or
   * exits, named by the replication it was running). An aborted signal resolves at once (the
   * caller terminates the workers); after the deadline no block is handed out, blocks in flight
   * get DEADLINE_GRACE_MS to end, and a replication's own time-limit error is a stop, not a failure.
   */
  private drive(
    nextBlock: () => BlockRequest | null,
    onResult: (m: Extract<WorkerMessage, { type: 'result' }>, ms: number) => void,
    control: StopControl,
  ): Promise<StopInfo | null> {
    return new Promise<StopInfo | null>((resolve, reject) => {
      let settled = false;
      let exhausted = false;
      let stopping: StopInfo | null = null;
      // Per worker, the blocks handed out and not yet answered, oldest (the one running) first,
      // with the time each was handed out; and when its last answer came.
      const queued = new Map<Worker, Array<{ block: BlockRequest; at: number }>>(this.workers.map((w) => [w, []]));
      const lastAnswer = new Map<Worker, number>();
      let inFlight = 0;
      const listeners: Array<() => void> = [];
      const timers: NodeJS.Timeout[] = [];
      const finish = (err: unknown, info: StopInfo | null = null) => {
        if (settled) return;
        settled = true;
        for (const off of listeners) off();
        for (const t of timers) clearTimeout(t);
        if (err) reject(err);
        else resolve(info);
      };
      const halt = (info: StopInfo) => {
        if (stopping) {
          if (!stopping.running && info.running) stopping.running = info.running;
        } else {
          stopping = info;
          timers.push(setTimeout(() => finish(null, stopping), DEADLINE_GRACE_MS));
        }
        if (inFlight === 0) finish(null, stopping);
      };
      const dispatch = (w: Worker, depth = PIPELINE_DEPTH) => {
        const queue = queued.get(w)!;
        while (!settled && queue.length < depth) {
          const now = stopping ? null : stopNow(control);
          if (now?.reason === 'signal') return finish(null, now);
          if (now) return halt(now);
          if (stopping) {
            if (inFlight === 0) finish(null, stopping);
            return;
          }
          const block = exhausted ? null : nextBlock();
          if (block === null) {
            exhausted = true;
            if (inFlight === 0) finish(null);
            return;
          }
          queue.push({ block, at: performance.now() });
          inFlight++;
          w.postMessage({ ...block, current: this.current.get(w) } satisfies BlockRequest);
        }
      };
      const died = (w: Worker, how: string) => {
        const queue = queued.get(w)!;
        if (queue.length === 0) return new Error(`a worker thread ${how} between blocks`);
        const r = Atomics.load(this.current.get(w)!, 0);
        const running = queue.find(({ block }) => r >= block.from && r < block.to)?.block;
        return new ReplicationError(running ? r : queue[0]!.block.from, NaN, 'worker thread', `the worker thread running it ${how}`, 'crash');
      };
      for (const w of this.workers) {
        const onMessage = (m: WorkerMessage) => {
          if (settled) return;
          if (m.type !== 'error' && m.type !== 'result') return;
          // A worker answers its blocks in the order it was given them.
          const answered = queued.get(w)!.shift()!;
          inFlight--;
          const now = performance.now();
          const began = Math.max(answered.at, lastAnswer.get(w) ?? 0);
          lastAnswer.set(w, now);
          if (m.type === 'error') {
            if (m.kind === 'time') return halt({ reason: 'time-limit', running: toReplicationError(m) });
            return finish(toReplicationError(m));
          }
          onResult(m, now - began);
          dispatch(w);
        };
        const onError = (err: Error) => finish(died(w, `failed: ${err.message}`));
        const onExit = (code: number) => finish(died(w, `exited (code ${code})`));
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        listeners.push(() => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        });
      }
      const signal = control.signal;
      if (signal) {
        const onAbort = () => finish(null, { reason: 'signal' });
        signal.addEventListener('abort', onAbort, { once: true });
        listeners.push(() => signal.removeEventListener('abort', onAbort));
      }
      // (Beyond setTimeout's range, about 24.8 days, the check before each block is enough.)
      const wait = control.deadline === undefined ? Infinity : Math.max(0, control.deadline - Date.now());
      if (wait <= MAX_TIMEOUT_MS) timers.push(setTimeout(() => halt({ reason: 'time-limit' }), wait));
      // Breadth first: every worker gets its first block before any gets a second, so the
      // earliest replications run first (and are the ones named if the run stops).
      for (let depth = 1; depth <= PIPELINE_DEPTH; depth++) for (const w of this.workers) dispatch(w, depth);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
