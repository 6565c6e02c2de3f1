/**
 * `resim exact` through the real command line (the solver is tested in exact-ctmc.test.ts): the
 * single UPS module with a perfect static bypass on a 1000 h / 2 h utility is down exactly
 * (12/100012)(2/1002) of the time; a Weibull failure is refused with exit 2 naming its key.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resim } from './helpers/timeline.js';

const dir = mkdtempSync(join(tmpdir(), 'resim-exact-'));
const ups = (failure: string) => `scenario: ups-bypass
components:
  grid: {type: utility, outages: {between: {exponential: 1000h}, duration: {exponential: 2h}}}
  src: {type: group, redundancy: 1, unit: {capacity: 10kW}}
  ups: {type: ups, input: src, bypass: grid, topology: parallel, redundancy: 1, unit: {capacity: 10kW, failure: ${failure}, mttr: 12h}}
  it: {type: load, power: 5kW, input: ups}
`;

describe('resim exact', () => {
  it('gives the UPS + bypass unavailability to 1e-9 relative, with the method and residual', () => {
    const file = join(dir, 'ups.yaml');
    writeFileSync(file, ups('{exponential: 100000h}'));
    const r = resim(['exact', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { metrics: Record<string, { value: number }>; chain: { method: string; relative_residual: number } };
    const exact = (12 / 100012) * (2 / 1002);
    expect(Math.abs(out.metrics.unavailability!.value - exact) / exact).toBeLessThan(1e-9);
    expect(out.chain.relative_residual).toBeLessThan(1e-12);
  });

  it('refuses a Weibull failure with exit 2, naming the component and key, and no stack trace', () => {
    const file = join(dir, 'weibull.yaml');
    writeFileSync(file, ups('{weibull: {shape: 1.5, scale: 100000h}}'));
    const r = resim(['exact', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/weibull\.yaml:\d+:\d+ components\.ups\.unit\.failure: weibull is not exponential/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
