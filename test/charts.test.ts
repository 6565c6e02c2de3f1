/**
 * Charts (CLI.md "Results folder": charts/*.vl.json and charts/*.svg): every bundled scenario is run
 * by the built CLI with a few replications, its CSVs are read back into chart inputs, and every
 * chart spec must validate against the Vega-Lite JSON schema of the installed package, render
 * headlessly to an SVG with marks and without warnings, and show what a reader relies on: the Tier
 * budgets where they belong, causes largest first adding up to the total, suspensions and
 * reservations on the Gantt, the seed's Table 1 beside the sweep.
 *
 * Cluster job intervals and server states are not in any CSV: they come from a hand-written
 * fixture (test/fixtures/charts/cluster-small.json) whose window, lanes and counts are worked out
 * in its `about`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseCsv } from 'csv-parse/sync';
import { version as vegaLiteVersion, type TopLevelSpec } from 'vega-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterTimeline } from '../models/cluster/records.js';
import type { SummaryRow } from '../models/summary.js';
import {
  budgetsNear,
  CHART_NAMES,
  compareChart,
  downtimeDistributionChart,
  ganttChart,
  MAX_ROWS,
  serverStatesChart,
  studyCharts,
  sweepChart,
  sweepCharts,
  VEGA_LITE_SCHEMA,
  type ChartInput,
  type CompareChartInput,
  type NamedChart,
  type SweepChartInput,
} from '../reports/charts.js';
import type { CauseRow, IncidentRow } from '../reports/results.js';
import { ChartRenderError, renderChart, writeCharts } from '../reports/render.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const require = createRequire(import.meta.url);
const run = promisify(execFile);

/** The Tier budgets of DOMAIN.md §4.1 (h/yr), written out rather than imported. */
const DOMAIN_BUDGETS = { I: 28.8, II: 22, III: 1.6, IV: 0.4 };
/** The seed article's Table 1 as scenarios/seed-table1.yaml carries it (DOMAIN.md §3.3). */
const TABLE1 = { '1': 100, '1+1': 1.14, '2+1': 2.93, '3+1': 6.69, '4+1': 11.03, '5+1': 16.35 };

type Row = Record<string, string>;
const readRows = (path: string) => parseCsv(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Row[];
const number = (x: string | undefined) => (x === undefined || x === '' ? NaN : Number(x));

// ---------------------------------------------------------------------------------------------
// Chart inputs from a results folder, as the lead's pipeline would make them.

function summaryRows(dir: string): SummaryRow[] {
  return readRows(join(dir, 'summary.csv')).map((r) => ({
    metric: r['metric']!,
    unit: r['unit'] as SummaryRow['unit'],
    mean: number(r['mean']),
    ci_low: number(r['ci_low']),
    ci_high: number(r['ci_high']),
    std: number(r['std']),
    p05: number(r['p05']),
    p50: number(r['p50']),
    p95: number(r['p95']),
    p99: number(r['p99']),
    min: number(r['min']),
    max: number(r['max']),
    n: number(r['n']),
  }));
}

/** A study's chart input; the timeline is the replication with the most incidents. */
function studyInput(dir: string, cluster: ClusterTimeline | null = null): ChartInput {
  const runJson = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { scenario: string; horizon_hours: number };
  const replications = readRows(join(dir, 'replications.csv'));
  const incidents: IncidentRow[] = readRows(join(dir, 'incidents.csv')).map((r) => ({
    replication: Number(r['replication']),
    start_h: Number(r['start_h']),
    end_h: Number(r['end_h']),
    duration_h: Number(r['duration_h']),
    planned: r['planned'] === 'true',
    load: r['load']!,
    cause: r['cause']!,
  }));
  const causes: CauseRow[] = readRows(join(dir, 'causes.csv')).map((r) => ({
    cause: r['cause']!,
    incidents: Number(r['incidents']),
    downtime_hours: Number(r['downtime_hours']),
    share: Number(r['share']),
  }));
  const perRep = new Map<number, number>();
  for (const i of incidents) perRep.set(i.replication, (perRep.get(i.replication) ?? 0) + 1);
  const busiest = [...perRep.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
  return {
    scenario: runJson.scenario,
    summary: summaryRows(dir),
    perReplication: { downtime_hours: replications.map((r) => Number(r['downtime_hours'])) },
    causes,
    timeline: busiest === undefined ? null : { replication: busiest, horizonHours: runJson.horizon_hours, incidents: incidents.filter((i) => i.replication === busiest) },
    cluster,
  };
}

function sweepInput(dir: string, scenario: string): SweepChartInput {
  const text = readFileSync(join(dir, 'sweep.csv'), 'utf8');
  const columns = text.slice(0, text.indexOf('\n')).split(',');
  const rows = readRows(join(dir, 'sweep.csv'));
  return { scenario, parameter: rows[0]!['parameter']!, rows, references: columns.slice(columns.indexOf('exact') + 1) };
}

// ---------------------------------------------------------------------------------------------
// SVG reading: the items of a named mark ("<name>_marks" is the class Vega gives a named mark).

function markItems(svg: string, name: string): string[] {
  const items: string[] = [];
  const open = new RegExp(`<g class="mark-\\w+ role-mark ${name}_marks"[^>]*>`, 'g');
  for (const m of svg.matchAll(open)) {
    const body = svg.slice(m.index + m[0].length, svg.indexOf('</g>', m.index));
    items.push(...(body.match(/<(path|line|rect|text)\b[^>]*>/g) ?? []));
  }
  return items;
}

/** Every mark item of the SVG (role-mark groups), whatever its name. */
function allMarkItems(svg: string): number {
  let count = 0;
  for (const m of svg.matchAll(/<g class="mark-\w+ role-mark [^"]*"[^>]*>/g)) {
    const body = svg.slice(m.index + m[0].length, svg.indexOf('</g>', m.index));
    count += (body.match(/<(path|line|rect|text)\b/g) ?? []).length;
  }
  return count;
}

const translateX = (item: string) => Number(/translate\(([-\d.e]+),/.exec(item)![1]);

/** Bars drawn as "M x,y h width v height ...": their top and width. */
function bars(items: string[]) {
  return items.map((item) => {
    const m = /d="M[-\d.e]+,([-\d.e]+)h([-\d.e]+)v/.exec(item)!;
    return { y: Number(m[1]), width: Number(m[2]) };
  });
}

/** The inline data of every view of a spec, with the view's mark name when it has one. */
function views(spec: unknown, out: Array<{ name?: string; values: Array<Record<string, unknown>> }> = []) {
  if (Array.isArray(spec)) spec.forEach((s) => views(s, out));
  else if (spec && typeof spec === 'object') {
    const s = spec as Record<string, unknown>;
    const data = s['data'] as { values?: Array<Record<string, unknown>> } | undefined;
    if (data?.values) out.push({ ...(typeof s['name'] === 'string' ? { name: s['name'] } : {}), values: data.values });
    for (const [k, v] of Object.entries(s)) if (k !== 'data') views(v, out);
  }
  return out;
}
const dataOf = (spec: TopLevelSpec, name: string) => views(spec).find((v) => v.name === name)?.values ?? [];

// ---------------------------------------------------------------------------------------------

interface Produced {
  file: string;
  kind: 'study' | 'sweep';
  charts: NamedChart[];
  input?: ChartInput;
  sweep?: SweepChartInput;
}

const bundled = readdirSync(join(ROOT, 'scenarios')).filter((f) => /\.(ya?ml|json)$/.test(f));
const produced = new Map<string, Produced>();
const fixture = (JSON.parse(readFileSync(join(ROOT, 'test/fixtures/charts/cluster-small.json'), 'utf8')) as { timeline: ClusterTimeline }).timeline;
let compareInput: CompareChartInput;
let ajvValidate: ValidateFunction;

/** Runs a bundled scenario (cluster ones on a month: a year of jobs is far more events). */
async function runBundled(file: string): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'resim-charts-'));
  const text = readFileSync(join(ROOT, 'scenarios', file), 'utf8');
  const cluster = /^cluster:/m.test(text);
  // Importance sampling runs regenerative cycles to its own target, not replications.
  const count = /^\s+method: importance/m.test(text) ? [] : ['--replications', '20'];
  await run(process.execPath, [CLI, 'run', join('scenarios', file), ...count, '--workers', '1', '--out', out, '--quiet', ...(cluster ? ['--horizon', '1mo'] : [])], { cwd: ROOT });
  if (existsSync(join(out, 'sweep.csv'))) {
    const sweep = sweepInput(out, file.replace(/\.\w+$/, ''));
    // The sweep's own charts, and the study charts of every point (its own results folder).
    const points = readdirSync(out, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(out, d.name, 'run.json'))); // point folders (not charts/)
    const charts = [...sweepCharts(sweep), ...points.flatMap((d) => studyCharts(studyInput(join(out, d.name))).map((c) => ({ ...c, name: `${d.name}/${c.name}` })))];
    produced.set(file, { file, kind: 'sweep', charts, sweep });
  } else {
    const input = studyInput(out);
    produced.set(file, { file, kind: 'study', charts: studyCharts(input), input });
  }
}

beforeAll(async () => {
  const queue = [...bundled];
  // Two at a time on two cores.
  await Promise.all([0, 1].map(async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) await runBundled(f);
  }));
  const tier3 = produced.get('tier3-n1.yaml')!.input!;
  const tier4 = produced.get('tier4-2n1.yaml')!.input!;
  compareInput = {
    scenarios: [
      { scenario: 'tier3-n1', rows: tier3.summary },
      { scenario: 'tier4-2n1', rows: tier4.summary },
    ],
    // Paired differences as `compare` reports them; here the difference of the two means with a
    // made-up interval (the chart draws what it is given).
    differences: tier4.summary.map((r) => {
      const base = tier3.summary.find((b) => b.metric === r.metric)!;
      const mean = r.mean - base.mean;
      return { scenario: 'tier4-2n1', metric: r.metric, mean, ci_low: mean - 0.1, ci_high: mean + 0.1 };
    }),
    capex: [
      { scenario: 'tier3-n1', capex: 1_200_000, downtimeCost: 150_000, currency: 'USD' },
      { scenario: 'tier4-2n1', capex: 2_000_000, downtimeCost: 16_000, currency: 'USD' },
    ],
  };
  const schema = JSON.parse(readFileSync(require.resolve('vega-lite/vega-lite-schema.json'), 'utf8')) as object;
  ajvValidate = new Ajv({ strict: false, allErrors: false, validateFormats: false }).compile(schema);
}, 120_000);

/** Every chart of the suite: the bundled scenarios', the cluster fixture's and the compare chart. */
function everyChart(): Array<{ where: string; chart: NamedChart }> {
  const all = [...produced.values()].flatMap((p) => p.charts.map((chart) => ({ where: p.file, chart })));
  const clusterCharts = studyCharts({ ...produced.get('tier3-n1.yaml')!.input!, scenario: 'cluster-small', cluster: fixture });
  all.push(...clusterCharts.map((chart) => ({ where: 'cluster-small.json', chart })));
  all.push({ where: 'compare', chart: { name: CHART_NAMES.compare, spec: compareChart(compareInput)! } });
  return all;
}

describe('chart specs', () => {
  it('declare the schema of the installed vega-lite major version', () => {
    expect(VEGA_LITE_SCHEMA).toBe(`https://vega.github.io/schema/vega-lite/v${vegaLiteVersion.split('.')[0]}.json`);
  });

  it('every bundled scenario gets the charts a reader expects', () => {
    const names = (file: string) => produced.get(file)!.charts.map((c) => c.name);
    expect(names('tier1-single-path.yaml')).toEqual([CHART_NAMES.downtimeDistribution, CHART_NAMES.estimates, CHART_NAMES.causes, CHART_NAMES.timeline]);
    expect(names('seed-table1.yaml').slice(0, 2)).toEqual([CHART_NAMES.sweep, CHART_NAMES.sweepEstimates]);
    expect(names('seed-table1.yaml')).toContain(`2+1/${CHART_NAMES.downtimeDistribution}`);
    // A cluster without loads has no downtime to draw.
    expect(names('lsf-worked-example.yaml')).toEqual([CHART_NAMES.estimates]);
    for (const p of produced.values()) {
      expect(p.charts.length, p.file).toBeGreaterThan(0);
      for (const c of p.charts) expect(c.name, p.file).toMatch(/^[A-Za-z0-9+._-]+(\/[a-z-]+)?$/);
    }
    expect(produced.size).toBe(bundled.length);
  });

  it('every chart spec of every bundled scenario validates against the Vega-Lite JSON schema', () => {
    const failures: string[] = [];
    let count = 0;
    for (const { where, chart } of everyChart()) {
      count++;
      if (!ajvValidate(chart.spec)) failures.push(`${where} ${chart.name}: ${JSON.stringify(ajvValidate.errors?.slice(0, 3))}`);
    }
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(bundled.length * 2);
  });

  it('carry their data inline, a title, width and height, and stay small', () => {
    for (const { where, chart } of everyChart()) {
      const json = JSON.stringify(chart.spec);
      expect(json, `${where} ${chart.name}`).not.toMatch(/"url"\s*:/);
      expect(json.replace(VEGA_LITE_SCHEMA, ''), `${where} ${chart.name}`).not.toMatch(/https?:/);
      const spec = chart.spec as unknown as Record<string, unknown>;
      expect((spec['title'] as { text: string }).text, `${where} ${chart.name}`).toBeTruthy();
      expect(json, `${where} ${chart.name}`).toMatch(/"width"/);
      expect(json, `${where} ${chart.name}`).toMatch(/"height"/);
      const rows = views(chart.spec).reduce((s, v) => s + v.values.length, 0);
      expect(rows, `${where} ${chart.name}`).toBeLessThanOrEqual(MAX_ROWS + 1000);
    }
  });

  it('every quantitative axis title carries its unit', () => {
    const titles: string[] = [];
    // Channel definitions outside tooltips: { field, type: 'quantitative', title }.
    const walk = (x: unknown, key = '') => {
      if (key === 'tooltip') return;
      if (Array.isArray(x)) x.forEach((v) => walk(v));
      else if (x && typeof x === 'object') {
        const o = x as Record<string, unknown>;
        if (o['type'] === 'quantitative' && typeof o['title'] === 'string') titles.push(o['title']);
        for (const [k, v] of Object.entries(o)) walk(v, k);
      }
    };
    for (const { chart } of everyChart()) walk(chart.spec);
    expect(new Set(titles)).toEqual(
      new Set([
        'downtime in one simulated year (h/yr)',
        'replications (years)',
        'share of years ≤ x',
        'downtime (h/yr)',
        'time since the end of the warm-up (h)',
        'years of operation',
        'cumulative cost (USD)',
        'jobs.wait_hours (h)',
      ]),
    );
  });
});

describe('headless SVG', () => {
  it('every chart renders to an SVG with marks, without warnings', async () => {
    for (const { where, chart } of everyChart()) {
      const { svg, warnings } = await renderChart(chart.spec);
      expect(warnings, `${where} ${chart.name}`).toEqual([]);
      expect(svg.startsWith('<svg'), `${where} ${chart.name}`).toBe(true);
      expect(allMarkItems(svg), `${where} ${chart.name}`).toBeGreaterThan(0);
    }
  });

  it('refuses a chart that would load data instead of reaching the network', async () => {
    const spec: TopLevelSpec = { data: { url: 'https://example.invalid/downtime.csv' }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } };
    await expect(renderChart(spec)).rejects.toThrow(ChartRenderError);
    await expect(renderChart(spec)).rejects.toThrow(/example\.invalid.*inline/);
  });

  it('writeCharts writes each spec as pretty JSON beside its SVG, and nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'resim-charts-out-'));
    const charts = produced.get('tier1-single-path.yaml')!.charts;
    const written = await writeCharts(dir, charts);
    const files = readdirSync(join(dir, 'charts')).sort();
    expect(files).toEqual(charts.flatMap((c) => [`${c.name}.svg`, `${c.name}.vl.json`]).sort());
    expect(written).toHaveLength(charts.length * 2);
    for (const c of charts) {
      const text = readFileSync(join(dir, 'charts', `${c.name}.vl.json`), 'utf8');
      expect(JSON.parse(text)).toEqual(c.spec);
      expect(text).toContain('\n  "$schema"');
      const svg = readFileSync(join(dir, 'charts', `${c.name}.svg`), 'utf8');
      expect(allMarkItems(svg)).toBeGreaterThan(0);
    }
  });
});

describe('what the charts show', () => {
  it('downtime distribution: Tier budget rules at the DOMAIN.md §4.1 hours, on the axis', async () => {
    const input = produced.get('tier1-single-path.yaml')!.input!;
    const spec = downtimeDistributionChart(input)!;
    // Every Tier I year has two 12 h maintenance shutdowns, so data reach past 19.2 h/yr = 28.8 / 1.5.
    const rules = dataOf(spec, 'tier_rules');
    expect(rules.map((r) => r['hours'])).toEqual([DOMAIN_BUDGETS.IV, DOMAIN_BUDGETS.III, DOMAIN_BUDGETS.II, DOMAIN_BUDGETS.I]);
    expect(rules.map((r) => r['label'])).toEqual(['Tier IV budget 0.4 h/yr', 'Tier III budget 1.6 h/yr', 'Tier II budget 22 h/yr', 'Tier I budget 28.8 h/yr']);
    // In the SVG, each rule sits at its value on the downtime axis (600 px wide).
    const { svg } = await renderChart(spec);
    const scale = ((spec as unknown as { vconcat: Array<{ layer: Array<{ encoding: { x: { scale: { domain: [number, number] } } } }> }> }).vconcat[0]!.layer[0]!.encoding.x.scale.domain);
    const px = (h: number) => ((h - scale[0]) / (scale[1] - scale[0])) * 600;
    expect(markItems(svg, 'tier_rules').map(translateX)).toEqual([0.4, 1.6, 22, 28.8].map((h) => expect.closeTo(px(h), 6)));
    expect(markItems(svg, 'tier_rules_cdf')).toHaveLength(4);
    expect(markItems(svg, 'tier_labels_right').length + markItems(svg, 'tier_labels_left').length).toBe(4);
  });

  it('downtime distribution: the histogram counts every replication and the CDF climbs to 1', () => {
    const input = produced.get('tier1-single-path.yaml')!.input!;
    const spec = downtimeDistributionChart(input)!;
    const counts = dataOf(spec, 'histogram').map((b) => Number(b['count']));
    expect(counts.reduce((s, c) => s + c, 0)).toBe(input.perReplication['downtime_hours']!.length);
    const shares = dataOf(spec, 'ecdf').map((p) => Number(p['share']));
    expect(shares[shares.length - 1]).toBe(1);
    for (let i = 1; i < shares.length; i++) expect(shares[i]).toBeGreaterThanOrEqual(shares[i - 1]!);
  });

  it('downtime distribution: only the budgets near the data, so the axis stays readable', () => {
    expect(budgetsNear(0)).toEqual([{ tier: 'IV', hours: DOMAIN_BUDGETS.IV }]);
    expect(budgetsNear(3.8).map((b) => b.hours)).toEqual([0.4, 1.6]);
    expect(budgetsNear(10).map((b) => b.hours)).toEqual([0.4, 1.6, 22]);
    expect(budgetsNear(100).map((b) => b.hours)).toEqual([0.4, 1.6, 22, 28.8]);
    const tier4 = downtimeDistributionChart(produced.get('tier4-2n1.yaml')!.input!)!;
    expect(dataOf(tier4, 'tier_rules').map((r) => r['hours'])).not.toContain(DOMAIN_BUDGETS.I);
  });

  it('downtime distribution: 200,000 replications still inline a few hundred rows', () => {
    const values = Float64Array.from({ length: 200_000 }, (_, i) => (i % 50 === 0 ? (1 + (i % 997)) / 10 : 0));
    const spec = downtimeDistributionChart({ scenario: 'big', perReplication: { downtime_hours: values }, summary: [{ ...produced.get('tier1-single-path.yaml')!.input!.summary[0]! }] })!;
    const rows = views(spec).reduce((s, v) => s + v.values.length, 0);
    expect(rows).toBeLessThan(800);
    // The 98% of zero years is one jump of the CDF, kept exactly.
    expect(dataOf(spec, 'ecdf')[0]).toEqual({ hours: 0, share: 0.98 });
  });

  it('downtime by cause: bars largest first, adding up to the total downtime', async () => {
    const input = produced.get('tier1-single-path.yaml')!.input!;
    const chart = produced.get('tier1-single-path.yaml')!.charts.find((c) => c.name === CHART_NAMES.causes)!;
    const data = (chart.spec as unknown as { data: { values: Array<{ cause: string; downtime_hours: number }> } }).data.values;
    const hours = data.map((d) => d.downtime_hours);
    expect(hours).toEqual([...hours].sort((a, b) => b - a));
    const total = input.summary.find((r) => r.metric === 'downtime_hours')!.mean;
    expect(hours.reduce((s, h) => s + h, 0)).toBeCloseTo(total, 9);
    const { svg } = await renderChart(chart.spec);
    const drawn = bars(markItems(svg, 'cause_bars'));
    expect(drawn).toHaveLength(data.length);
    // Top to bottom, longest to shortest.
    for (let i = 1; i < drawn.length; i++) {
      expect(drawn[i]!.y).toBeGreaterThan(drawn[i - 1]!.y);
      expect(drawn[i]!.width).toBeLessThanOrEqual(drawn[i - 1]!.width);
    }
  });

  it('incident timeline: one bar and one start tick per incident, planned and unplanned apart', async () => {
    const input = produced.get('tier1-single-path.yaml')!.input!;
    const chart = produced.get('tier1-single-path.yaml')!.charts.find((c) => c.name === CHART_NAMES.timeline)!;
    const n = input.timeline!.incidents.length;
    const { svg } = await renderChart(chart.spec);
    expect(markItems(svg, 'incident_bars')).toHaveLength(n);
    expect(markItems(svg, 'incident_starts')).toHaveLength(n);
    // Tier I has planned maintenance shutdowns every year and unplanned failures in the busiest one.
    const kinds = new Set((chart.spec as unknown as { data: { values: Array<{ kind: string }> } }).data.values.map((d) => d.kind));
    expect(kinds).toEqual(new Set(['planned', 'unplanned']));
  });

  it('cluster Gantt: the week from 24 h before the first suspension, running and suspended jobs, reservation bands', async () => {
    const spec = ganttChart({ scenario: 'cluster-small', cluster: fixture })!;
    const running = dataOf(spec, 'gantt_running');
    const suspended = dataOf(spec, 'gantt_suspended');
    const bands = dataOf(spec, 'reservation_bands');
    expect(suspended).toEqual([expect.objectContaining({ job: 3, host: 'gpu-2', start: 30, end: 34 })]);
    expect(running.map((r) => [r['job'], r['start'], r['end']])).toEqual([
      [1, 6, 10],
      [2, 6, 40],
      [3, 6, 30],
      [3, 34, 50],
      [4, 30, 34],
      [5, 100, 130],
    ]);
    expect(bands.map((b) => [b['name'], b['kind'], b['start'], b['end']])).toEqual([
      ['ar1', 'reservation', 30, 34],
      ['maint', 'system reservation', 140, 150],
    ]);
    // Jobs 1 and 2 overlap on gpu-1: two lanes; job 3 keeps its lane while suspended.
    const lane = (job: number) => new Set([...running, ...suspended].filter((r) => r['job'] === job).map((r) => r['lane']));
    expect(lane(1)).not.toEqual(lane(2));
    expect(lane(3).size).toBe(1);
    const { svg } = await renderChart(spec);
    expect(markItems(svg, 'gantt_running')).toHaveLength(6);
    expect(markItems(svg, 'gantt_suspended')).toHaveLength(1);
    expect(markItems(svg, 'reservation_bands')).toHaveLength(2);
    expect(svg).toMatch(/>suspended</);
    expect(svg).toMatch(/>system reservation</);
  });

  it('cluster Gantt: 20,000 intervals are cut to MAX_ROWS by narrowing the window', () => {
    const segments = Array.from({ length: 20_000 }, (_, i) => ({ job: i, host: `h${i % 8}`, start: i * 0.01, end: i * 0.01 + 0.5, state: 'running' as const }));
    const spec = ganttChart({ scenario: 'big', cluster: { segments, reservations: [], servers: null, horizonHours: 8760 } })!;
    expect(dataOf(spec, 'gantt_running').length).toBeLessThanOrEqual(MAX_ROWS);
    expect(dataOf(spec, 'gantt_running').length).toBeGreaterThan(MAX_ROWS - 100);
  });

  it('server states: a bar from each change to the next, the last to the horizon, from the end of warm-up', async () => {
    const spec = serverStatesChart({ scenario: 'cluster-small', cluster: fixture })!;
    const data = (spec as unknown as { data: { values: Array<{ server: string; state: string; start: number; end: number }> } }).data.values;
    expect(data.filter((d) => d.server === 'srv-2').map((d) => [d.state, d.start, d.end])).toEqual([
      ['stopped', 0, 60],
      ['restarting', 60, 60.05],
      ['running', 60.05, 336],
    ]);
    expect(data.filter((d) => d.server === 'srv-1').map((d) => d.state)).toEqual(['running', 'stopped', 'running', 'frozen', 'migrating', 'running']);
    const { svg } = await renderChart(spec);
    expect(markItems(svg, 'server_states')).toHaveLength(data.length);
  });

  it('sweep: simulated mean with CI, exact, and the seed article’s Table 1 as its own series', async () => {
    const sweep = produced.get('seed-table1.yaml')!.sweep!;
    const spec = sweepChart(sweep)!;
    const data = (spec as unknown as { data: { values: Array<{ series: string; value: string; y: number; kind: string }> } }).data.values;
    const table1 = Object.fromEntries(data.filter((d) => d.series === 'article_table1').map((d) => [d.value, d.y]));
    expect(table1).toEqual(TABLE1);
    const points = new Set(sweep.rows.map((r) => r['value']));
    expect(data.filter((d) => d.kind === 'simulated')).toHaveLength(points.size);
    expect(data.filter((d) => d.kind === 'exact')).toHaveLength(points.size);
    const { svg } = await renderChart(spec);
    expect(markItems(svg, 'sweep_points')).toHaveLength(data.length);
    expect(markItems(svg, 'sweep_ci')).toHaveLength(points.size);
    expect(markItems(svg, 'sweep_lines').length).toBeGreaterThan(0);
    // The legend names every series.
    for (const label of ['simulated mean (95% CI)', 'exact', 'article_table1']) expect(svg).toContain(`>${label}<`);
  });

  it('sweep: a categorical parameter keeps its order and is not joined by lines', async () => {
    for (const file of ['tenant-stop-vs-freeze.yaml', 'distributed-3n2.yaml']) {
      const sweep = produced.get(file)!.sweep!;
      const order = [...new Set(sweep.rows.map((r) => String(r['value'])))];
      const spec = sweepChart(sweep)!;
      const x = (spec as unknown as { encoding: { x: { type: string; sort: string[] } } }).encoding.x;
      expect(x.type, file).toBe('ordinal');
      expect(x.sort, file).toEqual(order);
      const { svg } = await renderChart(spec);
      expect(markItems(svg, 'sweep_lines'), file).toEqual([]);
      expect(markItems(svg, 'sweep_points').length, file).toBe(order.length);
    }
    expect(sweepChart(produced.get('tenant-stop-vs-freeze.yaml')!.sweep!)).not.toBeNull();
  });

  it('compare: schemes side by side, paired differences against the first, cumulative cost from the capex', async () => {
    const spec = compareChart(compareInput)!;
    const { svg } = await renderChart(spec);
    // downtime_hours, incidents, mttr_hours (undefined without incidents: left out), outage, dirty, cost.
    const metrics = ['downtime_hours', 'incidents', 'outage_hours', 'dirty_hours', 'cost'].filter((m) => compareInput.scenarios.every((s) => Number.isFinite(s.rows.find((r) => r.metric === m)?.mean)));
    const schemePoints = metrics.reduce((s, _, i) => s + markItems(svg, `scheme_points_${i}`).length, 0);
    expect(schemePoints).toBe(metrics.length * 2);
    const diffPoints = metrics.reduce((s, _, i) => s + markItems(svg, `difference_points_${i}`).length, 0);
    expect(diffPoints).toBe(metrics.length);
    const cost = dataOf(spec, 'cost_lines');
    const at = (scheme: string, year: number) => Number(cost.find((d) => d['scheme'] === scheme && d['year'] === year)!['cost']);
    expect(at('tier3-n1', 0)).toBe(1_200_000);
    expect(at('tier4-2n1', 5)).toBe(2_000_000 + 5 * 16_000);
    // Break-even after 800,000 / 134,000 = 6.0 years: the horizon covers it, the subtitle says it.
    expect(Math.max(...cost.map((d) => Number(d['year'])))).toBeGreaterThanOrEqual(9);
    expect(svg).toContain('tier4-2n1 pays for its extra capex against tier3-n1 after 6.0 years');
    expect(markItems(svg, 'cost_lines').length).toBeGreaterThan(0);
  });
});
