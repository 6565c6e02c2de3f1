/**
 * What the files that carry a study's replications from one run to another (shard.json for
 * `merge`, partial.json for `--resume`) record of the study, so the later run can check it is
 * continuing the same one: version, scenario and its hash, where the file was read from, seed,
 * horizon, warm-up, event budget and the metric columns of the values.
 */
import { resolve } from 'node:path';
import { REPLICATION_COLUMNS } from '../models/metrics.js';
import type { Study } from './pipeline.js';
import { VERSION } from './version.js';

export interface StudyRecord {
  resim_version: string;
  scenario: string;
  scenario_hash: string;
  /** The scenario file as given on the command line, and the working directory it was given in. */
  scenario_file: string;
  cwd: string;
  seed: string;
  horizon_hours: number;
  warmup_hours: number;
  max_events: number | null;
  /** The metric columns of the recorded values, in the model's order (raw_* included). */
  columns: string[];
}

/** The record of `study`, read from `file` (as given) in this working directory. */
export function studyRecord(study: Study, file: string): StudyRecord {
  return {
    resim_version: VERSION,
    scenario: study.config.scenario,
    scenario_hash: study.loaded.hash,
    scenario_file: file,
    cwd: process.cwd(),
    seed: study.config.seed,
    horizon_hours: study.config.horizonHours,
    warmup_hours: study.config.warmupHours,
    max_events: Number.isFinite(study.config.maxEvents) ? study.config.maxEvents : null,
    columns: [...REPLICATION_COLUMNS],
  };
}

/**
 * The scenario file a later run re-reads: as given then when that resolves to the same file here
 * (so report.html names it the same way), else resolved against the directory it was given in.
 */
export function recordedScenarioFile(record: Pick<StudyRecord, 'cwd' | 'scenario_file'>): string {
  return resolve(record.cwd, record.scenario_file) === resolve(record.scenario_file) ? record.scenario_file : resolve(record.cwd, record.scenario_file);
}
