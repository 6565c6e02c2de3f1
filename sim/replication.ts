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

/** A replication that failed: where (index), when (simulated time) and in which entity. */
export class ReplicationError extends Error {
  constructor(
    readonly replication: number,
    readonly time: number,
    readonly entity: string,
    readonly detail: string,
    /** 'budget' for an exhausted event/time budget (bad input), 'bug' for anything else. */
    readonly kind: 'budget' | 'bug',
    readonly stackText?: string,
  ) {
    super(`replication ${replication} failed at t = ${time} h in ${entity}: ${detail}`);
  }
}
