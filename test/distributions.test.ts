/**
 * Duration distributions: analytic moments, agreement of samples with them, and validation.
 *
 * Statistical checks use 4.5 standard errors: under the normal approximation each check has a
 * false-failure probability of about 7e-6 (two-sided). The seeds are fixed, so every run draws
 * the same numbers and the outcome is deterministic; a failure means the code changed.
 */
import { describe, expect, it } from 'vitest';
import { moments } from './helpers/moments.js';
import {
  DistributionError,
  describeDistribution,
  lognormalMedianFromMean,
  makeDistribution,
  type DistSpec,
} from '../sim/distributions.js';
import { Streams } from '../sim/rng.js';

const Z = 4.5;
const N = 200_000;

interface SampleMoments {
  mean: number;
  /** Unbiased sample variance. */
  variance: number;
  /** Fourth central moment. */
  m4: number;
  min: number;
}

function sampleMoments(spec: DistSpec, n: number, streamName: string): SampleMoments {
  const dist = makeDistribution(spec);
  const stream = new Streams('distributions', 0).get(streamName);
  const x = new Float64Array(n);
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const v = dist.sample(stream);
    x[i] = v;
    if (v < min) min = v;
  }
  return { ...moments(x), min };
}

const randomCases: DistSpec[] = [
  { kind: 'exponential', mean: 8 },
  { kind: 'exponential', mean: 250_000 },
  { kind: 'weibull', shape: 0.7, scale: 100 },
  { kind: 'weibull', shape: 1.5, scale: 40_000 },
  { kind: 'weibull', shape: 3, scale: 10 },
  { kind: 'lognormal', median: 6, sigma: 0.8 },
  { kind: 'lognormal', median: 2, sigma: 0.3 },
  { kind: 'normal', mean: 4, sd: 1 },
  // Mean near 0: a third of the untruncated mass is negative, so truncation moves the moments.
  { kind: 'normal', mean: 1, sd: 2 },
  { kind: 'normal', mean: 0, sd: 3 },
  // Only 0.13% of draws accepted: exercises the redraw loop hard.
  { kind: 'normal', mean: -3, sd: 1 },
  { kind: 'gamma', shape: 0.5, scale: 3 },
  { kind: 'gamma', shape: 1, scale: 5 },
  { kind: 'gamma', shape: 4, scale: 2 },
  { kind: 'gamma', shape: 0.1, scale: 10 },
  { kind: 'uniform', low: 10 / 60, high: 1.5 },
  { kind: 'empirical', values: [1, 2, 2, 5] },
  { kind: 'empirical', values: [0.5, 3, 7, 7, 7, 24] },
];

describe.each(randomCases.map((spec, i) => ({ spec, i, name: describeDistribution(spec) })))(
  '$name: samples agree with the analytic moments',
  ({ spec, i }) => {
    const dist = makeDistribution(spec);
    const s = sampleMoments(spec, N, `case-${i}`);

    it('draws no negative duration', () => {
      expect(s.min).toBeGreaterThanOrEqual(0);
    });

    it('sample mean is within 4.5 standard errors of the analytic mean', () => {
      expect(Math.abs(s.mean - dist.mean)).toBeLessThan(Z * Math.sqrt(s.variance / N));
    });

    it('sample variance is within 4.5 standard errors of the analytic variance', () => {
      // SE of the sample variance: sqrt((m4 - s^4) / n).
      const se = Math.sqrt((s.m4 - s.variance * s.variance) / N);
      expect(Math.abs(s.variance - dist.variance)).toBeLessThan(Z * se);
    });
  },
);

describe('degenerate distributions always return the same value', () => {
  it.each<DistSpec>([
    { kind: 'fixed', value: 8 },
    { kind: 'fixed', value: 0 },
    { kind: 'lognormal', median: 6, sigma: 0 },
    { kind: 'uniform', low: 2, high: 2 },
    { kind: 'empirical', values: [3, 3] },
  ])('%o', (spec) => {
    const dist = makeDistribution(spec);
    expect(dist.variance).toBe(0);
    const stream = new Streams('degenerate', 0).get('d');
    for (let i = 0; i < 100; i++) expect(dist.sample(stream)).toBe(dist.mean);
  });
});

describe('analytic moments', () => {
  it('exponential: mean as given, variance mean^2', () => {
    const d = makeDistribution({ kind: 'exponential', mean: 8 });
    expect([d.mean, d.variance]).toEqual([8, 64]);
  });

  it('weibull with shape 1 is the exponential with mean = scale', () => {
    const d = makeDistribution({ kind: 'weibull', shape: 1, scale: 7 });
    expect(d.mean).toBeCloseTo(7, 12);
    expect(d.variance).toBeCloseTo(49, 11);
  });

  it('weibull with shape 2 (Rayleigh): mean scale*sqrt(pi)/2, variance scale^2 (1 - pi/4)', () => {
    const d = makeDistribution({ kind: 'weibull', shape: 2, scale: 10 });
    expect(d.mean).toBeCloseTo((10 * Math.sqrt(Math.PI)) / 2, 12);
    expect(d.variance).toBeCloseTo(100 * (1 - Math.PI / 4), 11);
  });

  it('lognormal: mean median*e^(sigma^2/2), variance (e^(s^2) - 1) median^2 e^(s^2)', () => {
    const d = makeDistribution({ kind: 'lognormal', median: 6, sigma: 0.8 });
    expect(d.mean).toBeCloseTo(6 * Math.exp(0.32), 12);
    expect(d.variance).toBeCloseTo((Math.exp(0.64) - 1) * 36 * Math.exp(0.64), 10);
  });

  it('lognormalMedianFromMean gives the lognormal with the requested arithmetic mean', () => {
    const median = lognormalMedianFromMean(6, 0.8);
    expect(median).toBeCloseTo(6 * Math.exp(-0.32), 14);
    expect(makeDistribution({ kind: 'lognormal', median, sigma: 0.8 }).mean).toBeCloseTo(6, 12);
  });

  it('normal with mean 0 is the half-normal: mean sd*sqrt(2/pi), variance sd^2 (1 - 2/pi)', () => {
    const d = makeDistribution({ kind: 'normal', mean: 0, sd: 3 });
    expect(d.mean).toBeCloseTo(3 * Math.sqrt(2 / Math.PI), 12);
    expect(d.variance).toBeCloseTo(9 * (1 - 2 / Math.PI), 12);
  });

  it('normal far from 0 keeps the untruncated moments', () => {
    const d = makeDistribution({ kind: 'normal', mean: 40, sd: 1 });
    expect(d.mean).toBe(40);
    expect(d.variance).toBe(1);
  });

  it('normal mean 1 sd 2: truncation raises the mean to 2.0183 and cuts the variance to 1.9447', () => {
    // alpha = -0.5, lambda = phi(0.5) / Phi(0.5) = 0.3520653 / 0.6914625 = 0.5091604.
    const d = makeDistribution({ kind: 'normal', mean: 1, sd: 2 });
    expect(d.mean).toBeCloseTo(2.0183209, 6);
    expect(d.variance).toBeCloseTo(1.9447017, 6);
  });

  it('gamma: mean shape*scale, variance shape*scale^2', () => {
    const d = makeDistribution({ kind: 'gamma', shape: 4, scale: 2 });
    expect([d.mean, d.variance]).toEqual([8, 16]);
  });

  it('uniform: mean (low + high)/2, variance (high - low)^2 / 12', () => {
    const d = makeDistribution({ kind: 'uniform', low: 1, high: 4 });
    expect([d.mean, d.variance]).toEqual([2.5, 0.75]);
  });

  it('empirical: population mean and variance of the listed values', () => {
    const d = makeDistribution({ kind: 'empirical', values: [1, 2, 2, 5] });
    expect([d.mean, d.variance]).toEqual([2.5, 2.25]);
  });
});

describe('empirical resampling', () => {
  it('returns only listed values, each with frequency 1/n within 4.5 standard errors', () => {
    const values = [1, 2, 3, 5, 8];
    const dist = makeDistribution({ kind: 'empirical', values });
    const stream = new Streams('empirical', 0).get('e');
    const counts = new Map<number, number>();
    for (let i = 0; i < N; i++) {
      const v = dist.sample(stream);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(values);
    const p = 1 / values.length;
    for (const count of counts.values()) {
      expect(Math.abs(count / N - p)).toBeLessThan(Z * Math.sqrt((p * (1 - p)) / N));
    }
  });

  it('is not affected by later changes to the caller’s array', () => {
    const values = [1, 2];
    const dist = makeDistribution({ kind: 'empirical', values });
    values[0] = 100;
    expect(dist.mean).toBe(1.5);
    expect(dist.spec).toEqual({ kind: 'empirical', values: [1, 2] });
  });
});

describe('truncated normal acceptance limit', () => {
  it('accepts a normal with P(X >= 0) just above 1e-6 and never draws a negative', () => {
    // mean -9, sd 2: P(X >= 0) = 1 - Phi(4.5) = 3.4e-6.
    const dist = makeDistribution({ kind: 'normal', mean: -9, sd: 2 });
    const stream = new Streams('acceptance', 0).get('n');
    for (let i = 0; i < 5; i++) expect(dist.sample(stream)).toBeGreaterThanOrEqual(0);
  });

  it('rejects a normal with P(X >= 0) below 1e-6, naming the mean and sd', () => {
    // mean -10, sd 2: P(X >= 0) = 1 - Phi(5) = 2.9e-7.
    expect(() => makeDistribution({ kind: 'normal', mean: -10, sd: 2 })).toThrow(DistributionError);
    expect(() => makeDistribution({ kind: 'normal', mean: -10, sd: 2 })).toThrow(/normal mean .*got mean -10 with sd 2/);
  });
});

describe('validation names the parameter and the value', () => {
  const invalid: [DistSpec, RegExp][] = [
    [{ kind: 'fixed', value: -1 }, /^fixed value must be >= 0, got -1$/],
    [{ kind: 'fixed', value: Number.NaN }, /^fixed value must be a finite number >= 0, got NaN$/],
    [{ kind: 'exponential', mean: 0 }, /^exponential mean must be > 0, got 0$/],
    [{ kind: 'exponential', mean: Infinity }, /^exponential mean must be a finite number > 0, got Infinity$/],
    [{ kind: 'weibull', shape: -1, scale: 1 }, /^weibull shape must be > 0, got -1$/],
    [{ kind: 'weibull', shape: 1.5, scale: 0 }, /^weibull scale must be > 0, got 0$/],
    [{ kind: 'weibull', shape: Number.NaN, scale: 1 }, /^weibull shape must be a finite number > 0, got NaN$/],
    [{ kind: 'lognormal', median: 0, sigma: 1 }, /^lognormal median must be > 0, got 0$/],
    [{ kind: 'lognormal', median: 6, sigma: -0.1 }, /^lognormal sigma must be >= 0, got -0.1$/],
    [{ kind: 'lognormal', median: 6, sigma: Infinity }, /^lognormal sigma must be a finite number >= 0, got Infinity$/],
    [{ kind: 'normal', mean: Number.NaN, sd: 1 }, /^normal mean must be a finite number, got NaN$/],
    [{ kind: 'normal', mean: -Infinity, sd: 1 }, /^normal mean must be a finite number, got -Infinity$/],
    [{ kind: 'normal', mean: 4, sd: 0 }, /^normal sd must be > 0, got 0$/],
    [{ kind: 'gamma', shape: 0, scale: 1 }, /^gamma shape must be > 0, got 0$/],
    [{ kind: 'gamma', shape: 2, scale: -3 }, /^gamma scale must be > 0, got -3$/],
    [{ kind: 'uniform', low: -1, high: 2 }, /^uniform low must be >= 0, got -1$/],
    [{ kind: 'uniform', low: 2, high: 1 }, /^uniform high must be >= low \(2\), got 1$/],
    [{ kind: 'uniform', low: 0, high: Infinity }, /^uniform high must be a finite number >= low \(0\), got Infinity$/],
    [{ kind: 'empirical', values: [] }, /^empirical values must be a non-empty list, got \[\]$/],
    [{ kind: 'empirical', values: [1, -2] }, /^empirical values\[1\] must be >= 0, got -2$/],
    [{ kind: 'empirical', values: [1, 2, Number.NaN] }, /^empirical values\[2\] must be a finite number >= 0, got NaN$/],
    [{ kind: 'weibull', shape: '2', scale: 1 } as unknown as DistSpec, /^weibull shape must be a finite number > 0, got "2"$/],
    [{ kind: 'poisson', mean: 1 } as unknown as DistSpec, /^distribution kind must be one of .*, got "poisson"$/],
  ];

  it.each(invalid)('%o', (spec, message) => {
    let error: unknown;
    try {
      makeDistribution(spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DistributionError);
    expect((error as Error).message).toMatch(message);
  });

  it('lognormalMedianFromMean validates its arguments', () => {
    expect(() => lognormalMedianFromMean(0, 1)).toThrow(/^lognormal mean must be > 0, got 0$/);
    expect(() => lognormalMedianFromMean(6, Number.NaN)).toThrow(/^lognormal sigma must be a finite number >= 0, got NaN$/);
    expect(() => lognormalMedianFromMean(6, -1)).toThrow(DistributionError);
  });
});

describe('describeDistribution', () => {
  it.each<[DistSpec, string]>([
    [{ kind: 'fixed', value: 8 }, 'fixed(8 h)'],
    [{ kind: 'exponential', mean: 8 }, 'exponential(mean 8 h)'],
    [{ kind: 'weibull', shape: 1.5, scale: 40000 }, 'weibull(shape 1.5, scale 40000 h)'],
    [{ kind: 'lognormal', median: 6, sigma: 0.8 }, 'lognormal(median 6 h, sigma 0.8)'],
    [{ kind: 'normal', mean: 4, sd: 1 }, 'normal(mean 4 h, sd 1 h, negatives redrawn)'],
    [{ kind: 'gamma', shape: 2, scale: 3 }, 'gamma(shape 2, scale 3 h)'],
    [{ kind: 'uniform', low: 10 / 60, high: 1.5 }, 'uniform(0.166667 h to 1.5 h)'],
    [{ kind: 'empirical', values: [1, 2, 2, 5] }, 'empirical(4 values)'],
  ])('%o -> %s', (spec, text) => {
    expect(describeDistribution(spec)).toBe(text);
  });
});
