/// <reference lib="dom" />
/**
 * report.html in a real browser (issue 5): Debian's chromium driven by playwright-core, headless,
 * offline. The page must render its charts (inline SVG with marks), log no console error, fetch
 * nothing from anywhere, and show exactly the numbers of summary.csv.
 *
 * When /usr/bin/chromium is absent (a machine without the Debian package) the test is reported as
 * skipped with that reason, never as passed; .ci/run installs the package.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { read, resim, rows } from './helpers/timeline.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

interface PageFacts {
  figures: Array<{ id: string; svgs: number; marks: number }>;
  cells: Array<{ metric: string; stat: string; value: string }>;
  title: string;
}

async function inspect(file: string): Promise<{ facts: PageFacts; consoleErrors: string[]; requests: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const facts = await page.evaluate(() => ({
      title: document.title,
      figures: Array.from(document.querySelectorAll('figure')).map((f) => ({
        id: f.id,
        svgs: f.querySelectorAll('svg').length,
        // Vega marks: paths, rects, circles, lines, text inside groups classed "mark-*".
        marks: f.querySelectorAll('svg [class^="mark-"] path, svg [class^="mark-"] rect, svg [class^="mark-"] line, svg [class^="mark-"] circle, svg [class^="mark-"] text').length,
      })),
      cells: Array.from(document.querySelectorAll('td[data-metric]')).map((td) => ({
        metric: td.getAttribute('data-metric') ?? '',
        stat: td.getAttribute('data-stat') ?? '',
        value: td.getAttribute('data-value') ?? '',
      })),
    }));
    return { facts, consoleErrors, requests };
  } finally {
    await browser.close();
  }
}

describe.skipIf(!haveChromium)(`report.html in Chromium (${haveChromium ? CHROMIUM : 'skipped: /usr/bin/chromium is not installed'})`, () => {
  it('renders its charts, stays offline, logs no error, and shows the numbers of summary.csv', async () => {
    const out = mkdtempSync(join(tmpdir(), 'resim-report-'));
    const r = resim(['run', 'scenarios/tier3-n1.yaml', '--replications', '200', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const { facts, consoleErrors, requests } = await inspect(join(out, 'report.html'));

    expect(consoleErrors).toEqual([]);
    // Only the page itself is loaded: no script, stylesheet, font or image from elsewhere.
    expect(requests.filter((u) => !u.endsWith('/report.html'))).toEqual([]);
    expect(facts.title).toContain('tier3-n1');

    expect(facts.figures.length).toBeGreaterThanOrEqual(3);
    for (const f of facts.figures) {
      expect(f.svgs, `${f.id} has an SVG`).toBeGreaterThanOrEqual(1);
      expect(f.marks, `${f.id} has marks`).toBeGreaterThan(0);
    }

    const summary = rows(read(out, 'summary.csv'));
    for (const s of summary) {
      for (const stat of ['mean', 'ci_low', 'ci_high', 'p95'] as const) {
        const shown = facts.cells.find((c) => c.metric === s.metric && c.stat === stat);
        expect(shown, `${s.metric} ${stat} is on the page`).toBeDefined();
        expect(shown!.value, `${s.metric} ${stat}`).toBe(s[stat]);
      }
    }
  }, 120_000);
});
