/** User-facing messages of the command line, in one place (tests compare against these functions). */
import type { ReplicationError } from '../sim/replication.js';
import type { TierVerdict } from '../models/tier.js';

export const messages = {
  replicationFailed: (e: ReplicationError, key: string, file: string) =>
    `error: replication ${e.replication} (seed ${key}) failed at simulated time t = ${fmtTime(e.time)} in ${e.entity}: ${e.detail}\n` +
    `reproduce it with: resim run ${file} --replication ${e.replication}`,
  budgetExceeded: (e: ReplicationError, key: string) =>
    `error: replication ${e.replication} (seed ${key}) stopped: ${e.detail}\n` +
    `the model schedules events without end (a zero-delay loop?) or needs a larger --max-events`,
  internalError: (detail: string) =>
    `internal error (a bug in resim, not in your scenario): ${detail}\nset RESIM_DEBUG=1 for the stack trace, and please report it`,
  replicationOutOfRange: (i: number, n: number) => `--replication ${i} is outside the run's ${n} replications (0..${n - 1})`,
  precisionNotReached: (metric: string, rel: number, target: number, n: number) =>
    `note: precision target not reached: ${metric} relative half-width ${fmtPct(rel)} > ${fmtPct(target)} after ${n} replications (max_replications)`,
  precisionReached: (metric: string, rel: number, target: number, n: number) =>
    `precision: ${metric} known to +-${fmtPct(rel)} (target ${fmtPct(target)}) after ${n} replications`,
  noLossesSeen: (n: number, years: number) =>
    `note: no loss of service in ${n} replications (${years.toPrecision(3)} simulated years): the interval is not informative; ` +
    `with 95% confidence the incident rate is below ${(3 / years).toPrecision(2)} per year (rule of three)`,
  fewLosses: (count: number) =>
    `note: only ${count} losses of service observed; a CLT interval on so few events is rough (about 400 are needed for +-10%)`,
  wrote: (dir: string) => `results written to ${dir}`,
  tierVerdict: (v: TierVerdict) =>
    `tier: ${v.tier === 'none' ? 'below Tier I' : `Tier ${v.tier}`} (hours: ${v.byHours === 'none' ? 'over every budget' : `Tier ${v.byHours}`}; topology: ${v.byTopology === null ? 'not judged' : `Tier ${v.byTopology}`})\n` +
    v.reasons.map((r) => `  - ${r}`).join('\n') +
    `\n  note: ${v.caveat}`,
  cost: (mean: number, low: number, high: number, currency: string) =>
    `expected downtime cost: ${money(mean)} ${currency}/yr (95% CI ${money(low)} to ${money(high)})`,
};

function money(x: number): string {
  return Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'undefined';
}

function fmtTime(t: number): string {
  return Number.isFinite(t) ? `${t.toFixed(3)} h` : 'unknown';
}

function fmtPct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : 'undefined';
}

/** A command-line usage problem (bad flag value): exit 2. */
export class UsageError extends Error {}

/** An error whose message is final and whose exit code is decided. */
export class ReportedError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
