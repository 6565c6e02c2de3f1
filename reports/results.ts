/**
 * The results folder of one study (CLI.md "Results folder"): summary.csv, replications.csv,
 * incidents.csv and run.json, each written atomically. Reads results; computes nothing.
 */
import { join } from 'node:path';
import { toCsv, type Cell } from './csv.js';
import { writeFileAtomic } from './files.js';

export interface IncidentRow {
  replication: number;
  start_h: number;
  end_h: number;
  duration_h: number;
  planned: boolean;
  load: string;
  cause: string;
}

export const INCIDENT_COLUMNS = ['replication', 'start_h', 'end_h', 'duration_h', 'planned', 'load', 'cause'] as const;

export interface CauseRow {
  cause: string;
  incidents: number;
  downtime_hours: number;
  share: number;
}

export const CAUSE_COLUMNS = ['cause', 'incidents', 'downtime_hours', 'share'] as const;

export interface StudyResults {
  summaryColumns: readonly string[];
  summary: ReadonlyArray<Record<string, Cell>>;
  replicationColumns: readonly string[];
  replications: ReadonlyArray<Record<string, Cell>>;
  incidents: IncidentRow[];
  causes: CauseRow[];
  /** (cluster) jobs.csv rows of the first replication, or null without a cluster. */
  jobs: { columns: readonly string[]; rows: ReadonlyArray<Record<string, Cell>> } | null;
  /** (tenant servers) servers.csv rows of the first replication, or null. */
  serverStarts: { columns: readonly string[]; rows: ReadonlyArray<Record<string, Cell>> } | null;
  run: Record<string, unknown>;
}

/**
 * Writes the folder; `extra` files (charts/*.svg, report.html: path relative to `dir` -> content)
 * come before run.json, whose presence says the folder is complete.
 */
export function writeStudyResults(dir: string, r: StudyResults, extra: Record<string, string> = {}): string[] {
  const files = {
    'summary.csv': toCsv(r.summaryColumns, r.summary),
    'replications.csv': toCsv(r.replicationColumns, r.replications),
    'incidents.csv': toCsv(INCIDENT_COLUMNS, r.incidents as unknown as Array<Record<string, Cell>>),
    'causes.csv': toCsv(CAUSE_COLUMNS, r.causes as unknown as Array<Record<string, Cell>>),
    ...(r.jobs ? { 'jobs.csv': toCsv(r.jobs.columns, r.jobs.rows) } : {}),
    ...(r.serverStarts ? { 'servers.csv': toCsv(r.serverStarts.columns, r.serverStarts.rows) } : {}),
    ...extra,
    'run.json': JSON.stringify(r.run, null, 2) + '\n',
  };
  // run.json last: its presence says the folder is complete.
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    writeFileAtomic(join(dir, name), content);
    written.push(join(dir, name));
  }
  return written;
}
