/**
 * The seed's 2 x 10 kVA comparison (DOMAIN.md §5.3): parallel redundant 1+1 against hot standby
 * (serial) 1+1, with the bundled scenarios.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { summarize } from '../sim/stats.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const resim = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const column = (file: string, name: string) => (parseCsv(readFileSync(file, 'utf8'), { columns: true }) as Array<Record<string, string>>).map((r) => Number(r[name]));

describe('parallel vs hot standby, 2 x 10 kVA (9 kW)', () => {
  it('at 15 kW hot standby cannot carry the load: a design error (exit 2), not a silent outage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resim-hs-'));
    const text = readFileSync(join(ROOT, 'scenarios/seed-hot-standby-15kw.yaml'), 'utf8').replace(/topology: parallel/, 'topology: hot_standby');
    expect(text).toContain('topology: hot_standby');
    writeFileSync(join(dir, 'hs15.yaml'), text);
    const r = resim(['run', join(dir, 'hs15.yaml'), '--out', join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/components\.ups\.topology: design error: a hot-standby UPS cannot carry 15 kW on 9 kW units/);
    // The parallel system carries 15 kW (as one 18 kW UPS, without redundancy): it runs.
    expect(resim(['run', 'scenarios/seed-hot-standby-15kw.yaml', '--replications', '50', '--out', join(dir, 'p15'), '--quiet']).status).toBe(0);
  });

  it('at 6 kW with severe master failures, hot standby is down longer than parallel (paired over the same replications)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resim-hs-'));
    const r = resim(['run', 'scenarios/seed-hot-standby-6kw.yaml', '--out', dir, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const parallel = column(join(dir, 'parallel', 'replications.csv'), 'downtime_hours');
    const hot = column(join(dir, 'hot_standby', 'replications.csv'), 'downtime_hours');
    expect(hot.length).toBe(parallel.length);
    // Common random numbers: replication i sees the same outages in both designs, so the paired
    // difference isolates the topology. A 99.9% interval above zero: false-failure rate 5e-4.
    const diff = summarize(hot.map((h, i) => h - parallel[i]!), 0.999);
    console.log(`hot standby - parallel: ${diff.mean.toFixed(3)} h/yr, 99.9% CI [${diff.ciLow.toFixed(3)}, ${diff.ciHigh.toFixed(3)}]`);
    expect(diff.ciLow).toBeGreaterThan(0);
    // The extra downtime is the severe master failures: its root cause is a UPS unit failure.
    const causes = parseCsv(readFileSync(join(dir, 'hot_standby', 'causes.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(causes.some((c) => c.cause === 'ups unit failure' && Number(c.downtime_hours) > 0)).toBe(true);
  });
});
