/**
 * `resim merge DIR... --out DIR`: the shard folders of one study (`resim run FILE --shard K/N`)
 * back into the results folder an unsharded run writes.
 *
 *   shard.json x N ──check──> one study (same scenario, hash, seed, R, N, horizon; K = 1..N once each)
 *        ──rebuild──> RunOutcome (columns and extras in replication order)
 *        ──aggregate──> StudyOutput ──write──> results folder (as `run` writes it)
 *
 * The Study aggregate needs is prepared again from the scenario file the shards recorded (as
 * given, resolved against the directory `run --shard` ran in), and refused if that file no longer
 * has the hash the shards were run with.
 */
import type { RunOutcome } from '../sim/runner.js';
import { REPLICATION_COLUMNS } from '../models/metrics.js';
import { writeStudyResults } from '../reports/results.js';
import { InputError, loadScenarioFile } from '../models/scenario/index.js';
import { messages, ReportedError, UsageError } from './messages.js';
import { aggregate, prepare, type Study } from './pipeline.js';
import { printWarnings, studyExtras } from './commands.js';
import { recordedScenarioFile } from './record.js';
import { readShard, SHARD_FILE, SHARD_FORMAT, SHARD_FORMAT_VERSION, shardIndices, type ShardFile } from './shard.js';

export interface MergeArgs {
  dirs: string[];
  out: string;
  quiet: boolean;
}

/** The fields every shard of one study must agree on, with the words that name them. */
const SAME: ReadonlyArray<[keyof ShardFile, string]> = [
  ['scenario', 'scenario'],
  ['scenario_hash', 'scenario hash (the scenario file changed between shards)'],
  ['seed', 'seed'],
  ['replications', 'replication count R'],
  ['shards', 'shard count N'],
  ['horizon_hours', 'horizon (hours)'],
  ['warmup_hours', 'warm-up (hours)'],
  ['resim_version', 'resim version'],
  ['columns', 'metric columns'],
];

export const mergeMessages = {
  notShard: (dir: string) => `${dir}: no ${SHARD_FILE} here (not a folder written by resim run --shard K/N)`,
  badFormat: (dir: string, detail: string) => `${dir}/${SHARD_FILE}: ${detail}`,
  differ: (what: string, dirA: string, a: unknown, dirB: string, b: unknown) =>
    `shards differ in ${what}: ${dirA} has ${show(a)}, ${dirB} has ${show(b)}`,
  duplicate: (k: number, n: number, dirs: string[]) => `shard ${k}/${n} given more than once: ${dirs.join(', ')}`,
  missing: (ks: number[], n: number) => `missing shard${ks.length > 1 ? 's' : ''} ${ks.join(', ')} of ${n} (each of 1..${n} is needed once)`,
  wrongIndices: (dir: string, k: number, n: number) => `${dir}: shard ${k}/${n} does not hold the replications of shard ${k}/${n} (K-1, K-1+N, ...)`,
  scenarioChanged: (file: string, was: string, now: string) =>
    `${file} changed since the shards ran (scenario hash ${was.slice(0, 12)}..., now ${now.slice(0, 12)}...): merge with the scenario file the shards were run from`,
  scenarioUnreadable: (file: string, detail: string) => `cannot re-read the scenario the shards were run from, ${file}: ${detail}`,
  refused: (problems: string[]) => `error: cannot merge these shards:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  merged: (n: number, r: number, scenario: string) => `${scenario}: merged ${n} shard${n > 1 ? 's' : ''} (${r} replications)`,
};

function show(v: unknown): string {
  return Array.isArray(v) ? `[${v.length} columns]` : JSON.stringify(v);
}

export async function mergeCommand(a: MergeArgs): Promise<number> {
  const shards = readAll(a.dirs);
  const study = prepareAgain(shards[0]!.shard);
  const output = aggregate(study, rebuild(shards.map((s) => s.shard)));
  // Only the run record says how it was made: the statistics are those of an unsharded run.
  const wall = shards.reduce((sum, s) => sum + s.shard.wall_seconds, 0);
  output.run = {
    ...output.run,
    workers: 'merged',
    merged_from_shards: shards.length,
    wall_seconds: wall,
    events_per_second: wall > 0 ? (output.run.events as number) / wall : null,
  };
  writeStudyResults(a.out, output, await studyExtras(study, output));
  if (!a.quiet) {
    process.stdout.write(mergeMessages.merged(shards.length, study.replications!, study.config.scenario) + '\n');
    process.stdout.write(messages.wrote(a.out) + '\n');
  }
  return 0;
}

interface ShardAt {
  dir: string;
  shard: ShardFile;
}

/** Reads every folder and refuses (exit 2, naming folders) unless they are exactly shards 1..N of one study. */
function readAll(dirs: string[]): ShardAt[] {
  const problems: string[] = [];
  const shards: ShardAt[] = [];
  for (const dir of dirs) {
    let shard: ShardFile | undefined;
    try {
      shard = readShard(dir);
    } catch (err) {
      problems.push(mergeMessages.badFormat(dir, `not valid JSON (${(err as Error).message})`));
      continue;
    }
    if (!shard) problems.push(mergeMessages.notShard(dir));
    else if (shard.format !== SHARD_FORMAT || shard.format_version !== SHARD_FORMAT_VERSION) {
      problems.push(mergeMessages.badFormat(dir, `format ${String(shard.format)} version ${String(shard.format_version)}, this resim reads ${SHARD_FORMAT} version ${SHARD_FORMAT_VERSION}`));
    } else shards.push({ dir, shard });
  }
  if (problems.length > 0) throw new ReportedError(mergeMessages.refused(problems), 2);

  const first = shards[0]!;
  for (const [field, what] of SAME) {
    const other = shards.find((s) => JSON.stringify(s.shard[field]) !== JSON.stringify(first.shard[field]));
    if (other) problems.push(mergeMessages.differ(what, first.dir, first.shard[field], other.dir, other.shard[field]));
  }
  if (problems.length > 0) throw new ReportedError(mergeMessages.refused(problems), 2);

  const n = first.shard.shards;
  const byK = new Map<number, string[]>();
  for (const s of shards) byK.set(s.shard.shard, [...(byK.get(s.shard.shard) ?? []), s.dir]);
  for (const [k, ds] of [...byK].sort((x, y) => x[0] - y[0])) if (ds.length > 1) problems.push(mergeMessages.duplicate(k, n, ds));
  const missing: number[] = [];
  for (let k = 1; k <= n; k++) if (!byK.has(k)) missing.push(k);
  if (missing.length > 0) problems.push(mergeMessages.missing(missing, n));
  for (const s of shards) {
    const want = shardIndices(s.shard.shard, n, s.shard.replications);
    if (JSON.stringify(s.shard.indices) !== JSON.stringify(want) || s.shard.values.length !== want.length) {
      problems.push(mergeMessages.wrongIndices(s.dir, s.shard.shard, n));
    }
  }
  if (problems.length > 0) throw new ReportedError(mergeMessages.refused(problems), 2);
  return shards.sort((x, y) => x.shard.shard - y.shard.shard);
}

/** The Study of the shards, prepared as `run` prepared it, from the same scenario file (hash-checked). */
function prepareAgain(shard: ShardFile): Study {
  // The path as given keeps report.html identical when merging from the same directory.
  const file = recordedScenarioFile(shard);
  let loaded;
  try {
    loaded = loadScenarioFile(file);
  } catch (err) {
    if (err instanceof InputError) throw new ReportedError(mergeMessages.refused([mergeMessages.scenarioUnreadable(file, err.message.trim())]), 2);
    throw err;
  }
  if (loaded.hash !== shard.scenario_hash) throw new ReportedError(mergeMessages.refused([mergeMessages.scenarioChanged(file, shard.scenario_hash, loaded.hash)]), 2);
  const prepared = prepare(loaded, {
    replications: shard.replications,
    seed: shard.seed,
    horizonHours: shard.horizon_hours,
    maxEvents: shard.max_events ?? undefined,
  });
  printWarnings([prepared]);
  if (prepared.kind !== 'study') throw new UsageError(`${file}: a sweep cannot be merged (sweeps are not sharded in this version)`);
  const study = prepared.study;
  if (study.config.warmupHours !== shard.warmup_hours || study.replications !== shard.replications) {
    throw new ReportedError(mergeMessages.refused([mergeMessages.scenarioChanged(file, shard.scenario_hash, loaded.hash)]), 2);
  }
  return study;
}

/** The RunOutcome of an unsharded run: every replication's values and extras at its index. */
function rebuild(shards: ShardFile[]): RunOutcome {
  const r = shards[0]!.replications;
  const columns = REPLICATION_COLUMNS.map(() => new Float64Array(r));
  const extras: unknown[] = new Array<unknown>(r).fill(undefined);
  let events = 0;
  for (const s of shards) {
    s.indices.forEach((i, k) => {
      const row = s.values[k]!;
      for (let m = 0; m < columns.length; m++) columns[m]![i] = row[m]!;
      extras[i] = s.extras[k] ?? undefined;
    });
    events += s.events;
  }
  return { replications: r, columns, extras, events, workers: 0, wallSeconds: 0 };
}
