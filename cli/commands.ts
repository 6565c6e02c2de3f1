/**
 * The commands: argument checks, then the pipeline phases, then output.
 */
import type { ClusterSpec } from '../models/cluster/spec.js';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { stringify as yamlStringify } from 'yaml';
import { runOne } from '../sim/runner.js';
import { ReplicationError } from '../sim/replication.js';
import { COLUMN } from '../models/metrics.js';
import {
  InputError,
  formatProblem,
  loadScenarioFile,
  parseDurationText,
  scenarioJsonSchema,
  type LoadedScenario,
  type Problem,
} from '../models/scenario/index.js';
import type { ReplicationDetail } from '../models/study.js';
import type { TierVerdict } from '../models/tier.js';
import { toCsv } from '../reports/csv.js';
import { safeName, writeFileAtomic } from '../reports/files.js';
import { shortNumber } from '../reports/format.js';
import { writeStudyResults } from '../reports/results.js';
import { reportHtml } from '../reports/html.js';
import { studyCharts, sweepCharts, type ChartInput, type NamedChart } from '../reports/charts.js';
import { renderSvg } from '../reports/render.js';
import { VERSION } from './version.js';
import { colorEnabled, renderTable } from '../reports/table.js';
import { messages, ReportedError, UsageError } from './messages.js';
import {
  MODEL_MODULE,
  aggregate,
  prepare,
  replicationKey,
  simulate,
  sweepRows,
  type Overrides,
  type Prepared,
  type Study,
  type StudyOutput,
} from './pipeline.js';
import { progressReporter } from './progress.js';
import { shardCommand } from './shard.js';

export interface RunArgs {
  files: string[];
  out?: string;
  replications?: number;
  replication?: number;
  seed?: string;
  workers?: number;
  horizon?: string;
  maxEvents?: number;
  json: boolean;
  quiet: boolean;
  /** "K/N": run shard K of N (cli/shard.ts). */
  shard?: string;
}

/** Loads every file and reports all problems of all files at once. */
export function loadAll(files: string[]): LoadedScenario[] {
  const loaded: LoadedScenario[] = [];
  const problems: Problem[] = [];
  for (const f of files) {
    try {
      loaded.push(loadScenarioFile(f));
    } catch (err) {
      if (err instanceof InputError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return loaded;
}

export function prepareAll(loaded: LoadedScenario[], overrides: Overrides): Prepared[] {
  const prepared: Prepared[] = [];
  const problems: Problem[] = [];
  for (const l of loaded) {
    try {
      prepared.push(prepare(l, overrides));
    } catch (err) {
      if (err instanceof InputError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return prepared;
}

export function printWarnings(prepared: Prepared[]): void {
  const seen = new Set<string>();
  for (const p of prepared) {
    const studies = p.kind === 'study' ? [p.study] : p.sweep.points;
    for (const s of studies) {
      for (const w of s.warnings) {
        const text = formatProblem({ ...w, severity: 'warning' });
        if (!seen.has(text)) process.stderr.write(text + '\n');
        seen.add(text);
      }
    }
  }
}

export function checkFlags(a: RunArgs): Overrides {
  const positiveInt = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new UsageError(`--${name} must be a positive integer, got ${v}`);
  };
  positiveInt('replications', a.replications);
  positiveInt('workers', a.workers);
  positiveInt('max-events', a.maxEvents);
  if (a.replication !== undefined && !(Number.isInteger(a.replication) && a.replication >= 0)) {
    throw new UsageError(`--replication must be an integer >= 0, got ${a.replication}`);
  }
  if (a.replication !== undefined && a.files.length !== 1) throw new UsageError('--replication reruns one replication of one scenario: give exactly one file');
  let horizonHours: number | undefined;
  if (a.horizon !== undefined) {
    const h = parseDurationText(a.horizon);
    if (typeof h === 'string' || !(h > 0)) throw new UsageError(`--horizon: expected a duration like "10y", got "${a.horizon}"`);
    horizonHours = h;
  }
  return { replications: a.replications, seed: a.seed, horizonHours, maxEvents: a.maxEvents };
}

export async function runCommand(a: RunArgs): Promise<number> {
  if (a.shard !== undefined) return shardCommand({ ...a, shard: a.shard });
  const overrides = checkFlags(a);
  const loaded = loadAll(a.files);
  const prepared = prepareAll(loaded, overrides);
  printWarnings(prepared);
  if (a.replication !== undefined) return replay(prepared[0]!, a.replication, a.files[0]!);

  const json: unknown[] = [];
  const color = colorEnabled(process.stdout);
  for (const p of prepared) {
    const name = safeName(p.kind === 'study' ? p.study.config.scenario : p.loaded.scenario.scenario);
    const dir = a.out ? (prepared.length > 1 ? join(a.out, name) : a.out) : join('results', name);
    if (p.kind === 'study') {
      const output = await runStudy(p.study, a, p.study.loaded.file);
      writeStudyResults(dir, output, await studyExtras(p.study, output));
      if (!a.quiet && !a.json) {
        process.stdout.write(studyHeader(p.study, output) + renderTable(...summaryTable(p.study, output), { color }));
        for (const note of studyNotes(p.study, output)) process.stdout.write(note + '\n');
        process.stdout.write(messages.wrote(dir) + '\n');
      }
      json.push(jsonOf(p.study, output));
    } else {
      const outputs: StudyOutput[] = [];
      for (const point of p.sweep.points) {
        const output = await runStudy(point, a, p.loaded.file);
        writeStudyResults(join(dir, safeName(String(point.point!.value))), output, await studyExtras(point, output));
        outputs.push(output);
      }
      const { columns, rows } = sweepRows(p.sweep, outputs);
      writeFileAtomic(join(dir, 'sweep.csv'), toCsv(columns, rows));
      const sweepFiles: Record<string, string> = {};
      const charts = await renderAll(sweepCharts({ scenario: p.loaded.scenario.scenario, parameter: p.sweep.parameter, rows, references: Object.keys(p.sweep.references) }), sweepFiles);
      // The sweep's own page: its charts and every point's estimates (each point folder has its full report).
      sweepFiles['report.html'] = reportHtml({
        scenario: p.loaded.scenario.scenario,
        description: p.loaded.scenario.description ?? '',
        runLine: `sweep of ${p.sweep.parameter} over ${p.sweep.points.map((pt) => String(pt.point!.value)).join(', ')}; each point's full report is in its folder`,
        rows: p.sweep.points.flatMap((pt, i) => {
          const rowsOf = outputs[i]!.rows;
          const headline = rowsOf.find((r) => r.metric === 'downtime_hours') ?? rowsOf[0];
          return headline ? [{ ...headline, metric: `${headline.metric} at ${String(pt.point!.value)}` }] : [];
        }),
        notes: [],
        causes: [],
        charts,
        scenarioText: p.loaded.text,
        scenarioFile: p.loaded.file,
        version: VERSION,
      });
      for (const [file, content] of Object.entries(sweepFiles)) writeFileAtomic(join(dir, file), content);
      if (!a.quiet && !a.json) {
        process.stdout.write(`${p.loaded.scenario.scenario}: sweep of ${p.sweep.parameter} over ${p.sweep.points.length} points\n`);
        process.stdout.write(renderTable(...sweepTable(p.sweep.points, outputs, p.sweep.references), { color }));
        process.stdout.write(messages.wrote(dir) + '\n');
      }
      json.push({
        scenario: p.loaded.scenario.scenario,
        sweep: {
          parameter: p.sweep.parameter,
          points: p.sweep.points.map((pt, i) => ({ value: pt.point!.value, ...jsonOf(pt, outputs[i]!) })),
        },
      });
    }
  }
  if (a.json) process.stdout.write(JSON.stringify(json.length === 1 ? json[0] : json, null, 2) + '\n');
  return 0;
}

/** The files a results folder holds beside the CSVs: the charts (spec and SVG) and report.html. */
export async function studyExtras(study: Study, output: StudyOutput): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const charts = await renderAll(
    studyCharts({
      scenario: study.config.scenario,
      summary: output.rows,
      perReplication: { downtime_hours: output.replications.map((r) => Number(r.downtime_hours)) },
      causes: output.causes,
      timeline: timelineOf(study, output),
      cluster: output.clusterTimeline,
    }),
    files,
  );
  const s = study.loaded.scenario;
  files['report.html'] = reportHtml({
    scenario: study.point ? `${study.config.scenario} (${study.point.parameter} = ${String(study.point.value)})` : study.config.scenario,
    description: s.description ?? '',
    runLine: studyHeader(study, output).trim(),
    rows: output.rows,
    notes: studyNotes(study, output),
    causes: output.causes,
    charts,
    scenarioText: study.loaded.text,
    scenarioFile: study.loaded.file,
    version: VERSION,
  });
  return files;
}

/** Renders each chart to SVG and adds charts/<name>.vl.json and .svg to `files`. */
export async function renderAll(charts: NamedChart[], files: Record<string, string>): Promise<Array<{ name: string; title: string; svg: string }>> {
  const out: Array<{ name: string; title: string; svg: string }> = [];
  for (const c of charts) {
    const svg = await renderSvg(c.spec);
    const name = safeName(c.name);
    files[`charts/${name}.vl.json`] = JSON.stringify(c.spec, null, 2) + '\n';
    files[`charts/${name}.svg`] = svg;
    const t = (c.spec as { title?: string | { text?: string | string[] } }).title;
    const title = typeof t === 'string' ? t : Array.isArray(t?.text) ? t.text.join(' ') : (t?.text ?? c.name);
    out.push({ name, title, svg });
  }
  return out;
}

/** The incidents of the replication with the most downtime (the most to look at), or null when none had any. */
function timelineOf(study: Study, output: StudyOutput): ChartInput['timeline'] {
  if (output.incidents.length === 0) return null;
  const byRep = new Map<number, number>();
  for (const i of output.incidents) byRep.set(i.replication, (byRep.get(i.replication) ?? 0) + i.duration_h);
  let rep = -1;
  let most = -1;
  for (const [r, d] of byRep) if (d > most || (d === most && r < rep)) [rep, most] = [r, d];
  return { replication: rep, horizonHours: study.config.horizonHours, incidents: output.incidents.filter((i) => i.replication === rep) };
}

export async function runStudy(study: Study, a: RunArgs, file: string): Promise<StudyOutput> {
  const label = study.point ? `${study.config.scenario} [${study.point.value}]` : study.config.scenario;
  const progress = a.quiet ? null : progressReporter(label);
  try {
    const outcome = await simulate(study, a.workers ?? defaultWorkers(), progress?.update);
    return aggregate(study, outcome);
  } catch (err) {
    if (err instanceof ReplicationError) {
      const key = replicationKey(study.config.seed, err.replication);
      const text = err.kind === 'budget' ? messages.budgetExceeded(err, key) : messages.replicationFailed(err, key, file);
      if (process.env.RESIM_DEBUG && err.stackText) process.stderr.write(err.stackText + '\n');
      throw new ReportedError(text, err.kind === 'budget' ? 2 : 4);
    }
    throw err;
  } finally {
    progress?.stop();
  }
}


export function defaultWorkers(): number {
  return availableParallelism();
}

function studyHeader(study: Study, o: StudyOutput): string {
  const run = o.run as { replications: number; events: number; wall_seconds: number; workers: number };
  const years = study.config.horizonHours / 8760;
  return (
    `${study.config.scenario}: ${run.replications} replications x ${shortNumber(years, 3)} y` +
    `${study.config.warmupHours > 0 ? ` (after ${shortNumber(study.config.warmupHours, 3)} h warm-up)` : ''}, seed ${study.config.seed}, ` +
    `${run.events} events in ${run.wall_seconds.toFixed(2)} s on ${run.workers} worker${run.workers > 1 ? 's' : ''}\n`
  );
}

function summaryTable(study: Study, o: StudyOutput): [string[], string[][]] {
  const exact = study.exact as Record<string, number> | null;
  const header = ['metric', 'unit', 'mean', '95% CI', 'p95', ...(exact ? ['exact'] : [])];
  const rows = o.rows.map((r) => {
    const e = exact?.[r.metric];
    return [
      r.metric,
      r.unit,
      shortNumber(r.mean),
      `[${shortNumber(r.ci_low)}, ${shortNumber(r.ci_high)}]`,
      shortNumber(r.p95),
      ...(exact ? [e === undefined ? '' : shortNumber(e)] : []),
    ];
  });
  return [header, rows];
}

function studyNotes(study: Study, o: StudyOutput): string[] {
  const notes: string[] = [];
  const run = o.run as { replications: number; precision: null | { reached: boolean; relative_half_width: number; metric: string; target_relative_half_width: number } };
  if (run.precision && !run.precision.reached) {
    notes.push(messages.precisionNotReached(run.precision.metric, run.precision.relative_half_width, run.precision.target_relative_half_width, run.replications));
  } else if (run.precision) {
    notes.push(messages.precisionReached(run.precision.metric, run.precision.relative_half_width, run.precision.target_relative_half_width, run.replications));
  }
  const tier = (o.run as { tier: TierVerdict | null }).tier;
  if (tier) notes.push(messages.tierVerdict(tier));
  const cost = o.rows.find((r) => r.metric === 'cost');
  if (cost) notes.push(messages.cost(cost.mean, cost.ci_low, cost.ci_high, study.loaded.scenario.costs?.currency ?? ''));
  const losses = o.rows.find((r) => r.metric === 'incidents');
  const years = (run.replications * study.config.horizonHours) / 8760;
  const count = losses ? Math.round(losses.mean * years) : 0;
  if (!study.scope.facility) return notes;
  if (count === 0) notes.push(messages.noLossesSeen(run.replications, years));
  else if (count < 30) notes.push(messages.fewLosses(count));
  return notes;
}

/** A sweep without a facility (a cluster study): one row per metric, one "mean [95% CI]" column per point. */
function metricsByPoint(points: Study[], outputs: StudyOutput[]): [string[], string[][]] {
  const header = ['metric', 'unit', ...points.map((p) => String(p.point!.value))];
  const rows = (outputs[0]?.rows ?? []).map((first, k) => [
    first.metric,
    first.unit,
    ...outputs.map((o) => {
      const r = o.rows[k]!;
      return `${shortNumber(r.mean)} [${shortNumber(r.ci_low)}, ${shortNumber(r.ci_high)}]`;
    }),
  ]);
  return [header, rows];
}

function sweepTable(points: Study[], outputs: StudyOutput[], references: Record<string, Record<string, number>>): [string[], string[][]] {
  if (!points[0]?.scope.facility) return metricsByPoint(points, outputs);
  const labels = Object.keys(references);
  const header = ['value', 'downtime h/yr', '95% CI', 'exact', ...labels, 'note'];
  const first = outputs[0]?.rows.find((r) => r.metric === 'downtime_hours');
  const firstExact = points[0]?.exact?.downtime_hours;
  const rows = points.map((pt, i) => {
    const r = outputs[i]!.rows.find((x) => x.metric === 'downtime_hours')!;
    const value = String(pt.point!.value);
    const exact = pt.exact?.downtime_hours;
    const notes: string[] = [];
    const inside = (x: number) => x >= r.ci_low && x <= r.ci_high;
    if (exact !== undefined && !inside(exact)) notes.push('exact outside CI');
    for (const label of labels) {
      const ref = references[label]![value];
      if (ref !== undefined && !inside(ref)) notes.push(`${label} ${ref} outside CI${exact !== undefined ? ` (exact ${shortNumber(exact, 3)})` : ''}`);
    }
    // Where adding redundancy stops paying: worse than the first point (e.g. N+1 vs a single unit).
    const base = firstExact ?? first?.mean;
    const mine = exact ?? r.mean;
    if (i > 0 && base !== undefined && mine > base) notes.push(`worse than ${String(points[0]!.point!.value)}`);
    return [
      value,
      shortNumber(r.mean),
      `[${shortNumber(r.ci_low)}, ${shortNumber(r.ci_high)}]`,
      exact === undefined ? '' : shortNumber(exact),
      ...labels.map((l) => {
        const ref = references[l]![value];
        return ref === undefined ? '' : String(ref);
      }),
      notes.join('; '),
    ];
  });
  return [header, rows];
}

function jsonOf(study: Study, o: StudyOutput) {
  const metrics: Record<string, unknown> = {};
  for (const r of o.rows) {
    metrics[r.metric] = { unit: r.unit, mean: num(r.mean), ci_low: num(r.ci_low), ci_high: num(r.ci_high), p95: num(r.p95) };
  }
  return { scenario: study.config.scenario, metrics, run: o.run };
}

function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** `resim run FILE --replication I`: the same streams as in the full run, and its incident log. */
async function replay(p: Prepared, replication: number, file: string): Promise<number> {
  const study = p.kind === 'study' ? p.study : p.sweep.points[0]!;
  if (p.kind === 'sweep') process.stderr.write(`note: a sweep scenario; replaying the first point (${String(study.point!.value)})\n`);
  const limit = study.replications ?? study.precision!.maxReplications;
  if (replication >= limit) throw new UsageError(messages.replicationOutOfRange(replication, limit));
  let result;
  try {
    result = await runOne(MODEL_MODULE, study.config, replication);
  } catch (err) {
    if (err instanceof ReplicationError) {
      const key = replicationKey(study.config.seed, err.replication);
      throw new ReportedError(err.kind === 'budget' ? messages.budgetExceeded(err, key) : messages.replicationFailed(err, key, file), err.kind === 'budget' ? 2 : 4);
    }
    throw err;
  }
  const color = colorEnabled(process.stdout);
  const out = process.stdout;
  out.write(`${study.config.scenario}: replication ${replication} (seed ${replicationKey(study.config.seed, replication)}), ${result.events} events\n`);
  const detail = result.extra as ReplicationDetail | undefined;
  const incidents = detail?.incidents ?? [];
  const w = study.config.warmupHours;
  if (incidents.length === 0) out.write('no loss of service\n');
  else {
    out.write(
      renderTable(
        ['start_h', 'end_h', 'duration_h', 'load', 'cause'],
        incidents.map((i) => [shortNumber(i.start - w, 6), shortNumber(i.end - w, 6), shortNumber(i.end - i.start, 4), i.load, i.cause]),
        { color },
      ),
    );
  }
  const shown = ['downtime_hours', 'outage_hours', 'incidents', 'availability'] as const;
  out.write(shown.map((c) => `${c} = ${shortNumber(result.values[COLUMN[c]]!, 6)}`).join(', ') + '\n');
  return 0;
}

export function validateCommand(files: string[]): number {
  const loaded = loadAll(files);
  const prepared = prepareAll(loaded, {});
  printWarnings(prepared);
  for (const l of loaded) process.stdout.write(`${l.file}: ok (${l.scenario.scenario})\n`);
  return 0;
}

export function expandCommand(file: string): number {
  const [loaded] = loadAll([file]);
  const p = prepareAll([loaded!], {})[0]!;
  printWarnings([p]);
  const study = p.kind === 'study' ? p.study : p.sweep.points[0]!;
  const cluster = study.config.cluster;
  const shown = { scenario: study.config.scenario, ...study.config.facility, ...(cluster ? { cluster: clusterView(cluster, study.config.facility.loads.map((l) => l.name)) } : {}) };
  process.stdout.write(yamlStringify(shown, { lineWidth: 0, aliasDuplicateObjects: false }));
  return 0;
}

/** The resolved cluster for people: hosts with their loads, reservation slots and windows (hours). */
function clusterView(c: ClusterSpec, loads: string[]) {
  const hostName = (h: number) => c.hosts[h]!.name;
  const w = c.workload;
  return {
    hosts: c.hosts.map((h) => ({ name: h.name, gpus: h.gpus, model: h.model, load: h.load >= 0 ? loads[h.load] : null, boot_h: h.boot })),
    scheduler: { policy: c.policy, preemption: c.preemption, on_power_loss: c.onPowerLoss },
    workload: w === null ? null : w.kind === 'synthetic' ? { kind: 'synthetic' } : { kind: w.file ? 'swf' : 'jobs', file: w.file, jobs: w.submit.length, skipped: w.skipped },
    reservations: c.reservations.map((r) => ({
      name: r.name,
      type: r.system ? 'system' : r.type,
      users: r.users.map((u) => c.users[u]),
      slots: Object.fromEntries(r.hosts.map((p) => [hostName(p.host), p.slots])),
      created_h: r.created,
      active_h: r.intervals.slice(0, 5).map((iv) => [iv.begin, iv.end]),
      ...(r.intervals.length > 5 ? { more_intervals: r.intervals.length - 5 } : {}),
    })),
  };
}

export function schemaCommand(): number {
  process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
  return 0;
}
