/**
 * Chart specs (CLI.md "Results folder": charts/*.vl.json): pure functions from plain result data to
 * Vega-Lite specs with the data inlined, so a spec renders anywhere without files or network.
 * No I/O here; reports/render.ts turns a spec into SVG and writes both.
 *
 * Conventions every chart follows: a title naming the scenario, axis titles carrying their unit,
 * explicit width/height, field names without dots (Vega-Lite reads "a.b" as a nested field, and our
 * metric names contain dots: metrics are always values of a `metric` field, never field names), and
 * a cap on inlined rows so a spec stays small (MAX_ROWS).
 *
 * Where things are: input types and the per-study/per-sweep chart lists first, then one section
 * per chart in this order: downtime distribution, estimates, sweep curves, causes, incident
 * timeline, cluster Gantt, server states, compare; small shared helpers at the end.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SummaryRow } from '../models/summary.js';
import { TIER_BUDGETS } from '../models/tier.js';
import type { ClusterTimeline } from '../models/cluster/records.js';
import { shortNumber } from './format.js';
import type { CauseRow, IncidentRow } from './results.js';

/** The schema of the installed vega-lite major version (test/charts.test.ts checks the match). */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** File-safe chart names (charts/<name>.vl.json and .svg). */
export const CHART_NAMES = {
  downtimeDistribution: 'downtime-distribution',
  estimates: 'estimates',
  causes: 'downtime-by-cause',
  timeline: 'incident-timeline',
  gantt: 'cluster-gantt',
  servers: 'server-states',
  sweep: 'sweep',
  sweepEstimates: 'sweep-estimates',
  compare: 'compare',
} as const;

/** Rows of data inlined in one spec at most: beyond that a chart narrows its window or lumps. */
export const MAX_ROWS = 4000;

/** A study's results, as the charts need them. */
export interface ChartInput {
  scenario: string;
  /** summary.csv rows */
  summary: SummaryRow[];
  /** Per-replication values of some metrics, e.g. downtime_hours (h/yr). */
  perReplication: Record<string, ArrayLike<number>>;
  causes: CauseRow[];
  /** Incidents of ONE replication, times in hours from the end of warm-up. */
  timeline: { replication: number; horizonHours: number; incidents: IncidentRow[] } | null;
  /** One replication's job intervals on hosts, reservation windows and server states (hours from the end of warm-up). */
  cluster: ClusterTimeline | null;
}

/** sweep.csv (long form) of one sweep. */
export interface SweepChartInput {
  scenario: string;
  parameter: string;
  /** parameter,value,metric,unit,mean,ci_low,ci_high,exact,<reference labels...>; numbers may be strings as read from the CSV, '' for "none". */
  rows: Array<Record<string, string | number>>;
  /** The reference labels (columns after `exact`), e.g. ["article_table1"]. */
  references: string[];
  /** The metric drawn against the parameter; default downtime_hours, else the first metric of the rows. */
  metric?: string;
}

/** `compare`: every scheme's summary, and paired differences against the first scheme. */
export interface CompareChartInput {
  scenarios: Array<{ scenario: string; rows: SummaryRow[] }>;
  differences: Array<{ scenario: string; metric: string; mean: number; ci_low: number; ci_high: number }>;
  /** Capex per scheme (one-off) and its expected downtime cost per year, in `currency`. */
  capex?: Array<{ scenario: string; capex: number; downtimeCost: number; currency: string }>;
}

export interface NamedChart {
  name: string;
  spec: TopLevelSpec;
}

type Datum = Record<string, string | number | boolean>;

const WIDTH = 600;
const COLORS = {
  blue: '#4c78a8',
  orange: '#f58518',
  red: '#e45756',
  teal: '#72b7b2',
  green: '#54a24b',
  yellow: '#eeca3b',
  purple: '#b279a2',
  grey: '#9d9d9d',
  lightGrey: '#bab0ac',
};

/** Every chart of one study that has something to draw, in reading order. */
export function studyCharts(input: ChartInput): NamedChart[] {
  const charts: Array<[string, TopLevelSpec | null]> = [
    [CHART_NAMES.downtimeDistribution, downtimeDistributionChart(input)],
    [CHART_NAMES.estimates, estimatesChart(input)],
    [CHART_NAMES.causes, causesChart(input)],
    [CHART_NAMES.timeline, timelineChart(input)],
    [CHART_NAMES.gantt, ganttChart(input)],
    [CHART_NAMES.servers, serverStatesChart(input)],
  ];
  return charts.filter((c): c is [string, TopLevelSpec] => c[1] !== null).map(([name, spec]) => ({ name, spec }));
}

/** The charts of a sweep: the swept metric against the parameter, and every metric against it. */
export function sweepCharts(input: SweepChartInput): NamedChart[] {
  const charts: Array<[string, TopLevelSpec | null]> = [
    [CHART_NAMES.sweep, sweepChart(input)],
    [CHART_NAMES.sweepEstimates, sweepEstimatesChart(input)],
  ];
  return charts.filter((c): c is [string, TopLevelSpec] => c[1] !== null).map(([name, spec]) => ({ name, spec }));
}

// ---------------------------------------------------------------------------------------------
// 1. Downtime distribution

/**
 * Histogram of the per-replication downtime (top) and its empirical CDF (bottom) on one shared
 * downtime axis, with the Tier budgets of DOMAIN.md §4.1 as labelled rules. Both views are
 * pre-computed here (at most 30 bins and about MAX_ECDF_POINTS steps), so the spec stays small
 * whatever the replication count. A budget is drawn when it lies within 1.5x the largest
 * replication's downtime; the smallest budget above the data is drawn too when it is within 4x
 * (or when no replication saw downtime), so the reader sees the headroom without a Tier I rule
 * squashing a Tier IV site's data against the axis.
 */
export function downtimeDistributionChart(input: Pick<ChartInput, 'scenario' | 'perReplication' | 'summary'>): TopLevelSpec | null {
  const raw = input.perReplication['downtime_hours'];
  const row = input.summary.find((r) => r.metric === 'downtime_hours');
  // A study without loads (a cluster alone) has a zero downtime column but no downtime metric.
  if (!raw || raw.length === 0 || !row) return null;
  const values = Float64Array.from(raw).filter(Number.isFinite).sort();
  const n = values.length;
  if (n === 0) return null;
  const dataMax = values[n - 1]!;
  const dataMin = Math.min(0, values[0]!);
  const budgets = budgetsNear(dataMax);
  const budgetMax = Math.max(0, ...budgets.map((b) => b.hours)) * 1.05;
  const bins = histogram(values, dataMin, dataMax > dataMin ? dataMax : budgetMax || 1);
  const xMax = Math.max(Number(bins[bins.length - 1]!.end), budgetMax);
  const ecdf = empiricalCdf(values, dataMin, xMax);
  const downtimeTitle = 'downtime in one simulated year (h/yr)';
  const x = { type: 'quantitative' as const, scale: { domain: [dataMin, xMax], nice: false, zero: false }, title: downtimeTitle };
  const zeroShare = values.filter((v) => v === 0).length / n;
  const subtitle = [
    `${n} replications; mean ${shortNumber(row.mean)} h/yr (95% CI ${shortNumber(row.ci_low)} to ${shortNumber(row.ci_high)}), p95 ${shortNumber(row.p95)} h/yr`,
    `${percent(zeroShare)} of years without downtime; dashed rules: Tier hour budgets (DOMAIN.md §4.1)`,
  ];
  // Labels stack downwards from the top; one in the right quarter of the axis is set to the left of its rule.
  const tierData = budgets.map((b, i) => ({
    tier: `Tier ${b.tier}`,
    hours: b.hours,
    label: `Tier ${b.tier} budget ${b.hours} h/yr`,
    labelY: 10 + 14 * i,
    side: b.hours > dataMin + 0.75 * (xMax - dataMin) ? 'left' : 'right',
  }));
  const tierRule = (name: string) => ({
    name,
    data: { values: tierData },
    mark: { type: 'rule' as const, color: COLORS.red, strokeDash: [5, 3], strokeWidth: 1.5 },
    encoding: { x: { field: 'hours', ...x }, tooltip: [{ field: 'label', type: 'nominal' as const, title: 'budget' }] },
  });
  // Each label twice: a white outline under the red text keeps it legible over the bars.
  const tierLabels = (side: 'left' | 'right', halo: boolean) => ({
    ...(halo ? {} : { name: `tier_labels_${side}` }),
    data: { values: tierData },
    transform: [{ filter: `datum.side === '${side}'` }],
    mark: {
      type: 'text' as const,
      align: side === 'right' ? ('left' as const) : ('right' as const),
      dx: side === 'right' ? 4 : -4,
      fontSize: 11,
      ...(halo ? { color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round' as const } : { color: COLORS.red }),
    },
    encoding: {
      x: { field: 'hours', ...x },
      y: { field: 'labelY', type: 'quantitative' as const, scale: null },
      text: { field: 'label', type: 'nominal' as const },
    },
  });
  const histogramView = {
    width: WIDTH,
    height: 200,
    layer: [
      {
        name: 'histogram',
        data: { values: bins },
        mark: { type: 'rect' as const, color: COLORS.blue, stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'start', ...x },
          x2: { field: 'end' },
          y: { field: 'count', type: 'quantitative' as const, title: 'replications (years)' },
          tooltip: [
            { field: 'start', type: 'quantitative' as const, title: 'from (h/yr)', format: '.4~g' },
            { field: 'end', type: 'quantitative' as const, title: 'to (h/yr)', format: '.4~g' },
            { field: 'count', type: 'quantitative' as const, title: 'replications' },
          ],
        },
      },
      ...(tierData.length > 0
        ? [tierRule('tier_rules'), tierLabels('right', true), tierLabels('left', true), tierLabels('right', false), tierLabels('left', false)]
        : []),
    ],
  };
  const cdfView = {
    width: WIDTH,
    height: 160,
    layer: [
      {
        name: 'ecdf',
        data: { values: ecdf },
        mark: { type: 'line' as const, interpolate: 'step-after' as const, color: COLORS.blue, strokeWidth: 2 },
        encoding: {
          x: { field: 'hours', ...x },
          y: { field: 'share', type: 'quantitative' as const, title: 'share of years ≤ x', scale: { domain: [0, 1] }, axis: { format: '%' } },
        },
      },
      ...(tierData.length > 0 ? [tierRule('tier_rules_cdf')] : []),
    ],
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { anchor: 'start', text: `${input.scenario}: downtime per simulated year`, subtitle },
    vconcat: [histogramView, cdfView],
    resolve: { scale: { x: 'shared' } },
  };
}

/** Tier budgets worth drawing next to data reaching `dataMax` (see downtimeDistributionChart). */
export function budgetsNear(dataMax: number): Array<{ tier: string; hours: number }> {
  const sorted = [...TIER_BUDGETS].sort((a, b) => a.hours - b.hours);
  const shown = sorted.filter((b) => b.hours <= 1.5 * dataMax);
  const next = sorted.find((b) => b.hours > dataMax);
  if (next && !shown.includes(next) && (dataMax <= 0 || next.hours <= 4 * dataMax)) shown.push(next);
  return shown.map((b) => ({ tier: b.tier, hours: b.hours }));
}

/** Counts of sorted `values` in about 30 equal bins of a round width over [lo, hi]. */
function histogram(values: Float64Array, lo: number, hi: number): Datum[] {
  const step = niceStep((hi - lo) / 30);
  const count = Math.max(1, Math.ceil((hi - lo) / step - 1e-9));
  const counts = new Array<number>(count).fill(0);
  for (const v of values) counts[Math.min(count - 1, Math.max(0, Math.floor((v - lo) / step)))]!++;
  return counts.map((c, i) => ({ start: lo + i * step, end: lo + (i + 1) * step, count: c }));
}

/** 1, 2 or 5 times a power of ten, at least `x`. */
function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= x * (1 - 1e-12))!;
}

const MAX_ECDF_POINTS = 600;

/**
 * Steps of the empirical CDF of sorted `values`: one point per distinct value (the share of
 * values <= it), thinned to about MAX_ECDF_POINTS by keeping a step only once it has climbed
 * 1/MAX_ECDF_POINTS since the last one kept (ties, such as the many zero-downtime years, keep
 * their whole jump). Starts at `xMin` with share 0 and ends at `xMax` with share 1, so the line
 * spans the axis.
 */
function empiricalCdf(values: Float64Array, xMin: number, xMax: number): Datum[] {
  const n = values.length;
  const points: Datum[] = values[0]! > xMin ? [{ hours: xMin, share: 0 }] : [];
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && values[i + 1] === values[i]) continue;
    if ((i + 1 - kept) / n >= 1 / MAX_ECDF_POINTS || i === n - 1 || kept === 0) {
      points.push({ hours: values[i]!, share: (i + 1) / n });
      kept = i + 1;
    }
  }
  if (values[n - 1]! < xMax) points.push({ hours: xMax, share: 1 });
  return points;
}

// ---------------------------------------------------------------------------------------------
// 2. Metric estimates with confidence intervals

/**
 * One row per metric, each with its own axis in its own unit (no normalisation): the metrics
 * share nothing but being estimates (0.07 h/yr next to 438,000 h of MTBF), and a relative scale
 * would hide the unit a planner reads. A point at the mean and a rule over the 95% CI; metrics
 * whose estimate is undefined (a ratio with no denominator) are left out.
 */
export function estimatesChart(input: Pick<ChartInput, 'scenario' | 'summary'>): TopLevelSpec | null {
  const rows = ciRows(input.summary.map((r) => ({ ...r, group: '' })));
  if (rows.length === 0) return null;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { anchor: 'start', text: `${input.scenario}: estimates with 95% confidence intervals`, subtitle: 'one row per metric, each on its own scale in its own unit (point: mean; bar: 95% CI)' },
    ...ciPanels(rows, false, 'estimate'),
  };
}

interface CiSource {
  metric: string;
  unit: string;
  mean: number;
  ci_low: number;
  ci_high: number;
  group: string;
}

/** Rows for ciPanels: finite means only; an undefined CI collapses onto the mean. */
function ciRows(rows: CiSource[]): Datum[] {
  return rows
    .filter((r) => Number.isFinite(r.mean))
    .map((r) => {
      const hasCi = Number.isFinite(r.ci_low) && Number.isFinite(r.ci_high);
      return {
        label: `${r.metric} (${r.unit})`,
        metric: r.metric,
        unit: r.unit,
        group: r.group,
        mean: r.mean,
        ci_low: hasCi ? r.ci_low : r.mean,
        ci_high: hasCi ? r.ci_high : r.mean,
      };
    });
}

/**
 * One panel per metric label, stacked (vconcat: every panel has its own x scale and axis), the
 * label with its unit as the panel's title: a CI rule and a point per `group` on the y axis (no
 * y axis when `grouped` is false). A dashed zero line when `zeroRule` (differences: a CI clear of
 * it is a real difference). Mark names end in the panel index: `${prefix}_bars_3`.
 */
function ciPanels(rows: Datum[], grouped: boolean, prefix: string, zeroRule = false) {
  const labels = [...new Set(rows.map((r) => String(r.label)))];
  const groups = [...new Set(rows.map((r) => String(r.group)))];
  const y = grouped ? { y: { field: 'group', type: 'nominal' as const, title: null, sort: groups, axis: { labelLimit: 220 } } } : {};
  const tooltip = [
    { field: 'label', type: 'nominal' as const, title: 'metric' },
    ...(grouped ? [{ field: 'group', type: 'nominal' as const, title: 'of' }] : []),
    { field: 'mean', type: 'quantitative' as const, title: 'mean', format: '.4~g' },
    { field: 'ci_low', type: 'quantitative' as const, title: '95% CI low', format: '.4~g' },
    { field: 'ci_high', type: 'quantitative' as const, title: '95% CI high', format: '.4~g' },
  ];
  const panel = (label: string, i: number) => ({
    title: { text: label, anchor: 'start' as const, fontSize: 11, fontWeight: 'bold' as const, offset: 4 },
    transform: [{ filter: { field: 'label', equal: label } }],
    width: 420,
    height: grouped ? { step: 18 } : 12,
    layer: [
      ...(zeroRule ? [{ mark: { type: 'rule' as const, color: COLORS.grey, strokeDash: [3, 3] }, encoding: { x: { datum: 0, type: 'quantitative' as const } } }] : []),
      {
        name: `${prefix}_bars_${i}`,
        mark: { type: 'rule' as const, strokeWidth: 2, color: COLORS.blue },
        encoding: {
          x: { field: 'ci_low', type: 'quantitative' as const, scale: panelScale(rows.filter((r) => r.label === label), zeroRule), axis: { title: null, tickCount: 5, labelFlush: true } },
          x2: { field: 'ci_high' },
          ...y,
          tooltip,
        },
      },
      {
        name: `${prefix}_points_${i}`,
        mark: { type: 'point' as const, filled: true, size: 50, color: COLORS.blue, opacity: 1 },
        encoding: { x: { field: 'mean', type: 'quantitative' as const }, ...y, tooltip },
      },
    ],
  });
  // Flush bounds line the panels up on their plots; the spacing leaves room for an axis and a title.
  return { data: { values: rows }, spacing: 40, bounds: 'flush' as const, vconcat: labels.map(panel) };
}

/**
 * A panel's x scale: zero included for differences; a panel whose values are all one number
 * (no downtime in any replication: 0 with CI [0, 0]) gets a domain around it, since a zero-width
 * domain draws an axis of repeated labels.
 */
function panelScale(rows: Datum[], zero: boolean) {
  const values = rows.flatMap((r) => [Number(r.ci_low), Number(r.ci_high), Number(r.mean)]);
  const lo = Math.min(...values, ...(zero ? [0] : []));
  const hi = Math.max(...values, ...(zero ? [0] : []));
  if (hi > lo) return { zero };
  const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return { domain: [lo - pad, hi + pad] };
}

// ---------------------------------------------------------------------------------------------
// 3. Sweeps

/**
 * How a sweep's values sit on an axis: a numeric parameter gets a quantitative axis; any other
 * keeps the sweep's order of points. Points are joined by lines when the axis is numeric or has 3
 * or more points (a curve: "1", "1+1", "2+1"...); two categories (stop/freeze) stand alone.
 */
function sweepAxis(rows: SweepChartInput['rows'], parameter: string) {
  const order = [...new Set(rows.map((r) => String(r['value'])))];
  const numeric = order.length > 0 && order.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  const x = numeric
    ? { field: 'x', type: 'quantitative' as const, title: parameter, scale: { zero: false } }
    : { field: 'value', type: 'ordinal' as const, title: parameter, sort: order, scale: { domain: order }, axis: { labelAngle: 0 } };
  const position = (value: string) => (numeric ? Number(value) : order.indexOf(value));
  return { order, numeric, x, position, connect: numeric || order.length >= 3 };
}

/**
 * The swept metric against the parameter: the simulated mean with its 95% CI as error bars, the
 * exact value and every reference column (e.g. the seed article's Table 1) as separately marked
 * series (colour and shape) with a legend.
 */
export function sweepChart(input: SweepChartInput): TopLevelSpec | null {
  const metric = sweptMetric(input);
  if (metric === null) return null;
  const rows = input.rows.filter((r) => r['metric'] === metric);
  const axis = sweepAxis(rows, input.parameter);
  const unit = String(rows[0]?.['unit'] ?? '');
  const SIM = 'simulated mean (95% CI)';
  const data: Datum[] = [];
  for (const r of rows) {
    const value = String(r['value']);
    const base = { value, x: axis.position(value) };
    const mean = num(r['mean']);
    if (mean !== null) {
      data.push({ ...base, series: SIM, kind: 'simulated', y: mean, ci_low: num(r['ci_low']) ?? mean, ci_high: num(r['ci_high']) ?? mean });
    }
    const exact = num(r['exact']);
    if (exact !== null) data.push({ ...base, series: 'exact', kind: 'exact', y: exact });
    for (const label of input.references) {
      const ref = num(r[label]);
      if (ref !== null) data.push({ ...base, series: label, kind: 'reference', y: ref });
    }
  }
  if (data.length === 0) return null;
  const series = [SIM, ...(data.some((d) => d.kind === 'exact') ? ['exact'] : []), ...input.references.filter((l) => data.some((d) => d.series === l))];
  const palette = [COLORS.blue, COLORS.red, COLORS.orange, COLORS.green, COLORS.purple, COLORS.teal, COLORS.yellow];
  const shapes = ['circle', 'diamond', 'triangle-up', 'square', 'cross', 'triangle-down', 'wedge'];
  const legend = { labelLimit: 260 };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: series, range: series.map((_, i) => palette[i % palette.length]!) }, legend };
  const yTitle = metricTitle(metric, unit);
  const tooltip = [
    { field: 'value', type: 'nominal' as const, title: input.parameter },
    { field: 'series', type: 'nominal' as const },
    { field: 'y', type: 'quantitative' as const, title: yTitle, format: '.4~g' },
  ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      anchor: 'start',
      text: `${input.scenario}: ${metricName(metric)} against ${input.parameter}`,
      subtitle: `simulated mean with its 95% CI (bars)${series.length > 1 ? `, beside ${series.slice(1).join(', ')}` : ''}`,
    },
    data: { values: data },
    width: axis.numeric ? WIDTH : Math.max(240, Math.min(WIDTH, 45 * axis.order.length)),
    height: 320,
    encoding: { x: axis.x },
    layer: [
      {
        name: 'sweep_ci',
        transform: [{ filter: "datum.kind === 'simulated'" }],
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { y: { field: 'ci_low', type: 'quantitative', title: yTitle }, y2: { field: 'ci_high' }, color },
      },
      ...(axis.connect
        ? [{ name: 'sweep_lines', mark: { type: 'line' as const, strokeWidth: 1, opacity: 0.6 }, encoding: { y: { field: 'y', type: 'quantitative' as const }, color, detail: { field: 'series', type: 'nominal' as const } } }]
        : []),
      {
        name: 'sweep_points',
        mark: { type: 'point', size: 60, filled: true, opacity: 0.9 },
        encoding: {
          y: { field: 'y', type: 'quantitative', title: yTitle },
          color,
          shape: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: series.map((_, i) => shapes[i % shapes.length]!) }, legend },
          tooltip,
        },
      },
    ],
  };
}

/**
 * Every metric of a sweep against the parameter, as small multiples: one panel per metric on its
 * own y scale and unit (no normalisation), the mean as a point with its 95% CI as a bar.
 */
export function sweepEstimatesChart(input: SweepChartInput): TopLevelSpec | null {
  const axis = sweepAxis(input.rows, input.parameter);
  const rows = ciRows(
    input.rows.map((r) => ({
      metric: String(r['metric']),
      unit: String(r['unit']),
      mean: num(r['mean']) ?? NaN,
      ci_low: num(r['ci_low']) ?? NaN,
      ci_high: num(r['ci_high']) ?? NaN,
      group: String(r['value']),
    })),
  ).map((d): Datum => ({ ...d, value: String(d.group), x: axis.position(String(d.group)) }));
  if (rows.length === 0 || rows.length > MAX_ROWS) return null;
  // Panels in the order of the metrics in sweep.csv, not of their first defined estimate.
  const metricOrder = [...new Set(input.rows.map((r) => String(r['metric'])))];
  const labels = [...new Set(rows.map((r) => String(r.label)))].sort(
    (a, b) => metricOrder.indexOf(String(rows.find((r) => r.label === a)!.metric)) - metricOrder.indexOf(String(rows.find((r) => r.label === b)!.metric)),
  );
  const tooltip = [
    { field: 'label', type: 'nominal' as const, title: 'metric' },
    { field: 'value', type: 'nominal' as const, title: input.parameter },
    { field: 'mean', type: 'quantitative' as const, format: '.4~g' },
    { field: 'ci_low', type: 'quantitative' as const, title: '95% CI low', format: '.4~g' },
    { field: 'ci_high', type: 'quantitative' as const, title: '95% CI high', format: '.4~g' },
  ];
  const panel = (label: string, i: number) => {
    const y = { type: 'quantitative' as const, title: null, scale: panelScale(rows.filter((r) => r.label === label), false) };
    return {
      title: { text: label, fontSize: 10, fontWeight: 'bold' as const, limit: 0 },
      transform: [{ filter: { field: 'label', equal: label } }],
      width: 240,
      height: 120,
      encoding: { x: { ...axis.x, axis: { title: null, labelAngle: 0, labelOverlap: true } } },
      layer: [
        { name: `sweep_metric_bars_${i}`, mark: { type: 'rule' as const, strokeWidth: 1.5, color: COLORS.blue }, encoding: { y: { field: 'ci_low', ...y }, y2: { field: 'ci_high' }, tooltip } },
        ...(axis.connect ? [{ mark: { type: 'line' as const, strokeWidth: 1, color: COLORS.blue, opacity: 0.5 }, encoding: { y: { field: 'mean', ...y } } }] : []),
        { name: `sweep_metric_points_${i}`, mark: { type: 'point' as const, filled: true, size: 40, color: COLORS.blue, opacity: 1 }, encoding: { y: { field: 'mean', ...y }, tooltip } },
      ],
    };
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      anchor: 'start',
      text: `${input.scenario}: every metric against ${input.parameter}`,
      subtitle: 'one panel per metric, each on its own scale in its own unit (point: mean; bar: 95% CI)',
    },
    data: { values: rows },
    columns: 3,
    spacing: { row: 30, column: 40 },
    concat: labels.map(panel),
  };
}

/** The metric a sweep chart draws: the requested one, else downtime_hours, else the first present. */
function sweptMetric(input: SweepChartInput): string | null {
  const metrics = new Set(input.rows.map((r) => String(r['metric'])));
  if (input.metric !== undefined) return metrics.has(input.metric) ? input.metric : null;
  if (metrics.has('downtime_hours')) return 'downtime_hours';
  return input.rows.length > 0 ? String(input.rows[0]!['metric']) : null;
}

// ---------------------------------------------------------------------------------------------
// 4. Downtime by cause

/** Causes shown at most; the rest are lumped into one "other" bar so the bars still add up. */
const MAX_CAUSES = 20;

/**
 * Downtime per year by root cause (causes.csv), largest first, as horizontal bars labelled with
 * their share; the bars add up to the total downtime of all incidents.
 */
export function causesChart(input: Pick<ChartInput, 'scenario' | 'causes'>): TopLevelSpec | null {
  const causes = input.causes.filter((c) => Number.isFinite(c.downtime_hours) && c.downtime_hours > 0);
  if (causes.length === 0) return null;
  const sorted = [...causes].sort((a, b) => b.downtime_hours - a.downtime_hours || (a.cause < b.cause ? -1 : 1));
  const total = sorted.reduce((s, c) => s + c.downtime_hours, 0);
  const shown = sorted.slice(0, MAX_CAUSES);
  const rest = sorted.slice(MAX_CAUSES);
  const data: Datum[] = shown.map((c) => ({ cause: c.cause, downtime_hours: c.downtime_hours, incidents: c.incidents, share: c.downtime_hours / total }));
  if (rest.length > 0) {
    const hours = rest.reduce((s, c) => s + c.downtime_hours, 0);
    data.push({ cause: `other (${rest.length} causes)`, downtime_hours: hours, incidents: rest.reduce((s, c) => s + c.incidents, 0), share: hours / total });
  }
  const order = data.map((d) => String(d.cause));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      anchor: 'start',
      text: `${input.scenario}: downtime by root cause`,
      subtitle: `total ${shortNumber(total)} h/yr; each incident counts for the first link of its cause chain`,
    },
    data: { values: data },
    width: 480,
    height: { step: 24 },
    encoding: {
      y: { field: 'cause', type: 'nominal', sort: order, title: 'root cause', axis: { labelLimit: 260 } },
      x: { field: 'downtime_hours', type: 'quantitative', title: 'downtime (h/yr)' },
    },
    layer: [
      {
        name: 'cause_bars',
        mark: { type: 'bar', color: COLORS.red },
        encoding: {
          tooltip: [
            { field: 'cause', type: 'nominal' },
            { field: 'downtime_hours', type: 'quantitative', title: 'downtime (h/yr)', format: '.4~g' },
            { field: 'incidents', type: 'quantitative', title: 'incidents (1/yr)', format: '.4~g' },
            { field: 'share', type: 'quantitative', format: '.1%' },
          ],
        },
      },
      { name: 'cause_shares', mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { text: { field: 'share', type: 'quantitative', format: '.1%' } } },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// 5. Incident timeline

/**
 * The incidents of one replication on its time axis (hours since the end of the warm-up), one
 * row per load, coloured planned / unplanned. A tick marks every start, because an incident of
 * minutes is narrower than a pixel on a year's axis. The first MAX_ROWS incidents at most.
 */
export function timelineChart(input: Pick<ChartInput, 'scenario' | 'timeline'>): TopLevelSpec | null {
  const t = input.timeline;
  if (!t || t.incidents.length === 0) return null;
  const incidents = [...t.incidents].sort((a, b) => a.start_h - b.start_h).slice(0, MAX_ROWS / 2);
  const data: Datum[] = incidents.map((i) => ({
    load: i.load,
    start: round(i.start_h),
    end: round(i.end_h),
    duration: i.duration_h,
    kind: i.planned ? 'planned' : 'unplanned',
    cause: i.cause,
  }));
  const loads = [...new Set(data.map((d) => String(d.load)))].sort();
  const x = { type: 'quantitative' as const, scale: { domain: [0, t.horizonHours], nice: false }, title: 'time since the end of the warm-up (h)' };
  const color = { field: 'kind', type: 'nominal' as const, title: 'incident', scale: { domain: ['unplanned', 'planned'], range: [COLORS.red, COLORS.blue] } };
  const tooltip = [
    { field: 'cause', type: 'nominal' as const },
    { field: 'load', type: 'nominal' as const },
    { field: 'kind', type: 'nominal' as const, title: 'incident' },
    { field: 'start', type: 'quantitative' as const, title: 'start (h)', format: '.2f' },
    { field: 'duration', type: 'quantitative' as const, title: 'duration (h)', format: '.3~g' },
  ];
  const down = data.reduce((s, d) => s + Number(d.duration), 0);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      anchor: 'start',
      text: `${input.scenario}: incidents of replication ${t.replication}`,
      subtitle: `${data.length} incidents, ${shortNumber(down)} h of lost service in ${hoursText(t.horizonHours)}; a tick marks each start`,
    },
    data: { values: data },
    width: WIDTH,
    height: { step: 36 },
    encoding: { y: { field: 'load', type: 'nominal', title: 'load', sort: loads } },
    layer: [
      { name: 'incident_bars', mark: { type: 'bar', opacity: 0.8 }, encoding: { x: { field: 'start', ...x }, x2: { field: 'end' }, color, tooltip } },
      { name: 'incident_starts', mark: { type: 'tick', thickness: 2 }, encoding: { x: { field: 'start', ...x }, color, tooltip } },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// 6. Cluster Gantt

/** One week: the Gantt's time window (hours). */
const GANTT_WINDOW = 168;
/** The window opens this long before the first suspension, to show what led to it. */
const GANTT_LEAD = 24;

/**
 * Jobs' running and suspended intervals on each host, over reservation windows drawn as
 * background bands (user reservations green, system ones grey). Window: one week, starting
 * GANTT_LEAD hours before the first suspension when there is one (the preemption is what a
 * reader looks for), else the first week; narrowed further when it would inline more than
 * MAX_ROWS intervals. Jobs running side by side on a host are stacked in lanes (greedy interval
 * packing of each job's span on the host), so a job keeps its lane while suspended and resumed.
 */
export function ganttChart(input: Pick<ChartInput, 'scenario' | 'cluster'>): TopLevelSpec | null {
  const c = input.cluster;
  if (!c || (c.segments.length === 0 && c.reservations.length === 0)) return null;
  const suspensions = c.segments.filter((s) => s.state === 'suspended').map((s) => s.start);
  const firstSuspension = suspensions.length > 0 ? Math.min(...suspensions) : NaN;
  const end = Math.max(c.horizonHours, ...c.segments.map((s) => s.end));
  let from = Number.isFinite(firstSuspension) ? Math.max(0, firstSuspension - GANTT_LEAD) : 0;
  let to = Math.min(end, from + GANTT_WINDOW);
  from = Math.max(0, Math.min(from, to - GANTT_WINDOW));
  const overlaps = <T extends { start: number; end: number }>(s: T) => s.end > from && s.start < to;
  let segments = c.segments.filter(overlaps);
  if (segments.length > MAX_ROWS) {
    to = [...segments].sort((a, b) => a.start - b.start)[MAX_ROWS]!.start;
    segments = segments.filter(overlaps);
  }
  const clip = (a: number, b: number) => ({ start: round(Math.max(a, from)), end: round(Math.min(b, to)) });
  const reservations = c.reservations
    .map((r) => ({ ...r, start: r.begin }))
    .filter(overlaps)
    .slice(0, MAX_ROWS)
    .map((r) => ({ name: r.name, host: r.host, ...clip(r.begin, r.end), begin: round(r.begin), until: round(r.end), kind: r.system ? 'system reservation' : 'reservation' }));
  const lanes = assignLanes(segments);
  const segData: Datum[] = segments.map((s) => ({ job: s.job, host: s.host, ...clip(s.start, s.end), from: round(s.start), until: round(s.end), state: s.state, lane: lanes.get(`${s.host}\u0000${s.job}`) ?? 0 }));
  const hosts = [...new Set([...segData.map((d) => String(d.host)), ...reservations.map((r) => r.host)])].sort(naturalOrder);
  if (hosts.length === 0) return null;
  const laneCount = Math.max(1, ...segData.map((d) => Number(d.lane) + 1));
  const x = { type: 'quantitative' as const, scale: { domain: [from, to], nice: false }, title: 'time since the end of the warm-up (h)' };
  const y = { field: 'host', type: 'nominal' as const, title: 'host', sort: hosts };
  const domain = ['running', 'suspended', 'reservation', 'system reservation'];
  const color = {
    field: 'kind',
    type: 'nominal' as const,
    title: null,
    scale: { domain, range: [COLORS.blue, COLORS.orange, COLORS.green, COLORS.grey] },
    // The legend shows the colours at full strength, not at the bands' background opacity.
    legend: { symbolOpacity: 1, symbolType: 'square', symbolStrokeWidth: 0 },
  };
  const jobTooltip = [
    { field: 'job', type: 'quantitative' as const },
    { field: 'host', type: 'nominal' as const },
    { field: 'state', type: 'nominal' as const },
    { field: 'from', type: 'quantitative' as const, title: 'from (h)', format: '.2f' },
    { field: 'until', type: 'quantitative' as const, title: 'until (h)', format: '.2f' },
  ];
  const jobLayer = (state: 'running' | 'suspended') => ({
    name: `gantt_${state}`,
    data: { values: segData.filter((d) => d.state === state).map((d) => ({ ...d, kind: state })) },
    mark:
      state === 'running'
        ? { type: 'bar' as const, cornerRadius: 1 }
        : { type: 'bar' as const, cornerRadius: 1, opacity: 0.85, stroke: COLORS.red, strokeWidth: 1, strokeDash: [3, 2] },
    encoding: {
      x: { field: 'start', ...x },
      x2: { field: 'end' },
      y,
      yOffset: { field: 'lane', type: 'ordinal' as const, scale: { paddingInner: 0.2, paddingOuter: 0.3 } },
      color,
      tooltip: jobTooltip,
    },
  });
  const suspended = segData.filter((d) => d.state === 'suspended').length;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      anchor: 'start',
      text: `${input.scenario}: jobs on hosts from ${hoursText(from)} to ${hoursText(to)}`,
      subtitle: [
        `${segData.length} job intervals (${suspended} suspended) and ${reservations.length} reservation windows shown, of a ${hoursText(end)} run`,
        Number.isFinite(firstSuspension) ? `window opens ${GANTT_LEAD} h before the first suspension` : 'first week; no job was suspended',
      ],
    },
    width: WIDTH + 100,
    height: hosts.length * Math.max(24, laneCount * 14),
    layer: [
      {
        name: 'reservation_bands',
        data: { values: reservations },
        mark: { type: 'bar', opacity: 0.35 },
        encoding: {
          x: { field: 'start', ...x },
          x2: { field: 'end' },
          y,
          color,
          tooltip: [
            { field: 'name', type: 'nominal', title: 'reservation' },
            { field: 'host', type: 'nominal' },
            { field: 'begin', type: 'quantitative', title: 'begin (h)', format: '.2f' },
            { field: 'until', type: 'quantitative', title: 'end (h)', format: '.2f' },
          ],
        },
      },
      jobLayer('running'),
      jobLayer('suspended'),
    ],
  };
}

/** Lane of each (host, job): greedy packing of the job's span on the host, in order of start. */
function assignLanes(segments: ClusterTimeline['segments']): Map<string, number> {
  const spans = new Map<string, { host: string; start: number; end: number }>();
  for (const s of segments) {
    const key = `${s.host}\u0000${s.job}`;
    const span = spans.get(key);
    if (span) {
      span.start = Math.min(span.start, s.start);
      span.end = Math.max(span.end, s.end);
    } else spans.set(key, { host: s.host, start: s.start, end: s.end });
  }
  const laneEnds = new Map<string, number[]>();
  const lanes = new Map<string, number>();
  for (const [key, span] of [...spans.entries()].sort((a, b) => a[1].start - b[1].start || (a[0] < b[0] ? -1 : 1))) {
    const ends = laneEnds.get(span.host) ?? [];
    let lane = ends.findIndex((e) => e <= span.start);
    if (lane < 0) lane = ends.length;
    ends[lane] = span.end;
    laneEnds.set(span.host, ends);
    lanes.set(key, lane);
  }
  return lanes;
}

// ---------------------------------------------------------------------------------------------
// 7. Server state timeline

const SERVER_STATE_COLORS: Record<string, string> = {
  running: COLORS.green,
  stopped: COLORS.lightGrey,
  restarting: COLORS.yellow,
  frozen: COLORS.teal,
  migrating: COLORS.orange,
  terminated: COLORS.red,
  reset: COLORS.purple,
};

/**
 * The state of each tenant server over time: a bar from each state change to the next (the last
 * one to the horizon). When that would inline more than MAX_ROWS bars, the window ends at the
 * MAX_ROWS-th change (all servers cut at the same time), as the subtitle says.
 */
export function serverStatesChart(input: Pick<ChartInput, 'scenario' | 'cluster'>): TopLevelSpec | null {
  const c = input.cluster;
  if (!c || !c.servers || c.servers.length === 0) return null;
  const changes = [...c.servers].filter((s) => Number.isFinite(s.t)).sort((a, b) => a.t - b.t);
  const horizon = Math.max(c.horizonHours, changes[changes.length - 1]?.t ?? 0);
  const to = changes.length > MAX_ROWS ? changes[MAX_ROWS]!.t : horizon;
  const byServer = new Map<string, Array<{ t: number; state: string }>>();
  for (const s of changes) {
    const list = byServer.get(s.server) ?? [];
    list.push(s);
    byServer.set(s.server, list);
  }
  const data: Datum[] = [];
  for (const [server, list] of byServer) {
    list.forEach((s, i) => {
      const start = Math.max(0, s.t);
      const end = Math.min(to, i + 1 < list.length ? list[i + 1]!.t : horizon);
      if (end > start) data.push({ server, state: s.state, start: round(start), end: round(end) });
    });
  }
  if (data.length === 0) return null;
  const servers = [...byServer.keys()].sort(naturalOrder);
  const states = [...new Set(data.map((d) => String(d.state)))];
  const domain = [...Object.keys(SERVER_STATE_COLORS).filter((s) => states.includes(s)), ...states.filter((s) => !(s in SERVER_STATE_COLORS)).sort()];
  const range = domain.map((s) => SERVER_STATE_COLORS[s] ?? COLORS.grey);
  const x = { type: 'quantitative' as const, scale: { domain: [0, to], nice: false }, title: 'time since the end of the warm-up (h)' };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      anchor: 'start',
      text: `${input.scenario}: tenant server states`,
      subtitle: `${servers.length} servers, ${data.length} state intervals` + (to < horizon ? `; first ${hoursText(to)} of ${hoursText(horizon)} shown` : ''),
    },
    // At most MAX_ROWS intervals: each starts at one of the first MAX_ROWS changes.
    data: { values: data },
    width: WIDTH + 100,
    height: { step: 16 },
    layer: [
      {
        name: 'server_states',
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'start', ...x },
          x2: { field: 'end' },
          y: { field: 'server', type: 'nominal', title: 'server', sort: servers },
          color: { field: 'state', type: 'nominal', title: 'state', scale: { domain, range } },
          tooltip: [
            { field: 'server', type: 'nominal' },
            { field: 'state', type: 'nominal' },
            { field: 'start', type: 'quantitative', title: 'since (h)', format: '.2f' },
            { field: 'end', type: 'quantitative', title: 'until (h)', format: '.2f' },
          ],
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// 8. Compare

/** Metrics of the side-by-side view, in this order, when every scheme has them. */
export const COMPARE_METRICS = [
  'downtime_hours',
  'incidents',
  'mttr_hours',
  'outage_hours',
  'dirty_hours',
  'cost',
  'jobs.wait_hours',
  'gpu.utilization',
  'gpu_hours.lost',
  'servers.start_latency_hours',
] as const;

/**
 * Schemes side by side: every scheme's estimate with its CI for the main metrics
 * (COMPARE_METRICS, one row per metric on its own scale), the paired differences against the
 * first scheme with their CIs and a dashed zero line (a CI clear of zero is a real difference),
 * and, when capex is given, the cumulative cost of each scheme over the years (capex paid at
 * year 0, then the expected downtime cost every year), so the crossing of two lines is the
 * year a dearer scheme has paid for itself.
 */
export function compareChart(input: CompareChartInput): TopLevelSpec | null {
  if (input.scenarios.length === 0) return null;
  const names = input.scenarios.map((s) => s.scenario);
  const common = (metric: string) => input.scenarios.every((s) => s.rows.some((r) => r.metric === metric && Number.isFinite(r.mean)));
  let metrics: string[] = COMPARE_METRICS.filter(common);
  if (metrics.length === 0) metrics = (input.scenarios[0]!.rows.map((r) => r.metric).filter(common)).slice(0, 6);
  const side = ciRows(input.scenarios.flatMap((s) => s.rows.filter((r) => metrics.includes(r.metric)).map((r) => ({ ...r, group: s.scenario }))));
  side.sort((a, b) => metrics.indexOf(String(a.metric)) - metrics.indexOf(String(b.metric)));
  const diffRows = ciRows(
    input.differences
      .filter((d) => d.scenario !== names[0] && metrics.includes(d.metric))
      .map((d) => ({ ...d, unit: input.scenarios[0]!.rows.find((r) => r.metric === d.metric)?.unit ?? '', group: `${d.scenario} − ${names[0]}` })),
  );
  diffRows.sort((a, b) => metrics.indexOf(String(a.metric)) - metrics.indexOf(String(b.metric)));
  const views: object[] = [];
  if (side.length > 0) views.push({ title: 'each scheme: estimate and 95% CI', ...ciPanels(side, true, 'scheme') });
  if (diffRows.length > 0) views.push({ title: `paired difference against ${names[0]} (same random numbers): mean and 95% CI`, ...ciPanels(diffRows, true, 'difference', true) });
  const cost = costView(input.capex ?? []);
  if (cost) views.push(cost);
  if (views.length === 0) return null;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { anchor: 'start', text: `Comparison: ${names.join(' vs ')}`, subtitle: 'common random numbers: every scheme saw the same failures, so differences are measured, not noise' },
    vconcat: views as TopLevelSpec[],
  } as TopLevelSpec;
}

/** Cumulative cost lines (see compareChart); the horizon covers the break-even years. */
function costView(capex: NonNullable<CompareChartInput['capex']>) {
  const schemes = capex.filter((c) => Number.isFinite(c.capex) && Number.isFinite(c.downtimeCost));
  if (schemes.length === 0) return null;
  let breakEven = 0;
  for (const a of schemes) {
    for (const b of schemes) {
      // a costs more up front and less per year: it pays off after (capex gap) / (yearly saving).
      if (a.capex > b.capex && a.downtimeCost < b.downtimeCost) breakEven = Math.max(breakEven, (a.capex - b.capex) / (b.downtimeCost - a.downtimeCost));
    }
  }
  const years = Math.min(30, Math.max(10, Math.ceil(breakEven * 1.5)));
  const currency = schemes[0]!.currency;
  const first = schemes[0]!;
  const paysOff = schemes
    .slice(1)
    .filter((s) => s.capex > first.capex && s.downtimeCost < first.downtimeCost)
    .map((s) => `${s.scenario} pays for its extra capex against ${first.scenario} after ${shortNumber((s.capex - first.capex) / (first.downtimeCost - s.downtimeCost), 2)} years`);
  const data: Datum[] = [];
  for (const s of schemes) for (let y = 0; y <= years; y++) data.push({ scheme: s.scenario, year: y, cost: s.capex + y * s.downtimeCost, capex: s.capex, annual: s.downtimeCost });
  return {
    title: {
      text: `cost of each scheme over ${years} years: capex, then expected downtime cost every year (${currency})`,
      ...(paysOff.length > 0 ? { subtitle: paysOff } : {}),
    },
    width: 480,
    height: 240,
    layer: [
      {
        name: 'cost_lines',
        data: { values: data },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'year', type: 'quantitative', title: 'years of operation', scale: { domain: [0, years], nice: false } },
          y: { field: 'cost', type: 'quantitative', title: `cumulative cost (${currency})`, axis: { format: '~s' } },
          color: { field: 'scheme', type: 'nominal', title: 'scheme', sort: schemes.map((s) => s.scenario) },
          tooltip: [
            { field: 'scheme', type: 'nominal' },
            { field: 'year', type: 'quantitative' },
            { field: 'cost', type: 'quantitative', title: `cumulative (${currency})`, format: ',.0f' },
            { field: 'capex', type: 'quantitative', title: `capex (${currency})`, format: ',.0f' },
            { field: 'annual', type: 'quantitative', title: `downtime cost (${currency}/yr)`, format: ',.0f' },
          ],
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** A number from a CSV cell or a number; null for '' and non-finite values. */
function num(x: string | number | undefined): number | null {
  if (x === undefined || x === '') return null;
  const v = Number(x);
  return Number.isFinite(v) ? v : null;
}

/** Times inlined in timelines: to 1e-4 h (0.36 s), which no axis resolves, to keep specs small. */
function round(hours: number): number {
  return Math.round(hours * 1e4) / 1e4;
}

/** "174 h", "6.5 h": hours to one decimal. */
function hoursText(x: number): string {
  return `${Number(x.toFixed(1))} h`;
}

function percent(x: number): string {
  return `${shortNumber(100 * x, 3)}%`;
}

const METRIC_NAMES: Record<string, string> = {
  downtime_hours: 'downtime',
  unplanned_downtime_hours: 'unplanned downtime',
  planned_downtime_hours: 'planned downtime',
  outage_hours: 'outage',
  dirty_hours: 'hours on unconditioned power',
  incidents: 'incidents',
  mtbf_hours: 'MTBF',
  mttr_hours: 'MTTR',
};

function metricName(metric: string): string {
  return METRIC_NAMES[metric] ?? metric;
}

/** An axis title with its unit: "downtime (h/yr)". */
export function metricTitle(metric: string, unit: string): string {
  return unit ? `${metricName(metric)} (${unit})` : metricName(metric);
}

/** host-2 before host-10. */
function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
