/**
 * Interrupted runs and `resim run [FILE] --resume DIR`.
 *
 * A run stopped by a signal or by --time-limit writes its results folder for the replications
 * 0..k-1 completed by then (run.json `partial: true`) and, before run.json, partial.json: every
 * metric value and the extras of those k replications, with what the run was (scenario file and
 * hash, seed, horizon, the --replications given). `--resume DIR` checks the scenario is unchanged,
 * runs replications k, k+1, ... with the same streams, and writes the folder an uninterrupted run
 * would have written (byte-identical CSVs); then partial.json is removed.
 *
 *   run ──SIGTERM──> DIR/{partial.json, summary.csv (k), ..., run.json partial: true}   exit 143
 *   run --resume DIR ──> DIR/{summary.csv (R), ..., run.json partial: false}              exit 0
 */
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResumeState, RunOutcome } from '../sim/runner.js';
import { REPLICATION_COLUMNS } from '../models/metrics.js';
import { writeFileAtomic } from '../reports/files.js';
import { ReportedError, UsageError } from './messages.js';
import type { Study } from './pipeline.js';
import { checkFlags, loadAll, prepareAll, type RunArgs } from './commands.js';
import { recordedScenarioFile, studyRecord, type StudyRecord } from './record.js';
import { VERSION } from './version.js';

export const PARTIAL_FILE = 'partial.json';
export const PARTIAL_FORMAT = 'resim-partial';
export const PARTIAL_FORMAT_VERSION = 1;

export interface PartialFile extends StudyRecord {
  format: typeof PARTIAL_FORMAT;
  format_version: number;
  /** `--replications` as given (null: the scenario's count or precision target decides). */
  replications_override: number | null;
  /** 'SIGINT', 'SIGTERM' or 'time limit'. */
  stopped_by: string;
  /** The count the run was working towards when it stopped (fixed count or current checkpoint). */
  target: number;
  /** k: replications 0..k-1 are complete. */
  replications: number;
  /** values[i][m]: metric columns[m] of replication i. */
  values: number[][];
  extras: unknown[];
  events: number;
  wall_seconds: number;
}

export const partialMessages = {
  notPartial: (dir: string) => `--resume ${dir}: run.json says this run is complete (partial: false): there is nothing to resume`,
  noRun: (dir: string) => `--resume ${dir}: no run.json here (expected the results folder of an interrupted resim run)`,
  noState: (dir: string) => `--resume ${dir}: run.json says partial, but ${PARTIAL_FILE} is missing (the folder was written by a run that cannot be resumed, e.g. a sweep point)`,
  badState: (dir: string, detail: string) => `--resume ${dir}: ${PARTIAL_FILE} ${detail}`,
  changed: (file: string, was: string, now: string) =>
    `--resume: ${file} changed since the interrupted run (scenario hash ${was.slice(0, 12)}..., now ${now.slice(0, 12)}...): resume with the scenario the run was started from, or start a new run`,
  otherScenario: (file: string, theirs: string, ours: string) => `--resume: ${file} is scenario "${ours}", the interrupted run was "${theirs}"`,
  conflict: (flag: string, given: string, recorded: string) => `--resume: ${flag} ${given} differs from the interrupted run's ${recorded}; a resumed run keeps the seed and horizon it started with`,
  otherVersion: (theirs: string) => `--resume: the run was made by resim ${theirs}, this is ${VERSION}: the same replications might give other values, so start a new run`,
  outDiffers: (out: string, dir: string) => `--resume writes into the folder it resumes (${dir}); --out ${out} names another`,
  sweep: (file: string) => `--resume: ${file} is a sweep; sweeps cannot be resumed in this version (rerun it, or the points not written)`,
  tooMany: () => '--resume continues one run: give at most one scenario file',
  withShard: () => '--resume cannot be combined with --shard or --replication',
};

/** JSON that keeps NaN, +-Infinity and -0 (tagged {"$number": "NaN"}), as shard.json does. */
export function encodeTagged(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? { $number: Object.is(v, -0) ? '-0' : String(v) } : v)) + '\n';
}

export function decodeTagged(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const tag = (v as { $number?: unknown }).$number;
      if (Object.keys(v).length === 1 && typeof tag === 'string') return tag === '-0' ? -0 : Number(tag);
    }
    return v;
  });
}

/** What partial.json records of a stopped run. */
export function partialRecord(study: Study, outcome: RunOutcome, file: string, replicationsOverride: number | undefined, stoppedBy: string): PartialFile {
  const k = outcome.replications;
  return {
    format: PARTIAL_FORMAT,
    format_version: PARTIAL_FORMAT_VERSION,
    ...studyRecord(study, file),
    replications_override: replicationsOverride ?? null,
    stopped_by: stoppedBy,
    target: outcome.target ?? k,
    replications: k,
    values: Array.from({ length: k }, (_, i) => outcome.columns.map((col) => col[i]!)),
    extras: Array.from({ length: k }, (_, i) => outcome.extras[i] ?? null),
    events: outcome.events,
    wall_seconds: outcome.wallSeconds,
  };
}

export function writePartial(dir: string, record: PartialFile): void {
  writeFileAtomic(join(dir, PARTIAL_FILE), encodeTagged(record));
}

/** After a complete run into `dir`: nothing there may still look resumable. */
export function removePartial(dir: string): void {
  rmSync(join(dir, PARTIAL_FILE), { force: true });
}

/** Reads DIR's run.json and partial.json and refuses (exit 2) anything but a resumable run. */
export function readPartial(dir: string): PartialFile {
  let run: { partial?: unknown };
  try {
    run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { partial?: unknown };
  } catch {
    throw new ReportedError(`error: ${partialMessages.noRun(dir)}`, 2);
  }
  if (run.partial !== true) throw new ReportedError(`error: ${partialMessages.notPartial(dir)}`, 2);
  let text: string;
  try {
    text = readFileSync(join(dir, PARTIAL_FILE), 'utf8');
  } catch {
    throw new ReportedError(`error: ${partialMessages.noState(dir)}`, 2);
  }
  let record: PartialFile;
  try {
    record = decodeTagged(text) as PartialFile;
  } catch (err) {
    throw new ReportedError(`error: ${partialMessages.badState(dir, `is not valid JSON (${(err as Error).message})`)}`, 2);
  }
  const bad = (detail: string) => new ReportedError(`error: ${partialMessages.badState(dir, detail)}`, 2);
  if (typeof record !== 'object' || record === null || record.format !== PARTIAL_FORMAT || record.format_version !== PARTIAL_FORMAT_VERSION) {
    throw bad(`is not a ${PARTIAL_FORMAT} version ${PARTIAL_FORMAT_VERSION} file`);
  }
  if (record.resim_version !== VERSION) throw new ReportedError(`error: ${partialMessages.otherVersion(String(record.resim_version))}`, 2);
  const k = record.replications;
  if (
    !Number.isSafeInteger(k) || k < 0 ||
    !Array.isArray(record.values) || record.values.length !== k ||
    !Array.isArray(record.extras) || record.extras.length !== k ||
    JSON.stringify(record.columns) !== JSON.stringify(REPLICATION_COLUMNS) ||
    record.values.some((row) => !Array.isArray(row) || row.length !== REPLICATION_COLUMNS.length || row.some((x) => typeof x !== 'number'))
  ) {
    throw bad(`is damaged (its replication values do not match its count ${String(k)} and the ${REPLICATION_COLUMNS.length} metric columns)`);
  }
  return record;
}

/** The runner's view of the completed prefix. */
export function resumeState(record: PartialFile): ResumeState {
  const k = record.replications;
  const columns = REPLICATION_COLUMNS.map((_, m) => Float64Array.from({ length: k }, (_, i) => record.values[i]![m]!));
  return { replications: k, columns, extras: record.extras.map((e) => (e === null ? undefined : e)), events: record.events };
}

/** What `--resume` runs: the study prepared as the interrupted run prepared it, and its prefix. */
export interface ResumePlan {
  study: Study;
  record: PartialFile;
  dir: string;
  /** The scenario file (as given now, or as the interrupted run was given it). */
  file: string;
  replicationsOverride: number | undefined;
}

/**
 * Checks `--resume DIR` against the interrupted run: one study, the same scenario (hash), seed and
 * horizon, written into DIR itself. `--replications` may change the count (replication i's values
 * do not depend on it); `--workers`, `--max-events` and `--time-limit` are free.
 */
export function prepareResume(a: RunArgs): ResumePlan {
  const dir = a.resume!;
  if (a.files.length > 1) throw new UsageError(partialMessages.tooMany());
  if (a.shard !== undefined || a.replication !== undefined) throw new UsageError(partialMessages.withShard());
  if (a.out !== undefined && resolve(a.out) !== resolve(dir)) throw new UsageError(partialMessages.outDiffers(a.out, dir));
  const flags = checkFlags(a);
  const record = readPartial(dir);
  if (flags.seed !== undefined && flags.seed !== record.seed) throw new UsageError(partialMessages.conflict('--seed', flags.seed, `seed ${record.seed}`));
  if (flags.horizonHours !== undefined && flags.horizonHours !== record.horizon_hours) {
    throw new UsageError(partialMessages.conflict('--horizon', String(a.horizon), `horizon of ${record.horizon_hours} h`));
  }
  const file = a.files[0] ?? recordedScenarioFile(record);
  const [loaded] = loadAll([file]);
  if (loaded!.scenario.scenario !== record.scenario) throw new ReportedError(`error: ${partialMessages.otherScenario(file, record.scenario, loaded!.scenario.scenario)}`, 2);
  if (loaded!.hash !== record.scenario_hash) throw new ReportedError(`error: ${partialMessages.changed(file, record.scenario_hash, loaded!.hash)}`, 2);
  const replicationsOverride = flags.replications ?? record.replications_override ?? undefined;
  const [prepared] = prepareAll([loaded!], {
    seed: record.seed,
    horizonHours: record.horizon_hours,
    replications: replicationsOverride,
    maxEvents: flags.maxEvents ?? record.max_events ?? undefined,
  });
  if (prepared!.kind !== 'study') throw new UsageError(partialMessages.sweep(file));
  const study = prepared!.study;
  if (study.config.warmupHours !== record.warmup_hours) throw new ReportedError(`error: ${partialMessages.changed(file, record.scenario_hash, loaded!.hash)}`, 2);
  return { study, record, dir, file, replicationsOverride };
}
