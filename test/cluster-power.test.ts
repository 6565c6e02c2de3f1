/**
 * Jobs on hosts that lose power (SCENARIOS.md "Cluster": `hosts[].load`, `boot`,
 * `scheduler.on_power_loss`, `checkpoint`), through the built CLI, with hand-derived outcomes.
 *
 * The fixtures (test/fixtures/cluster/power-*.yaml) share one facility: load-a on utility-a, whose
 * fixed outages make it unpowered over [100 h, 102 h) exactly (the next outage would begin at
 * 202 h, after the 200 h horizon), and load-b on a utility that never fails. Host a-1 (4 GPUs,
 * boot 30 min) is on load-a, host b-1 (6 GPUs, boot 30 min) on load-b. Jobs, numbered in
 * submission order:
 *   1: 6 GPUs, 150 h, submitted 0      -> b-1 (the only host with 6 GPUs)
 *   2: 2 GPUs,  20 h, submitted 0      -> a-1, done at 20 h, long before the outage
 *   3: 2 GPUs,  80 h, submitted 60 h   -> a-1 (b-1 is full), running at 100 h
 *   4: 2 GPUs,  50 h, submitted 70.25 h -> a-1, running at 100 h
 * No warm-up, so jobs.csv times are simulated hours.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPS, ROOT, read, resim, rows } from './helpers/timeline.js';

const FIXTURES = join(ROOT, 'test/fixtures/cluster');
const HORIZON = 200;
const YEAR = 8760;

interface Result {
  jobs: Array<Record<string, string>>;
  mean: (metric: string) => number;
  incidents: Array<Record<string, string>>;
  csv: string;
}

const runs = new Map<string, Result>();

function run(fixture: string): Result {
  const done = runs.get(fixture);
  if (done) return done;
  const out = join(mkdtempSync(join(tmpdir(), 'resim-cluster-power-')), 'out');
  // One replication: the results do not depend on the worker count (CLI.md), and one worker starts fastest.
  const r = resim(['run', join(FIXTURES, fixture), '--out', out, '--quiet', '--workers', '1']);
  expect(r.code, `resim run ${fixture} exited ${r.code}:\n${r.stderr}`).toBe(0);
  const csv = read(out, 'jobs.csv');
  const summary = new Map(rows(read(out, 'summary.csv')).map((s) => [s.metric!, Number(s.mean)]));
  const result: Result = {
    jobs: rows(csv),
    mean: (metric) => {
      expect(summary.has(metric), `${fixture}: summary.csv has ${metric}`).toBe(true);
      return summary.get(metric)!;
    },
    incidents: rows(read(out, 'incidents.csv')),
    csv,
  };
  runs.set(fixture, result);
  return result;
}

interface Expected {
  start: number;
  end: number;
  status: 'completed' | 'killed';
  kills: number;
  lost: number;
  hosts: string;
}

/** Job `n`'s row matches `e` exactly (times and GPU-hours within float rounding). */
function expectJob(r: Result, n: number, e: Expected): void {
  const row = r.jobs.find((j) => Number(j.job) === n);
  expect(row, `job ${n}\n${r.csv}`).toBeDefined();
  const why = (what: string) => `job ${n} ${what}\n${r.csv}`;
  expect(Math.abs(Number(row!.start_h) - e.start), why('start_h')).toBeLessThanOrEqual(EPS);
  expect(Math.abs(Number(row!.end_h) - e.end), why('end_h')).toBeLessThanOrEqual(EPS);
  expect(row!.status, why('status')).toBe(e.status);
  expect(Number(row!.kills), why('kills')).toBe(e.kills);
  expect(Math.abs(Number(row!.lost_gpu_h) - e.lost), why('lost_gpu_h')).toBeLessThanOrEqual(EPS);
  expect(Number(row!.preemptions), why('preemptions')).toBe(0);
  expect(row!.hosts, why('hosts')).toBe(e.hosts);
}

describe('a facility load loses power at 100 h for 2 h; the other load stays powered', () => {
  it('the outage is the one the fixture states: load-a only, 100 h to 102 h', () => {
    const r = run('power-requeue.yaml');
    expect(r.incidents.map((i) => [i.load, Number(i.start_h), Number(i.end_h)])).toEqual([['load-a', 100, 102]]);
  });

  it('requeue: exactly the jobs running on load-a hosts are killed, losing their work since start x GPUs', () => {
    // Job 3 ran 60-100 h: 40 h x 2 GPUs = 80 GPU-h lost; job 4 ran 70.25-100 h: 29.75 h x 2 = 59.5.
    // Both are requeued and restart from scratch when a-1 is usable again: power back at 102 h plus
    // 30 min boot = 102.5 h; job 3 ends at 102.5 + 80 = 182.5, job 4 at 102.5 + 50 = 152.5.
    // Job 1 on b-1 is untouched (ends at 150 h); job 2 had already finished.
    const r = run('power-requeue.yaml');
    expectJob(r, 1, { start: 0, end: 150, status: 'completed', kills: 0, lost: 0, hosts: 'b-1' });
    expectJob(r, 2, { start: 0, end: 20, status: 'completed', kills: 0, lost: 0, hosts: 'a-1' });
    expectJob(r, 3, { start: 60, end: 182.5, status: 'completed', kills: 1, lost: 80, hosts: 'a-1' });
    expectJob(r, 4, { start: 70.25, end: 152.5, status: 'completed', kills: 1, lost: 59.5, hosts: 'a-1' });
    // Per year (8760 h) from one 200 h replication.
    expect(r.mean('jobs.killed')).toBeCloseTo((2 * YEAR) / HORIZON, 6);
    expect(r.mean('gpu_hours.lost')).toBeCloseTo(((80 + 59.5) * YEAR) / HORIZON, 6);
  });

  it('fail: the same two jobs end killed at 100 h; a job submitted during the outage waits for the boot', () => {
    // power-fail.yaml adds job 5 (4 GPUs, 10 h) at 101 h: b-1 is full, a-1 is down until 102 h and
    // booting until 102.5 h, so job 5 starts at 102.5 h on a-1 and ends at 112.5 h.
    const r = run('power-fail.yaml');
    expectJob(r, 1, { start: 0, end: 150, status: 'completed', kills: 0, lost: 0, hosts: 'b-1' });
    expectJob(r, 2, { start: 0, end: 20, status: 'completed', kills: 0, lost: 0, hosts: 'a-1' });
    expectJob(r, 3, { start: 60, end: 100, status: 'killed', kills: 1, lost: 80, hosts: 'a-1' });
    expectJob(r, 4, { start: 70.25, end: 100, status: 'killed', kills: 1, lost: 59.5, hosts: 'a-1' });
    expectJob(r, 5, { start: 102.5, end: 112.5, status: 'completed', kills: 0, lost: 0, hosts: 'a-1' });
    expect(r.mean('jobs.killed')).toBeCloseTo((2 * YEAR) / HORIZON, 6);
  });

  it('with checkpoints, a killed job loses only the time since its last checkpoint and restarts from it', () => {
    // power-checkpoint.yaml: power-requeue with checkpoint {interval: 7h, cost: 30min}. A job writes a
    // checkpoint after every 7 h of work, which takes 30 min: checkpoint k is complete after
    // k x 7.5 h of wall time and saves 7k h of work; a job of W hours of work takes
    // W + (ceil(W / 7) - 1) x 0.5 h (no checkpoint after the last piece).
    // Job 1: 150 + 21 x 0.5 = 160.5 h. Job 2: 20 + 2 x 0.5 = 21 h.
    // Job 3: 40 h of wall time at 100 h; 5 checkpoints done by 37.5 h (35 h saved): lost
    //   (40 - 37.5) x 2 = 5 GPU-h; 45 h of work left: 45 + 6 x 0.5 = 48 h from 102.5 h: ends 150.5 h.
    // Job 4: 29.75 h of wall time; 3 checkpoints by 22.5 h (21 h saved): lost (29.75 - 22.5) x 2 =
    //   14.5 GPU-h; 29 h left: 29 + 4 x 0.5 = 31 h from 102.5 h: ends 133.5 h.
    const r = run('power-checkpoint.yaml');
    expectJob(r, 1, { start: 0, end: 160.5, status: 'completed', kills: 0, lost: 0, hosts: 'b-1' });
    expectJob(r, 2, { start: 0, end: 21, status: 'completed', kills: 0, lost: 0, hosts: 'a-1' });
    expectJob(r, 3, { start: 60, end: 150.5, status: 'completed', kills: 1, lost: 5, hosts: 'a-1' });
    expectJob(r, 4, { start: 70.25, end: 133.5, status: 'completed', kills: 1, lost: 14.5, hosts: 'a-1' });
    expect(r.mean('gpu_hours.lost')).toBeCloseTo(((5 + 14.5) * YEAR) / HORIZON, 6);
  });
});
