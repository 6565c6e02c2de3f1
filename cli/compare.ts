/**
 * `resim compare A.yaml B.yaml ...`: the scenarios side by side, with common random numbers.
 *
 * Every scenario runs the same replications with the same seed, so replication i of each draws
 * the same numbers for equipment with the same name (streams are named after it): the utility
 * has the same outages in A and B, and the difference B - A replication by replication measures
 * the design change with far less noise than independent runs. comparison.csv gives each metric
 * per scenario and, for every scenario after the first, the paired difference against the first
 * with its interval, the interval independent runs would have given, and the variance reduction.
 *
 * Choices (also in the help text and docs/decisions.md):
 * - Seed: `--seed`, else the first scenario's; replications: `--replications`, else the largest
 *   fixed count among the scenarios (a precision target becomes its min_replications). Sweeps
 *   cannot be compared (compare their points' files instead).
 * - Paired differences for per-replication metrics; ratio metrics (mtbf_hours, job waits) are
 *   shown per scenario without a difference.
 * - Cost view: capex (costs.capex) per scenario, the expected annual downtime cost, and for each
 *   scenario against the first the extra capex, the annual saving (paired) and the payback time.
 */
import { join } from 'node:path';
import { pairedDifference } from '../sim/stats.js';
import { toCsv } from '../reports/csv.js';
import { safeName, writeFileAtomic } from '../reports/files.js';
import { shortNumber } from '../reports/format.js';
import { writeStudyResults } from '../reports/results.js';
import { colorEnabled, renderTable } from '../reports/table.js';
import { UsageError } from './messages.js';
import { compareChart } from '../reports/charts.js';
import { checkFlags, loadAll, prepareAll, printWarnings, renderAll, runStudy, type RunArgs } from './commands.js';
import { chooseMethod } from './rare.js';
import type { Study, StudyOutput } from './pipeline.js';

export const COMPARISON_COLUMNS = [
  'metric',
  'scenario',
  'unit',
  'mean',
  'ci_low',
  'ci_high',
  'diff_mean',
  'diff_ci_low',
  'diff_ci_high',
  'unpaired_ci_low',
  'unpaired_ci_high',
  'variance_reduction',
] as const;

type ComparisonRow = Record<(typeof COMPARISON_COLUMNS)[number], string | number>;

export interface Compared {
  studies: Study[];
  outputs: StudyOutput[];
  rows: ComparisonRow[];
  /** Per scenario: capex, expected annual downtime cost, and against the first the payback. */
  costs: Array<{ scenario: string; capex: number; downtimeCost: number | null; extraCapex: number | null; saving: { mean: number; low: number; high: number } | null; paybackYears: number | null }>;
  currency: string;
}

export async function compareCommand(a: RunArgs): Promise<number> {
  if (a.files.length < 2) throw new UsageError('compare needs at least two scenario files');
  if (a.replication !== undefined) throw new UsageError('--replication is for run, not compare');
  const overrides = checkFlags(a);
  const prepared = prepareAll(loadAll(a.files), overrides);
  printWarnings(prepared);
  const studies: Study[] = [];
  for (const [i, p] of prepared.entries()) {
    if (p.kind !== 'study') throw new UsageError(`${a.files[i]} is a sweep: compare its points' scenario files instead`);
    studies.push(p.study);
  }
  for (const [i, s] of studies.entries()) {
    // Common random numbers pair replications; importance sampling has none to pair.
    if (s.method !== 'crude' && chooseMethod(s).method === 'importance') {
      throw new UsageError(`${a.files[i]}: compare pairs replications under common random numbers, and simulation.method importance runs none; run it on its own (resim run) or set simulation.method: crude`);
    }
  }
  const names = studies.map((s) => s.config.scenario);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`two files are both scenario "${twice}": give them different names to compare them`);

  // Common random numbers: one seed and one replication count for all.
  const seed = a.seed ?? studies[0]!.config.seed;
  const replications = a.replications ?? Math.max(...studies.map((s) => s.replications ?? s.precision?.minReplications ?? 1000));
  const runs = studies.map((s) => ({ ...s, config: { ...s.config, seed }, replications, precision: undefined }));

  const outputs: StudyOutput[] = [];
  const out = a.out ?? join('results', 'compare');
  for (const [i, s] of runs.entries()) {
    const o = await runStudy(s, a, a.files[i]!);
    writeStudyResults(join(out, safeName(s.config.scenario)), o);
    outputs.push(o);
  }
  const result = compare(runs, outputs);
  writeFileAtomic(join(out, 'comparison.csv'), toCsv(COMPARISON_COLUMNS, result.rows));
  const spec = compareChart({
    scenarios: runs.map((s, i) => ({ scenario: s.config.scenario, rows: outputs[i]!.rows })),
    differences: result.rows
      .filter((r) => r.diff_mean !== '')
      .map((r) => ({ scenario: String(r.scenario), metric: String(r.metric), mean: Number(r.diff_mean), ci_low: Number(r.diff_ci_low), ci_high: Number(r.diff_ci_high) })),
    ...(result.costs.some((c) => c.capex > 0)
      ? { capex: result.costs.map((c) => ({ scenario: c.scenario, capex: c.capex, downtimeCost: c.downtimeCost ?? 0, currency: result.currency })) }
      : {}),
  });
  if (spec) {
    const files: Record<string, string> = {};
    await renderAll([{ name: 'compare', spec }], files);
    for (const [file, content] of Object.entries(files)) writeFileAtomic(join(out, file), content);
  }
  if (a.json) process.stdout.write(JSON.stringify({ comparison: result.rows, costs: result.costs, seed, replications }, null, 2) + '\n');
  else if (!a.quiet) printComparison(result, seed, replications, out);
  return 0;
}

/** Per-replication values of a metric, from replications.csv rows. */
function column(o: StudyOutput, metric: string): number[] | null {
  if (!o.replicationColumns.includes(metric)) return null;
  return o.replications.map((r) => Number(r[metric]));
}

export function compare(studies: Study[], outputs: StudyOutput[]): Compared {
  const first = outputs[0]!;
  const metrics = first.rows.map((r) => r.metric).filter((m) => outputs.every((o) => o.rows.some((r) => r.metric === m)));
  const rows: ComparisonRow[] = [];
  for (const metric of metrics) {
    const base = column(first, metric);
    outputs.forEach((o, i) => {
      const r = o.rows.find((x) => x.metric === metric)!;
      const row: ComparisonRow = {
        metric,
        scenario: studies[i]!.config.scenario,
        unit: r.unit,
        mean: r.mean,
        ci_low: r.ci_low,
        ci_high: r.ci_high,
        diff_mean: '',
        diff_ci_low: '',
        diff_ci_high: '',
        unpaired_ci_low: '',
        unpaired_ci_high: '',
        variance_reduction: '',
      };
      const mine = column(o, metric);
      if (i > 0 && base && mine) {
        const d = pairedDifference(base, mine);
        Object.assign(row, {
          diff_mean: d.mean,
          diff_ci_low: d.ciLow,
          diff_ci_high: d.ciHigh,
          unpaired_ci_low: d.unpairedLow,
          unpaired_ci_high: d.unpairedHigh,
          variance_reduction: Number.isNaN(d.varianceReduction) ? '' : d.varianceReduction,
        });
      }
      rows.push(row);
    });
  }

  const currency = studies[0]!.loaded.scenario.costs?.currency ?? '';
  const capexOf = (s: Study) => s.loaded.scenario.costs?.capex ?? 0;
  const baseCost = column(first, 'cost');
  const costs = studies.map((s, i) => {
    const o = outputs[i]!;
    const cost = o.rows.find((r) => r.metric === 'cost');
    const mine = column(o, 'cost');
    let saving: Compared['costs'][number]['saving'] = null;
    let payback: number | null = null;
    const extra = i > 0 ? capexOf(s) - capexOf(studies[0]!) : null;
    if (i > 0 && baseCost && mine) {
      const d = pairedDifference(mine, baseCost); // first - this: what this scheme saves a year
      saving = { mean: d.mean, low: d.ciLow, high: d.ciHigh };
      if (extra !== null && extra > 0 && d.mean > 0) payback = extra / d.mean;
    }
    return { scenario: s.config.scenario, capex: capexOf(s), downtimeCost: cost ? cost.mean : null, extraCapex: extra, saving, paybackYears: payback };
  });
  return { studies, outputs, rows, costs, currency };
}

function printComparison(c: Compared, seed: string, replications: number, out: string): void {
  const names = c.studies.map((s) => s.config.scenario);
  const header = ['metric', 'unit', ...names.map((n, i) => (i === 0 ? n : `${n} - ${names[0]}`))];
  const metrics = [...new Set(c.rows.map((r) => String(r.metric)))];
  const table = metrics.map((m): string[] => {
    const rs = c.rows.filter((r) => r.metric === m);
    return [
      String(m),
      String(rs[0]!.unit),
      ...rs.map((r, i) => {
        const own = `${shortNumber(Number(r.mean))} [${shortNumber(Number(r.ci_low))}, ${shortNumber(Number(r.ci_high))}]`;
        if (i === 0) return own;
        if (r.diff_mean === '') return `${own} *`;
        return `${signed(Number(r.diff_mean))} [${signed(Number(r.diff_ci_low))}, ${signed(Number(r.diff_ci_high))}]`;
      }),
    ];
  });
  process.stdout.write(`compare: ${names.join(' vs ')}, ${replications} replications each, common seed ${seed}\n`);
  process.stdout.write(renderTable(header, table, { color: colorEnabled(process.stdout) }));
  if (table.some((row) => row.some((cell) => cell.endsWith(' *')))) {
    process.stdout.write('* a ratio estimator (a mean over events, not over replications): the scenario\'s own value, no paired difference\n');
  }
  const headline = c.rows.filter((r) => r.metric === (metrics.includes('downtime_hours') ? 'downtime_hours' : r.metric) && r.variance_reduction !== '');
  for (const r of headline.slice(0, names.length - 1)) {
    process.stdout.write(
      `${r.scenario} - ${names[0]} ${r.metric}: paired 95% CI [${signed(Number(r.diff_ci_low))}, ${signed(Number(r.diff_ci_high))}], ` +
        `independent runs would give [${signed(Number(r.unpaired_ci_low))}, ${signed(Number(r.unpaired_ci_high))}]: variance reduced ${shortNumber(Number(r.variance_reduction), 3)}x by common random numbers\n`,
    );
  }
  for (const k of c.costs) {
    if (k.capex === 0 && k.downtimeCost === null) continue;
    const parts = [`${k.scenario}: capex ${money(k.capex, c.currency)}`];
    if (k.downtimeCost !== null) parts.push(`expected downtime cost ${money(k.downtimeCost, c.currency)}/yr`);
    if (k.saving) parts.push(`saves ${money(k.saving.mean, c.currency)}/yr against ${names[0]} (95% CI ${money(k.saving.low, c.currency)} to ${money(k.saving.high, c.currency)})`);
    if (k.paybackYears !== null) parts.push(`pays its extra capex back in ${shortNumber(k.paybackYears, 3)} years`);
    process.stdout.write(parts.join(', ') + '\n');
  }
  process.stdout.write(`results written to ${out} (comparison.csv, and a folder per scenario)\n`);
}

function signed(x: number): string {
  return Number.isNaN(x) ? '-' : x > 0 ? `+${shortNumber(x)}` : shortNumber(x);
}

function money(x: number, currency: string): string {
  return `${Math.round(x).toLocaleString('en-US')}${currency ? ` ${currency}` : ''}`;
}
