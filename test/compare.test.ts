/**
 * `resim compare` (CLI.md): common random numbers make a design change measurable with far less
 * noise than independent runs. The pair here differs in one thing: the crew's logistics delay
 * (uniform 2-8 h against 1-4 h) of the default scenario. Same seed, same replications: failures,
 * repairs and delays come from the same streams, so the paired difference of downtime has a much
 * narrower interval than independent runs would give (issue 5: at least 3x; deterministic at the
 * scenario's seed, and by a wide margin: the variance reduction is in the hundreds).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { read, resim, rows } from './helpers/timeline.js';

const base = readFileSync('scenarios/ups-modules-n1.yaml', 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'resim-compare-'));
const fast = join(dir, 'fast.yaml');
writeFileSync(
  fast,
  base
    .replace('scenario: ups-modules-n1', 'scenario: fast-crew')
    .replace('logistics_delay: {uniform: ["2h", "8h"]}', 'logistics_delay: {uniform: ["1h", "4h"]}')
    .replace('costs: {downtime_per_hour: 89000, currency: USD}', 'costs: {downtime_per_hour: 89000, capex: 20000, currency: USD}'),
);
const out = join(dir, 'out');
const run = resim(['compare', 'scenarios/ups-modules-n1.yaml', fast, '--replications', '300', '--out', out, '--json', '--workers', '2']);

describe('resim compare', () => {
  it('the paired difference of downtime is at least 3x narrower than the unpaired one', () => {
    expect(run.code, run.stderr).toBe(0);
    const row = rows(read(out, 'comparison.csv')).find((r) => r.metric === 'downtime_hours' && r.scenario === 'fast-crew')!;
    const paired = Number(row.diff_ci_high) - Number(row.diff_ci_low);
    const unpaired = Number(row.unpaired_ci_high) - Number(row.unpaired_ci_low);
    console.log(`downtime_hours fast-crew - ups-modules-n1: paired 95% CI [${row.diff_ci_low}, ${row.diff_ci_high}], unpaired [${row.unpaired_ci_low}, ${row.unpaired_ci_high}], variance reduction ${row.variance_reduction}`);
    expect(unpaired / paired).toBeGreaterThanOrEqual(3);
    expect(Number(row.variance_reduction)).toBeCloseTo((unpaired / paired) ** 2, 6);
    // Shorter journeys can only shorten repairs: the paired interval says so, the unpaired cannot.
    expect(Number(row.diff_ci_high)).toBeLessThan(0);
    expect(Number(row.unpaired_ci_low)).toBeLessThan(0);
    expect(Number(row.unpaired_ci_high)).toBeGreaterThan(0);
  });

  it('runs both with the same seeds per replication, and reports each scenario as run would', () => {
    const a = rows(read(out, 'ups-modules-n1', 'replications.csv'));
    const b = rows(read(out, 'fast-crew', 'replications.csv'));
    expect(b.map((r) => r.seed)).toEqual(a.map((r) => r.seed));
    const comparison = rows(read(out, 'comparison.csv'));
    for (const scenario of ['ups-modules-n1', 'fast-crew']) {
      const summary = rows(read(out, scenario, 'summary.csv'));
      for (const s of summary) {
        const c = comparison.find((r) => r.metric === s.metric && r.scenario === scenario)!;
        expect(c.mean, `${scenario} ${s.metric}`).toBe(s.mean);
      }
    }
    // The first scenario is the reference: no difference against itself.
    expect(comparison.filter((r) => r.scenario === 'ups-modules-n1').every((r) => r.diff_mean === '')).toBe(true);
  });

  it('prices the schemes: extra capex over the paired annual saving gives the payback time', () => {
    const json = JSON.parse(run.stdout) as { costs: Array<{ scenario: string; capex: number; extraCapex: number | null; saving: { mean: number } | null; paybackYears: number | null }> };
    const [a, b] = json.costs;
    expect(a!.capex).toBe(0);
    expect(b!.extraCapex).toBe(20000);
    const cost = rows(read(out, 'comparison.csv')).find((r) => r.metric === 'cost' && r.scenario === 'fast-crew')!;
    expect(b!.saving!.mean).toBeCloseTo(-Number(cost.diff_mean), 6);
    expect(b!.paybackYears).toBeCloseTo(20000 / b!.saving!.mean, 9);
  });

  it('refuses a single file', () => {
    const r = resim(['compare', 'scenarios/ups-modules-n1.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/at least two scenario files/);
  });
});
