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
import { estimates, expectCovers, type Estimate } from './helpers/coverage.js';
import { read, resim } from './helpers/timeline.js';

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

let summary: Map<string, Estimate> | null = null;

function results(): Map<string, Estimate> {
  if (summary) return summary;
  const dir = mkdtempSync(join(tmpdir(), 'resim-cluster-mmc-'));
  writeFileSync(join(dir, 'mmc.yaml'), SCENARIO);
  const r = resim(['run', join(dir, 'mmc.yaml'), '--out', join(dir, 'out'), '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  summary = estimates(read(dir, 'out', 'summary.csv'));
  return summary;
}

function expectCoversMetric(metric: string, exact: number, maxRelativeHalfWidth: number): void {
  const e = results().get(metric);
  expect(e?.n).toBe(REPLICATIONS);
  expectCovers(metric, e, exact, maxRelativeHalfWidth);
}

describe('M/M/4 at 75% load against Erlang C', () => {
  it('the exact mean wait is the one the brief quotes (0.5094 h)', () => {
    expect(mmcMeanWait(SERVERS, ARRIVALS_PER_HOUR, SERVICE_PER_HOUR)).toBeCloseTo(0.5094, 4);
  });

  it('jobs.wait_hours: the interval contains Wq = C(4, 3) / (4 mu - lambda)', () => {
    expectCoversMetric('jobs.wait_hours', mmcMeanWait(SERVERS, ARRIVALS_PER_HOUR, SERVICE_PER_HOUR), 0.06);
  });

  it('gpu.utilization: the interval contains lambda / (c mu) = 0.75', () => {
    expectCoversMetric('gpu.utilization', ARRIVALS_PER_HOUR / (SERVERS * SERVICE_PER_HOUR), 0.01);
  });
});
