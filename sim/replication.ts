/**
 * The contract between the Monte-Carlo runner and a model: a model module exports
 * `createReplicator(config)`, returning a function that simulates one replication from its
 * index alone (all randomness comes from streams derived from the seed and that index), so the
 * runner may hand any replication to any worker in any order.
 */

export interface ReplicationResult {
  /** One value per metric, in the model's fixed metric order. */
  values: Float64Array;
  /** Events processed in this replication. */
  events: number;
  /** Optional structured-cloneable detail (e.g. the incident log), kept per replication. */
  extra?: unknown;
}

export type Replicator = (replication: number) => ReplicationResult;

export interface ModelModule {
  createReplicator(config: unknown): Replicator;
}

/**
 * Why a replication failed: 'budget' its event budget ran out (a runaway model: bad input),
 * 'time' the run's wall-clock deadline passed while it ran, 'crash' the worker thread running it
 * died (its time and entity are unknown), 'bug' anything else it threw.
 */
export type FailureKind = 'budget' | 'time' | 'crash' | 'bug';

/** A replication that failed: where (index), when (simulated time) and in which entity. */
export class ReplicationError extends Error {
  constructor(
    readonly replication: number,
    readonly time: number,
    readonly entity: string,
    readonly detail: string,
    readonly kind: FailureKind,
    readonly stackText?: string,
  ) {
    super(`replication ${replication} failed at t = ${time} h in ${entity}: ${detail}`);
  }
}
