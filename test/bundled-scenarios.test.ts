/**
 * Every bundled scenario is itself a test (STYLE.md): it validates, runs a few replications at
 * its fixed seed, and its results match the checked-in snapshot. A snapshot records what the
 * program produced; regenerate it deliberately (`npx vitest run -u`), with the reason in the
 * commit, when streams or models change. Exact values are tested in facility-oracle.test.ts and
 * cli.test.ts; a snapshot only catches change.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const bundled = readdirSync(join(ROOT, 'scenarios')).filter((f) => /\.(ya?ml|json)$/.test(f));

describe('bundled scenarios', () => {
  it('there is at least the Table 1 study and the default scenario', () => {
    expect(bundled).toContain('seed-table1.yaml');
    expect(bundled).toContain('ups-modules-n1.yaml');
  });

  for (const file of bundled) {
    it(`${file} validates and reproduces its snapshot`, async () => {
      const validate = spawnSync(process.execPath, [CLI, 'validate', join('scenarios', file)], { cwd: ROOT, encoding: 'utf8' });
      expect(validate.status, validate.stderr).toBe(0);
      const out = mkdtempSync(join(tmpdir(), 'resim-bundled-'));
      // A year of jobs costs far more events than a year of equipment: fewer replications there.
      const text = readFileSync(join(ROOT, 'scenarios', file), 'utf8');
      const replications = /^cluster:/m.test(text) ? '20' : '400';
      // Importance sampling runs regenerative cycles to its own precision target, not replications.
      const count = /^\s+method: importance/m.test(text) ? [] : ['--replications', replications];
      const run = spawnSync(process.execPath, [CLI, 'run', join('scenarios', file), ...count, '--workers', '1', '--out', out, '--quiet'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      const produced = readdirSync(out).includes('sweep.csv') ? 'sweep.csv' : 'summary.csv';
      await expect(readFileSync(join(out, produced), 'utf8')).toMatchFileSnapshot(`snapshots/${file.replace(/\.\w+$/, '')}.${produced}`);
    });
  }
});
