import { describe, expect, it } from 'vitest';
import {
  crewsStationary,
  erlangC,
  HOURS_PER_YEAR,
  kOfNCrews,
  kOfNIndependent,
  mmcMeanWait,
  table1Approx,
  table1Exact,
} from '../models/exact.js';

/** |actual - expected| <= tol * |expected|. */
function expectRelative(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.abs(expected));
}

describe('Table 1 of the article (DOMAIN.md §3.3), S0 = 100 h/yr', () => {
  const P0 = 100 / HOURS_PER_YEAR;
  const hours = (p: number): number => Math.round(p * HOURS_PER_YEAR * 100) / 100;

  it('gives the exact downtime hours per year for 1 .. 5+1', () => {
    expect([0, 1, 2, 3, 4, 5].map((N) => hours(table1Exact(N, P0)))).toEqual([100, 1.14, 3.4, 6.75, 11.16, 16.61]);
  });

  it("reproduces the article's approximate column, except its 2+1 typo (2.93 printed, 3.39 computed)", () => {
    expect([0, 1, 2, 3, 4, 5].map((N) => hours(table1Approx(N, P0)))).toEqual([100, 1.14, 3.39, 6.69, 11.03, 16.35]);
  });

  it('agrees with the closed forms for N = 2 and 3 (DOMAIN.md §3.2)', () => {
    expectRelative(table1Exact(2, P0), 3 * P0 ** 2 * (1 - P0) + P0 ** 3, 1e-14);
    expectRelative(table1Exact(3, P0), 6 * P0 ** 2 * (1 - P0) ** 2 + 4 * P0 ** 3 * (1 - P0) + P0 ** 4, 1e-14);
    // 1 - (1-P0)^(N+1) - (N+1) P0 (1-P0)^N, fine at this P0 (no catastrophic cancellation yet).
    expectRelative(table1Exact(10, P0), 1 - (1 - P0) ** 11 - 11 * P0 * (1 - P0) ** 10, 1e-12);
  });

  it('makes N = 14 the first N+1 worse than a single unit, under both formulas', () => {
    const firstWorse = (f: (N: number, P0: number) => number): number => {
      let N = 1;
      while (f(N, P0) <= P0) N++;
      return N;
    };
    expect(firstWorse(table1Exact)).toBe(14);
    expect(firstWorse(table1Approx)).toBe(14);
  });
});

describe('kOfNIndependent', () => {
  it('keeps full relative accuracy at 1e-12 unavailability', () => {
    // A redundant pair (1 of 2): U = q^2 exactly; 1 - p^2 - 2pq would keep only ~4 digits here.
    const q = 1 / (1e6 + 1);
    const pair = kOfNIndependent({ n: 2, k: 1, mtbf: 1e6, mttr: 1 });
    expectRelative(pair.unavailability, q * q, 1e-14);
    expectRelative(pair.unavailability, 9.99998000003e-13, 1e-14);
    // Frequency of losing the pair: P(exactly one down) = 2 p q times the rate 1/mtbf at which the
    // other one fails (50-digit mpmath value per year).
    expectRelative(pair.failuresPerYear, 1.751996496005256e-08, 1e-14);
    expectRelative(pair.downtimeHoursPerYear, q * q * HOURS_PER_YEAR, 1e-14);
  });

  it('matches 50-digit binomial sums (mpmath)', () => {
    const cases = [
      { spec: { n: 4, k: 2, mtbf: 1e5, mttr: 2 }, u: 3.199760011519552e-14, f: 4.2044636328185273e-10 },
      { spec: { n: 10, k: 7, mtbf: 2e5, mttr: 8 }, u: 5.374108026414177e-16, f: 2.3537463319793942e-12 },
      { spec: { n: 3, k: 2, mtbf: 1000, mttr: 10 }, u: 0.000292147634526221, f: 0.51014218175077 },
    ];
    for (const { spec, u, f } of cases) {
      const r = kOfNIndependent(spec);
      expectRelative(r.unavailability, u, 1e-13);
      expectRelative(r.failuresPerYear, f, 1e-13);
    }
  });

  it('handles the degenerate ends', () => {
    expect(kOfNIndependent({ n: 3, k: 2, mtbf: 100, mttr: 0 })).toEqual({
      unavailability: 0, downtimeHoursPerYear: 0, failuresPerYear: 0,
    });
    // k = n (series): a unit failure is a system failure when the other two are up (units keep
    // failing and being repaired while the system is down): 3 p^2 / (mtbf + mttr) per hour.
    const series = kOfNIndependent({ n: 3, k: 3, mtbf: 990, mttr: 10 });
    expectRelative(series.failuresPerYear, ((3 * 0.99 ** 2) / 1000) * HOURS_PER_YEAR, 1e-14);
    expectRelative(series.unavailability, 1 - 0.99 ** 3, 1e-13);
  });

  it('refuses impossible configurations', () => {
    expect(() => kOfNIndependent({ n: 2, k: 3, mtbf: 1, mttr: 1 })).toThrow(RangeError);
    expect(() => kOfNIndependent({ n: 2.5, k: 1, mtbf: 1, mttr: 1 })).toThrow(RangeError);
    expect(() => kOfNIndependent({ n: 2, k: 1, mtbf: 0, mttr: 1 })).toThrow(RangeError);
  });
});

describe('kOfNCrews', () => {
  it('equals kOfNIndependent when there is a crew for every unit', () => {
    const specs = [
      { n: 2, k: 1, mtbf: 1e6, mttr: 1 },
      { n: 3, k: 2, mtbf: 1000, mttr: 10 },
      { n: 10, k: 7, mtbf: 2e5, mttr: 8 },
      { n: 40, k: 30, mtbf: 5e4, mttr: 24 },
    ];
    for (const spec of specs) {
      const independent = kOfNIndependent(spec);
      for (const crews of [spec.n, spec.n + 3]) {
        const shared = kOfNCrews({ ...spec, crews });
        expectRelative(shared.unavailability, independent.unavailability, 1e-12);
        expectRelative(shared.failuresPerYear, independent.failuresPerYear, 1e-12);
        expectRelative(shared.downtimeHoursPerYear, independent.downtimeHoursPerYear, 1e-12);
      }
    }
  });

  it('solves 2-of-3 with one crew like the hand-solved 4-state chain', () => {
    // States j = 0..3 failed; births 3l, 2l, l; deaths m, m, m (one crew). With r = l/m = 0.01:
    // weights 1, 3r, 6r^2, 6r^3; the system is down in j = 2, 3.
    const mtbf = 1000;
    const mttr = 10;
    const r = mttr / mtbf;
    const weights = [1, 3 * r, 6 * r ** 2, 6 * r ** 3];
    const total = weights.reduce((a, b) => a + b, 0);
    const expected = weights.map((w) => w / total);

    const pi = crewsStationary({ n: 3, mtbf, mttr, crews: 1 });
    expected.forEach((p, j) => expectRelative(pi[j] as number, p, 1e-14));

    // pi Q = 0 for the generator written out by hand.
    const l = 1 / mtbf;
    const m = 1 / mttr;
    const Q = [
      [-3 * l, 3 * l, 0, 0],
      [m, -(m + 2 * l), 2 * l, 0],
      [0, m, -(m + l), l],
      [0, 0, m, -m],
    ];
    for (let col = 0; col < 4; col++) {
      const flow = Q.reduce((sum, row, i) => sum + (pi[i] as number) * (row[col] as number), 0);
      expect(Math.abs(flow)).toBeLessThan(1e-17);
    }

    const result = kOfNCrews({ n: 3, k: 2, mtbf, mttr, crews: 1 });
    expectRelative(result.unavailability, (6 * r ** 2 + 6 * r ** 3) / total, 1e-14);
    // Entries into the down set: from j = 1 at rate 2/mtbf.
    expectRelative(result.failuresPerYear, (expected[1] as number) * (2 / mtbf) * HOURS_PER_YEAR, 1e-14);
    // One crew is worse than independent repair.
    expect(result.unavailability).toBeGreaterThan(kOfNIndependent({ n: 3, k: 2, mtbf, mttr }).unavailability);
  });

  it('does not underflow on long chains of rare states', () => {
    const pi = crewsStationary({ n: 400, mtbf: 1e6, mttr: 1, crews: 2 });
    expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(Number.isFinite(kOfNCrews({ n: 400, k: 398, mtbf: 1e6, mttr: 1, crews: 2 }).unavailability)).toBe(true);
  });
});

describe('Erlang C and M/M/c', () => {
  it('matches textbook values', () => {
    expectRelative(erlangC(2, 1), 1 / 3, 1e-15);
    expectRelative(erlangC(1, 0.5), 0.5, 1e-15);
    // sum formula at 30 digits (mpmath): C(10, 8) = 0.40918015079644354...
    expectRelative(erlangC(10, 8), 0.40918015079644354, 1e-14);
    expect(erlangC(3, 3)).toBe(1);
  });

  it('gives the mean wait C / (c mu - lambda)', () => {
    // M/M/1 with rho = 0.5, mu = 1: Wq = rho / (mu - lambda) = 1.
    expectRelative(mmcMeanWait(1, 0.5, 1), 1, 1e-15);
    expectRelative(mmcMeanWait(2, 1, 1), 1 / 3, 1e-15);
    expect(mmcMeanWait(2, 2, 1)).toBe(Infinity);
  });
});
