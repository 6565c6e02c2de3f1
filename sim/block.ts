/**
 * Running a contiguous block of replications, shared by the worker threads and the in-process
 * path so both produce the same values and the same error reports.
 */
import { EventBudgetExceeded, SimulationError, WallClockExceeded } from './engine.js';
import type { FailureKind, Replicator } from './replication.js';

export interface BlockRequest {
  from: number;
  to: number;
  /**
   * Shared memory (a SharedArrayBuffer view) where the replication being run is published before
   * it starts, so the runner can name it if the thread running it dies.
   */
  current?: Int32Array;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; from: number; to: number; values: Float64Array; events: number; extras: unknown[] }
  | {
      type: 'error';
      replication: number;
      time: number;
      entity: string;
      detail: string;
      kind: FailureKind;
      stack?: string;
    };

/** Runs replications [from, to); values are laid out replication-major (row i = replication from+i). */
export function runBlock(replicate: Replicator, metrics: number, { from, to, current }: BlockRequest): WorkerMessage {
  const values = new Float64Array((to - from) * metrics);
  const extras: unknown[] = [];
  let events = 0;
  for (let r = from; r < to; r++) {
    if (current) Atomics.store(current, 0, r);
    try {
      const result = replicate(r);
      if (result.values.length !== metrics) {
        throw new Error(`model returned ${result.values.length} metric values, expected ${metrics}`);
      }
      values.set(result.values, (r - from) * metrics);
      events += result.events;
      extras.push(result.extra);
    } catch (err) {
      return describeFailure(err, r);
    }
  }
  return { type: 'result', from, to, values, events, extras };
}

/** The error message a failed replication sends: index, simulated time, entity, and the root stack. */
export function describeFailure(err: unknown, replication: number): Extract<WorkerMessage, { type: 'error' }> {
  const sim = err instanceof SimulationError ? err : null;
  const root = sim?.cause instanceof Error ? sim.cause : err instanceof Error ? err : null;
  return {
    type: 'error',
    replication,
    time: sim ? sim.time : NaN,
    entity: sim ? sim.entity : '?',
    detail: err instanceof Error ? err.message : String(err),
    kind: err instanceof EventBudgetExceeded ? 'budget' : err instanceof WallClockExceeded ? 'time' : 'bug',
    stack: root?.stack,
  };
}
