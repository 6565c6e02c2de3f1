/**
 * `simulation.method` through the real command line: importance sampling writes a results folder
 * whose interval contains `resim exact`'s answer; a facility outside the Markov model is refused
 * with located reasons; `auto` picks importance only where crude Monte Carlo could not reach the
 * target; check gates means but refuses quantiles; sharding, compare and --replications are refused.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resim } from './helpers/timeline.js';

const dir = mkdtempSync(join(tmpdir(), 'resim-importance-'));
const RARE = new URL('../scenarios/rare-2n-ups.yaml', import.meta.url).pathname;

function csvRows(file: string): Array<Record<string, string>> {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

/** A 2-of-3 group with one repair crew (U = 3.56e-3), with the given simulation block. */
const kOfN = (simulation: string, failure = '{exponential: 2000h}') => `scenario: k-of-n
simulation:
${simulation}
components:
  g: {type: group, redundancy: 2+1, unit: {capacity: 10kW, failure: ${failure}, mttr: 50h}}
  it: {type: load, power: 20kW, input: g}
crews: {count: 1}
`;

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('simulation.method: importance', () => {
  it('rare-2n-ups.yaml: the interval contains the exact unavailability, downtime and loss frequency', () => {
    const exact = resim(['exact', RARE, '--json']);
    expect(exact.code, exact.stderr).toBe(0);
    const e = (JSON.parse(exact.stdout) as { metrics: Record<string, { value: number }> }).metrics;
    const out = join(dir, 'rare');
    const r = resim(['run', RARE, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const rows = new Map(csvRows(join(out, 'summary.csv')).map((row) => [row.metric!, row]));
    for (const metric of ['unavailability', 'downtime_hours', 'incidents']) {
      const row = rows.get(metric)!;
      expect(Number(row.ci_low), metric).toBeLessThanOrEqual(e[metric]!.value);
      expect(Number(row.ci_high), metric).toBeGreaterThanOrEqual(e[metric]!.value);
    }
    // The scenario's 5% target was reached; quantiles are empty (no per-year values).
    const u = rows.get('unavailability')!;
    expect((Number(u.ci_high) - Number(u.ci_low)) / 2 / Number(u.mean)).toBeLessThanOrEqual(0.05);
    expect(u.p95).toBe('');
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { method: string; precision: { reached: boolean }; importance: { cycles: number } };
    expect(run.method).toBe('importance');
    expect(run.precision.reached).toBe(true);
    expect(Number(u.n)).toBe(run.importance.cycles);
    expect(readFileSync(join(out, 'replications.csv'), 'utf8')).toBe('replication,seed\n');
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('refuses a Weibull unit with exit 2, naming file, line, column and key, and writes nothing', () => {
    const file = write('weibull.yaml', kOfN('  method: importance', '{weibull: {shape: 1.5, scale: 2000h}}'));
    const out = join(dir, 'weibull-out');
    const r = resim(['run', file, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/weibull\.yaml:\d+:\d+ components\.g\.unit\.failure: simulation\.method importance needs an all-exponential Markov model: weibull is not exponential/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --replications, --shard and compare, which have no meaning for regenerative cycles', () => {
    const reps = resim(['run', RARE, '--replications', '100', '--out', join(dir, 'reps')]);
    expect(reps.code).toBe(2);
    expect(reps.stderr).toMatch(/--replications does not apply to simulation\.method: importance/);
    const shard = resim(['run', RARE, '--shard', '1/2', '--out', join(dir, 'shard')]);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toMatch(/cannot be sharded/);
    const compare = resim(['compare', RARE, new URL('../scenarios/tier1-single-path.yaml', import.meta.url).pathname, '--out', join(dir, 'compare')]);
    expect(compare.code).toBe(2);
    expect(compare.stderr).toMatch(/compare pairs replications under common random numbers/);
    expect(existsSync(join(dir, 'compare'))).toBe(false);
  });

  it('check judges a mean gate on the importance estimate, and refuses a quantile gate before running', () => {
    const base = readFileSync(RARE, 'utf8');
    const pass = write('gate-pass.yaml', `${base}\nexpect: ["downtime_hours.mean <= 0.001", "unavailability.ci_high <= 1e-9"]\n`);
    const r = resim(['check', pass, '--out', join(dir, 'gate-pass-out'), '--quiet']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const fail = write('gate-fail.yaml', `${base}\nexpect: ["unavailability.mean <= 1e-10"]\n`);
    expect(resim(['check', fail, '--out', join(dir, 'gate-fail-out'), '--quiet']).code).toBe(1);
    const quantile = write('gate-p95.yaml', `${base}\nexpect: ["downtime_hours.p95 <= 1"]\n`);
    const q = resim(['check', quantile, '--out', join(dir, 'gate-p95-out')]);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/gate-p95\.yaml:\d+:\d+ expect\.0: downtime_hours\.p95 is not available under importance sampling/);
  });
});

describe('stopping an importance-sampling run', () => {
  // A 0.1% target on the 6.4e-10 model needs some 3e8 cycles: it runs to the 1e8-cycle cap (about
  // half a minute), time enough to stop it.
  const tight = () => write('tight.yaml', readFileSync(RARE, 'utf8').replace('relative_half_width: 5%', 'relative_half_width: 0.1%'));

  it('--time-limit ends it between batches: exit 2, nothing written', () => {
    const out = join(dir, 'tight-limit');
    const r = resim(['run', tight(), '--out', out, '--time-limit', '1s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/importance sampling stopped by the time limit \(1s\) after \d+ biased cycles, before its precision target; nothing was written/);
    expect(existsSync(out)).toBe(false);
  });

  it('Ctrl-C (SIGINT) ends it between batches: exit 130, nothing written', async () => {
    const out = join(dir, 'tight-sigint');
    const child = spawn(process.execPath, [new URL('../dist/cli/main.js', import.meta.url).pathname, 'run', tight(), '--out', out], { env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Kill once the cycles are under way: start-up takes well under 4 s, the run minutes.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    child.kill('SIGINT');
    const code = await closed;
    expect(code).toBe(130);
    expect(stderr).toMatch(/importance sampling stopped by SIGINT after \d+ biased cycles/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('simulation.method: importance on a load that cannot be lost', () => {
  it.each([
    ['nothing fails', 'grid: {type: utility}\n  it: {type: load, power: 10kW, input: grid}'],
    [
      'failures, but none that loses the load',
      'grid: {type: utility}\n  g: {type: group, redundancy: 1, unit: {capacity: 10kW, mtbf: 1000h, mttr: 10h}}\n  it: {type: load, power: 5kW, input: [grid, g]}',
    ],
  ])('%s: downtime and incidents exactly 0, said so, exit 0', (_, components) => {
    const file = write(`never-${components.length}.yaml`, `scenario: never\nsimulation: {method: importance}\ncomponents:\n  ${components}\n`);
    const out = join(dir, `never-${components.length}`);
    const r = resim(['run', file, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no reachable state of the Markov chain leaves a load unserved/);
    const rows = new Map(csvRows(join(out, 'summary.csv')).map((row) => [row.metric!, row]));
    for (const metric of ['downtime_hours', 'unavailability', 'incidents']) expect([rows.get(metric)!.mean, rows.get(metric)!.ci_high]).toEqual(['0', '0']);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { importance: { loss_unreachable: boolean } };
    expect(run.importance.loss_unreachable).toBe(true);
  });
});

describe('simulation.method: auto', () => {
  it('chooses importance for the 6.4e-10 UPS model, where crude would need far more than max_replications', () => {
    const file = write('auto-rare.yaml', readFileSync(RARE, 'utf8').replace(/^ {2}method: importance/m, '  method: auto'));
    const out = join(dir, 'auto-rare');
    const r = resim(['run', file, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { method: string; method_reason: string };
    expect(run.method).toBe('importance');
    expect(run.method_reason).toMatch(/^auto: crude Monte Carlo would need about .* replications for the target, more than max_replications 1000000$/);
  });

  it('keeps crude Monte Carlo for a 3.6e-3 model that crude settles within the budget', () => {
    const file = write('auto-kofn.yaml', kOfN('  method: auto\n  horizon: 10y\n  precision: {relative_half_width: 20%, min_replications: 100, max_replications: 20000}'));
    const out = join(dir, 'auto-kofn');
    const r = resim(['run', file, '--out', out, '--quiet', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { method: string; method_reason: string; replications: number };
    expect(run.method).toBe('crude');
    expect(run.method_reason).toMatch(/^auto: crude Monte Carlo needs about .* replications for the target, within max_replications 20000$/);
    expect(run.replications).toBeGreaterThan(0);
  });

  it('keeps crude Monte Carlo for a facility outside the Markov model, saying why', () => {
    const file = write('auto-weibull.yaml', kOfN('  method: auto\n  precision: {relative_half_width: 50%, min_replications: 100, max_replications: 400}', '{weibull: {shape: 1.5, scale: 2000h}}'));
    const out = join(dir, 'auto-weibull');
    const r = resim(['run', file, '--out', out, '--quiet', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { method: string; method_reason: string };
    expect(run.method).toBe('crude');
    expect(run.method_reason).toMatch(/^auto: the facility is not a Markov model \(weibull is not exponential/);
  });
});
