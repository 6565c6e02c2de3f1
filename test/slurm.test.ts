/**
 * The Slurm recipe (slurm/, issue 7) through a real Slurm: a single-node cluster started for the
 * test (munged, slurmctld, slurmd in a temp folder, test/helpers/slurm-cluster.ts), the study
 * submitted with slurm/submit.sh exactly as a user would (a job array, one task per shard, and a
 * merge job with --dependency=afterok), and the merged results compared byte for byte with an
 * unsharded `resim run` of the same scenario, seed and replication count.
 *
 * Without Slurm (no sbatch, slurmctld, slurmd or munged; .ci/run installs Debian's slurm-wlm and
 * munge) or without root, the tests are reported as skipped with the reason, never as passed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { slurmCluster, slurmUnavailable, type SlurmCluster } from './helpers/slurm-cluster.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const SUBMIT = join(ROOT, 'slurm/submit.sh');
const SCENARIO = join(ROOT, 'scenarios/tier1-single-path.yaml');
const REPLICATIONS = 40;
const SEED = 'slurm-test';
/** The files that must be byte-identical to an unsharded run (CLI.md "Determinism"). */
const FILES = ['summary.csv', 'replications.csv', 'incidents.csv', 'causes.csv'];
/** Job states after which a job will not run again. */
const ACTIVE = /^(PENDING|CONFIGURING|RUNNING|COMPLETING|SUSPENDED|REQUEUED|REQUEUE_FED|REQUEUE_HOLD|RESIZING|SIGNALING|STAGE_OUT)$/;
const WAIT_MS = 90_000;

const unavailable = slurmUnavailable();
if (unavailable !== null) console.warn(`test/slurm.test.ts skipped: ${unavailable}`);

const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An unsharded run on this machine, outside Slurm: the reference the merge must reproduce. */
function runUnsharded(file: string, out: string): void {
  const r = spawnSync(process.execPath, [CLI, 'run', file, '--replications', String(REPLICATIONS), '--seed', SEED, '--out', out, '--quiet'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

describe.skipIf(unavailable !== null)(`Slurm job array + merge job (${unavailable === null ? 'a single-node cluster started by the test' : `skipped: ${unavailable}`})`, () => {
  let cluster: SlurmCluster | undefined;
  let work: string;
  /** The folders are removed at the end unless something failed (then they are kept and named). */
  let keep = false;

  beforeAll(async () => {
    expect(existsSync(CLI), `${CLI}: build first (npm run build)`).toBe(true);
    work = mkdtempSync(join(tmpdir(), 'resim-slurm-study-'));
    cluster = slurmCluster();
    try {
      await cluster.start();
    } catch (err) {
      keep = true;
      throw err;
    }
  }, 100_000);

  afterAll(async () => {
    await cluster?.stop();
    const dirs = [cluster?.dir, work].filter((d): d is string => d !== undefined);
    if (keep) console.warn(`test/slurm.test.ts: kept ${dirs.join(' and ')} for inspection`);
    else for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 60_000);

  /** slurm/submit.sh as a user runs it; returns the array and merge job ids. */
  function submit(scenario: string, shards: number, out: string): { array: string; merge: string } {
    const env = { ...cluster!.env, RESIM_SCENARIO: scenario, RESIM_REPLICATIONS: String(REPLICATIONS), RESIM_SHARDS: String(shards), RESIM_SEED: SEED, RESIM_OUT: out, RESIM_NODE: process.execPath };
    const r = spawnSync('bash', [SUBMIT], { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, `slurm/submit.sh failed:\n${r.stderr}`).toBe(0);
    const m = /array job (\d+): .*merge job (\d+) \(afterok:(\d+)\)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(m![3]).toBe(m![1]);
    cluster!.track(m![1]!, m![2]!);
    return { array: m![1]!, merge: m![2]! };
  }

  /** Every record (array task) of a job: its state, from scontrol (no accounting database needed). */
  function states(job: string): string[] {
    return [...cluster!.run('scontrol', ['show', 'job', '-o', job]).matchAll(/\bJobState=(\S+)/g)].map((m) => m[1]!);
  }

  function jobLogs(out: string): string {
    const dir = join(out, 'logs');
    if (!existsSync(dir)) return '(no job logs)';
    return readdirSync(dir)
      .sort()
      .map((f) => `--- ${f}:\n${read(dir, f).trimEnd()}`)
      .join('\n');
  }

  /** Waits (at most WAIT_MS) until the jobs have ended; returns their states. */
  async function finished(jobs: { array: string; merge: string }, out: string): Promise<{ array: string[]; merge: string[] }> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const now = { array: states(jobs.array), merge: states(jobs.merge) };
      if (![...now.array, ...now.merge].some((s) => ACTIVE.test(s))) return now;
      if (Date.now() > deadline) {
        throw new Error(`jobs still running after ${WAIT_MS / 1000} s: array ${now.array.join(',')}, merge ${now.merge.join(',')}\n${jobLogs(out)}\n${cluster!.logs()}`);
      }
      await sleep(500);
    }
  }

  it(`4 array tasks of ${REPLICATIONS} replications of tier1-single-path merge into exactly the unsharded results`, async () => {
    onTestFailed(() => {
      keep = true;
    });
    const out = join(work, 'single');
    const jobs = submit(SCENARIO, 4, out);
    const reference = join(work, 'unsharded');
    runUnsharded(SCENARIO, reference); // while the jobs run

    const ended = await finished(jobs, out);
    const logs = jobLogs(out);
    expect(ended.array, logs).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(ended.merge, logs).toEqual(['COMPLETED']);

    // Each array task ran its own shard: K-1, K-1+4, ... of the 40 replications.
    for (let k = 1; k <= 4; k++) {
      const shard = JSON.parse(read(out, 'shards', `shard-${k}-of-4`, 'shard.json')) as { shard: number; shards: number; indices: number[]; seed: string };
      expect([shard.shard, shard.shards, shard.seed]).toEqual([k, 4, SEED]);
      expect(shard.indices).toEqual(Array.from({ length: 10 }, (_, j) => k - 1 + 4 * j));
    }

    const merged = join(out, 'merged');
    for (const f of FILES) expect(read(merged, f), `${f} after the Slurm merge`).toBe(read(reference, f));
    expect(read(merged, 'replications.csv').trimEnd().split('\n')).toHaveLength(REPLICATIONS + 1);
    expect(read(merged, 'incidents.csv').trimEnd().split('\n').length).toBeGreaterThan(10);
    const run = JSON.parse(read(merged, 'run.json')) as { merged_from_shards: number; replications: number; seed: string };
    expect([run.merged_from_shards, run.replications, run.seed]).toEqual([4, REPLICATIONS, SEED]);
  });

  it('a sweep fans out one task per point and shard; each merged point folder is the unsharded sweep point folder', async () => {
    onTestFailed(() => {
      keep = true;
    });
    // tier1-single-path swept over its UPS redundancy: 2 points x 2 shards = 4 array tasks.
    const sweep = join(work, 'tier1-ups-sweep.yaml');
    writeFileSync(sweep, read(SCENARIO) + '\nsweep:\n  parameter: components.ups.redundancy\n  values: [N, N+1]\n');
    const out = join(work, 'sweep');
    const jobs = submit(sweep, 2, out);
    const reference = join(work, 'unsharded-sweep');
    runUnsharded(sweep, reference);

    const ended = await finished(jobs, out);
    const logs = jobLogs(out);
    expect(ended.array, logs).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(ended.merge, logs).toEqual(['COMPLETED']);

    for (const point of ['N', 'N+1']) {
      for (const f of FILES) expect(read(out, 'merged', point, f), `${point}/${f} after the Slurm merge`).toBe(read(reference, point, f));
      expect(read(out, 'merged', point, 'replications.csv').trimEnd().split('\n')).toHaveLength(REPLICATIONS + 1);
    }
    // The points differ (the sweep did set the value): N+1 adds a UPS module.
    expect(read(out, 'merged', 'N+1', 'replications.csv')).not.toBe(read(out, 'merged', 'N', 'replications.csv'));
  });
});
