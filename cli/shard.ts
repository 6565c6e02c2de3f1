/**
 * `resim run FILE --shard K/N`: one part of a study split across machines (a Slurm job array).
 *
 * Shard K of N (1 <= K <= N) runs replications K-1, K-1+N, K-1+2N, ... below the fixed count R,
 * each with the streams of (seed, i) exactly as in an unsharded run, and writes shard.json: every
 * metric column value and the extras of each replication it ran, so `resim merge` can rebuild
 * the RunOutcome in replication order and write the results folder an unsharded run would.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runSelectedReplications, type SelectedOutcome } from '../sim/runner.js';
import type { RunConfig } from '../models/study.js';
import { currentGuard, SIGNAL_EXIT, testInterrupt } from './interrupt.js';
import { COLUMN } from '../models/metrics.js';
import { safeName, writeFileAtomic } from '../reports/files.js';
import { messages, ReportedError, UsageError } from './messages.js';
import { MODEL_MODULE, replicationKey, type Study } from './pipeline.js';
import { checkFlags, defaultWorkers, loadAll, prepareAll, printWarnings, reportedFailure, type RunArgs } from './commands.js';
import { progressReporter } from './progress.js';
import { studyRecord, type StudyRecord } from './record.js';

export const SHARD_FILE = 'shard.json';
export const SHARD_FORMAT = 'resim-shard';
export const SHARD_FORMAT_VERSION = 1;

/** shard.json. Numbers that JSON cannot hold (NaN, +-Infinity, -0) are written as {"$number": "NaN"}. */
export interface ShardFile extends StudyRecord {
  format: typeof SHARD_FORMAT;
  format_version: number;
  /** R: the replications of the whole study. */
  replications: number;
  /** N and K. */
  shards: number;
  shard: number;
  /** The replications this shard ran, ascending; values[k] and extras[k] belong to indices[k]. */
  indices: number[];
  values: number[][];
  extras: unknown[];
  events: number;
  wall_seconds: number;
  workers: number;
}

export const shardMessages = {
  badShard: (text: string) => `--shard: expected K/N with whole numbers 1 <= K <= N (e.g. --shard 2/8), got "${text}"`,
  oneFile: () => '--shard runs part of one study: give exactly one scenario file',
  withReplication: () => '--shard and --replication cannot be combined: --replication already reruns a single replication',
  precision: (file: string) =>
    `${file}: --shard needs a fixed replication count, and this scenario has a precision target (it decides the count from the values, which no single shard sees): give --replications R`,
  sweep: (file: string) => `${file}: a sweep cannot be sharded in this version: run it unsharded, or shard one scenario file per sweep point`,
  wrote: (k: number, n: number, count: number, r: number, dir: string) => `shard ${k}/${n}: ${count} of ${r} replications written to ${dir}`,
};

/** "K/N" -> {k, n}; a UsageError (exit 2) for anything else. */
export function parseShard(text: string): { k: number; n: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!(Number.isSafeInteger(k) && Number.isSafeInteger(n) && k >= 1 && k <= n)) throw new UsageError(shardMessages.badShard(text));
  return { k, n };
}

/** The replications shard K of N runs: K-1, K-1+N, K-1+2N, ... below R (round-robin). */
export function shardIndices(k: number, n: number, replications: number): number[] {
  const out: number[] = [];
  for (let i = k - 1; i < replications; i += n) out.push(i);
  return out;
}

export async function shardCommand(a: RunArgs & { shard: string }): Promise<number> {
  const { k, n } = parseShard(String(a.shard));
  if (a.files.length !== 1) throw new UsageError(shardMessages.oneFile());
  if (a.replication !== undefined) throw new UsageError(shardMessages.withReplication());
  const overrides = checkFlags(a);
  const file = a.files[0]!;
  const [loaded] = loadAll([file]);
  const [prepared] = prepareAll([loaded!], overrides);
  printWarnings([prepared!]);
  if (prepared!.kind === 'sweep') throw new UsageError(shardMessages.sweep(file));
  const study = prepared!.study;
  if (study.method === 'importance') throw new UsageError(`${file}: ${messages.shardImportance()}`);
  if (study.replications === undefined) throw new UsageError(shardMessages.precision(file));
  const replications = study.replications;
  const indices = shardIndices(k, n, replications);
  const dir = a.out ?? join('results', safeName(study.config.scenario), `shard-${k}-of-${n}`);

  const outcome = await simulateShard(study, indices, a, file);
  const shard: ShardFile = {
    format: SHARD_FORMAT,
    format_version: SHARD_FORMAT_VERSION,
    ...studyRecord(study, file),
    replications,
    shards: n,
    shard: k,
    indices,
    values: indices.map((_, j) => outcome.columns.map((col) => col[j]!)),
    extras: outcome.extras,
    events: outcome.events,
    wall_seconds: outcome.wallSeconds,
    workers: outcome.workers,
  };
  writeFileAtomic(join(dir, SHARD_FILE), encodeShard(shard));
  if (!a.quiet) process.stderr.write(shardMessages.wrote(k, n, indices.length, replications, dir) + '\n');
  return 0;
}

/** Runs the shard's replications; stopped early (signal, --time-limit), it writes no shard.json. */
async function simulateShard(study: Study, indices: number[], a: RunArgs, file: string): Promise<SelectedOutcome> {
  const progress = a.quiet ? null : progressReporter(`${study.config.scenario} shard`);
  const guard = currentGuard();
  const poke = testInterrupt();
  const config: RunConfig = guard.deadline === undefined ? study.config : { ...study.config, deadlineEpochMs: guard.deadline };
  let outcome: SelectedOutcome;
  let completed = 0;
  try {
    outcome = await runSelectedReplications(
      {
        moduleUrl: MODEL_MODULE,
        config,
        metrics: Object.keys(COLUMN).length,
        workers: a.workers ?? defaultWorkers(),
        onProgress: (done, target) => {
          completed = done;
          progress?.update(done, target);
          poke?.(done);
        },
        signal: guard.signal,
        deadline: guard.deadline,
      },
      indices,
    );
  } catch (err) {
    throw reportedFailure(err, study.config.seed, file);
  } finally {
    progress?.stop();
  }
  if (outcome.stop) {
    const sig = guard.caught();
    const by = outcome.stop.reason === 'signal' && sig ? sig : 'time limit';
    const running = outcome.stop.running;
    const lines = [
      ...(by === 'time limit'
        ? [messages.timeLimit(guard.timeLimitText ?? '?', completed, indices.length, running ? messages.timeLimitRunning(running, replicationKey(study.config.seed, running.replication)) : null)]
        : []),
      messages.interruptedNothingWritten(by, 'run --shard'),
    ];
    throw new ReportedError(lines.join('\n'), sig && by !== 'time limit' ? SIGNAL_EXIT[sig] : 2);
  }
  return outcome;
}

/**
 * JSON keeps every finite double exactly (shortest round-trip digits); the rest are tagged, in
 * metric values and extras alike, so the merge sees the very numbers the replications returned.
 */
export function encodeShard(shard: ShardFile): string {
  return JSON.stringify(shard, (_key, v: unknown) => (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? { $number: String(Object.is(v, -0) ? '-0' : v) } : v)) + '\n';
}

export function decodeShard(text: string): ShardFile {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const tag = (v as { $number?: unknown }).$number;
      if (keys.length === 1 && typeof tag === 'string') return tag === '-0' ? -0 : Number(tag);
    }
    return v;
  }) as ShardFile;
}

/** Reads DIR/shard.json; undefined when the folder holds none. */
export function readShard(dir: string): ShardFile | undefined {
  let text: string;
  try {
    text = readFileSync(resolve(dir, SHARD_FILE), 'utf8');
  } catch {
    return undefined;
  }
  return decodeShard(text);
}
