/**
 * Engine-level statistics: quantile functions, summaries of per-replication values, the ratio
 * estimator, distribution-free quantile intervals and a time-weighted accumulator.
 *
 * Nothing here knows about equipment or jobs. Every result depends only on the values passed in
 * and on their order (sums run in index order), so merging replications in replication order gives
 * byte-identical answers whatever the worker count (STYLE.md).
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import normalQuantileStd from '@stdlib/stats-base-dists-normal-quantile';
import tQuantileStd from '@stdlib/stats-base-dists-t-quantile';

/**
 * Beyond this many degrees of freedom the t quantile is replaced by the normal one: the two differ
 * by about z(1 + z^2) / (4 df) (< 1e-15 here), and the library's t quantile breaks down for df far
 * beyond it (it returns 0 at df = 1e300 and NaN at Infinity).
 */
const T_AS_NORMAL_DF = 1e15;

/** Quantile of the standard normal distribution; p in [0, 1] (0 and 1 give -/+Infinity). */
export function normalQuantile(p: number): number {
  checkProbability(p, 'p');
  return normalQuantileStd(p, 0, 1);
}

/** Quantile of Student's t distribution with `df` > 0 degrees of freedom (Infinity allowed). */
export function tQuantile(p: number, df: number): number {
  checkProbability(p, 'p');
  if (!(df > 0)) throw new RangeError(`tQuantile: degrees of freedom must be > 0, got ${df}`);
  return df > T_AS_NORMAL_DF ? normalQuantileStd(p, 0, 1) : tQuantileStd(p, df);
}

/** Summary of a sample of i.i.d. values (typically one value per replication). */
export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (divisor n - 1); 0 when n = 1, NaN when n = 0. */
  std: number;
  /** Half-width of the t confidence interval for the mean; Infinity when n < 2, NaN when n = 0. */
  halfWidth: number;
  ciLow: number;
  ciHigh: number;
  /** Hyndman-Fan type 7 sample quantiles (see `quantileSorted`). */
  p05: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
}

/**
 * Mean, sample standard deviation, t confidence interval for the mean, and exact sample quantiles.
 *
 * - The mean is the plain sum in index order divided by n; the variance is the two-pass sum of
 *   squared deviations, also in index order (no cancellation, and deterministic).
 * - Interval: mean +- t_{(1+confidence)/2, n-1} * std / sqrt(n).
 * - n = 1: one value says nothing about spread. `std` is reported as 0 so tables stay printable,
 *   but the interval is (-Infinity, Infinity) with halfWidth Infinity, so no precision target is
 *   ever met on a single replication.
 * - n = 0: every field except n is NaN.
 * - All values equal (n >= 2): std 0 and a zero-width interval. That is the correct t interval,
 *   and also a warning sign (e.g. zero downtime in every replication); callers that need events
 *   must count them separately.
 * - A NaN value is an upstream bug and throws a RangeError naming its index.
 *
 * Quantiles come from one sorted copy of the values (a Float64Array), so they do not depend on the
 * order of the input.
 */
export function summarize(values: ArrayLike<number>, confidence = 0.95): Summary {
  checkConfidence(confidence);
  const n = values.length;
  if (n === 0) {
    return {
      n: 0, mean: NaN, std: NaN, halfWidth: NaN, ciLow: NaN, ciHigh: NaN,
      p05: NaN, p50: NaN, p95: NaN, p99: NaN, min: NaN, max: NaN,
    };
  }
  const sorted = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i] as number;
    if (Number.isNaN(x)) throw new RangeError(`summarize: value at index ${i} is NaN`);
    sorted[i] = x;
    sum += x;
  }
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    squares += d * d;
  }
  const std = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
  const halfWidth = n > 1 ? tQuantile(0.5 + confidence / 2, n - 1) * std / Math.sqrt(n) : Infinity;
  // Float64Array.prototype.sort is numeric (not lexicographic) and sorts in place: the one copy.
  sorted.sort();
  return {
    n,
    mean,
    std,
    halfWidth,
    ciLow: mean - halfWidth,
    ciHigh: mean + halfWidth,
    p05: quantileSorted(sorted, 0.05),
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
  };
}

/**
 * Sample quantile of already sorted (ascending) values, Hyndman & Fan (1996) type 7: with
 * h = (n - 1) p, interpolate linearly between the order statistics at floor(h) and floor(h) + 1
 * (0-based). This is R's default `quantile` and numpy's default `percentile`. NaN for n = 0.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  checkProbability(p, 'p');
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const below = sorted[lo] as number;
  if (lo >= n - 1) return below;
  const above = sorted[lo + 1] as number;
  const fraction = h - lo;
  if (fraction === 0 || below === above) return below;
  // With an infinite neighbour, below + f (above - below) would be Inf - Inf = NaN; the weighted
  // form gives the limit (+-Infinity).
  if (!Number.isFinite(below) || !Number.isFinite(above)) return (1 - fraction) * below + fraction * above;
  return below + fraction * (above - below);
}

/** Ratio estimate with its delta-method confidence interval. */
export interface RatioSummary {
  n: number;
  estimate: number;
  halfWidth: number;
  ciLow: number;
  ciHigh: number;
}

/**
 * Ratio estimator R = sum(num) / sum(den) over n paired observations (e.g. downtime and incident
 * count per replication for MTTR, time in service and incident count for MTBF), with the
 * delta-method interval (Fishman 1977, regenerative method):
 *
 *   Var(R) ~ (s_n^2 - 2 R s_nd + R^2 s_d^2) / (n dbar^2),   R +- t_{(1+confidence)/2, n-1} sqrt(Var(R)),
 *
 * where s_n^2, s_d^2 and s_nd are the sample variances and covariance (divisor n - 1) and dbar is
 * the mean denominator. The numerator of Var(R) equals the sample variance of z_i = num_i - R den_i
 * (the z_i sum to zero by the choice of R), which is how it is computed: one sum of squares, with no
 * cancellation between the three terms.
 *
 * Zero numerators are fine (estimate 0). sum(den) = 0 (including n = 0) gives NaN everywhere; n = 1
 * gives the estimate with an infinite interval. Arrays of different lengths throw a RangeError.
 */
export function ratioSummary(num: ArrayLike<number>, den: ArrayLike<number>, confidence = 0.95): RatioSummary {
  checkConfidence(confidence);
  const n = num.length;
  if (den.length !== n) {
    throw new RangeError(`ratioSummary: ${n} numerators but ${den.length} denominators`);
  }
  let sumNum = 0;
  let sumDen = 0;
  for (let i = 0; i < n; i++) {
    sumNum += num[i] as number;
    sumDen += den[i] as number;
  }
  if (sumDen === 0) return { n, estimate: NaN, halfWidth: NaN, ciLow: NaN, ciHigh: NaN };
  const estimate = sumNum / sumDen;
  if (n < 2) return { n, estimate, halfWidth: Infinity, ciLow: -Infinity, ciHigh: Infinity };
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const z = (num[i] as number) - estimate * (den[i] as number);
    squares += z * z;
  }
  const meanDen = sumDen / n;
  const variance = squares / (n - 1) / (n * meanDen * meanDen);
  const halfWidth = tQuantile(0.5 + confidence / 2, n - 1) * Math.sqrt(variance);
  return { n, estimate, halfWidth, ciLow: estimate - halfWidth, ciHigh: estimate + halfWidth };
}

/** Distribution-free confidence interval for a quantile (see `quantileInterval`). */
export interface QuantileInterval {
  low: number;
  high: number;
  /** 1-based rank of `low` in the sorted sample; 0 means low = -Infinity. */
  lowRank: number;
  /** 1-based rank of `high`; n + 1 means high = +Infinity. */
  highRank: number;
  /** Exact coverage P(lowRank <= B < highRank), B ~ Binomial(n, p); >= confidence. */
  coverage: number;
}

/**
 * Distribution-free (order-statistic) confidence interval [x_(l), x_(u)] for the p-quantile x_p of
 * a continuous distribution, from sorted (ascending) i.i.d. values.
 *
 * The number B of values <= x_p is Binomial(n, p), and x_(l) <= x_p < x_(u) exactly when
 * l <= B <= u - 1. The interval is equal-tailed: l is the largest rank with P(B < l) <= alpha/2,
 * u the smallest with P(B >= u) <= alpha/2 (alpha = 1 - confidence), so the coverage is at least
 * `confidence` whatever the distribution. The upper tail is computed as the lower tail of
 * n - B ~ Binomial(n, 1 - p), so neither tail is a difference of numbers near 1.
 *
 * When n is too small for a finite bound (e.g. P(B = 0) = (1 - p)^n > alpha/2), that bound is
 * -Infinity (rank 0) or +Infinity (rank n + 1): the data cannot exclude anything on that side.
 * Throws if `sorted` is not ascending or contains NaN.
 */
export function quantileInterval(sorted: ArrayLike<number>, p: number, confidence = 0.95): QuantileInterval {
  checkConfidence(confidence);
  if (!(p > 0 && p < 1)) throw new RangeError(`quantileInterval: p must be in (0, 1), got ${p}`);
  const n = sorted.length;
  for (let i = 0; i < n; i++) {
    const x = sorted[i] as number;
    if (Number.isNaN(x) || (i > 0 && x < (sorted[i - 1] as number))) {
      throw new RangeError(`quantileInterval: values must be sorted ascending without NaN (index ${i})`);
    }
  }
  const tail = (1 - confidence) / 2;
  const lowRank = largestRankWithLowerTail(n, p, tail);
  const highRank = n + 1 - largestRankWithLowerTail(n, 1 - p, tail);
  const below = lowRank >= 1 ? binomialCdf(lowRank - 1, n, p) : 0;
  const aboveOrAt = highRank <= n ? binomialCdf(n - highRank, n, 1 - p) : 0;
  return {
    low: lowRank >= 1 ? (sorted[lowRank - 1] as number) : -Infinity,
    high: highRank <= n ? (sorted[highRank - 1] as number) : Infinity,
    lowRank,
    highRank,
    coverage: 1 - below - aboveOrAt,
  };
}

/** Largest l in [0, n] with P(B <= l - 1) <= tail, B ~ Binomial(n, p); binary search on the cdf. */
function largestRankWithLowerTail(n: number, p: number, tail: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (binomialCdf(mid - 1, n, p) <= tail) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Time integral and time average of a piecewise-constant signal (number of units down, load lost,
 * queue length), updated at event times. `set` does two multiplications and allocates nothing.
 * Times must not go backwards: that is a scheduling bug and throws.
 */
export class TimeWeighted {
  private startTime: number;
  private lastTime: number;
  private current: number;
  private area = 0;

  constructor(t0 = 0, value = 0) {
    this.startTime = t0;
    this.lastTime = t0;
    this.current = value;
  }

  /** The signal's value from time t on. */
  set(t: number, value: number): void {
    if (t < this.lastTime) {
      throw new RangeError(`TimeWeighted.set: time ${t} is before the last update at ${this.lastTime}`);
    }
    this.area += this.current * (t - this.lastTime);
    this.lastTime = t;
    this.current = value;
  }

  /** Integral of the signal from the start to tEnd (>= the last update time). */
  integral(tEnd: number): number {
    if (tEnd < this.lastTime) {
      throw new RangeError(`TimeWeighted.integral: end ${tEnd} is before the last update at ${this.lastTime}`);
    }
    return this.area + this.current * (tEnd - this.lastTime);
  }

  /** Time average over [start, tEnd]; NaN for an empty window. */
  mean(tEnd: number): number {
    const integral = this.integral(tEnd);
    return tEnd > this.startTime ? integral / (tEnd - this.startTime) : NaN;
  }

  /** Forget everything and start again at time t with the given value (e.g. after a warm-up). */
  reset(t: number, value: number): void {
    this.startTime = t;
    this.lastTime = t;
    this.current = value;
    this.area = 0;
  }

  /** The value set last. */
  get value(): number {
    return this.current;
  }

  /** Time of the last update (or of the start). */
  get lastUpdate(): number {
    return this.lastTime;
  }
}

function checkProbability(p: number, name: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${p}`);
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  }
}

/** A paired comparison of two metrics over the same replications (common random numbers). */
export interface PairedDifference {
  n: number;
  /** Mean of b - a. */
  mean: number;
  ciLow: number;
  ciHigh: number;
  /** The interval the same data would give if the runs were independent (Welch-free: equal n, pooled as var(a)/n + var(b)/n). */
  unpairedLow: number;
  unpairedHigh: number;
  /** var(a) + var(b) over var(b - a): how many times fewer replications pairing needs for the same precision (Infinity when b - a never varies). */
  varianceReduction: number;
}

/**
 * b - a replication by replication, with its t interval, beside the interval that independent
 * runs would have given (var(a)/n + var(b)/n, n - 1 degrees of freedom for comparability). With
 * common random numbers, var(b - a) = var(a) + var(b) - 2 cov(a, b) is smaller when the two
 * scenarios react alike to the same random events; the ratio is the variance reduction.
 */
export function pairedDifference(a: ArrayLike<number>, b: ArrayLike<number>, confidence = 0.95): PairedDifference {
  checkConfidence(confidence);
  const n = a.length;
  if (b.length !== n) throw new RangeError(`pairedDifference: ${n} values against ${b.length}`);
  if (n < 2) return { n, mean: NaN, ciLow: NaN, ciHigh: NaN, unpairedLow: NaN, unpairedHigh: NaN, varianceReduction: NaN };
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  const mean = mb - ma;
  let va = 0;
  let vb = 0;
  let vd = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    const dd = (b[i] as number) - (a[i] as number) - mean;
    va += da * da;
    vb += db * db;
    vd += dd * dd;
  }
  va /= n - 1;
  vb /= n - 1;
  vd /= n - 1;
  const t = tQuantile(0.5 + confidence / 2, n - 1);
  const half = t * Math.sqrt(vd / n);
  const unpaired = t * Math.sqrt((va + vb) / n);
  return {
    n,
    mean,
    ciLow: mean - half,
    ciHigh: mean + half,
    unpairedLow: mean - unpaired,
    unpairedHigh: mean + unpaired,
    varianceReduction: vd > 0 ? (va + vb) / vd : va + vb > 0 ? Infinity : NaN,
  };
}

/** A mean with the variance of its estimate: what a two-sample test needs. */
export interface Sample {
  mean: number;
  /** Squared standard error of the mean. */
  se2: number;
  n: number;
}

/** P(T >= t) for Student's t with `df` degrees of freedom (accurate in the far tail: from the lower tail of -t). */
export function tUpperTail(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  return t >= 0 ? (tCdf(-t, df) as number) : 1 - (tCdf(t, df) as number);
}

/**
 * One-sided Welch test that `current` is worse than `baseline` (two independent runs):
 * t = d / sqrt(se_c^2 + se_b^2) with d the difference in the worse direction, and the
 * Welch-Satterthwaite degrees of freedom (se_c^2 + se_b^2)^2 / (se_c^4 / (n_c - 1) + se_b^4 / (n_b - 1)).
 * Both runs constant (zero variance): the difference is exact, p = 0 if worse, else 1.
 * Runs with the same seed share their random numbers where the scenario did not change; they
 * are then positively correlated and the test is conservative (flags less than it could).
 */
export function welch(current: Sample, baseline: Sample, worse: 'higher' | 'lower'): { t: number; df: number; p: number } {
  const d = worse === 'higher' ? current.mean - baseline.mean : baseline.mean - current.mean;
  const s2 = current.se2 + baseline.se2;
  if (s2 === 0) return { t: d > 0 ? Infinity : d < 0 ? -Infinity : 0, df: Infinity, p: d > 0 ? 0 : 1 };
  const t = d / Math.sqrt(s2);
  const df = (s2 * s2) / (current.se2 ** 2 / (current.n - 1) + baseline.se2 ** 2 / (baseline.n - 1));
  return { t, df, p: tUpperTail(t, df) };
}

/**
 * Holm's step-down adjusted p-values: the k-th smallest p (0-based) times (m - k), made
 * non-decreasing in that order and capped at 1. Rejecting where the adjusted p is at most alpha
 * keeps the chance of any false rejection at or below alpha, whatever the dependence.
 */
export function holmAdjust(p: readonly number[]): number[] {
  const order = p.map((_, i) => i).sort((i, j) => p[i]! - p[j]! || i - j);
  const adjusted = new Array<number>(p.length);
  let running = 0;
  order.forEach((i, k) => {
    running = Math.max(running, Math.min(1, (p.length - k) * p[i]!));
    adjusted[i] = running;
  });
  return adjusted;
}
