/**
 * Named random streams derived from (seed, replication, stream name).
 *
 * STUB: interface fixed, implementation in progress.
 */
export interface Stream {
  readonly name: string;
  /** Uniform on (0, 1], 53 bits. */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

export class Streams {
  constructor(readonly seed: string, readonly replication: number) {}
  get(name: string): Stream {
    throw new Error(`not implemented: ${name}`);
  }
}
