/**
 * Interrupted runs, resumed runs, runaway models and dying workers, through the built program
 * (issue 8). A run stopped by SIGINT/SIGTERM writes the replications 0..k-1 it completed, marked
 * partial, and exits 130/143; `--resume DIR` then writes exactly what an uninterrupted run writes.
 *
 * RESIM_TEST_INTERRUPT=<n>[:SIG] makes the program send itself the signal (through the OS, the
 * same path as kill -TERM) once n replications are done, so the point of interruption is known;
 * one test also kills the process from outside while a worker is stuck.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const LOOP = join(ROOT, 'test/fixtures/hardening/zero-delay-loop.yaml');
const TIER4 = 'scenarios/tier4-2n1.yaml';
const UPS = 'scenarios/ups-modules-n1.yaml';

function resim(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RESIM_TEST_FAULT: '', RESIM_TEST_INTERRUPT: '', ...env, NO_COLOR: '1' } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'resim-interrupt-'));
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
const runJson = (dir: string) => JSON.parse(read(dir, 'run.json')) as Record<string, unknown>;
const csvRows = (text: string) => parseCsv(text, { columns: true }) as Array<Record<string, string>>;
const RESULT_CSVS = ['summary.csv', 'replications.csv', 'incidents.csv', 'causes.csv'];

function expectSameResults(dir: string, reference: string): void {
  for (const f of RESULT_CSVS) expect(read(dir, f), f).toBe(read(reference, f));
}

/** An uninterrupted run to compare with, computed once per argument list. */
const references = new Map<string, string>();
function reference(args: string[]): string {
  const key = args.join(' ');
  let dir = references.get(key);
  if (!dir) {
    dir = tmp();
    const r = resim(['run', ...args, '--out', dir, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    references.set(key, dir);
  }
  return dir;
}

describe('SIGTERM during a run, then --resume', () => {
  const args = [TIER4, '--replications', '4000'];

  it('writes the completed replications as partial results (exit 143), and the resumed run equals an uninterrupted one byte for byte', () => {
    const full = reference([...args, '--workers', '2']);
    const dir = tmp();
    const r = resim(['run', ...args, '--workers', '2', '--out', dir], { RESIM_TEST_INTERRUPT: '1000' });
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toContain('interrupted (SIGTERM)');
    expect(r.stderr).not.toMatch(/\n\s+at /);

    const run = runJson(dir);
    const k = run.replications as number;
    expect(run.partial).toBe(true);
    expect(run.stopped_by).toBe('SIGTERM');
    expect(run.target_replications).toBe(4000);
    expect(k).toBeGreaterThanOrEqual(1000);
    expect(k).toBeLessThan(4000);
    // The terminal summary says it is partial, and of how many.
    expect(r.stdout).toContain(`PARTIAL RESULTS: tier4-2n1 was stopped by SIGTERM after ${k} of 4000 replications`);
    expect(r.stderr).toContain(`continue it with: resim run ${TIER4} --resume ${dir}`);
    // The partial files are the first k replications of the full run, exactly.
    const reps = csvRows(read(dir, 'replications.csv'));
    expect(reps.map((x) => Number(x.replication))).toEqual(Array.from({ length: k }, (_, i) => i));
    expect(read(dir, 'replications.csv')).toBe(read(full, 'replications.csv').split('\n').slice(0, k + 1).join('\n') + '\n');
    for (const row of csvRows(read(dir, 'summary.csv'))) expect(Number(row.n)).toBe(k);
    expect(existsSync(join(dir, 'partial.json'))).toBe(true);

    const resumed = resim(['run', '--resume', dir, '--workers', '1', '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expectSameResults(dir, full);
    const done = runJson(dir);
    expect(done.partial).toBe(false);
    expect(done.replications).toBe(4000);
    expect(done.resumed_from).toBe(k);
    expect(done.events).toBe(runJson(full).events);
    expect(existsSync(join(dir, 'partial.json'))).toBe(false);
    // Nothing left to resume.
    const again = resim(['run', '--resume', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('run.json says this run is complete (partial: false): there is nothing to resume');
  });

  it('works in this thread too (--workers 1), and a resumed run may be interrupted and resumed again', () => {
    const full = reference([...args, '--workers', '2']);
    const dir = tmp();
    expect(resim(['run', ...args, '--workers', '1', '--out', dir, '--quiet'], { RESIM_TEST_INTERRUPT: '500' }).code).toBe(143);
    const k1 = runJson(dir).replications as number;
    const second = resim(['run', TIER4, '--resume', dir, '--workers', '2', '--quiet'], { RESIM_TEST_INTERRUPT: '2500' });
    expect(second.code, second.stderr).toBe(143);
    const k2 = runJson(dir).replications as number;
    expect(k2).toBeGreaterThan(k1);
    expect(k2).toBeLessThan(4000);
    expect(resim(['run', TIER4, '--resume', dir, '--quiet']).code).toBe(0);
    expectSameResults(dir, full);
  });

  it('kill -TERM from outside stops workers even while one is stuck in a replication; the resumed run is byte-identical', async () => {
    const full = reference([UPS, '--replications', '20000', '--workers', '2']);
    const dir = tmp();
    // Replication 3000 never ends (a test fault), so the run cannot finish before the signal.
    const child = spawn(process.execPath, [CLI, 'run', UPS, '--replications', '20000', '--workers', '2', '--out', dir, '--quiet'], {
      cwd: ROOT,
      env: { ...process.env, RESIM_TEST_INTERRUPT: '', RESIM_TEST_FAULT: 'hang:3000@100', NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise((resolve) => setTimeout(resolve, 4000));
    child.kill('SIGTERM');
    const code = await exited;
    expect(code, stderr).toBe(143);
    const run = runJson(dir);
    expect(run.partial).toBe(true);
    expect(run.replications as number).toBeLessThanOrEqual(3000);
    const resumed = resim(['run', '--resume', dir, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expectSameResults(dir, full);
  });

  it('Ctrl-C (SIGINT) during a precision-target run exits 130; resumed, it stops at the same count as an uninterrupted run', () => {
    const full = reference([UPS, '--workers', '2']);
    const dir = tmp();
    const r = resim(['run', UPS, '--workers', '2', '--out', dir], { RESIM_TEST_INTERRUPT: '2000:SIGINT' });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted (SIGINT)');
    expect(r.stdout).toContain("(the precision target's next checkpoint)");
    expect(runJson(dir).precision).toBeNull();
    const resumed = resim(['run', '--resume', dir, '--workers', '1', '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expectSameResults(dir, full);
    expect(runJson(dir).replications).toBe(runJson(full).replications);
    expect(runJson(dir).precision).toEqual(runJson(full).precision);
  });

  it('--resume --replications N continues to another count: the same as a run of N', () => {
    const full = reference([TIER4, '--replications', '3000', '--workers', '2']);
    const dir = tmp();
    expect(resim(['run', ...args, '--workers', '2', '--out', dir, '--quiet'], { RESIM_TEST_INTERRUPT: '1000' }).code).toBe(143);
    expect(resim(['run', '--resume', dir, '--replications', '3000', '--quiet']).code).toBe(0);
    expectSameResults(dir, full);
  });
});

describe('--resume refuses what it cannot continue exactly (exit 2, nothing changed)', () => {
  function interrupted(scenario = TIER4): string {
    const dir = tmp();
    expect(resim(['run', scenario, '--replications', '4000', '--workers', '2', '--out', dir, '--quiet'], { RESIM_TEST_INTERRUPT: '500' }).code).toBe(143);
    return dir;
  }

  it('a scenario edited since the interruption', () => {
    const dir = interrupted();
    const copy = join(tmp(), 'tier4.yaml');
    writeFileSync(copy, read(ROOT, TIER4).replace('seed: 20261204', 'seed: 20261205'));
    const before = read(dir, 'summary.csv');
    const r = resim(['run', copy, '--resume', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tier4\.yaml changed since the interrupted run \(scenario hash [0-9a-f]{12}\.\.\., now [0-9a-f]{12}\.\.\.\)/);
    expect(read(dir, 'summary.csv')).toBe(before);
    expect(runJson(dir).partial).toBe(true);
  });

  it('another seed or horizon, another output folder', () => {
    const dir = interrupted();
    const seed = resim(['run', '--resume', dir, '--seed', '7']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain('--resume: --seed 7 differs from the interrupted run\'s seed 20261204');
    const horizon = resim(['run', '--resume', dir, '--horizon', '2y']);
    expect(horizon.code).toBe(2);
    expect(horizon.stderr).toContain('--horizon 2y differs');
    const out = resim(['run', '--resume', dir, '--out', tmp()]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--resume writes into the folder it resumes');
  });

  it('a folder that is not a run, and a damaged partial.json', () => {
    const empty = resim(['run', '--resume', tmp()]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no run.json here');
    const dir = interrupted();
    writeFileSync(join(dir, 'partial.json'), read(dir, 'partial.json').slice(0, 200));
    const r = resim(['run', '--resume', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('partial.json is not valid JSON');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('commands that write no partial results', () => {
  it('check interrupted: exit 143, no results folder, no verdict', () => {
    const dir = tmp();
    expect(read(ROOT, TIER4)).toContain('expect:');
    const r = resim(['check', TIER4, '--replications', '4000', '--workers', '2', '--out', join(dir, 'out')], { RESIM_TEST_INTERRUPT: '500' });
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toContain('interrupted (SIGTERM): check writes no partial results');
    expect(r.stdout).not.toMatch(/check: (PASS|FAIL|INCONCLUSIVE)/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a shard interrupted writes no shard.json (merge cannot take it for complete)', () => {
    const dir = tmp();
    const r = resim(['run', TIER4, '--replications', '4000', '--shard', '1/2', '--workers', '2', '--out', dir], { RESIM_TEST_INTERRUPT: '500' });
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toContain('run --shard writes no partial results');
    expect(existsSync(join(dir, 'shard.json'))).toBe(false);
  });

  it('a sweep interrupted: finished points complete, the running point partial, no sweep.csv', () => {
    const dir = tmp();
    const r = resim(['run', 'scenarios/seed-table1.yaml', '--workers', '2', '--out', dir], { RESIM_TEST_INTERRUPT: '3000' });
    expect(r.code, r.stderr).toBe(143);
    expect(existsSync(join(dir, 'sweep.csv'))).toBe(false);
    const points = readdirSync(dir).filter((f) => existsSync(join(dir, f, 'run.json')));
    expect(points.length).toBeGreaterThanOrEqual(1);
    const partial = points.filter((p) => runJson(join(dir, p)).partial === true);
    expect(partial).toHaveLength(1);
    expect(r.stderr).toContain('sweeps cannot be resumed in this version');
  });
});

describe('runaway models', () => {
  it('a zero-delay event loop stops at the event budget: exit 2, the replication and what was pending named, nothing written', () => {
    const dir = tmp();
    const r = resim(['run', LOOP, '--max-events', '2000000', '--workers', '2', '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: replication [0-3] \(seed 1:[0-3]\) stopped: event budget of 2000000 events exhausted at t = 0 h; 1 events pending, the last one from grid\/outages/);
    expect(r.stderr).toContain('a zero-delay loop?');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('--time-limit stops it too: exit 2, the replication still running named with its simulated time and pending events, the completed ones written as partial', () => {
    const dir = tmp();
    const t0 = Date.now();
    const r = resim(['run', LOOP, '--time-limit', '2s', '--max-events', '1000000000000', '--workers', '2', '--out', dir]);
    const seconds = (Date.now() - t0) / 1000;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /error: time limit of 2s \(--time-limit\) reached after 0 of 4 replications; still running: replication [01] \(seed 1:[01]\): wall-clock limit reached at t = 0 h after \d+ events; 1 events pending, the last one from grid\/outages/,
    );
    expect(seconds).toBeLessThan(15);
    expect(runJson(dir).partial).toBe(true);
    expect(runJson(dir).stopped_by).toBe('time limit');
  });

  it('--time-limit on a long healthy run keeps what finished, resumable', () => {
    const dir = tmp();
    const r = resim(['run', UPS, '--replications', '1000000', '--time-limit', '1s', '--workers', '2', '--out', dir, '--quiet']);
    expect(r.code).toBe(2);
    const k = runJson(dir).replications as number;
    expect(r.stderr).toContain(`error: time limit of 1s (--time-limit) reached after ${k} of 1000000 replications`);
    expect(k).toBeGreaterThan(0);
    const rows = csvRows(read(dir, 'replications.csv'));
    expect(rows).toHaveLength(k);
  });

  it('refuses a malformed --time-limit and a replication count above the cap (exit 2)', () => {
    const bad = resim(['run', UPS, '--time-limit', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--time-limit: expected a positive duration like "30s" or "5min", got "soon"');
    const many = resim(['run', UPS, '--replications', '1000001']);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain('--replications must be at most 1000000');
  });
});

describe('a worker thread that dies', () => {
  it('fails the run with exit 4, naming the replication and its seed; no results folder claims completeness', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const r = resim(['run', TIER4, '--replications', '3000', '--workers', '2', '--out', out], { RESIM_TEST_FAULT: 'exit:1234@2000' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('error: replication 1234 (seed 20261204:1234): the worker thread running it exited (code 70); the run is stopped and no results were written');
    expect(r.stderr).toContain(`reproduce it with: resim run ${TIER4} --replication 1234`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('a dying worker in a resumed run leaves the partial folder resumable', () => {
    const dir = tmp();
    expect(resim(['run', TIER4, '--replications', '3000', '--workers', '2', '--out', dir, '--quiet'], { RESIM_TEST_INTERRUPT: '500' }).code).toBe(143);
    const before = read(dir, 'partial.json');
    const r = resim(['run', '--resume', dir, '--workers', '2'], { RESIM_TEST_FAULT: 'exit:2500@10' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('replication 2500 (seed 20261204:2500)');
    expect(read(dir, 'partial.json')).toBe(before);
    expect(runJson(dir).partial).toBe(true);
  });
});

// Keep fixtures honest: the loop scenario is valid input (the runaway is the model's, not a typo).
describe('fixtures', () => {
  it('the zero-delay loop validates', () => {
    const dir = tmp();
    copyFileSync(LOOP, join(dir, 'loop.yaml'));
    const r = resim(['validate', join(dir, 'loop.yaml')]);
    expect(r.code, r.stderr).toBe(0);
  });
});
