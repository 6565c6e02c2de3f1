/**
 * Steady state of a finite continuous-time Markov chain: pi Q = 0, sum(pi) = 1.
 *
 * Pure numerics on a sparse generator; nothing here knows about facilities.
 *
 * - GTH (Grassmann, Taksar & Heyman 1985, "Regenerative analysis and steady state distributions
 *   for Markov chains", Operations Research 33(5)): state reduction that never subtracts. Every
 *   quantity is a sum or ratio of positive numbers, so stationary probabilities of 1e-12 keep
 *   full relative accuracy next to rates that differ by 1e-6 (reliability chains). O(n^3) time and
 *   O(n^2) memory in the worst case; zero entries are skipped, so sparse chains cost much less.
 * - Gauss-Seidel (optionally over-relaxed) on the balance equations pi_j |q_jj| = sum_i pi_i q_ij,
 *   for chains too large for a dense reduction. It may converge slowly on stiff chains (METHODS.md:
 *   PRISM's "did not converge"), so it reports its iterations and the residual it reached.
 */

/** Off-diagonal rates by source state (CSR); the diagonal is minus the row sum. */
export interface SparseGenerator {
  n: number;
  /** Row i's entries are at rowStart[i] .. rowStart[i + 1] - 1. */
  rowStart: Int32Array;
  col: Int32Array;
  rate: Float64Array;
}

/** Builds a generator from (from, to, rate) triplets; duplicates are summed, self-loops and zeros dropped. */
export function generatorFromTriplets(n: number, from: ArrayLike<number>, to: ArrayLike<number>, rate: ArrayLike<number>): SparseGenerator {
  const count = new Int32Array(n + 1);
  for (let e = 0; e < from.length; e++) {
    const i = from[e]!;
    const j = to[e]!;
    if (!(i >= 0 && i < n && j >= 0 && j < n)) throw new RangeError(`transition ${i} -> ${j} outside 0..${n - 1}`);
    if (!(rate[e]! >= 0) || !Number.isFinite(rate[e]!)) throw new RangeError(`transition ${i} -> ${j}: rate must be finite and >= 0, got ${rate[e]}`);
    if (i !== j && rate[e]! > 0) count[i + 1]!++;
  }
  for (let i = 0; i < n; i++) count[i + 1]! += count[i]!;
  const col = new Int32Array(count[n]!);
  const val = new Float64Array(count[n]!);
  const fill = count.slice(0, n);
  for (let e = 0; e < from.length; e++) {
    const i = from[e]!;
    const j = to[e]!;
    if (i === j || !(rate[e]! > 0)) continue;
    const at = fill[i]!++;
    col[at] = j;
    val[at] = rate[e]!;
  }
  // Merge duplicates within each row (sorted by column).
  const rowStart = new Int32Array(n + 1);
  let out = 0;
  for (let i = 0; i < n; i++) {
    const lo = count[i]!;
    const hi = count[i + 1]!;
    const order = Array.from({ length: hi - lo }, (_, k) => lo + k).sort((a, b) => col[a]! - col[b]!);
    const cols = order.map((k) => col[k]!);
    const vals = order.map((k) => val[k]!);
    rowStart[i] = out;
    for (let k = 0; k < cols.length; k++) {
      if (k > 0 && cols[k] === cols[k - 1]) val[out - 1]! += vals[k]!;
      else {
        col[out] = cols[k]!;
        val[out] = vals[k]!;
        out++;
      }
    }
  }
  rowStart[n] = out;
  return { n, rowStart, col: col.slice(0, out), rate: val.slice(0, out) };
}

/** Total rate out of each state (|q_ii|). */
export function exitRates(q: SparseGenerator): Float64Array {
  const out = new Float64Array(q.n);
  for (let i = 0; i < q.n; i++) {
    let s = 0;
    for (let e = q.rowStart[i]!; e < q.rowStart[i + 1]!; e++) s += q.rate[e]!;
    out[i] = s;
  }
  return out;
}

export interface Residual {
  /** max_j |(pi Q)_j| for the normalised pi (probability flow per hour). */
  absolute: number;
  /**
   * max_j |(pi Q)_j| / (pi_j |q_jj|): how well each state's balance (flow in = flow out) holds,
   * relative to its own flow. Meaningful for tiny probabilities, where the absolute residual is not.
   */
  relative: number;
}

/** The balance residual of a candidate stationary vector. */
export function residualOf(q: SparseGenerator, pi: Float64Array): Residual {
  const inflow = new Float64Array(q.n);
  for (let i = 0; i < q.n; i++) {
    const p = pi[i]!;
    for (let e = q.rowStart[i]!; e < q.rowStart[i + 1]!; e++) inflow[q.col[e]!]! += p * q.rate[e]!;
  }
  const out = exitRates(q);
  let absolute = 0;
  let relative = 0;
  for (let j = 0; j < q.n; j++) {
    const outflow = pi[j]! * out[j]!;
    const r = Math.abs(inflow[j]! - outflow);
    absolute = Math.max(absolute, r);
    const scale = Math.max(outflow, inflow[j]!);
    if (scale > 0) relative = Math.max(relative, r / scale);
    else if (r > 0) relative = Infinity;
  }
  return { absolute, relative };
}

export const SolveMethod = { gth: 'gth', gaussSeidel: 'gauss-seidel' } as const;
export type SolveMethod = (typeof SolveMethod)[keyof typeof SolveMethod];

export interface Solution {
  pi: Float64Array;
  method: SolveMethod;
  residual: Residual;
  /** Sweeps of the iterative method (0 for GTH). */
  iterations: number;
  converged: boolean;
}

export class ReducibleChainError extends Error {}

/**
 * GTH on a dense copy of the generator. The chain must be irreducible (every state reachable
 * from every other); a state that cannot leave towards lower-numbered states at its reduction
 * step proves it is not, and is reported.
 */
export function solveGth(q: SparseGenerator): Solution {
  const n = q.n;
  if (n === 1) return { pi: Float64Array.of(1), method: SolveMethod.gth, residual: { absolute: 0, relative: 0 }, iterations: 0, converged: true };
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let e = q.rowStart[i]!; e < q.rowStart[i + 1]!; e++) a[i * n + q.col[e]!] = q.rate[e]!;
  const exitLow = new Float64Array(n);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let k = n - 1; k >= 1; k--) {
    // Rate from k to the states still in the chain (0 .. k-1): a sum of positives.
    let s = 0;
    cols.length = 0;
    const rk = k * n;
    for (let j = 0; j < k; j++) {
      const v = a[rk + j]!;
      if (v !== 0) {
        s += v;
        cols.push(j);
      }
    }
    if (!(s > 0)) throw new ReducibleChainError(`the chain is reducible: state ${k} cannot reach states 0..${k - 1}`);
    exitLow[k] = s;
    rows.length = 0;
    for (let i = 0; i < k; i++) if (a[i * n + k] !== 0) rows.push(i);
    // Censor state k: i -> k -> j becomes i -> j with rate a_ik a_kj / s (self-loops dropped).
    for (const i of rows) {
      const f = a[i * n + k]! / s;
      const ri = i * n;
      for (const j of cols) if (j !== i) a[ri + j]! += f * a[rk + j]!;
    }
  }
  const pi = new Float64Array(n);
  pi[0] = 1;
  for (let k = 1; k < n; k++) {
    let s = 0;
    for (let i = 0; i < k; i++) {
      const v = a[i * n + k]!;
      if (v !== 0) s += pi[i]! * v;
    }
    pi[k] = s / exitLow[k]!;
  }
  normalise(pi);
  return { pi, method: SolveMethod.gth, residual: residualOf(q, pi), iterations: 0, converged: true };
}

export interface IterativeOptions {
  /** Stop when no probability changed by more than this, relative to itself, in a sweep. */
  tolerance?: number;
  maxIterations?: number;
  /** Over-relaxation factor (1 = Gauss-Seidel). */
  omega?: number;
  /** Starting vector (normalised inside); uniform when absent. */
  start?: Float64Array;
}

/**
 * Gauss-Seidel (SOR with omega != 1) on pi_j = sum_{i != j} pi_i q_ij / |q_jj|, sweeping the
 * states in order and renormalising after each sweep. Converged when the largest relative change
 * of a probability in a sweep is below `tolerance`; the residual is reported either way.
 */
export function solveIterative(q: SparseGenerator, options: IterativeOptions = {}): Solution {
  const n = q.n;
  const tolerance = options.tolerance ?? 1e-14;
  const maxIterations = options.maxIterations ?? 100_000;
  const omega = options.omega ?? 1;
  // Incoming transitions by target (CSC of the off-diagonal part).
  const inStart = new Int32Array(n + 1);
  for (let e = 0; e < q.col.length; e++) inStart[q.col[e]! + 1]!++;
  for (let j = 0; j < n; j++) inStart[j + 1]! += inStart[j]!;
  const inFrom = new Int32Array(q.col.length);
  const inRate = new Float64Array(q.col.length);
  const fill = inStart.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let e = q.rowStart[i]!; e < q.rowStart[i + 1]!; e++) {
      const at = fill[q.col[e]!]!++;
      inFrom[at] = i;
      inRate[at] = q.rate[e]!;
    }
  }
  const out = exitRates(q);
  for (let j = 0; j < n; j++) if (n > 1 && !(out[j]! > 0)) throw new ReducibleChainError(`the chain is reducible: state ${j} is absorbing`);
  const pi = options.start ? Float64Array.from(options.start) : new Float64Array(n).fill(1 / n);
  normalise(pi);
  let iterations = 0;
  let converged = n === 1;
  while (!converged && iterations < maxIterations) {
    iterations++;
    let change = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let e = inStart[j]!; e < inStart[j + 1]!; e++) s += pi[inFrom[e]!]! * inRate[e]!;
      const gs = s / out[j]!;
      const next = omega === 1 ? gs : Math.max(0, (1 - omega) * pi[j]! + omega * gs);
      const old = pi[j]!;
      if (next > 0) change = Math.max(change, Math.abs(next - old) / next);
      else if (old > 0) change = Infinity;
      pi[j] = next;
    }
    normalise(pi);
    converged = change <= tolerance;
  }
  return { pi, method: SolveMethod.gaussSeidel, residual: residualOf(q, pi), iterations, converged };
}

/** GTH up to `gthLimit` states (default 2000), Gauss-Seidel beyond. */
export function solveSteadyState(q: SparseGenerator, options: IterativeOptions & { gthLimit?: number } = {}): Solution {
  return q.n <= (options.gthLimit ?? 2000) ? solveGth(q) : solveIterative(q, options);
}

function normalise(pi: Float64Array): void {
  let total = 0;
  for (let i = 0; i < pi.length; i++) total += pi[i]!;
  for (let i = 0; i < pi.length; i++) pi[i]! /= total;
}
