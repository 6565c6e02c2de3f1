/**
 * EASY backfilling (Lifka 1995; Mu'alem & Feitelson 2001, IEEE TPDS 12(6)) through the whole
 * engine: hand-written jobs (`cluster.workload.jobs`) on one host, run by the built CLI, with the
 * exact start times in jobs.csv derived by hand in each case.
 *
 * The rule checked: jobs start in order while they fit; the first that does not (the head) gets a
 * reservation at its shadow time (when enough slots are free for it, releasing running jobs at
 * start + requested walltime); a later job may start now if it ends (now + walltime) by the shadow
 * time, or if it needs no more than the extra slots (free at the shadow time beyond the head's
 * need). Only the head is protected. Walltime defaults to the runtime.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPS, read, resim, rows } from './helpers/timeline.js';

interface HandJob {
  /** Hours. */
  submit: number;
  gpus: number;
  runtime: number;
  walltime?: number;
}

type Policy = 'fcfs' | 'easy_backfill';

/** A scenario of `jobs` on one host with `gpus` GPUs, scheduled by `policy`. */
function scenario(name: string, policy: Policy, gpus: number, jobs: HandJob[]): string {
  const list = jobs
    .map((j) => `      - {submit: ${j.submit}h, gpus: ${j.gpus}, runtime: ${j.runtime}h${j.walltime === undefined ? '' : `, walltime: ${j.walltime}h`}}`)
    .join('\n');
  return `scenario: ${name}
simulation: {horizon: 100h, replications: 1, seed: 1}
cluster:
  hosts:
    - {name: host, count: 1, gpus: ${gpus}}
  scheduler: {policy: ${policy}}
  workload:
    jobs:
${list}
`;
}

/** Runs the scenario and returns jobs.csv's start_h (and end_h) of jobs 1, 2, ... in order. */
function starts(name: string, policy: Policy, gpus: number, jobs: HandJob[]): { start: number[]; end: number[]; csv: string } {
  const dir = mkdtempSync(join(tmpdir(), 'resim-cluster-easy-'));
  writeFileSync(join(dir, `${name}.yaml`), scenario(name, policy, gpus, jobs));
  // One replication: the results do not depend on the worker count (CLI.md), and one worker starts fastest.
  const r = resim(['run', join(dir, `${name}.yaml`), '--out', join(dir, 'out'), '--quiet', '--workers', '1']);
  expect(r.code, `${name} (${policy}) exited ${r.code}:\n${r.stderr}`).toBe(0);
  const csv = read(dir, 'out', 'jobs.csv');
  const table = rows(csv);
  expect(table.map((j) => Number(j.job)), csv).toEqual(jobs.map((_, i) => i + 1));
  for (const j of table) expect(j.status, `${name} (${policy}): job ${j.job} should complete\n${csv}`).toBe('completed');
  return { start: table.map((j) => Number(j.start_h)), end: table.map((j) => Number(j.end_h)), csv };
}

function expectStarts(got: { start: number[]; csv: string }, expected: number[]): void {
  expect(got.start.length, got.csv).toBe(expected.length);
  got.start.forEach((s, i) => expect(Math.abs(s - expected[i]!), `job ${i + 1}: started at ${s}, expected ${expected[i]}\n${got.csv}`).toBeLessThanOrEqual(EPS));
}

describe('EASY backfilling through the engine: exact start times', () => {
  it('no backfill when the candidate would delay the head', () => {
    // 4 GPUs. J1 (2 GPUs, 10 h) starts at 0. J2 (4 GPUs) arrives at 1 and does not fit (2 free): it
    // is the head, shadow time 10 (J1 ends), extra slots at 10: 4 - 4 = 0. J3 (2 GPUs, 9 h) arrives
    // at 2 and fits now, but would end at 11 > 10 and needs 2 > 0 extra slots: it must wait.
    // J2 starts at 10 (ends 15); J3 then starts at 15.
    const jobs = [
      { submit: 0, gpus: 2, runtime: 10 },
      { submit: 1, gpus: 4, runtime: 5 },
      { submit: 2, gpus: 2, runtime: 9 },
    ];
    expectStarts(starts('easy-no-backfill', 'easy_backfill', 4, jobs), [0, 10, 15]);
  });

  it('a short job backfills because it ends before the shadow time', () => {
    // As above, but J3 runs 7 h: it would end at 2 + 7 = 9 <= shadow 10, so it starts at 2 and is
    // gone (9) before J2 starts at 10.
    const jobs = [
      { submit: 0, gpus: 2, runtime: 10 },
      { submit: 1, gpus: 4, runtime: 5 },
      { submit: 2, gpus: 2, runtime: 7 },
    ];
    const got = starts('easy-short', 'easy_backfill', 4, jobs);
    expectStarts(got, [0, 10, 2]);
    expect(got.end[2]).toBeCloseTo(9, 9);
  });

  it('a job ending exactly at the shadow time may backfill', () => {
    // J3 runs 8 h: it ends at 2 + 8 = 10 = the shadow time ("terminates by the shadow time"), so
    // it starts at 2 and J2 still starts at 10.
    const jobs = [
      { submit: 0, gpus: 2, runtime: 10 },
      { submit: 1, gpus: 4, runtime: 5 },
      { submit: 2, gpus: 2, runtime: 8 },
    ];
    expectStarts(starts('easy-at-shadow', 'easy_backfill', 4, jobs), [0, 10, 2]);
  });

  it('a long job backfills into the extra slots', () => {
    // 8 GPUs. J1 (6 GPUs, 10 h) starts at 0; 2 free. J2 (4 GPUs) at 1 is the head: shadow 10, when
    // 8 are free, so 8 - 4 = 4 extra. J3 (2 GPUs, 20 h) at 2 fits now and ends at 22 > 10, but
    // 2 <= 4 extra slots: it starts at 2. At 10 J2 has 8 - 2 = 6 >= 4 free and starts on time.
    const jobs = [
      { submit: 0, gpus: 6, runtime: 10 },
      { submit: 1, gpus: 4, runtime: 5 },
      { submit: 2, gpus: 2, runtime: 20 },
    ];
    expectStarts(starts('easy-extra', 'easy_backfill', 8, jobs), [0, 10, 2]);
  });

  it('backfilling plans with the requested walltime, not the actual runtime', () => {
    // Under-used request: J3 really runs 7 h (would end at 9) but asks for 12 h, so EASY must assume
    // it ends at 14 > shadow 10 with 0 extra slots: no backfill. J2 runs 10-15, J3 starts at 15.
    const under = [
      { submit: 0, gpus: 2, runtime: 10 },
      { submit: 1, gpus: 4, runtime: 5 },
      { submit: 2, gpus: 2, runtime: 7, walltime: 12 },
    ];
    expectStarts(starts('easy-walltime-candidate', 'easy_backfill', 4, under), [0, 10, 15]);
    // Over-estimated running job: J1 runs 10 h but asked for 12 h, so J2's shadow time is 12. J3
    // (2 GPUs, 9 h) ends at 11 <= 12 and backfills at 2. J1 really ends at 10, J3 at 11: J2 starts
    // at 11, before its guaranteed 12.
    const over = [
      { submit: 0, gpus: 2, runtime: 10, walltime: 12 },
      { submit: 1, gpus: 4, runtime: 5 },
      { submit: 2, gpus: 2, runtime: 9 },
    ];
    expectStarts(starts('easy-walltime-running', 'easy_backfill', 4, over), [0, 11, 2]);
  });

  it('fcfs vs easy_backfill on the same jobs', () => {
    // The short-job case: FCFS stops at the blocked J2, so J3 waits for J2: J2 10-15, J3 at 15.
    // EASY starts J3 at 2 (ends 9 <= shadow 10) without delaying J2.
    const jobs = [
      { submit: 0, gpus: 2, runtime: 10 },
      { submit: 1, gpus: 4, runtime: 5 },
      { submit: 2, gpus: 2, runtime: 7 },
    ];
    const fcfs = starts('cmp-fcfs', 'fcfs', 4, jobs);
    const easy = starts('cmp-easy', 'easy_backfill', 4, jobs);
    expectStarts(fcfs, [0, 10, 15]);
    expectStarts(easy, [0, 10, 2]);
    // Same head start, and the backfilled job waits 13 h less.
    expect(easy.start[1]).toBe(fcfs.start[1]);
    expect(fcfs.start[2]! - easy.start[2]!).toBeCloseTo(13, 9);
  });

  it('only the head is protected: backfilling may delay the second waiting job (EASY, unlike FCFS)', () => {
    // 4 GPUs. J1 (3 GPUs, 10 h) starts at 0; 1 free. J2 (2 GPUs, 10 h) at 1 is the head: shadow 10,
    // extra 4 - 2 = 2. J3 (2 GPUs, 10 h) at 1.5 does not fit now. J4 (1 GPU, 15 h) at 2 fits, ends
    // at 17 > 10, but 1 <= 2 extra: it starts at 2. At 10 J1 ends: J2 starts (free 4 - 1 - 2 = 1);
    // J3 (now the head) needs 2 and gets them when J4 ends at 17.
    // FCFS: J2 and J3 both start at 10 (4 free), J4 waits for them until 20.
    const jobs = [
      { submit: 0, gpus: 3, runtime: 10 },
      { submit: 1, gpus: 2, runtime: 10 },
      { submit: 1.5, gpus: 2, runtime: 10 },
      { submit: 2, gpus: 1, runtime: 15 },
    ];
    expectStarts(starts('head-only-easy', 'easy_backfill', 4, jobs), [0, 10, 17, 2]);
    expectStarts(starts('head-only-fcfs', 'fcfs', 4, jobs), [0, 10, 10, 20]);
  });
});
