/**
 * Shared by the deterministic semantics tests: run a fixture through the built CLI once, and
 * check that every replication follows a stated timeline exactly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const CLI = join(ROOT, 'dist/cli/main.js');
export const YEAR = 8760;
/** Absolute tolerance on hours: the timelines are exact, this only absorbs float rounding. */
export const EPS = 1e-9;

export function resim(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
export const rows = (text: string) => parseCsv(text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;

/** Hours from h:mm:ss. */
export const at = (h: number, m = 0, s = 0) => h + m / 60 + s / 3600;
export const minutes = (m: number) => m / 60;

export interface ExpectedIncident {
  start: number;
  end: number;
  /** Default false (unplanned). */
  planned?: boolean;
  /** Fragments the `cause` column must contain (case-insensitive). */
  cause?: RegExp[];
}

export interface Timeline {
  /** The fixture's horizon (h); checked against run.json. */
  horizon: number;
  /** Every loss of service of a replication, in order. */
  incidents: ExpectedIncident[];
  /** Hours unpowered (outage_hours) per replication. */
  outage: number;
  /** Hours of dirty power per replication; default 0. */
  dirty?: number;
}

/** `run` and `expectTimeline` for the fixtures of one folder (each fixture is run once). */
export function timelines(fixtures: string, prefix: string) {
  const runs = new Map<string, string>();

  /** Runs a fixture with its own settings (exit 0 expected); returns the results folder. */
  function run(fixture: string): string {
    const done = runs.get(fixture);
    if (done) return done;
    const out = join(mkdtempSync(join(tmpdir(), prefix)), 'out');
    const r = resim(['run', join(fixtures, fixture), '--out', out, '--quiet']);
    expect(r.code, `resim run ${fixture} exited ${r.code}:\n${r.stderr}`).toBe(0);
    runs.set(fixture, out);
    return out;
  }

  /**
   * Every replication of `fixture` follows `t` exactly: replications.csv (downtime, planned and
   * unplanned downtime, outage, dirty hours, incidents) and incidents.csv (start, end, duration,
   * planned, load, cause fragments). Returns the incidents.csv rows.
   */
  function expectTimeline(fixture: string, t: Timeline): Array<Record<string, string>> {
    const out = run(fixture);
    const runJson = JSON.parse(read(out, 'run.json')) as { horizon_hours: number };
    expect(runJson.horizon_hours, `${fixture}: horizon`).toBeCloseTo(t.horizon, 9);
    const reps = rows(read(out, 'replications.csv'));
    expect(reps.length, `${fixture}: replications`).toBeGreaterThan(0);
    const incidents = rows(read(out, 'incidents.csv'));
    const log = `${fixture}: incidents.csv\n${read(out, 'incidents.csv')}`;
    const perRep = (x: string | undefined) => (Number(x) * t.horizon) / YEAR;
    const length = (i: ExpectedIncident) => i.end - i.start;
    const sum = (xs: ExpectedIncident[]) => xs.reduce((s, i) => s + length(i), 0);
    const downtime = sum(t.incidents);
    const planned = sum(t.incidents.filter((i) => i.planned === true));
    for (const r of reps) {
      const where = `${fixture} replication ${r.replication}`;
      const close = (actual: number, expected: number, what: string) =>
        expect(Math.abs(actual - expected), `${where} ${what}: got ${actual}, expected ${expected}\n${log}`).toBeLessThanOrEqual(EPS);
      close(perRep(r.downtime_hours), downtime, 'downtime (h)');
      close(perRep(r.planned_downtime_hours), planned, 'planned downtime (h)');
      close(perRep(r.unplanned_downtime_hours), downtime - planned, 'unplanned downtime (h)');
      close(perRep(r.outage_hours), t.outage, 'outage (unpowered) time (h)');
      close(perRep(r.dirty_hours), t.dirty ?? 0, 'dirty time (h)');
      close(perRep(r.incidents), t.incidents.length, 'incidents');
      const mine = incidents.filter((i) => i.replication === r.replication);
      expect(mine.length, `${where}: incidents listed\n${log}`).toBe(t.incidents.length);
      t.incidents.forEach((e, k) => {
        const got = mine[k]!;
        const what = `${where} incident ${k}`;
        close(Number(got.start_h), e.start, `${what} start_h`);
        close(Number(got.end_h), e.end, `${what} end_h`);
        close(Number(got.duration_h), length(e), `${what} duration_h`);
        expect(got.planned, `${what} planned\n${log}`).toBe(String(e.planned ?? false));
        expect(got.load, `${what} load`).toBe('it');
        for (const fragment of e.cause ?? []) expect(got.cause, `${what}: cause should match ${fragment}\n${log}`).toMatch(fragment);
      });
    }
    return incidents;
  }

  return { run, expectTimeline };
}
