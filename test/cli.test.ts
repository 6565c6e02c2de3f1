/**
 * The command line as users and CI pipelines call it (CLI.md), through the built program.
 * `npm test` builds first (pretest), so dist/ is current.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { messages } from '../cli/messages.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');

function resim(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'resim-cli-'));
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
const rows = (text: string) => parseCsv(text, { columns: true }) as Array<Record<string, string>>;

describe('determinism across worker counts', () => {
  it('same seed gives byte-identical summary.csv and replications.csv with 1, 2 and 8 workers', () => {
    const outs = [1, 2, 8].map((w) => {
      const dir = tmp();
      const r = resim(['run', 'scenarios/ups-modules-n1.yaml', '--replications', '3000', '--workers', String(w), '--out', dir, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      return dir;
    });
    for (const file of ['summary.csv', 'replications.csv', 'incidents.csv']) {
      const first = read(outs[0]!, file);
      expect(first.length).toBeGreaterThan(100);
      for (const o of outs.slice(1)) expect(read(o, file)).toBe(first);
    }
    const runs = outs.map((o) => JSON.parse(read(o, 'run.json')) as { workers: number; events: number });
    expect(runs.map((r) => r.workers)).toEqual([1, 2, 8]);
    expect(new Set(runs.map((r) => r.events)).size).toBe(1);
  });

  it('a precision-target run stops at the same replication count whatever the worker count', () => {
    const [a, b] = [1, 2].map((w) => {
      const dir = tmp();
      expect(resim(['run', 'scenarios/ups-modules-n1.yaml', '--workers', String(w), '--out', dir, '--quiet']).code).toBe(0);
      return dir;
    });
    expect(read(b!, 'summary.csv')).toBe(read(a!, 'summary.csv'));
    expect(read(b!, 'replications.csv')).toBe(read(a!, 'replications.csv'));
  });
});

describe('precision target', () => {
  const scenario = (target: number, max: number) => `
scenario: precision
simulation:
  horizon: 1y
  seed: 7
  precision: {metric: downtime_hours, relative_half_width: ${target}, confidence: 0.95, min_replications: 100, max_replications: ${max}}
components:
  g: {type: group, redundancy: "1+1", unit: {mtbf: 1000h, mttr: 50h}}
  it: {type: load, input: g}
`;

  it('stops at a checkpoint once the relative half-width is reached, and reports the half-width achieved', () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), scenario(0.05, 1_000_000));
    const r = resim(['run', join(dir, 's.yaml'), '--out', join(dir, 'out'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(read(dir, 'out', 'run.json'));
    expect(run.precision.reached).toBe(true);
    expect(run.precision.relative_half_width).toBeLessThanOrEqual(0.05);
    // It stopped at the first checkpoint that met the target, not later.
    expect(run.replications).toBe(run.precision.checkpoints.at(-1));
    expect(run.precision.checkpoints.length).toBeGreaterThan(1);
    const summary = rows(read(dir, 'out', 'summary.csv')).find((x) => x.metric === 'downtime_hours')!;
    const half = (Number(summary.ci_high) - Number(summary.ci_low)) / 2;
    expect(half / Number(summary.mean)).toBeCloseTo(run.precision.relative_half_width, 10);
  });

  it('an unreachable target stops at max_replications and says so', () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), scenario(0.001, 400));
    const r = resim(['run', join(dir, 's.yaml'), '--out', join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(read(dir, 'out', 'run.json'));
    expect(run.replications).toBe(400);
    expect(run.precision.reached).toBe(false);
    expect(r.stdout).toContain('precision target not reached');
  });
});

describe('bad input', () => {
  it('reports all four mistakes with line:col, exits 2, prints no stack trace and writes nothing', () => {
    const dir = tmp();
    const r = resim(['run', 'test/fixtures/scenarios/four-mistakes.yaml', '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/four-mistakes\.yaml:7:12 components\.ups\.input: .*did you mean "utility"/);
    expect(lines[1]).toMatch(/:11:7 components\.ups\.unit\.mtbff: .*did you mean "mtbf"/);
    expect(lines[2]).toMatch(/:12:13 components\.ups\.unit\.mttr: .*"5 fortnights"/);
    expect(lines[3]).toMatch(/:14:17 components\.ups\.battery\.autonomy: .*negative/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('reports a YAML syntax error with line:col and exits 2 without a results folder', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.yaml'), 'scenario: x\ncomponents:\n  a: {type: group\n  b: 1\n');
    const r = resim(['run', join(dir, 'bad.yaml'), '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+ /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('rejects a bad flag value with exit 2', () => {
    const r = resim(['run', 'scenarios/ups-modules-n1.yaml', '--workers', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--workers must be a positive integer');
  });
});

describe('a replication that fails', () => {
  it('aborts with exit 4 naming the replication, its seed and the simulated time, and how to reproduce it', () => {
    const dir = tmp();
    const r = resim(['run', 'scenarios/ups-modules-n1.yaml', '--replications', '50', '--workers', '2', '--out', join(dir, 'out')], {
      RESIM_TEST_FAULT: '17@1234.5',
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('replication 17 (seed 20261125:17)');
    expect(r.stderr).toContain('t = 1234.500 h');
    expect(r.stderr).toContain('resim run scenarios/ups-modules-n1.yaml --replication 17');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'out', 'summary.csv'))).toBe(false);
  });
});

describe('--replication I', () => {
  it('reruns exactly that replication: same downtime as in the full run, with its incident log', () => {
    const dir = tmp();
    expect(resim(['run', 'scenarios/ups-modules-n1.yaml', '--replications', '400', '--out', dir, '--quiet']).code).toBe(0);
    const reps = rows(read(dir, 'replications.csv'));
    const hit = reps.find((x) => Number(x.downtime_hours) > 0)!;
    expect(hit).toBeDefined();
    const r = resim(['run', 'scenarios/ups-modules-n1.yaml', '--replications', '400', '--replication', hit.replication!]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`replication ${hit.replication} (seed ${hit.seed})`);
    const shown = /downtime_hours = ([\d.e+-]+)/.exec(r.stdout)![1]!;
    expect(Number(shown)).toBeCloseTo(Number(hit.downtime_hours), 4);
    const incidents = rows(read(dir, 'incidents.csv')).filter((x) => x.replication === hit.replication);
    for (const inc of incidents) expect(r.stdout).toContain(inc.cause!);
  });

  it('refuses an index outside the run', () => {
    const r = resim(['run', 'scenarios/ups-modules-n1.yaml', '--replications', '10', '--replication', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(messages.replicationOutOfRange(10, 10));
  });
});

describe('the seed article Table 1 study', () => {
  it('shows the 2+1 misprint and the N = 14 crossover, in sweep.csv and on the terminal', () => {
    const dir = tmp();
    const r = resim(['run', 'scenarios/seed-table1.yaml', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    const sweep = rows(read(dir, 'sweep.csv')).filter((x) => x.metric === 'downtime_hours');
    expect(sweep.map((x) => x.value)).toEqual(['1', ...Array.from({ length: 15 }, (_, i) => `${i + 1}+1`)]);
    const at = (v: string) => sweep.find((x) => x.value === v)!;
    // 2+1: the article printed 2.93 h; the exact value is 3.40 h. The interval must tell them apart.
    const r21 = at('2+1');
    expect(Number(r21.exact)).toBeCloseTo(3.3986, 3);
    expect(Number(r21.article_table1)).toBe(2.93);
    expect(Number(r21.ci_low)).toBeGreaterThan(2.93);
    expect(Number(r21.ci_low)).toBeLessThanOrEqual(Number(r21.exact));
    expect(Number(r21.ci_high)).toBeGreaterThanOrEqual(Number(r21.exact));
    // N = 14 is the first N at which N+1 is down more than a single unit (100 h).
    const single = Number(at('1').exact);
    expect(Number(at('13+1').exact)).toBeLessThan(single);
    expect(Number(at('14+1').exact)).toBeGreaterThan(single);
    expect(Number(at('14+1').ci_low)).toBeGreaterThan(Number(at('1').ci_high));
    // The terminal table says both.
    const line21 = r.stdout.split('\n').find((l) => l.trim().startsWith('2+1'))!;
    expect(line21).toContain('article_table1 2.93 outside CI');
    const firstWorse = r.stdout.split('\n').find((l) => l.includes('worse than 1'))!;
    expect(firstWorse.trim().startsWith('14+1')).toBe(true);
    // Each point has its own results folder.
    expect(existsSync(join(dir, '2+1', 'summary.csv'))).toBe(true);
  });
});

describe('other commands', () => {
  it('schema prints a JSON Schema whose top-level keys match SCENARIOS.md', () => {
    const r = resim(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    for (const key of ['scenario', 'simulation', 'components', 'crews', 'sweep', 'expect', 'cluster', 'costs']) {
      expect(schema.properties[key], key).toBeDefined();
      expect(typeof schema.properties[key].description).toBe('string');
    }
  });

  it('expand shows 2(N+1) as two subsystems of N+1 units with N from the load', () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 's.yaml'),
      `scenario: e\ncomponents:\n  ups: {type: group, redundancy: "2(N+1)", unit: {capacity: 500kW, mtbf: 1000h, mttr: 5h}}\n  it: {type: load, power: 1200kW, input: ups}\n`,
    );
    const r = resim(['expand', join(dir, 's.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('name: ups.a');
    expect(r.stdout).toContain('name: ups.b');
    expect(r.stdout).toContain('name: ups.b.4');
    expect(r.stdout).not.toContain('ups.b.5');
    expect(r.stdout).toMatch(/needed: 3/);
  });

  it('validate reports a notation the article calls impossible, with the reason', () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), `scenario: v\ncomponents:\n  ups: {type: group, redundancy: "(1+1)+(1+1)+[(1+1)]", unit: {mtbf: 1000h}}\n  it: {type: load, input: ups}\n`);
    const r = resim(['validate', join(dir, 's.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/s\.yaml:3:\d+ components\.ups\.redundancy: .*load splitting/);
  });

  it('--json prints the metrics with their intervals', () => {
    const dir = tmp();
    const r = resim(['run', 'scenarios/ups-modules-n1.yaml', '--replications', '200', '--json', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.scenario).toBe('ups-modules-n1');
    expect(Object.keys(out.metrics.downtime_hours).sort()).toEqual(['ci_high', 'ci_low', 'mean', 'p95', 'unit']);
    expect(out.run.replications).toBe(200);
    const summary = rows(read(dir, 'summary.csv')).find((x) => x.metric === 'downtime_hours')!;
    expect(out.metrics.downtime_hours.mean).toBe(Number(summary.mean));
  });
});
