/**
 * Closed-form answers that the simulator is tested against (METHODS.md "Exact answers to test
 * against"). Times are in hours; a year is 8760 h, as in DOMAIN.md §3.
 *
 * Probabilities of system loss are sums of small positive terms computed directly (never as
 * 1 - something), so they keep full relative accuracy down to 1e-12 and far below.
 */

export const HOURS_PER_YEAR = 8760;

/** n identical units; the system is up while at least k of them are up. */
export interface KOfN {
  n: number;
  k: number;
  /** Mean time between failures of one unit (mean up time), hours. */
  mtbf: number;
  /** Mean time to repair one unit (mean down time), hours. */
  mttr: number;
}

/** Steady-state system figures. */
export interface SystemFigures {
  /** Long-run fraction of time the system is down. */
  unavailability: number;
  downtimeHoursPerYear: number;
  /** Long-run number of system failures (entries into the down state) per year. */
  failuresPerYear: number;
}

/**
 * k-out-of-n with independent repair (one repairer per unit). In steady state each unit is down
 * with probability q = MTTR / (MTBF + MTTR) independently of the others, for any up and down time
 * distributions (alternating renewal processes), so
 *
 *   unavailability = P(D > n - k),  D ~ Binomial(n, q).
 *
 * failuresPerYear: the system goes down only when one of the k up units fails while exactly n - k
 * units are down. Each unit's failures form a stationary point process of intensity
 * 1 / (MTBF + MTTR), independent of the other units, so the frequency is
 *
 *   n * 1/(MTBF + MTTR) * P(exactly n - k of the other n - 1 down)
 *     = n C(n-1, n-k) q^(n-k) p^(k-1) / (MTBF + MTTR)         (p = 1 - q)
 *     = k C(n, k) q^(n-k) p^k / MTBF                          (n C(n-1, k-1) = k C(n, k), p/MTBF = 1/(MTBF+MTTR))
 *     = P(exactly n - k down) * k / MTBF,
 *
 * i.e. the probability of sitting on the boundary times the rate at which k up units fail. (Units
 * keep failing and being repaired while the system is down, as independence requires; a failure
 * while the system is already down is not a new system failure.)
 */
export function kOfNIndependent(spec: KOfN): SystemFigures {
  const { n, k, mtbf, mttr } = checkKOfN(spec, 'kOfNIndependent');
  // q and p each from its own quotient: p = 1 - q would lose q's relative accuracy when q ~ 1.
  const q = mttr / (mtbf + mttr);
  const p = mtbf / (mtbf + mttr);
  const unavailability = binomialUpperTail(n, n - k + 1, q, p);
  const boundary = binomialPmf(n, n - k, q, p);
  return figures(unavailability, (boundary * k) / mtbf);
}

/**
 * k-out-of-n with exponential up and repair times and `crews` repairers serving failed units first
 * failed, first served. The number of failed units j is a birth-death chain with birth rate
 * (n - j) / MTBF and death rate min(j, crews) / MTTR; system failures are births out of j = n - k.
 * With crews >= n it is the independent case (binomial distribution).
 */
export function kOfNCrews(spec: KOfN & { crews: number }): SystemFigures {
  const { n, k, mtbf } = checkKOfN(spec, 'kOfNCrews');
  const pi = crewsStationary(spec);
  let unavailability = 0;
  for (let j = n - k + 1; j <= n; j++) unavailability += pi[j] as number;
  return figures(unavailability, ((pi[n - k] as number) * k) / mtbf);
}

/**
 * Stationary distribution of the number of failed units (index j = 0..n) for the shared-crews
 * chain of `kOfNCrews`. Product form: pi_j proportional to prod_{i<j} lambda_i / mu_{i+1}
 * = prod_{i<j} (n - i) MTTR / (min(i + 1, crews) MTBF). The products are accumulated as logarithms
 * and normalised by log-sum-exp, so neither the tiny tail probabilities nor long chains underflow
 * before normalisation, and every probability is a ratio of positive numbers (no subtraction).
 */
export function crewsStationary(spec: { n: number; mtbf: number; mttr: number; crews: number }): Float64Array {
  const { n, mtbf, mttr, crews } = spec;
  checkCount(n, 1, 'n', 'crewsStationary');
  checkCount(crews, 1, 'crews', 'crewsStationary');
  checkTimes(mtbf, mttr, 'crewsStationary');
  const logWeights = new Float64Array(n + 1);
  const logRepairToFailure = Math.log(mttr) - Math.log(mtbf);
  let largest = 0;
  for (let j = 0; j < n; j++) {
    const next = (logWeights[j] as number) + Math.log((n - j) / Math.min(j + 1, crews)) + logRepairToFailure;
    logWeights[j + 1] = next;
    largest = Math.max(largest, next);
  }
  let total = 0;
  for (let j = 0; j <= n; j++) total += Math.exp((logWeights[j] as number) - largest);
  const logTotal = largest + Math.log(total);
  const pi = new Float64Array(n + 1);
  for (let j = 0; j <= n; j++) pi[j] = Math.exp((logWeights[j] as number) - logTotal);
  return pi;
}

/**
 * DOMAIN.md §3.2, exact: probability that an N+1 system (N + 1 independent units each down with
 * probability P0) is down, i.e. that at least 2 units are down. N = 0 is a single unit: P0.
 */
export function table1Exact(N: number, P0: number): number {
  checkCount(N, 0, 'N', 'table1Exact');
  checkProbability(P0, 'table1Exact');
  return N === 0 ? P0 : binomialUpperTail(N + 1, 2, P0, 1 - P0);
}

/**
 * DOMAIN.md §3.2, the article's approximation keeping only the "exactly two down" term:
 * C(N+1, 2) P0^2 (1 - P0)^(N-1) = N (N + 1) / 2 * P0^2 (1 - P0)^(N-1). Exact for N = 1; P0 for N = 0.
 */
export function table1Approx(N: number, P0: number): number {
  checkCount(N, 0, 'N', 'table1Approx');
  checkProbability(P0, 'table1Approx');
  return N === 0 ? P0 : ((N * (N + 1)) / 2) * P0 * P0 * Math.pow(1 - P0, N - 1);
}

/**
 * Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = lambda / mu
 * (in Erlangs). Computed from the Erlang B recursion B(0) = 1, B(j) = a B(j-1) / (j + a B(j-1)),
 * which involves no subtraction, then C = c B / (c - a (1 - B)). For a >= c the queue is unstable
 * and every arrival eventually waits: 1.
 */
export function erlangC(c: number, a: number): number {
  checkCount(c, 1, 'c', 'erlangC');
  if (!(a >= 0 && Number.isFinite(a))) throw new RangeError(`erlangC: offered load must be >= 0, got ${a}`);
  if (a >= c) return 1;
  let b = 1;
  for (let j = 1; j <= c; j++) b = (a * b) / (j + a * b);
  return (c * b) / (c - a * (1 - b));
}

/**
 * Mean time an arrival waits in the queue (before service) of an M/M/c queue:
 * Wq = C(c, lambda/mu) / (c mu - lambda). Infinity when lambda >= c mu (unstable).
 */
export function mmcMeanWait(c: number, arrivalRate: number, serviceRate: number): number {
  if (!(serviceRate > 0 && Number.isFinite(serviceRate))) {
    throw new RangeError(`mmcMeanWait: service rate must be > 0, got ${serviceRate}`);
  }
  if (!(arrivalRate >= 0 && Number.isFinite(arrivalRate))) {
    throw new RangeError(`mmcMeanWait: arrival rate must be >= 0, got ${arrivalRate}`);
  }
  const a = arrivalRate / serviceRate;
  return a >= c ? Infinity : erlangC(c, a) / (c * serviceRate - arrivalRate);
}

function figures(unavailability: number, failuresPerHour: number): SystemFigures {
  return {
    unavailability,
    downtimeHoursPerYear: unavailability * HOURS_PER_YEAR,
    failuresPerYear: failuresPerHour * HOURS_PER_YEAR,
  };
}

/** P(X = j), X ~ Binomial(n, q), with p = 1 - q passed separately; evaluated in log space. */
function binomialPmf(n: number, j: number, q: number, p: number): number {
  if (j < 0 || j > n) return 0;
  // Avoid 0 * log(0) = NaN at the degenerate ends q = 0 or p = 0.
  if (q === 0) return j === 0 ? 1 : 0;
  if (p === 0) return j === n ? 1 : 0;
  return Math.exp(logBinomialCoefficient(n, j) + j * Math.log(q) + (n - j) * Math.log(p));
}

/**
 * P(X >= m), X ~ Binomial(n, q), with p = 1 - q passed separately: the terms are summed directly,
 * each one's logarithm obtained from the previous one's by adding log((n - j) q / ((j + 1) p)), so
 * tiny tails keep their relative accuracy and no term underflows before its turn.
 */
function binomialUpperTail(n: number, m: number, q: number, p: number): number {
  if (m <= 0 || p === 0) return m <= n ? 1 : 0;
  if (m > n || q === 0) return 0;
  const logRatio = Math.log(q) - Math.log(p);
  let logTerm = logBinomialCoefficient(n, m) + m * Math.log(q) + (n - m) * Math.log(p);
  let sum = Math.exp(logTerm);
  for (let j = m; j < n; j++) {
    logTerm += Math.log((n - j) / (j + 1)) + logRatio;
    sum += Math.exp(logTerm);
  }
  return sum;
}

/** log C(n, j) as a sum of logarithms of ratios (exact enough for any n a facility has). */
function logBinomialCoefficient(n: number, j: number): number {
  const r = Math.min(j, n - j);
  let sum = 0;
  for (let i = 1; i <= r; i++) sum += Math.log((n - r + i) / i);
  return sum;
}

function checkKOfN(spec: KOfN, caller: string): KOfN {
  checkCount(spec.n, 1, 'n', caller);
  checkCount(spec.k, 1, 'k', caller);
  if (spec.k > spec.n) throw new RangeError(`${caller}: k = ${spec.k} exceeds n = ${spec.n}`);
  checkTimes(spec.mtbf, spec.mttr, caller);
  return spec;
}

function checkCount(value: number, min: number, name: string, caller: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${caller}: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

function checkTimes(mtbf: number, mttr: number, caller: string): void {
  if (!(mtbf > 0 && Number.isFinite(mtbf))) throw new RangeError(`${caller}: mtbf must be > 0 hours, got ${mtbf}`);
  if (!(mttr >= 0 && Number.isFinite(mttr))) throw new RangeError(`${caller}: mttr must be >= 0 hours, got ${mttr}`);
}

function checkProbability(p: number, caller: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${caller}: probability must be in [0, 1], got ${p}`);
}
