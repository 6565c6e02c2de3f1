/**
 * An SWF trace through the whole program (the reader itself is tested in swf.test.ts): which
 * fields become a job's GPUs, runtime and walltime, which lines are skipped, and what a run of
 * them gives, on a hand-written trace (test/fixtures/cluster/small.swf) whose outcome is worked
 * out below. One 8-GPU host, FCFS.
 *
 *   job 1: submit 0 s, 4 allocated processors (requested -1), runs 3600 s, requests 7200 s
 *          -> 4 GPUs, starts 0, ends 1 h
 *   job 2: submit 60 s, 4 requested, 1800 s, no requested time -> walltime = runtime;
 *          starts 60 s (4 GPUs free), ends 60 s + 0.5 h
 *   job 3: no processor count at all -> skipped
 *   job 4: submit 120 s, 8 GPUs, runs 7200 s but requests only 3600 s -> killed at its walltime;
 *          waits for both to end: starts 1 h, ends (killed) 2 h
 *   job 5: submit 180 s, 2 GPUs, 600 s: FCFS keeps it behind job 4 -> starts 2 h, ends 2 h 10 min
 *   job 6: no run time -> skipped
 *   job 7: submit 99999 s = 27.8 h, after the 10 h horizon -> never submitted
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPS, read, resim, rows } from './helpers/timeline.js';

describe('an SWF trace through the engine', () => {
  const out = mkdtempSync(join(tmpdir(), 'resim-swf-'));
  const r = resim(['run', 'test/fixtures/cluster/swf-run.yaml', '--out', out, '--quiet', '--workers', '1']);
  const jobs = () => rows(read(out, 'jobs.csv'));
  const job = (id: number) => jobs().find((j) => Number(j.job) === id)!;

  it('lists the trace job numbers, skipping jobs with no processors or no run time and jobs after the horizon', () => {
    expect(r.code, r.stderr).toBe(0);
    expect(jobs().map((j) => Number(j.job))).toEqual([1, 2, 4, 5]);
  });

  it('takes allocated processors when none were requested, and the runtime as walltime when no time was requested', () => {
    expect(Number(job(1).gpus)).toBe(4);
    expect(Number(job(1).walltime_h)).toBeCloseTo(2, 12);
    expect(Number(job(2).gpus)).toBe(4);
    expect(Number(job(2).walltime_h)).toBeCloseTo(0.5, 12);
    expect(job(1).user).toBe('u7');
  });

  it('starts and ends each job as worked out in the header', () => {
    const expected: Record<number, [number, number, string]> = {
      1: [0, 1, 'completed'],
      2: [60 / 3600, 60 / 3600 + 0.5, 'completed'],
      4: [1, 2, 'walltime'],
      5: [2, 2 + 600 / 3600, 'completed'],
    };
    for (const [id, [start, end, status]] of Object.entries(expected)) {
      const j = job(Number(id));
      expect(Math.abs(Number(j.start_h) - start), `job ${id} start`).toBeLessThan(EPS);
      expect(Math.abs(Number(j.end_h) - end), `job ${id} end`).toBeLessThan(EPS);
      expect(j.status, `job ${id} status`).toBe(status);
    }
  });
});
