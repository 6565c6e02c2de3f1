/**
 * Random durations. A `DistSpec` is plain data (what the scenario loader produces and what
 * workers receive); `makeDistribution` turns it into an object that samples from an explicit
 * stream. All durations are in hours.
 *
 * STUB: interface fixed, implementation in progress.
 */
import type { Stream } from './rng.js';

export type DistSpec =
  | { kind: 'fixed'; value: number }
  | { kind: 'exponential'; mean: number }
  | { kind: 'weibull'; shape: number; scale: number }
  | { kind: 'lognormal'; median: number; sigma: number }
  | { kind: 'normal'; mean: number; sd: number }
  | { kind: 'gamma'; shape: number; scale: number }
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'empirical'; values: number[] };

export interface Distribution {
  readonly spec: DistSpec;
  /** Analytic mean of what `sample` returns. */
  readonly mean: number;
  /** Analytic variance of what `sample` returns. */
  readonly variance: number;
  sample(stream: Stream): number;
}

export class DistributionError extends Error {}

export function makeDistribution(spec: DistSpec): Distribution {
  throw new DistributionError(`not implemented: ${spec.kind}`);
}
