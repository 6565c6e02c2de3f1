/**
 * The Monte-Carlo runner: independent replications, in process or on a pool of worker threads.
 *
 * Determinism: replication i depends only on (config, i); results are stored by index and every
 * statistic is computed from the stored values in replication order, so the outcome is
 * byte-identical whatever the number of workers or the block sizes. A precision target is judged
 * only at checkpoints, and work is never handed out past the next checkpoint, so the stopping
 * point depends only on the values of the replications before it.
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
  /** Called as replications complete (for a progress bar). */
  onProgress?: (done: number, target: number) => void;
}

export interface PrecisionOutcome {
  reached: boolean;
  /** Half-width achieved at the stopping checkpoint, absolute and relative to |mean|. */
  halfWidth: number;
  relativeHalfWidth: number;
  checkpoints: number[];
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

/** Runs a study and returns every replication's values in index order. */
export async function runReplications(plan: RunPlan): Promise<RunOutcome> {
  const started = performance.now();
  const workers = Math.max(1, Math.floor(plan.workers ?? availableParallelism()));
  const store = new ResultStore(plan.metrics);
  const precision = plan.precision;
  const checkpoints: number[] = [];

  let target = precision ? Math.min(precision.minReplications, precision.maxReplications) : (plan.replications ?? 1000);
  const executor = workers > 1 ? await WorkerPool.start(plan, workers) : await InProcess.start(plan);
  let precisionOutcome: PrecisionOutcome | undefined;
  try {
    for (;;) {
      await executor.runUntil(store, target, plan.onProgress);
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
  return {
    replications: target,
    columns: Array.from({ length: plan.metrics }, (_, m) => store.column(m, target)),
    extras: store.extras.slice(0, target),
    events: store.events,
    workers,
    wallSeconds: (performance.now() - started) / 1000,
    precision: precisionOutcome,
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
  try {
    await executor.runBlocks(blocks, accept);
  } finally {
    await executor.close();
  }
  return { indices: [...indices], columns, extras, events, workers, wallSeconds: (performance.now() - started) / 1000 };
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

/** Per-replication values, growing by doubling; only completed prefixes are read. */
class ResultStore {
  private data: Float64Array[];
  readonly extras: unknown[] = [];
  events = 0;
  done = 0;

  constructor(private readonly metrics: number) {
    this.data = Array.from({ length: metrics }, () => new Float64Array(1024));
  }

  accept(message: Extract<WorkerMessage, { type: 'result' }>): void {
    const { from, to, values, extras } = message;
    const need = to;
    if (need > this.data[0]!.length) {
      let cap = this.data[0]!.length;
      while (cap < need) cap *= 2;
      this.data = this.data.map((col) => {
        const grown = new Float64Array(cap);
        grown.set(col);
        return grown;
      });
    }
    for (let r = from; r < to; r++) {
      const row = (r - from) * this.metrics;
      for (let m = 0; m < this.metrics; m++) this.data[m]![r] = values[row + m]!;
      const extra = extras[r - from];
      if (extra !== undefined) this.extras[r] = extra;
    }
    this.events += message.events;
    this.done += to - from;
  }

  column(metric: number, n: number): Float64Array {
    return this.data[metric]!.slice(0, n);
  }
}

interface Executor {
  /** Completes every replication below `target` (blocks never cross it). */
  runUntil(store: ResultStore, target: number, onProgress?: (done: number, target: number) => void): Promise<void>;
  close(): Promise<void>;
  /** Runs the given blocks (any order of completion) and hands each result to `accept`. */
  runBlocks(blocks: BlockRequest[], accept: (m: Extract<WorkerMessage, { type: 'result' }>) => void): Promise<void>;
}

/** Blocks sized for about 50 ms of work, so progress and signals stay responsive. */
function nextBlockSize(msPerReplication: number, remaining: number, workers: number): number {
  const byTime = msPerReplication > 0 ? Math.floor(50 / msPerReplication) : 64;
  const fair = Math.ceil(remaining / (2 * workers));
  return Math.max(1, Math.min(byTime, fair, 10_000));
}

class InProcess implements Executor {
  private constructor(private readonly replicate: Replicator, private readonly metrics: number) {}

  static async start(plan: RunPlan): Promise<InProcess> {
    const mod = (await import(plan.moduleUrl)) as ModelModule;
    return new InProcess(mod.createReplicator(plan.config), plan.metrics);
  }

  async runUntil(store: ResultStore, target: number, onProgress?: (done: number, target: number) => void): Promise<void> {
    let msPerReplication = 0;
    while (store.done < target) {
      const size = store.done === 0 ? 1 : nextBlockSize(msPerReplication, target - store.done, 1);
      const from = store.done;
      const to = Math.min(target, from + size);
      const t0 = performance.now();
      const message = runBlock(this.replicate, this.metrics, { from, to });
      if (message.type === 'error') throw toReplicationError(message);
      if (message.type !== 'result') throw new Error('unexpected block message');
      msPerReplication = (performance.now() - t0) / (to - from);
      store.accept(message);
      onProgress?.(store.done, target);
      // Let timers, signals and the progress bar run between blocks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async runBlocks(blocks: BlockRequest[], accept: (m: Extract<WorkerMessage, { type: 'result' }>) => void): Promise<void> {
    for (const block of blocks) {
      const message = runBlock(this.replicate, this.metrics, block);
      if (message.type === 'error') throw toReplicationError(message);
      if (message.type !== 'result') throw new Error('unexpected block message');
      accept(message);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {}
}

class WorkerPool implements Executor {
  private constructor(private readonly workers: Worker[]) {}

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
                  resolve();
                }
              };
              w.on('message', onMessage);
              w.once('error', reject);
            }),
        ),
      );
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  runUntil(store: ResultStore, target: number, onProgress?: (done: number, target: number) => void): Promise<void> {
    let next = store.done;
    let msPerReplication = 0;
    const started = new Map<Worker, { t0: number; n: number }>();
    return this.drive(
      (w) => {
        if (next >= target) return null;
        const size = next === 0 ? 1 : nextBlockSize(msPerReplication, target - next, this.workers.length);
        const from = next;
        const to = Math.min(target, from + size);
        next = to;
        started.set(w, { t0: performance.now(), n: to - from });
        return { from, to };
      },
      (w, m) => {
        const s = started.get(w);
        if (s) msPerReplication = (performance.now() - s.t0) / s.n;
        store.accept(m);
        onProgress?.(store.done, target);
      },
    );
  }

  runBlocks(blocks: BlockRequest[], accept: (m: Extract<WorkerMessage, { type: 'result' }>) => void): Promise<void> {
    let next = 0;
    return this.drive(
      () => (next < blocks.length ? blocks[next++]! : null),
      (_, m) => accept(m),
    );
  }

  /**
   * Hands each idle worker the block `nextBlock` chooses until it says null, passes each result to
   * `onResult`, and stops at the first failure (a replication error, a worker crash or exit).
   */
  private drive(nextBlock: (w: Worker) => BlockRequest | null, onResult: (w: Worker, m: Extract<WorkerMessage, { type: 'result' }>) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let active = 0;
      let failed = false;
      let exhausted = false;
      const listeners: Array<() => void> = [];
      const finish = (err?: unknown) => {
        for (const off of listeners) off();
        if (err) reject(err);
        else resolve();
      };
      const dispatch = (w: Worker) => {
        if (failed) return;
        const block = exhausted ? null : nextBlock(w);
        if (block === null) {
          exhausted = true;
          if (active === 0) finish();
          return;
        }
        active++;
        w.postMessage(block);
      };
      for (const w of this.workers) {
        const onMessage = (m: WorkerMessage) => {
          if (failed) return;
          if (m.type === 'error') {
            failed = true;
            finish(toReplicationError(m));
            return;
          }
          if (m.type !== 'result') return;
          active--;
          onResult(w, m);
          dispatch(w);
        };
        const onError = (err: Error) => {
          if (failed) return;
          failed = true;
          finish(new Error(`a worker thread failed: ${err.message}`));
        };
        const onExit = (code: number) => {
          if (failed) return;
          failed = true;
          finish(new Error(`a worker thread exited unexpectedly (code ${code})`));
        };
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        listeners.push(() => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        });
      }
      for (const w of this.workers) dispatch(w);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
