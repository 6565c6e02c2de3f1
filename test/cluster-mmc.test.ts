/**
 * The cluster as an M/M/c queue against Erlang C (METHODS.md "Exact answers to test against"):
 * 4 single-GPU hosts (no `load`, so always powered), Poisson arrivals at 3/h, exponential
 * runtimes with mean 1 h, one GPU per job, FCFS, no failures and no reservations. Every job fits
 * any free slot, so this is M/M/4 with offered load a = 3 Erlangs (utilisation 3/4), whose mean
 * wait in queue is Wq = C(4, 3) / (4 x 1 - 3) = 0.5094 h, computed here from models/exact.ts.
 *
 * False-failure rate. The run is seeded (the seed was chosen once and never changed), so the test
 * is deterministic; the rate stated is the chance that a correct simulator fails it at an
 * arbitrary seed. Each check uses the 99.9% interval built from the standard error of the
 * program's own 95% interval in summary.csv (same t distribution, n - 1 degrees of freedom), so
 * each has a false-failure rate of 0.1%, about 0.2% for the two together; a check of the 95%
 * intervals themselves would fail a correct program about 1 run in 10. The warm-up (100 h, about
 * 100 mean service times) removes the empty-start bias; the horizon end truncates at most a few of
 * the ~9,000 waits per replication, a bias far below the interval width.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mmcMeanWait } from '../models/exact.js';
import { tQuantile } from '../sim/stats.js';
import { read, resim, rows } from './helpers/timeline.js';

const SERVERS = 4;
const ARRIVALS_PER_HOUR = 3;
const SERVICE_PER_HOUR = 1;
const REPLICATIONS = 80;

const SCENARIO = `scenario: mmc
simulation: {horizon: 3000h, warmup: 100h, replications: ${REPLICATIONS}, seed: 20260501}
cluster:
  hosts:
    - {name: gpu, count: ${SERVERS}, gpus: 1}
  scheduler: {policy: fcfs}
  workload:
    synthetic:
      arrivals: {exponential: 20min}
      gpus: 1
      runtime: {exponential: 1h}
`;

interface Row {
  mean: number;
  low: number;
  high: number;
  n: number;
}

let summary: Map<string, Row> | null = null;

function results(): Map<string, Row> {
  if (summary) return summary;
  const dir = mkdtempSync(join(tmpdir(), 'resim-cluster-mmc-'));
  writeFileSync(join(dir, 'mmc.yaml'), SCENARIO);
  const r = resim(['run', join(dir, 'mmc.yaml'), '--out', join(dir, 'out'), '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  summary = new Map(rows(read(dir, 'out', 'summary.csv')).map((s) => [s.metric!, { mean: Number(s.mean), low: Number(s.ci_low), high: Number(s.ci_high), n: Number(s.n) }]));
  return summary;
}

/**
 * `metric`'s interval from summary.csv must contain `exact` once widened from 95% to 99.9%, and be
 * informative (relative half-width at 95% below `maxRelativeHalfWidth`, so the check has power).
 */
function expectCovers(metric: string, exact: number, maxRelativeHalfWidth: number): void {
  const s = results().get(metric);
  expect(s, `summary.csv has ${metric}`).toBeDefined();
  const { mean, low, high, n } = s!;
  expect(n).toBe(REPLICATIONS);
  expect(Number.isFinite(low) && Number.isFinite(high) && low < mean && mean < high, `${metric}: 95% CI [${low}, ${high}] around ${mean}`).toBe(true);
  const half95 = (high - low) / 2;
  const se = half95 / tQuantile(0.975, n - 1);
  const half999 = tQuantile(0.9995, n - 1) * se;
  const contains95 = low <= exact && exact <= high;
  console.log(`${metric}: exact ${exact.toFixed(5)}, simulated ${mean.toFixed(5)}, 95% CI [${low.toFixed(5)}, ${high.toFixed(5)}] (${contains95 ? 'contains' : 'misses'} it), 99.9% half-width ${half999.toFixed(5)}`);
  expect(Math.abs(mean - exact), `${metric}: ${mean} is outside the 99.9% interval ±${half999} around the exact ${exact}`).toBeLessThanOrEqual(half999);
  expect(half95 / exact, `${metric}: the interval is too wide to test anything`).toBeLessThan(maxRelativeHalfWidth);
}

describe('M/M/4 at 75% load against Erlang C', () => {
  it('the exact mean wait is the one the brief quotes (0.5094 h)', () => {
    expect(mmcMeanWait(SERVERS, ARRIVALS_PER_HOUR, SERVICE_PER_HOUR)).toBeCloseTo(0.5094, 4);
  });

  it('jobs.wait_hours: the interval contains Wq = C(4, 3) / (4 mu - lambda)', () => {
    expectCovers('jobs.wait_hours', mmcMeanWait(SERVERS, ARRIVALS_PER_HOUR, SERVICE_PER_HOUR), 0.06);
  });

  it('gpu.utilization: the interval contains lambda / (c mu) = 0.75', () => {
    expectCovers('gpu.utilization', ARRIVALS_PER_HOUR / (SERVERS * SERVICE_PER_HOUR), 0.01);
  });
});
