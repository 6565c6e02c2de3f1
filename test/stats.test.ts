import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  holmAdjust,
  tUpperTail,
  welch,
  pairedDifference,
  normalQuantile,
  quantileInterval,
  quantileSorted,
  ratioSummary,
  summarize,
  tQuantile,
  TimeWeighted,
} from '../sim/stats.js';

describe('quantile functions', () => {
  it('match tabulated t and normal quantiles', () => {
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228138852, 9);
    expect(tQuantile(0.975, 7)).toBeCloseTo(2.364624252, 9);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.30265273, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 9);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('treat a huge or infinite df as the normal distribution', () => {
    expect(tQuantile(0.975, Infinity)).toBe(normalQuantile(0.975));
    expect(tQuantile(0.975, 1e300)).toBe(normalQuantile(0.975));
    expect(tQuantile(0.975, 1e6)).toBeCloseTo(1.959966357, 9);
  });

  it('reject impossible arguments', () => {
    expect(() => tQuantile(1.5, 3)).toThrow(RangeError);
    expect(() => tQuantile(0.5, 0)).toThrow(RangeError);
    expect(() => normalQuantile(NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  // Sum 40, squared deviations 9+1+1+1+0+0+4+16 = 32, variance 32/7.
  const sample = [9, 4, 2, 5, 4, 7, 4, 5];

  it('gives the mean, sample std and t interval of a small sample', () => {
    const s = summarize(sample);
    expect(s.n).toBe(8);
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 14);
    const halfWidth = 2.364624251592785 * Math.sqrt(32 / 7) / Math.sqrt(8);
    expect(s.halfWidth).toBeCloseTo(halfWidth, 12);
    expect(s.ciLow).toBeCloseTo(5 - halfWidth, 12);
    expect(s.ciHigh).toBeCloseTo(5 + halfWidth, 12);
    expect([s.min, s.max]).toEqual([2, 9]);
  });

  it('gives type-7 quantiles equal to numpy.percentile', () => {
    // numpy.percentile([2,4,4,4,5,5,7,9], [5,50,95,99]) = [2.7, 4.5, 8.3, 8.86]:
    // h = 7p; e.g. p95: h = 6.65, 7 + 0.65 * (9 - 7) = 8.3.
    const s = summarize(sample);
    expect(s.p05).toBeCloseTo(2.7, 14);
    expect(s.p50).toBe(4.5);
    expect(s.p95).toBeCloseTo(8.3, 14);
    expect(s.p99).toBeCloseTo(8.86, 14);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3, 4], 1 / 3)).toBe(2);
  });

  it('does not let quantiles depend on input order, nor modify the input', () => {
    const input = Float64Array.from(sample);
    const a = summarize(input);
    const b = summarize([...sample].reverse());
    expect([a.p05, a.p50, a.p95, a.p99]).toEqual([b.p05, b.p50, b.p95, b.p99]);
    expect(Array.from(input)).toEqual(sample);
  });

  it('reports an infinite interval for one value and NaN for none', () => {
    const one = summarize([3]);
    expect(one).toMatchObject({ n: 1, mean: 3, std: 0, halfWidth: Infinity, ciLow: -Infinity, ciHigh: Infinity });
    expect(one.p50).toBe(3);
    const none = summarize([]);
    expect(none.n).toBe(0);
    expect(none.mean).toBeNaN();
    expect(none.halfWidth).toBeNaN();
  });

  it('gives a zero-width interval for a constant sample', () => {
    expect(summarize([0, 0, 0])).toMatchObject({ mean: 0, std: 0, halfWidth: 0, ciLow: 0, ciHigh: 0 });
  });

  it('interpolates next to infinite values without producing NaN', () => {
    const s = summarize([1, 2, Infinity, Infinity]);
    expect(s.max).toBe(Infinity);
    expect(s.p95).toBe(Infinity);
    expect(s.p50).toBe(Infinity);
  });

  it('refuses NaN values, naming the index', () => {
    expect(() => summarize([1, NaN])).toThrow(/index 1/);
  });
});

describe('ratioSummary', () => {
  it('matches the delta-method interval computed by hand', () => {
    // num = [1,2,3], den = [2,2,4]: R = 6/8 = 0.75. s_n^2 = 1, s_d^2 = 4/3, s_nd = 1, so
    // s_n^2 - 2 R s_nd + R^2 s_d^2 = 1 - 1.5 + 0.75 = 0.25; dbar = 8/3;
    // Var(R) = 0.25 / (3 * 64/9) = 0.01171875; t_{0.975,2} = 4.302652729749464.
    const r = ratioSummary([1, 2, 3], [2, 2, 4]);
    const halfWidth = 4.302652729749464 * Math.sqrt(0.01171875);
    expect(r.n).toBe(3);
    expect(r.estimate).toBe(0.75);
    expect(r.halfWidth).toBeCloseTo(halfWidth, 12);
    expect(r.ciLow).toBeCloseTo(0.75 - halfWidth, 12);
    expect(r.ciHigh).toBeCloseTo(0.75 + halfWidth, 12);
  });

  it('is zero with a zero-width interval when every numerator is zero', () => {
    expect(ratioSummary([0, 0, 0], [1, 2, 3])).toMatchObject({ estimate: 0, halfWidth: 0 });
  });

  it('is NaN when the denominators sum to zero, infinite-width for one pair', () => {
    expect(ratioSummary([1, 2], [0, 0]).estimate).toBeNaN();
    expect(ratioSummary([], []).estimate).toBeNaN();
    expect(ratioSummary([5], [2])).toMatchObject({ estimate: 2.5, halfWidth: Infinity });
  });

  it('refuses arrays of different lengths', () => {
    expect(() => ratioSummary([1, 2], [1])).toThrow(RangeError);
  });
});

describe('quantileInterval', () => {
  it('uses the textbook order statistics for the median of 50 values', () => {
    // Ranks 18 and 33, exact coverage 0.96716 (scipy.stats.binom(50, 0.5)).
    const sorted = Array.from({ length: 50 }, (_, i) => i + 1);
    const ci = quantileInterval(sorted, 0.5);
    expect(ci).toMatchObject({ lowRank: 18, highRank: 33, low: 18, high: 33 });
    expect(ci.coverage).toBeCloseTo(0.9671608624357315, 12);
  });

  it('reports an infinite bound when the sample is too small', () => {
    // P(B = 0) = P(B = 3) = 1/8 > 0.025: three values cannot bound the median at 95%.
    expect(quantileInterval([1, 2, 3], 0.5)).toMatchObject({ low: -Infinity, high: Infinity, coverage: 1 });
    // 20 values at p = 0.9: P(B = 20) = 0.9^20 = 0.12 > 0.025, so no finite upper bound; the lower
    // rank is 15 (scipy.stats.binom(20, 0.9)).
    const ci = quantileInterval(Array.from({ length: 20 }, (_, i) => i + 1), 0.9);
    expect(ci).toMatchObject({ lowRank: 15, low: 15, highRank: 21, high: Infinity });
  });

  it('refuses unsorted input', () => {
    expect(() => quantileInterval([2, 1, 3], 0.5)).toThrow(RangeError);
  });

  /**
   * Coverage on Uniform(0,1) samples, whose p-quantile is p. Each trial covers independently with
   * the exact probability gamma of the rank pair (scipy.stats.binom), so the number of covering
   * trials out of 400 is Binomial(400, gamma). The accepted range leaves at most 2.5e-4 in each
   * tail (computed below), so each case fails by chance with probability < 5e-4 and both together
   * < 1e-3: median of 50 (gamma 0.96716, accept 373..397) and 0.9-quantile of 100 (gamma 0.95569,
   * accept 366..395).
   */
  it.each([
    { n: 50, p: 0.5, gamma: 0.9671608624357315, seed: 'quantile-interval/median' },
    { n: 100, p: 0.9, gamma: 0.955690107191223, seed: 'quantile-interval/p90' },
  ])('covers the true quantile at the nominal rate (n=$n, p=$p)', ({ n, p, gamma, seed }) => {
    const trials = 400;
    const uniform = seedrandom.xor4096(seed);
    const values = new Float64Array(n);
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      for (let i = 0; i < n; i++) values[i] = uniform.double();
      values.sort();
      const ci = quantileInterval(values, p);
      expect(ci.coverage).toBeCloseTo(gamma, 12);
      if (ci.low <= p && p <= ci.high) covered++;
    }
    const tail = 2.5e-4;
    let lowest = 0;
    while (binomialCdf(lowest, trials, gamma) <= tail) lowest++;
    let highest = trials;
    while (1 - binomialCdf(highest - 1, trials, gamma) <= tail) highest--;
    expect(binomialCdf(lowest - 1, trials, gamma) + (1 - binomialCdf(highest, trials, gamma))).toBeLessThan(5e-4);
    expect(covered).toBeGreaterThanOrEqual(lowest);
    expect(covered).toBeLessThanOrEqual(highest);
  });
});

describe('TimeWeighted', () => {
  it('integrates a piecewise-constant signal', () => {
    // 0 on [0,2), 3 on [2,5), 1 on [5,10), 0 on [10,12]: 9 + 5 = 14.
    const w = new TimeWeighted();
    w.set(2, 3);
    w.set(5, 1);
    w.set(10, 0);
    expect(w.integral(12)).toBe(14);
    expect(w.mean(12)).toBe(14 / 12);
    expect(w.value).toBe(0);
    expect(w.lastUpdate).toBe(10);
  });

  it('counts the value in force at construction and after a reset', () => {
    const w = new TimeWeighted(100, 2);
    expect(w.integral(110)).toBe(20);
    w.set(110, 5);
    w.reset(120, 1);
    expect(w.integral(130)).toBe(10);
    expect(w.mean(130)).toBe(1);
    expect(w.mean(120)).toBeNaN();
  });

  it('refuses time going backwards', () => {
    const w = new TimeWeighted(0, 1);
    w.set(5, 0);
    expect(() => w.set(4, 1)).toThrow(RangeError);
    expect(() => w.integral(4)).toThrow(RangeError);
  });
});

describe('pairedDifference', () => {
  it('gives the t interval of b - a and the wider interval independent runs would give', () => {
    // a = 1, 2, 3, 4; b = 2, 4, 5, 7: differences 1, 2, 2, 3 (mean 2, variance 2/3);
    // var(a) = 5/3, var(b) = 13/3; t(0.975, 3) = 3.182446.
    const d = pairedDifference([1, 2, 3, 4], [2, 4, 5, 7]);
    const t = tQuantile(0.975, 3);
    expect(d.mean).toBe(2);
    expect(d.ciHigh - d.mean).toBeCloseTo(t * Math.sqrt(2 / 3 / 4), 12);
    expect(d.unpairedHigh - d.mean).toBeCloseTo(t * Math.sqrt((5 / 3 + 13 / 3) / 4), 12);
    expect(d.varianceReduction).toBeCloseTo((5 / 3 + 13 / 3) / (2 / 3), 12);
  });

  it('a constant shift is measured exactly: zero-width interval, unbounded variance reduction', () => {
    const d = pairedDifference([1, 5, 2, 8], [1.5, 5.5, 2.5, 8.5]);
    expect(d.mean).toBe(0.5);
    expect(d.ciLow).toBe(0.5);
    expect(d.ciHigh).toBe(0.5);
    expect(d.varianceReduction).toBe(Infinity);
  });

  it('refuses series of different lengths', () => {
    expect(() => pairedDifference([1, 2], [1])).toThrow(RangeError);
  });
});

describe('tests for comparing runs', () => {
  it('tUpperTail: Student t tail probabilities (tables: P(T > 2.0) at 10 df is 0.03669, at 1 df 0.1476)', () => {
    expect(tUpperTail(2, 10)).toBeCloseTo(0.036694, 5);
    expect(tUpperTail(2, 1)).toBeCloseTo(0.5 - Math.atan(2) / Math.PI, 12);
    expect(tUpperTail(0, 7)).toBe(0.5);
    expect(tUpperTail(-2, 10)).toBeCloseTo(1 - 0.036694, 5);
    // Far tail stays accurate (no 1 - (1 - p) cancellation): Cauchy tail ~ 1 / (pi t).
    expect(tUpperTail(1e12, 1) / (1 / (Math.PI * 1e12))).toBeCloseTo(1, 6);
  });

  it('welch: one-sided p in the direction that is worse, Welch-Satterthwaite degrees of freedom', () => {
    const current = { mean: 12, se2: 1, n: 10 };
    const baseline = { mean: 10, se2: 1, n: 10 };
    const higher = welch(current, baseline, 'higher');
    expect(higher.t).toBeCloseTo(2 / Math.SQRT2, 12);
    expect(higher.df).toBeCloseTo(4 / (1 / 9 + 1 / 9), 12);
    expect(higher.p).toBeCloseTo(tUpperTail(Math.SQRT2, 18), 12);
    expect(welch(current, baseline, 'lower').p).toBeCloseTo(1 - higher.p, 12);
  });

  it('holmAdjust: step-down multiplication, monotone in the order of the p-values, capped at 1', () => {
    expect(holmAdjust([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    expect(holmAdjust([0.5, 0.6])).toEqual([1, 1]);
    expect(holmAdjust([])).toEqual([]);
  });
});
