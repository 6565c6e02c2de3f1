/**
 * The commands: argument checks, then the pipeline phases, then output.
 */
import type { ClusterSpec } from '../models/cluster/spec.js';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { stringify as yamlStringify } from 'yaml';
import { runOne, type ResumeState } from '../sim/runner.js';
import { ReplicationError } from '../sim/replication.js';
import { currentGuard, guarded, SIGNAL_EXIT, testInterrupt, type Guard } from './interrupt.js';
import { partialRecord, prepareResume, removePartial, resumeState, writePartial } from './partial.js';
import { COLUMN } from '../models/metrics.js';
import {
  InputError,
  MAX_REPLICATIONS,
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
import { chooseMethod, runImportance } from './rare.js';
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
  /** A wall-clock limit for the whole command, a duration in scenario units ("30s", "5min"). */
  timeLimit?: string;
  /** The results folder of an interrupted run to continue. */
  resume?: string;
  /** The command, for messages ("check writes no partial results"). */
  commandName?: string;
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
  if (a.replications !== undefined && a.replications > MAX_REPLICATIONS) {
    throw new UsageError(`--replications must be at most ${MAX_REPLICATIONS} (a larger study: --shard it across runs), got ${a.replications}`);
  }
  if (a.maxEvents !== undefined && !Number.isSafeInteger(a.maxEvents)) throw new UsageError(`--max-events must be at most ${Number.MAX_SAFE_INTEGER}, got ${a.maxEvents}`);
  if (a.workers !== undefined && a.workers > 1024) throw new UsageError(`--workers must be at most 1024, got ${a.workers}`);
  timeLimitOf(a);
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

/** --time-limit as milliseconds (and as written), or undefined; a UsageError when it is not a positive duration. */
export function timeLimitOf(a: { timeLimit?: string }): { ms: number; text: string } | undefined {
  if (a.timeLimit === undefined) return undefined;
  const h = parseDurationText(String(a.timeLimit));
  if (typeof h === 'string' || !(h > 0) || !Number.isFinite(h)) throw new UsageError(`--time-limit: expected a positive duration like "30s" or "5min", got "${a.timeLimit}"`);
  return { ms: h * 3_600_000, text: String(a.timeLimit) };
}

export async function runCommand(a: RunArgs): Promise<number> {
  if (a.resume !== undefined) return resumeCommand(a);
  if (a.files.length === 0) throw new UsageError('say which scenario file(s) to run (or --resume DIR to continue an interrupted run)');
  if (a.shard !== undefined) return guarded(timeLimitOf(a), () => shardCommand({ ...a, shard: a.shard!, commandName: 'run --shard' }));
  const overrides = checkFlags(a);
  const loaded = loadAll(a.files);
  const prepared = prepareAll(loaded, overrides);
  printWarnings(prepared);
  if (a.replication !== undefined) return replay(prepared[0]!, a.replication, a.files[0]!);

  return guarded(timeLimitOf(a), async (guard) => {
    const json: unknown[] = [];
    const color = colorEnabled(process.stdout);
    for (const p of prepared) {
      const name = safeName(p.kind === 'study' ? p.study.config.scenario : p.loaded.scenario.scenario);
      const dir = a.out ? (prepared.length > 1 ? join(a.out, name) : a.out) : join('results', name);
      if (p.kind === 'study') {
        const { code, output } = await runAndWrite(p.study, a, p.study.loaded.file, dir, { replicationsOverride: overrides.replications, color });
        json.push(jsonOf(p.study, output));
        if (code !== 0) return finishJson(a, json, code);
      } else {
        const outputs: StudyOutput[] = [];
        for (const point of p.sweep.points) {
          const pointDir = join(dir, safeName(String(point.point!.value)));
          const output = await runStudy(point, a, p.loaded.file, { partialOk: true });
          if (output.outcome.partial) {
            // A sweep cannot be resumed in this version: the point's folder says partial, no sweep.csv.
            const stop = stopOf(guard, output);
            output.run = { ...output.run, stopped_by: stop.by };
            writeStudyResults(pointDir, output, await studyExtras(point, output));
            reportStop(a, point, output, stop, pointDir, null, color, messages.noResume('sweeps cannot be resumed in this version; no sweep.csv was written'));
            return finishJson(a, json, stop.code);
          }
          writeStudyResults(pointDir, output, await studyExtras(point, output));
          outputs.push(output);
          if (guard.caught()) return finishJson(a, json, SIGNAL_EXIT[guard.caught()!]);
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
      // A signal that came while results were being written: that folder is complete; stop here.
      if (guard.caught()) return finishJson(a, json, SIGNAL_EXIT[guard.caught()!]);
    }
    return finishJson(a, json, 0);
  });
}

function finishJson(a: RunArgs, json: unknown[], code: number): number {
  if (a.json && json.length > 0) process.stdout.write(JSON.stringify(json.length === 1 ? json[0] : json, null, 2) + '\n');
  return code;
}

/** `resim run [FILE] --resume DIR`: the interrupted run in DIR, continued to its count. */
async function resumeCommand(a: RunArgs): Promise<number> {
  const r = prepareResume(a);
  printWarnings([{ kind: 'study', study: r.study }]);
  return guarded(timeLimitOf(a), async () => {
    const { code, output } = await runAndWrite(r.study, a, r.file, r.dir, {
      replicationsOverride: r.replicationsOverride,
      resume: resumeState(r.record),
      color: colorEnabled(process.stdout),
    });
    return finishJson(a, [jsonOf(r.study, output)], code);
  });
}

/**
 * One study: simulate, write its folder, print its summary. A run stopped early (signal, time
 * limit) writes the completed prefix as partial results with partial.json to resume from, and
 * returns 130/143 (signal) or 2 (time limit); a complete run removes any partial.json.
 */
async function runAndWrite(
  study: Study,
  a: RunArgs,
  file: string,
  dir: string,
  options: { replicationsOverride: number | undefined; resume?: ResumeState; color: boolean },
): Promise<{ code: number; output: StudyOutput }> {
  const guard = currentGuard();
  const output = await runStudy(study, a, file, { partialOk: true, resume: options.resume });
  const resumedFrom = options.resume?.replications;
  if (resumedFrom !== undefined) output.run = { ...output.run, resumed_from: resumedFrom };
  if (output.outcome.partial) {
    const stop = stopOf(guard, output);
    output.run = { ...output.run, stopped_by: stop.by, resume_command: `resim run ${file} --resume ${dir}` };
    // partial.json before run.json: a folder whose run.json says partial always has it.
    writePartial(dir, partialRecord(study, output.outcome, file, options.replicationsOverride, stop.by));
    writeStudyResults(dir, output, await studyExtras(study, output));
    reportStop(a, study, output, stop, dir, file, options.color, null);
    return { code: stop.code, output };
  }
  writeStudyResults(dir, output, await studyExtras(study, output));
  removePartial(dir);
  if (!a.quiet && !a.json) {
    process.stdout.write(studyHeader(study, output) + renderTable(...summaryTable(study, output), { color: options.color }));
    for (const note of studyNotes(study, output)) process.stdout.write(note + '\n');
    if (resumedFrom !== undefined) process.stdout.write(messages.resumed(resumedFrom) + '\n');
    process.stdout.write(messages.wrote(dir) + '\n');
  }
  return { code: 0, output };
}

interface Stop {
  /** 'SIGINT', 'SIGTERM' or 'time limit'. */
  by: string;
  code: number;
  /** The error line for stderr (time limit), or null. */
  error: string | null;
}

/** Why a partial outcome stopped, its exit code and (for a time limit) the error naming what was running. */
function stopOf(guard: Guard, output: StudyOutput): Stop {
  const outcome = output.outcome;
  const sig = guard.caught();
  if (outcome.stop?.reason === 'signal' && sig) return { by: sig, code: SIGNAL_EXIT[sig], error: null };
  const running = outcome.stop?.running;
  const seed = output.run.seed as string;
  return {
    by: 'time limit',
    code: 2,
    error: messages.timeLimit(
      guard.timeLimitText ?? '?',
      outcome.replications,
      outcome.target ?? outcome.replications,
      running ? messages.timeLimitRunning(running, replicationKey(seed, running.replication)) : null,
    ),
  };
}

/** The terminal side of a stopped run: the error (time limit), the partial summary, where it went, how to go on. */
function reportStop(a: RunArgs, study: Study, output: StudyOutput, stop: Stop, dir: string, file: string | null, color: boolean, why: string | null): void {
  if (stop.error) process.stderr.write(stop.error + '\n');
  if (!a.quiet && !a.json) {
    process.stdout.write(messages.partialHeader(study.config.scenario, stop.by, output.outcome.replications, output.outcome.target ?? output.outcome.replications, study.precision !== undefined) + '\n');
    process.stdout.write(studyHeader(study, output) + renderTable(...summaryTable(study, output), { color }));
  }
  process.stderr.write(messages.partialWrote(dir) + '\n');
  process.stderr.write((file === null ? (why ?? '') : messages.resumeHint(file, dir)) + '\n');
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
    const name = safeName(c.name);
    let svg: string;
    try {
      svg = await renderSvg(c.spec);
    } catch (err) {
      // A chart is a view of results already computed: one that cannot be drawn (vega trips over
      // data such as a sweep value named "toString") costs its picture, not the run.
      const detail = err instanceof Error ? err.message : String(err);
      process.stderr.write(messages.chartNotRendered(name, detail) + '\n');
      svg = unrenderedSvg(name, detail);
    }
    files[`charts/${name}.vl.json`] = JSON.stringify(c.spec, null, 2) + '\n';
    files[`charts/${name}.svg`] = svg;
    const t = (c.spec as { title?: string | { text?: string | string[] } }).title;
    const title = typeof t === 'string' ? t : Array.isArray(t?.text) ? t.text.join(' ') : (t?.text ?? c.name);
    out.push({ name, title, svg });
  }
  return out;
}

/** The stand-in for a chart that could not be rendered: says so, and where its spec is. */
function unrenderedSvg(name: string, detail: string): string {
  const text = `chart ${name} could not be rendered (${detail}); its Vega-Lite spec is charts/${name}.vl.json`.replace(/[<>&"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="40"><text x="10" y="25" font-family="sans-serif" font-size="13">${text}</text></svg>\n`;
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

/**
 * Simulates one study under the current guard (signals, --time-limit). A run stopped early comes
 * back partial when `partialOk` (run writes it); otherwise it ends the command: check, compare
 * and shards write no partial results.
 */
export async function runStudy(study: Study, a: RunArgs, file: string, options: { partialOk?: boolean; resume?: ResumeState } = {}): Promise<StudyOutput> {
  const choice = chooseMethod(study);
  if (choice.method === 'importance') {
    if (a.replications !== undefined) throw new UsageError(messages.replicationsWithImportance());
    if (options.resume) throw new UsageError(messages.resumeImportance());
    return await runImportance(study, choice);
  }
  const label = study.point ? `${study.config.scenario} [${study.point.value}]` : study.config.scenario;
  const progress = a.quiet ? null : progressReporter(label);
  const guard = currentGuard();
  const poke = testInterrupt();
  const onProgress = (done: number, target: number) => {
    progress?.update(done, target);
    poke?.(done);
  };
  let outcome;
  try {
    outcome = await simulate(study, a.workers ?? defaultWorkers(), onProgress, { signal: guard.signal, deadline: guard.deadline, resume: options.resume });
  } catch (err) {
    throw reportedFailure(err, study.config.seed, file);
  } finally {
    progress?.stop();
  }
  const output = aggregate(study, outcome);
  if (study.method !== 'crude') output.run = { ...output.run, method: 'crude', method_reason: choice.reason };
  if (outcome.partial && !options.partialOk) {
    const stop = stopOf(guard, output);
    throw new ReportedError([stop.error, messages.interruptedNothingWritten(stop.by, a.commandName ?? 'this command')].filter((x) => x !== null).join('\n'), stop.code);
  }
  return output;
}

/** A failed replication as the message and exit code users get (2: budget, 4: a bug or a dead worker). */
export function reportedFailure(err: unknown, seed: string, file: string): unknown {
  if (!(err instanceof ReplicationError)) return err;
  const key = replicationKey(seed, err.replication);
  if (process.env.RESIM_DEBUG && err.stackText) process.stderr.write(err.stackText + '\n');
  if (err.kind === 'budget' || err.kind === 'time') return new ReportedError(messages.budgetExceeded(err, key), 2);
  if (err.kind === 'crash') return new ReportedError(messages.workerDied(err, key, file), 4);
  return new ReportedError(messages.replicationFailed(err, key, file), 4);
}

export function defaultWorkers(): number {
  return availableParallelism();
}

function studyHeader(study: Study, o: StudyOutput): string {
  const run = o.run as { replications: number; events: number; wall_seconds: number; workers: number; importance?: { cycles: number; crude_cycles: number; biasing: number | null } };
  if (run.importance) {
    const is = run.importance;
    if (is.biasing === null) return `${study.config.scenario}: importance sampling, no cycle needed (the load cannot be lost), ${run.wall_seconds.toFixed(2)} s\n`;
    return `${study.config.scenario}: importance sampling (balanced failure biasing ${is.biasing}), ${is.cycles} biased + ${is.crude_cycles} crude regenerative cycles, seed ${study.config.seed}, ${run.wall_seconds.toFixed(2)} s\n`;
  }
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
  const run = o.run as { replications: number; precision: null | { reached: boolean; relative_half_width: number; metric: string; target_relative_half_width: number }; importance?: { cycles: number; loss_unreachable: boolean } };
  if (run.importance?.loss_unreachable) {
    notes.push(messages.lossUnreachable());
  } else if (run.importance && run.precision) {
    notes.push(messages.importancePrecision(run.precision.reached, run.precision.relative_half_width, run.precision.target_relative_half_width, run.importance.cycles));
  } else if (run.precision && !run.precision.reached) {
    notes.push(messages.precisionNotReached(run.precision.metric, run.precision.relative_half_width, run.precision.target_relative_half_width, run.replications));
  } else if (run.precision) {
    notes.push(messages.precisionReached(run.precision.metric, run.precision.relative_half_width, run.precision.target_relative_half_width, run.replications));
  }
  const tier = (o.run as { tier: TierVerdict | null }).tier;
  if (tier) notes.push(messages.tierVerdict(tier));
  const cost = o.rows.find((r) => r.metric === 'cost');
  if (cost) notes.push(messages.cost(cost.mean, cost.ci_low, cost.ci_high, study.loaded.scenario.costs?.currency ?? ''));
  if ((o.run as { importance?: unknown }).importance) {
    notes.push(messages.importanceNote((o.run as { method_reason: string }).method_reason));
    return notes;
  }
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
      const ref = Object.hasOwn(references[label]!, value) ? references[label]![value] : undefined;
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
        const ref = Object.hasOwn(references[l]!, value) ? references[l]![value] : undefined;
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
    throw reportedFailure(err, study.config.seed, file);
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
