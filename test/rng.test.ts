/**
 * Named streams: reproducible from (seed, replication, name), independent of each other and of
 * the order of first use. Statistical checks use 4.5 standard errors: under the normal
 * approximation each has a false-failure probability of about 7e-6 (two-sided); the seeds are
 * fixed, so each run is deterministic anyway.
 */
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { moments } from './helpers/moments.js';
import { Streams, streamSeedKey, type Stream } from '../sim/rng.js';

const Z = 4.5;

function draws(stream: Stream, n: number, kind: 'uniform' | 'normal' = 'uniform'): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = kind === 'uniform' ? stream.uniform() : stream.normal();
  return out;
}

function correlation(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('stream derivation', () => {
  it('seeds Tyche-i with the first 128 bits of SHA-256(JSON [seed, replication, name]) as little-endian int32s', () => {
    // Written out independently of sim/rng.ts (Buffer reads instead of its hex parsing and cached
    // prefixes): names with quotes, backslashes, unicode and a long one (two SHA-256 blocks).
    const names = ['ups.a.3/failure', 'a "quoted" \\ name', 'Ümspannwerk/ausfall ⚡', 'x'.repeat(200), ''];
    for (const [seed, replication] of [['20261204', 0], ['tier "4"', 12345], ['', 7]] as const) {
      const streams = new Streams(seed, replication);
      for (const name of names) {
        const digest = createHash('sha256').update(JSON.stringify([seed, replication, name])).digest();
        const state = { a: digest.readInt32LE(0), b: digest.readInt32LE(4), c: digest.readInt32LE(8), d: digest.readInt32LE(12) };
        const reference = seedrandom.tychei('', { state: state as never });
        const s = streams.get(name);
        for (let k = 0; k < 5; k++) expect(s.uniform()).toBe(1 - reference.double());
      }
    }
  });
});

describe('streamSeedKey', () => {
  it('is a 256-bit hex hash', () => {
    expect(streamSeedKey('tier3', 0, 'ups.a.3/failure')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('encodes the triple unambiguously', () => {
    expect(streamSeedKey('ab', 1, 'c')).not.toBe(streamSeedKey('a', 1, 'bc'));
    expect(streamSeedKey('a1', 2, 'x')).not.toBe(streamSeedKey('a', 12, 'x'));
    expect(streamSeedKey('s', 0, 'x')).not.toBe(streamSeedKey('s', 1, 'x'));
  });
});

describe('Streams', () => {
  it('reproduces the same sequence for the same seed, replication and name', () => {
    const a = new Streams('tier3', 7).get('ups.a.3/failure');
    const b = new Streams('tier3', 7).get('ups.a.3/failure');
    expect(Array.from(draws(a, 1000))).toEqual(Array.from(draws(b, 1000)));
    expect(Array.from(draws(a, 1001, 'normal'))).toEqual(Array.from(draws(b, 1001, 'normal')));
  });

  it('gives a different sequence for a different replication, name or seed', () => {
    const base = Array.from(draws(new Streams('tier3', 7).get('ups.a.3/failure'), 100));
    for (const other of [
      new Streams('tier3', 8).get('ups.a.3/failure'),
      new Streams('tier3', 7).get('ups.a.4/failure'),
      new Streams('tier3b', 7).get('ups.a.3/failure'),
    ]) {
      const seq = Array.from(draws(other, 100));
      const equalPositions = seq.filter((u, i) => u === base[i]).length;
      expect(equalPositions).toBe(0);
    }
  });

  it('returns the same cached stream object for a name', () => {
    const streams = new Streams('s', 0);
    const first = streams.get('workload/arrivals');
    expect(streams.get('workload/arrivals')).toBe(first);
    expect(first.name).toBe('workload/arrivals');
  });

  it('gives a name the same stream whatever the order streams are first requested in', () => {
    const forward = new Streams('order', 3);
    const a1 = forward.get('a');
    const b1 = forward.get('b');
    const aSeq1: number[] = [];
    const bSeq1: number[] = [];
    for (let i = 0; i < 50; i++) {
      aSeq1.push(a1.uniform(), a1.normal());
      bSeq1.push(b1.normal(), b1.uniform());
    }

    const backward = new Streams('order', 3);
    const b2 = backward.get('b');
    const bSeq2: number[] = [];
    for (let i = 0; i < 50; i++) bSeq2.push(b2.normal(), b2.uniform());
    backward.get('c').normal();
    const a2 = backward.get('a');
    const aSeq2: number[] = [];
    for (let i = 0; i < 50; i++) aSeq2.push(a2.uniform(), a2.normal());

    expect(aSeq2).toEqual(aSeq1);
    expect(bSeq2).toEqual(bSeq1);
  });

  it('rejects a replication that is not a non-negative integer', () => {
    expect(() => new Streams('s', -1)).toThrow(/replication must be an integer >= 0, got -1/);
    expect(() => new Streams('s', 1.5)).toThrow(/got 1.5/);
    expect(() => new Streams('s', Number.NaN)).toThrow(/got NaN/);
  });
});

describe('uniform()', () => {
  const n = 1_000_000;
  const u = draws(new Streams('uniform', 0).get('u'), n);

  it('stays in (0, 1], so -log(u) is finite', () => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of u) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(1);
  });

  it('has 53-bit resolution, not 32', () => {
    let finerThan32Bits = 0;
    for (let i = 0; i < 1000; i++) {
      const v = u[i]!;
      expect(Number.isInteger(v * 2 ** 53)).toBe(true);
      if (!Number.isInteger(v * 2 ** 32)) finerThan32Bits++;
    }
    // A 32-bit uniform would give 0 here; a 53-bit one gives all but about 1000 * 2^-21.
    expect(finerThan32Bits).toBeGreaterThanOrEqual(999);
  });

  it('has mean 1/2 and variance 1/12 within 4.5 standard errors', () => {
    const { mean, variance, m4 } = moments(u);
    expect(Math.abs(mean - 0.5)).toBeLessThan(Z * Math.sqrt(variance / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(Z * Math.sqrt((m4 - variance * variance) / n));
  });

  it('is uncorrelated with its next draw (lag-1 autocorrelation)', () => {
    const r = correlation(u.subarray(0, n - 1), u.subarray(1));
    expect(Math.abs(r)).toBeLessThan(Z / Math.sqrt(n - 1));
  });
});

describe('normal()', () => {
  const n = 400_000;
  const z = draws(new Streams('normal', 0).get('z'), n, 'normal');

  it('has mean 0 and variance 1 within 4.5 standard errors', () => {
    const { mean, variance, m4 } = moments(z);
    expect(Math.abs(mean)).toBeLessThan(Z * Math.sqrt(variance / n));
    expect(Math.abs(variance - 1)).toBeLessThan(Z * Math.sqrt((m4 - variance * variance) / n));
  });

  it('puts 68.27% of draws within one standard deviation, within 4.5 standard errors', () => {
    let inside = 0;
    for (const v of z) if (Math.abs(v) < 1) inside++;
    const p = 0.6826894921370859;
    expect(Math.abs(inside / n - p)).toBeLessThan(Z * Math.sqrt((p * (1 - p)) / n));
  });

  it('makes the two deviates of a polar pair uncorrelated', () => {
    const first = new Float64Array(n / 2);
    const second = new Float64Array(n / 2);
    for (let i = 0; i < n / 2; i++) {
      first[i] = z[2 * i]!;
      second[i] = z[2 * i + 1]!;
    }
    expect(Math.abs(correlation(first, second))).toBeLessThan(Z / Math.sqrt(n / 2));
  });
});

describe('independence of streams', () => {
  const n = 200_000;
  const limit = Z / Math.sqrt(n);

  it('two names in one replication draw uncorrelated numbers', () => {
    const streams = new Streams('indep', 0);
    const r = correlation(draws(streams.get('ups.a.1/failure'), n), draws(streams.get('ups.a.2/failure'), n));
    expect(Math.abs(r)).toBeLessThan(limit);
  });

  it('one name in two consecutive replications draws uncorrelated numbers', () => {
    const r = correlation(
      draws(new Streams('indep', 0).get('ups.a.1/failure'), n),
      draws(new Streams('indep', 1).get('ups.a.1/failure'), n),
    );
    expect(Math.abs(r)).toBeLessThan(limit);
  });

  it('normals of two streams are uncorrelated', () => {
    const streams = new Streams('indep', 2);
    const r = correlation(draws(streams.get('x'), n, 'normal'), draws(streams.get('y'), n, 'normal'));
    expect(Math.abs(r)).toBeLessThan(limit);
  });
});
