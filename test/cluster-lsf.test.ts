/**
 * LSF advance reservations through the whole program (DOMAIN.md §7.2 runtime rules, §7.11 AR
 * preemption and its worked example): each fixture in test/fixtures/cluster/ is run once by the
 * built CLI, and jobs.csv (one row per job of replication 0) must show exactly the start, end,
 * preemptions, kills and lost GPU-hours the rules give. Every case is deterministic (hand-written
 * jobs, fixed reservation times), so the tolerance only absorbs float rounding.
 *
 * Times: simulation.start defaults to 2026-01-01T00:00, so an LSF time "2:00" is 2 h of simulated
 * time; there is no warm-up, so jobs.csv times are simulated hours.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPS, ROOT, read, resim, rows } from './helpers/timeline.js';

const FIXTURES = join(ROOT, 'test/fixtures/cluster');
const YEAR = 8760;

interface JobRow {
  job: number;
  user: string;
  gpus: number;
  submit: number;
  /** First start, or null if it never started. */
  start: number | null;
  end: number | null;
  reservation: string;
  status: string;
  preemptions: number;
  kills: number;
  lost: number;
  hosts: string;
}

interface Run {
  jobs: JobRow[];
  /** summary.csv mean by metric. */
  mean: (metric: string) => number;
  /** jobs.csv as written, for failure messages. */
  csv: string;
}

const runs = new Map<string, Run>();

/** Runs a fixture once (exit 0 expected) and reads jobs.csv and summary.csv. */
function run(fixture: string): Run {
  const done = runs.get(fixture);
  if (done) return done;
  const out = join(mkdtempSync(join(tmpdir(), 'resim-cluster-lsf-')), 'out');
  // One replication: the results do not depend on the worker count (CLI.md), and one worker starts fastest.
  const r = resim(['run', join(FIXTURES, fixture), '--out', out, '--quiet', '--workers', '1']);
  expect(r.code, `resim run ${fixture} exited ${r.code}:\n${r.stderr}`).toBe(0);
  expect(existsSync(join(out, 'jobs.csv')), `${fixture}: jobs.csv`).toBe(true);
  const csv = read(out, 'jobs.csv');
  const time = (x: string | undefined) => (x === undefined || x === '' ? null : Number(x));
  const jobs = rows(csv).map((j) => ({
    job: Number(j.job),
    user: j.user!,
    gpus: Number(j.gpus),
    submit: Number(j.submit_h),
    start: time(j.start_h),
    end: time(j.end_h),
    reservation: j.reservation ?? '',
    status: j.status!,
    preemptions: Number(j.preemptions),
    kills: Number(j.kills),
    lost: Number(j.lost_gpu_h),
    hosts: j.hosts ?? '',
  }));
  const summary = new Map(rows(read(out, 'summary.csv')).map((s) => [s.metric!, Number(s.mean)]));
  const mean = (metric: string) => {
    expect(summary.has(metric), `${fixture}: summary.csv has ${metric}`).toBe(true);
    return summary.get(metric)!;
  };
  const result = { jobs, mean, csv };
  runs.set(fixture, result);
  return result;
}

/** The row of job `n` (jobs are numbered 1, 2, ... in submission order). */
function job(r: Run, n: number): JobRow {
  const row = r.jobs.find((j) => j.job === n);
  expect(row, `job ${n} in jobs.csv\n${r.csv}`).toBeDefined();
  return row!;
}

function close(actual: number | null, expected: number, what: string, r: Run): void {
  expect(actual, `${what}\n${r.csv}`).not.toBeNull();
  expect(Math.abs(actual! - expected), `${what}: got ${actual}, expected ${expected}\n${r.csv}`).toBeLessThanOrEqual(EPS);
}

const nonAr = (r: Run) => r.jobs.filter((j) => j.reservation === '');
const preempted = (r: Run) => r.jobs.filter((j) => j.preemptions > 0);

describe('§7.11 worked example: 10 slots, 9 running one-slot jobs, a 5-slot reservation with one job', () => {
  // lsf-worked-example.yaml: nine 10 h jobs start at 0:00 on host-1 (10 slots). The reservation
  // user1#0 (5 slots, closed, 2:00-4:00) is made at 0:30, after they started. Its one job (1 slot,
  // 1 h) is submitted at 1:00. At 2:00 non-AR jobs may hold only 10 - 5 = 5 slots, so 9 - 5 = 4 are
  // suspended, though the AR job needs only 1 slot (§7.11: "the number of slots obtained does not
  // depend on how many jobs were submitted to the AR").
  const fixture = 'lsf-worked-example.yaml';

  it('exactly 4 non-AR jobs are preempted, once each', () => {
    const r = run(fixture);
    expect(nonAr(r)).toHaveLength(9);
    expect(preempted(r).map((j) => j.preemptions), r.csv).toEqual([1, 1, 1, 1]);
    expect(preempted(r).every((j) => j.reservation === ''), r.csv).toBe(true);
    // jobs.preempted is per year: 4 preemptions in a 20 h horizon.
    expect(r.mean('jobs.preempted')).toBeCloseTo((4 * YEAR) / 20, 6);
  });

  it('the reservation job starts at activation (2:00), not when submitted (1:00)', () => {
    const r = run(fixture);
    const ar = job(r, 10);
    expect(ar.reservation).toBe('user1#0');
    close(ar.start, 2, 'AR job start', r);
    close(ar.end, 3, 'AR job end', r);
    expect(ar.status).toBe('completed');
    expect(ar.preemptions).toBe(0);
  });

  it('the suspended jobs resume when the reservation ends (4:00), not when its job ends (3:00)', () => {
    // The AR job finishing at 3:00 is not "another non-AR job" finishing (§7.11 resume rule), and no
    // non-AR job finishes inside the window. Each suspended job ran 0:00-2:00, waited 2:00-4:00 and
    // needs 8 h more: it ends at 12:00. The five others were never touched and end at 10:00.
    const r = run(fixture);
    for (const j of preempted(r)) close(j.end, 12, `suspended job ${j.job} end`, r);
    for (const j of nonAr(r).filter((x) => x.preemptions === 0)) close(j.end, 10, `job ${j.job} end`, r);
    for (const j of nonAr(r)) expect(j.status, `job ${j.job}`).toBe('completed');
  });

  it('reservation.utilization is the AR job\'s 1 slot-hour over the 5 slots x 2 h reserved', () => {
    expect(run(fixture).mean('reservation.utilization')).toBeCloseTo(1 / 10, 9);
  });
});

describe('the worked example with the other preemption settings (scheduler.preemption)', () => {
  it('requeue: the same 4 jobs lose their 2 h of work and restart from scratch when the reservation ends', () => {
    // Killed at 2:00 (2 h x 1 GPU lost each), requeued; non-AR jobs may use only the 5 unreserved
    // slots, all busy, until 4:00; then 10 h from scratch: 14:00.
    const r = run('lsf-worked-example-requeue.yaml');
    expect(preempted(r)).toHaveLength(4);
    for (const j of preempted(r)) {
      expect(j.kills, `job ${j.job}`).toBe(1);
      close(j.lost, 2, `job ${j.job} lost GPU-hours`, r);
      close(j.end, 14, `job ${j.job} end`, r);
      expect(j.status).toBe('completed');
    }
    close(job(r, 10).start, 2, 'AR job start', r);
  });

  it('kill: the same 4 jobs end killed at activation', () => {
    const r = run('lsf-worked-example-kill.yaml');
    expect(preempted(r)).toHaveLength(4);
    for (const j of preempted(r)) {
      expect(j.status, `job ${j.job}`).toBe('killed');
      close(j.end, 2, `job ${j.job} end`, r);
      close(j.lost, 2, `job ${j.job} lost GPU-hours`, r);
    }
    expect(nonAr(r).filter((j) => j.status === 'completed')).toHaveLength(5);
  });
});

describe('§7.11 resume rule: another non-AR job finishing inside the window frees one slot', () => {
  // lsf-resume-on-finish.yaml: job 1 (3 h) starts at 0:00, jobs 2-9 (10 h) at 0:15, the reservation
  // (5 of 10 slots, 2:00-4:00) is made at 0:30, its job (1 slot, 90 min) is submitted at 1:00.
  // At 2:00 four of jobs 2-9 are suspended (the model suspends the youngest first, so never job 1).
  // At 3:00 job 1 finishes: non-AR jobs then hold 4 of their 5 slots, so exactly one suspended job
  // resumes (3:00, 8.25 h left: ends 11:15); the other three resume at 4:00 and end at 12:15.
  const fixture = 'lsf-resume-on-finish.yaml';

  it('job 1 is not preempted and finishes at 3:00, inside the window', () => {
    const r = run(fixture);
    expect(job(r, 1).preemptions).toBe(0);
    close(job(r, 1).end, 3, 'job 1 end', r);
  });

  it('exactly one suspended job resumes at 3:00 and the other three at 4:00', () => {
    const r = run(fixture);
    const ends = preempted(r).map((j) => j.end!).sort((a, b) => a - b);
    expect(ends, r.csv).toHaveLength(4);
    close(ends[0]!, 11.25, 'the job resumed at 3:00 ends', r);
    for (const e of ends.slice(1)) close(e, 12.25, 'a job resumed at 4:00 ends', r);
    for (const j of nonAr(r).filter((x) => x.job !== 1 && x.preemptions === 0)) close(j.end, 10.25, `job ${j.job} end`, r);
  });

  it('the reservation job runs undisturbed from activation', () => {
    const r = run(fixture);
    close(job(r, 10).start, 2, 'AR job start', r);
    close(job(r, 10).end, 3.5, 'AR job end', r);
  });
});

describe('§7.2 expiry: closed kills, open lets the job continue as a normal job', () => {
  it('closed: the running reservation job is killed at 4:00 and loses its 2 h x 2 GPUs', () => {
    // lsf-expiry-closed.yaml: as the worked example, but the AR job needs 2 GPUs for 5 h.
    const r = run('lsf-expiry-closed.yaml');
    const ar = job(r, 10);
    close(ar.start, 2, 'AR job start', r);
    close(ar.end, 4, 'AR job end (killed at expiry)', r);
    expect(ar.status).toBe('killed');
    expect(ar.kills).toBe(1);
    close(ar.lost, 2 * 2, 'AR job lost GPU-hours', r);
  });

  it('closed: a reservation job still pending at expiry is terminated without running and loses nothing', () => {
    // Job 11 (4 GPUs) never fits beside job 10 in the 5 reserved slots (§7.2: "If the AR is closed,
    // jobs in WAIT state are terminated at expiry").
    const r = run('lsf-expiry-closed.yaml');
    const waiting = job(r, 11);
    expect(waiting.start, r.csv).toBeNull();
    expect(waiting.status).toBe('killed');
    close(waiting.end, 4, 'pending AR job terminated at', r);
    close(waiting.lost, 0, 'pending AR job lost GPU-hours', r);
  });

  it('closed: the jobs suspended at activation run again after expiry; the loss is in gpu_hours.lost', () => {
    const r = run('lsf-expiry-closed.yaml');
    expect(preempted(r)).toHaveLength(4);
    for (const j of preempted(r)) close(j.end, 12, `suspended job ${j.job} end`, r);
    // 4 GPU-hours lost in 20 h, per year.
    expect(r.mean('gpu_hours.lost')).toBeCloseTo((4 * YEAR) / 20, 6);
  });

  it('open: the reservation job is not killed; it continues after 4:00 and completes at 7:00', () => {
    // lsf-expiry-open.yaml: the same with type: open. At 4:00 the job is detached and resumed first
    // as a normal job (§7.2), so it runs 2:00-7:00 without a gap.
    const r = run('lsf-expiry-open.yaml');
    const ar = job(r, 10);
    close(ar.start, 2, 'AR job start', r);
    close(ar.end, 7, 'AR job end', r);
    expect(ar.status).toBe('completed');
    expect(ar.kills).toBe(0);
    close(ar.lost, 0, 'AR job lost GPU-hours', r);
    expect(r.mean('gpu_hours.lost')).toBe(0);
  });

  it('open: the jobs suspended at activation resume only after the open-reservation job finishes (§7.2)', () => {
    // DOMAIN.md §7.2, open ARs: "Jobs submitted before the AR became active are still suspended when
    // it becomes active. They resume only after the open-reservation jobs finish." The open job
    // finishes at 7:00, so each of the four ran 0:00-2:00 and resumes at 7:00 with 8 h left: 15:00.
    const r = run('lsf-expiry-open.yaml');
    expect(preempted(r)).toHaveLength(4);
    for (const j of preempted(r)) close(j.end, 15, `suspended job ${j.job} end`, r);
  });
});

describe('§7.2 scheduling around reservations', () => {
  it('a job that would still run when a known reservation activates is not dispatched onto its slots', () => {
    // lsf-no-dispatch-into-reservation.yaml: the worked example with the reservation known from
    // 0:00. Only 10 - 5 = 5 of the nine 10 h jobs may start at 0:00; the other four would be
    // suspended at 2:00, so they wait until the reservation ends at 4:00 (10 h: end 14:00). A 1 h
    // job (job 10) ends before 2:00 and may use a reserved slot meanwhile: it starts at 0:00.
    const r = run('lsf-no-dispatch-into-reservation.yaml');
    const long = r.jobs.filter((j) => j.job <= 9);
    expect(long.filter((j) => j.start === 0).length, r.csv).toBe(5);
    const late = long.filter((j) => j.start !== 0);
    expect(late, r.csv).toHaveLength(4);
    for (const j of late) close(j.start, 4, `job ${j.job} start`, r);
    close(job(r, 10).start, 0, 'short job start', r);
    close(job(r, 11).start, 2, 'AR job start', r);
    expect(preempted(r), 'nobody is preempted: nothing was dispatched into the reservation').toHaveLength(0);
  });

  it('with two overlapping reservations on a host, no job is dispatched that either would preempt', () => {
    // lsf-two-upcoming.yaml: r1 (3 slots, 2:00-4:00) and r2 (3 slots, 3:00-5:00) on one 10-slot
    // host, both known at 0:00. A 10 h job started at 0:00 runs through 3:00-4:00, when only
    // 10 - 3 - 3 = 4 slots are left to normal jobs, so at most 4 of the ten may start at 0:00 and
    // none is ever preempted (§7.2: "LSF does not dispatch jobs that might be suspended when a
    // reservation becomes active").
    const r = run('lsf-two-upcoming.yaml');
    const long = r.jobs.filter((j) => j.reservation === '');
    expect(long).toHaveLength(10);
    expect(long.filter((j) => j.start === 0).length, r.csv).toBeLessThanOrEqual(4);
    expect(preempted(r), r.csv).toHaveLength(0);
    close(job(r, 11).start, 2, 'r1 job start', r);
    close(job(r, 12).start, 3, 'r2 job start', r);
  });

  it('a system reservation closes its hosts: the job on it is suspended and nothing starts there', () => {
    // lsf-system.yaml: two 2-GPU hosts. Job 1 (1 GPU, 10 h) is placed on host-1, job 2 (2 GPUs,
    // 10 h) on host-2, at 0:00. The system reservation on host-1 (2:00-4:00) is made at 1:00.
    // Job 1 is suspended over 2:00-4:00 and ends at 12:00. Job 3 (1 GPU, 1 h), submitted at 2:30,
    // finds host-1 closed (though both its slots are idle) and host-2 full: it starts at 4:00.
    const r = run('lsf-system.yaml');
    expect(job(r, 1).hosts).toBe('host-1');
    expect(job(r, 1).preemptions).toBe(1);
    close(job(r, 1).end, 12, 'job 1 end', r);
    expect(job(r, 2).preemptions).toBe(0);
    close(job(r, 2).end, 10, 'job 2 end', r);
    close(job(r, 3).start, 4, 'job 3 start', r);
    close(job(r, 3).end, 5, 'job 3 end', r);
  });

  it('a non-AR job submitted while an open reservation is active stays pending until it expires', () => {
    // lsf-open-held.yaml: an open reservation of 5 of 10 slots, 2:00-4:00, with no jobs in it. A
    // 1-slot job submitted at 3:00 waits, with 10 slots idle, until 4:00.
    const r = run('lsf-open-held.yaml');
    close(job(r, 1).start, 4, 'held job start', r);
    close(job(r, 1).end, 5, 'held job end', r);
  });

  it('at open expiry the detached reservation job resumes before jobs held during the window start', () => {
    // lsf-open-resume-first.yaml: 6 slots; the open reservation (5 slots, 2:00-4:00) runs a 5-slot
    // 3 h job from 2:00. Jobs 2 (1 slot, 1 h) and 3 (5 slots, 1 h) are submitted at 3:00 and held.
    // At 4:00 the AR job is resumed first (§7.2) and keeps running to 5:00; job 2 takes the free
    // slot at 4:00; job 3 waits for the AR job to finish and starts at 5:00.
    const r = run('lsf-open-resume-first.yaml');
    close(job(r, 1).start, 2, 'AR job start', r);
    close(job(r, 1).end, 5, 'AR job end', r);
    expect(job(r, 1).status).toBe('completed');
    close(job(r, 2).start, 4, 'job 2 start', r);
    close(job(r, 3).start, 5, 'job 3 start', r);
  });

  it('a recurring open reservation suspends its running job at expiry and resumes it at the next instance', () => {
    // lsf-recurring-open.yaml: every day 2:00-4:00 (window "2:00-4:00"); a 3 h job submitted into it
    // at 1:00 runs 2:00-4:00, is suspended (§7.2: "stay pending until the reservation becomes active
    // again"), resumes at 26:00 (next day 2:00) and finishes its last hour at 27:00, although the
    // host is idle in between.
    const r = run('lsf-recurring-open.yaml');
    const ar = job(r, 1);
    close(ar.start, 2, 'start', r);
    close(ar.end, 27, 'end', r);
    expect(ar.status).toBe('completed');
    expect(ar.kills).toBe(0);
  });
});
