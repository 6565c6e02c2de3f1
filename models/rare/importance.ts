/**
 * Rare-event estimation by importance sampling: balanced failure biasing on the Markov chain of an
 * all-exponential facility (the chain of `resim exact`, explored only where the paths go).
 *
 * The regenerative ratio (METHODS.md "Rare events"; Goyal, Shahabuddin, Heidelberger, Nicola &
 * Glynn 1992; Shahabuddin 1994): with everything up (state 0) as the regeneration state,
 *
 *   unavailability U = E[Z] / E[T],   incidents per hour = E[N] / E[T],
 *
 * where, over one regenerative cycle (from state 0 until the chain returns to it), Z is the time
 * spent with a load unserved, N the number of entries into such states and T the cycle length.
 * Every estimate runs on the embedded jump chain and replaces each holding time by its
 * expectation 1 / q_s (a conditional Monte Carlo step that only lowers the variance).
 *
 * - E[T] is not rare: crude cycles estimate it.
 * - E[Z] and E[N] are rare: biased cycles estimate them. Until the cycle first reaches a state with
 *   a load unserved, a failure event is chosen with total probability `pf` (in state 0, where only
 *   failures can happen, with probability 1), split evenly among the failure events of the state
 *   (each branch of a static transfer counts as one); otherwise a repair event in proportion to the
 *   repair rates. From the first loss on the cycle runs unbiased back to state 0. Each cycle carries
 *   the likelihood ratio L of its biased steps, and contributes L·Z and L·N.
 *
 * Balanced failure biasing has bounded relative error as the failure rates shrink (Shahabuddin
 * 1994): for a fixed number of cycles the relative half-width stays put whether U is 1e-6 or
 * 1e-12. The interval is the delta-method interval of a ratio of independent means.
 */
import { Streams, type Stream } from '../../sim/rng.js';
import { normalQuantile } from '../../sim/stats.js';
import { HOURS_PER_YEAR } from '../exact.js';
import type { FacilitySpec } from '../facility/spec.js';
import { exploreChain, type ChainExplorer } from '../exact/ctmc.js';

/** States importance sampling may discover (its memory bound), far beyond `resim exact`'s limit. */
export const IMPORTANCE_STATE_LIMIT = 5_000_000;

export interface ImportanceOptions {
  seed: string;
  confidence?: number;
  /** Stop once the unavailability's relative half-width is at most this. */
  relativeHalfWidth?: number;
  /** Total probability of a failure event in biased steps; 'auto' chooses it by pilot runs. */
  biasing?: number | 'auto';
  /** Cycles per batch (a batch is the unit of work and of stream seeding). */
  batchCycles?: number;
  /** Give up after this many biased cycles. */
  maxCycles?: number;
  /** Wall-clock budget in seconds (checked between batches). */
  maxSeconds?: number;
  maxStates?: number;
}

export interface Estimate {
  mean: number;
  low: number;
  high: number;
  /** Half-width / |mean| (Infinity when the mean is 0). */
  relativeHalfWidth: number;
}

export interface ImportanceResult {
  unavailability: Estimate;
  downtimeHoursPerYear: Estimate;
  incidentsPerYear: Estimate;
  /** Biased cycles (numerator) and crude cycles (denominator). */
  cycles: number;
  crudeCycles: number;
  /** Biased cycles that reached a loss of service. */
  hits: number;
  biasing: number;
  /** Biasing probabilities tried by the pilot runs, with their work-normalised variance. */
  pilot: Array<{ biasing: number; relativeVariancePerStep: number }>;
  reached: boolean;
  /** Ended early by the caller (importanceSamplingAsync's `stop`). */
  stopped: boolean;
  /**
   * True when the chain cannot lose the load at all (nothing fails, or no reachable state leaves
   * a load unserved, checked exhaustively): the figures are then exactly 0, not estimates.
   */
  lossUnreachable: boolean;
  /** Largest single-cycle contribution L·Z as a share of the sum (a weight-degeneracy warning above ~0.1). */
  largestWeightShare: number;
  statesVisited: number;
  steps: number;
  seconds: number;
  confidence: number;
}

/** Running sums of one cycle quantity. */
class Moments {
  n = 0;
  sum = 0;
  sumSq = 0;
  max = 0;
  add(x: number): void {
    this.n++;
    this.sum += x;
    this.sumSq += x * x;
    if (x > this.max) this.max = x;
  }
  get mean(): number {
    return this.n > 0 ? this.sum / this.n : NaN;
  }
  /** Variance of the mean. */
  get varianceOfMean(): number {
    if (this.n < 2) return Infinity;
    const m = this.mean;
    return Math.max(0, (this.sumSq - this.n * m * m) / (this.n - 1)) / this.n;
  }
}

/** One biased cycle's results, written into a reused record (no allocation per cycle). */
interface CycleOut {
  z: number;
  n: number;
  steps: number;
  hit: boolean;
}

/**
 * The cycle simulator on an explorer. `pf` <= 0 runs crude (unbiased) cycles.
 */
class CycleRunner {
  constructor(private readonly chain: ChainExplorer) {}

  /** Crude cycle: expected length T (sum of expected holding times) until the return to 0. */
  crude(stream: Stream): { t: number; steps: number } {
    const chain = this.chain;
    let s = 0;
    let t = 0;
    let steps = 0;
    do {
      const tr = chain.transitions(s);
      t += 1 / tr.total;
      s = pick(tr.rate, tr.total, stream.uniform());
      s = tr.target[s]!;
      steps++;
    } while (s !== 0);
    return { t, steps };
  }

  biased(stream: Stream, pf: number, out: CycleOut): void {
    const chain = this.chain;
    let s = 0;
    let weight = 1;
    let z = 0;
    let n = 0;
    let steps = 0;
    let biasing = true;
    let servedBefore = true;
    for (;;) {
      const tr = chain.transitions(s);
      const served = chain.served(s);
      if (!served) {
        z += weight / tr.total;
        if (servedBefore) n += weight;
        biasing = false;
      }
      servedBefore = served;
      const u = stream.uniform();
      let e: number;
      if (!biasing) e = pick(tr.rate, tr.total, u);
      else {
        let failures = 0;
        let failureRate = 0;
        for (let k = 0; k < tr.failure.length; k++) {
          if (tr.failure[k]) {
            failures++;
            failureRate += tr.rate[k]!;
          }
        }
        const repairRate = tr.total - failureRate;
        // The probability of choosing a failure event at all: pf, or 1 / 0 when only one kind exists.
        const pFail = failures === 0 ? 0 : repairRate <= 0 ? 1 : pf;
        if (u <= pFail) {
          // Evenly among the failure events.
          const j = Math.min(failures - 1, Math.floor((u / pFail) * failures));
          e = nth(tr.failure, 1, j);
          weight *= tr.rate[e]! / tr.total / (pFail / failures);
        } else {
          // Among the repair events, in proportion to their rates.
          const v = ((u - pFail) / (1 - pFail)) * repairRate;
          e = pickKind(tr.rate, tr.failure, 0, v);
          weight *= tr.rate[e]! / tr.total / ((1 - pFail) * (tr.rate[e]! / repairRate));
        }
      }
      s = tr.target[e]!;
      steps++;
      if (s === 0) break;
    }
    out.z = z;
    out.n = n;
    out.steps = steps;
    out.hit = !biasing;
  }
}

/** Index e with the cumulative rate first above u * total. */
function pick(rate: Float64Array, total: number, u: number): number {
  let x = u * total;
  const last = rate.length - 1;
  for (let e = 0; e < last; e++) {
    x -= rate[e]!;
    if (x < 0) return e;
  }
  return last;
}

/** Index of the j-th (0-based) entry whose flag equals `flag`. */
function nth(flags: Uint8Array, flag: number, j: number): number {
  let last = -1;
  for (let e = 0; e < flags.length; e++) {
    if (flags[e] !== flag) continue;
    if (j-- === 0) return e;
    last = e;
  }
  return last;
}

/** Among entries with `flags[e] === flag`, the one where the cumulative rate first exceeds v. */
function pickKind(rate: Float64Array, flags: Uint8Array, flag: number, v: number): number {
  let last = -1;
  for (let e = 0; e < rate.length; e++) {
    if (flags[e] !== flag) continue;
    v -= rate[e]!;
    last = e;
    if (v < 0) return e;
  }
  return last;
}

const PILOT_BIASINGS = [0.2, 0.3, 0.5] as const;

/** States a reachability check may explore before giving up (then sampling decides). */
const REACHABILITY_LIMIT = 20_000;

/**
 * Can the chain reach a state with a load unserved? Breadth first from state 0: true as soon as
 * one is found, false when every reachable state was seen and none is, null past `limit` states.
 */
function lossReachable(chain: ChainExplorer, limit: number): boolean | null {
  const seen = new Set<number>([0]);
  const queue = [0];
  for (let k = 0; k < queue.length; k++) {
    const s = queue[k]!;
    if (!chain.served(s)) return true;
    const tr = chain.transitions(s);
    for (let e = 0; e < tr.target.length; e++) {
      const next = tr.target[e]!;
      if (seen.has(next)) continue;
      if (seen.size >= limit) return null;
      seen.add(next);
      queue.push(next);
    }
  }
  return false;
}

/**
 * Estimates unavailability, downtime and incident frequency of an all-exponential facility by
 * importance sampling. Throws ExactRefusal (with located reasons) outside the Markov model.
 */
export function importanceSampling(f: FacilitySpec, options: ImportanceOptions): ImportanceResult {
  const steps = importanceSteps(f, options);
  for (;;) {
    const r = steps.next(false);
    if (r.done) return r.value;
  }
}

/**
 * The same, giving the event loop a turn after each pilot run and each batch of cycles (so a
 * signal handler can run); `stop()` is asked then, and true ends the run early, returning the
 * figures so far with `stopped: true`.
 */
export async function importanceSamplingAsync(f: FacilitySpec, options: ImportanceOptions, stop: () => boolean): Promise<ImportanceResult> {
  const steps = importanceSteps(f, options);
  let halt = false;
  for (;;) {
    const r = steps.next(halt);
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
    halt = stop();
  }
}

/** The run as steps: it yields between pilot runs and batches; `next(true)` stops it there. */
function* importanceSteps(f: FacilitySpec, options: ImportanceOptions): Generator<void, ImportanceResult, boolean> {
  const started = performance.now();
  const confidence = options.confidence ?? 0.95;
  const target = options.relativeHalfWidth ?? 0.1;
  const batchCycles = options.batchCycles ?? 10_000;
  const maxCycles = options.maxCycles ?? 100_000_000;
  const maxSeconds = options.maxSeconds ?? Infinity;
  const chain = exploreChain(f, { maxStates: options.maxStates ?? IMPORTANCE_STATE_LIMIT });
  // Nothing can fail, or no failure sequence loses the load: exactly 0 (a cycle would never end,
  // or never see a loss).
  const exactZero = (): ImportanceResult => {
    const zero: Estimate = { mean: 0, low: 0, high: 0, relativeHalfWidth: 0 };
    return {
      unavailability: zero,
      downtimeHoursPerYear: zero,
      incidentsPerYear: zero,
      cycles: 0,
      crudeCycles: 0,
      hits: 0,
      biasing: NaN,
      pilot: [],
      reached: true,
      stopped: false,
      lossUnreachable: true,
      largestWeightShare: 0,
      statesVisited: chain.size,
      steps: 0,
      seconds: (performance.now() - started) / 1000,
      confidence,
    };
  };
  if (chain.transitions(0).total === 0) return exactZero();
  const runner = new CycleRunner(chain);
  const out: CycleOut = { z: 0, n: 0, steps: 0, hit: false };
  // Batch b of the biased cycles draws from stream (seed, b, "importance/biased"); pilots and
  // crude cycles have streams of their own, so the estimate depends only on the seed and the
  // number of batches.
  const stream = (kind: string, batch: number) => new Streams(options.seed, batch).get(`importance/${kind}`);

  // Pilot runs: the biasing with the least relative variance per step of work.
  const pilot: ImportanceResult['pilot'] = [];
  let stopped = false;
  let pf: number;
  if (options.biasing === undefined || options.biasing === 'auto') {
    let best = Infinity;
    pf = PILOT_BIASINGS[0];
    for (const p of PILOT_BIASINGS) {
      const s = stream(`pilot/${p}`, 0);
      const z = new Moments();
      let steps = 0;
      const cycles = Math.max(2000, Math.floor(batchCycles / 2));
      for (let i = 0; i < cycles; i++) {
        runner.biased(s, p, out);
        z.add(out.z);
        steps += out.steps;
      }
      const relVar = z.mean > 0 ? (z.varianceOfMean * z.n) / (z.mean * z.mean) : Infinity;
      const perStep = relVar * (steps / cycles);
      pilot.push({ biasing: p, relativeVariancePerStep: perStep });
      if (yield) {
        stopped = true;
        break;
      }
      if (perStep < best) {
        best = perStep;
        pf = p;
      }
    }
  } else pf = options.biasing;
  if (!(pf > 0 && pf < 1)) throw new RangeError(`biasing probability must lie in (0, 1), got ${pf}`);

  const z = new Moments();
  const nIn = new Moments();
  const t = new Moments();
  let hits = 0;
  let steps = 0;
  let batch = 0;
  let reached = false;
  const zq = normalQuantile(0.5 + confidence / 2);
  const figures = () => {
    const T = t.mean;
    const U = z.mean / T;
    const relVarT = t.varianceOfMean / (T * T);
    const ratio = (m: Moments, scale: number): Estimate => {
      const mean = (m.mean / T) * scale;
      const rel = m.mean > 0 ? Math.sqrt(m.varianceOfMean / (m.mean * m.mean) + relVarT) : Infinity;
      const half = zq * rel * Math.abs(mean);
      return { mean, low: mean - half, high: mean + half, relativeHalfWidth: mean !== 0 ? half / Math.abs(mean) : Infinity };
    };
    return { U, unavailability: ratio(z, 1), downtime: ratio(z, HOURS_PER_YEAR), incidents: ratio(nIn, HOURS_PER_YEAR) };
  };
  while (!stopped && z.n < maxCycles) {
    const sb = stream('biased', batch);
    const sc = stream('crude', batch);
    for (let i = 0; i < batchCycles; i++) {
      runner.biased(sb, pf, out);
      z.add(out.z);
      nIn.add(out.n);
      if (out.hit) hits++;
      steps += out.steps;
      const c = runner.crude(sc);
      t.add(c.t);
      steps += c.steps;
    }
    batch++;
    // A whole batch of biased cycles without a loss: is one possible at all?
    if (hits === 0 && batch === 1 && lossReachable(chain, REACHABILITY_LIMIT) === false) return exactZero();
    const { unavailability } = figures();
    // At least two batches and a handful of losses before the interval is trusted.
    if (batch >= 2 && hits >= 100 && unavailability.relativeHalfWidth <= target) {
      reached = true;
      break;
    }
    if ((performance.now() - started) / 1000 > maxSeconds) break;
    if (yield) {
      stopped = true;
      break;
    }
  }
  const { unavailability, downtime, incidents } = figures();
  return {
    unavailability,
    downtimeHoursPerYear: downtime,
    incidentsPerYear: incidents,
    cycles: z.n,
    crudeCycles: t.n,
    hits,
    biasing: pf,
    pilot,
    reached,
    stopped,
    lossUnreachable: false,
    largestWeightShare: z.sum > 0 ? z.max / z.sum : 0,
    statesVisited: chain.size,
    steps,
    seconds: (performance.now() - started) / 1000,
    confidence,
  };
}
