/**
 * The terminal summary of `run` (issue 5 item 5): an aligned table of metric, mean, 95% CI and
 * p95, coloured only on a terminal and never when NO_COLOR is set (https://no-color.org).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { colorEnabled, renderTable } from '../reports/table.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT } from './helpers/timeline.js';

const ESC = '\u001b[';
const saved = process.env.NO_COLOR;
afterEach(() => {
  if (saved === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = saved;
});

describe('terminal table', () => {
  it('right-aligns numeric columns and left-aligns text, every row the width of its columns', () => {
    const text = renderTable(['metric', 'mean', '95% CI'], [['downtime_hours', '0.3346', '[0.1158, 0.5535]'], ['incidents', '12', '[3, 21]']], { color: false });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('metric            mean            95% CI');
    expect(lines[1]).toBe('--------------  ------  ----------------');
    expect(lines[2]).toBe('downtime_hours  0.3346  [0.1158, 0.5535]');
    expect(lines[3]).toBe('incidents           12           [3, 21]');
    expect(text).not.toContain(ESC);
  });

  it('colours only a terminal, and not when NO_COLOR is set', () => {
    delete process.env.NO_COLOR;
    expect(colorEnabled({ isTTY: true } as NodeJS.WriteStream)).toBe(true);
    expect(colorEnabled({ isTTY: false } as NodeJS.WriteStream)).toBe(false);
    process.env.NO_COLOR = '1';
    expect(colorEnabled({ isTTY: true } as NodeJS.WriteStream)).toBe(false);
    expect(renderTable(['a'], [['1']], { color: true })).toContain(ESC);
  });

  it('resim run piped to a file prints the table without escape codes, even without NO_COLOR', () => {
    const env = { ...process.env };
    delete env.NO_COLOR;
    const r = spawnSync(process.execPath, [CLI, 'run', 'scenarios/tier1-single-path.yaml', '--replications', '50', '--out', mkdtempSync(join(tmpdir(), 'resim-table-'))], { cwd: ROOT, encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^metric\s+unit\s+mean\s+95% CI\s+p95/m);
    expect(r.stdout).toMatch(/^downtime_hours\s+h\/yr\s+\S+\s+\[\S+, \S+\]\s+\S+$/m);
    expect(r.stdout).not.toContain(ESC);
  });
});
