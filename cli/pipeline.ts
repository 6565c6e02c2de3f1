/**
 * The program as a pipeline, one call per phase, each taking and returning plain data:
 *
 *   scenario file ──load──> LoadedScenario (parsed, validated, units normalised)
 *        ──prepare──> Study (facility expanded: "2(N+1)" -> units; run plan; CLI overrides)
 *        ──simulate──> RunOutcome (per-replication values, in replication order)
 *        ──aggregate──> StudyOutput (summary rows, replication rows, incidents, run.json)
 *        ──write──> results folder
 *
 * A sweep prepares one Study per point (same seed: common random numbers) and adds sweep.csv.
 */
import { runReplications, type ResumeState, type RunOutcome } from '../sim/runner.js';
import { AggregateModelError, expandFacility, type FacilityInput } from '../models/facility/expand.js';
import { exactFigures, type ExactFigures } from '../models/facility/exact.js';
import type { StudyConfig } from '../models/facility/spec.js';
import { COLUMN, HOURS_PER_YEAR, metricDefs, replicationCsvColumns, type MetricDef, type MetricScope } from '../models/metrics.js';
import { prepareCluster } from './cluster.js';
import { JOB_COLUMNS, SERVER_START_COLUMNS, type ClusterTimeline } from '../models/cluster/records.js';
import type { Cell } from '../reports/csv.js';
import { InputError, problemAt, withOverride, type LoadedScenario, type Problem } from '../models/scenario/index.js';
import type { ReplicationDetail, RunConfig } from '../models/study.js';
import { SUMMARY_COLUMNS, summarizeMetrics, type SummaryRow } from '../models/summary.js';
import { tierVerdict, topologyFacts, type TierVerdict } from '../models/tier.js';
import type { CauseRow, IncidentRow, StudyResults } from '../reports/results.js';
import { markovProblems, type Method } from './rare.js';
import { VERSION } from './version.js';

export const MODEL_MODULE = new URL('../models/study.js', import.meta.url).href;

/**
 * Event budget per replication when --max-events is not given: far above any real study (the
 * bundled ones take at most a few million), low enough that a zero-delay loop stops in about
 * half a minute instead of never.
 */
export const DEFAULT_MAX_EVENTS = 1_000_000_000;

/** Settings from the command line that override the scenario's `simulation:`. */
export interface Overrides {
  replications?: number;
  seed?: string;
  horizonHours?: number;
  maxEvents?: number;
}

export interface Study {
  loaded: LoadedScenario;
  config: StudyConfig;
  scope: MetricScope;
  defs: MetricDef[];
  replications?: number;
  precision?: { metric: string; relativeHalfWidth: number; confidence: number; minReplications: number; maxReplications: number };
  exact: ExactFigures | null;
  warnings: Problem[];
  /** For a sweep point: the swept parameter and this point's value. */
  point?: { parameter: string; value: string | number };
  /** simulation.method (cli/rare.ts resolves `auto` when the study runs). */
  method: Method;
}

export interface SweepPlan {
  parameter: string;
  points: Study[];
  references: Record<string, Record<string, number>>;
}

/** What `prepare` makes of one scenario file: a single study or a sweep. */
export type Prepared = { kind: 'study'; study: Study } | { kind: 'sweep'; sweep: SweepPlan; loaded: LoadedScenario };

type ScenarioShape = LoadedScenario['scenario'];

/** Expands the facility and applies overrides; problems are InputErrors located in the file. */
export function prepare(loaded: LoadedScenario, overrides: Overrides = {}): Prepared {
  const s = loaded.scenario as ScenarioShape;
  if (!s.sweep) return { kind: 'study', study: prepareStudy(loaded, overrides) };
  const sweep = s.sweep;
  const values = sweepValues(sweep.values);
  const points: Study[] = [];
  const problems: Problem[] = [];
  for (const value of values) {
    try {
      const point = withOverride(loaded, sweep.parameter, value);
      points.push({ ...prepareStudy(point, overrides), point: { parameter: sweep.parameter, value } });
    } catch (err) {
      if (err instanceof InputError) problems.push(...err.problems.map((p) => ({ ...p, message: `(sweep value ${JSON.stringify(value)}) ${p.message}` })));
      else throw err;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return { kind: 'sweep', loaded, sweep: { parameter: sweep.parameter, points, references: sweep.reference ?? {} } };
}

function sweepValues(values: Array<string | number> | { from: number; to: number; step?: number }): Array<string | number> {
  if (Array.isArray(values)) return values;
  const step = values.step ?? 1;
  const out: number[] = [];
  // Integer steps counted, not accumulated, so 0.1 steps do not drift.
  const count = Math.floor((values.to - values.from) / step + 1e-9);
  for (let i = 0; i <= count; i++) out.push(Number((values.from + i * step).toPrecision(12)));
  return out;
}

function prepareStudy(loaded: LoadedScenario, o: Overrides): Study {
  const s = loaded.scenario as ScenarioShape;
  let expansion;
  try {
    expansion = expandFacility(s as unknown as FacilityInput);
  } catch (err) {
    if (err instanceof AggregateModelError) {
      throw new InputError(err.errors.map((e) => problemAt(loaded, e.path, e.message)));
    }
    throw err;
  }
  const sim = s.simulation;
  const precision =
    o.replications === undefined && sim.precision
      ? {
          metric: sim.precision.metric,
          relativeHalfWidth: sim.precision.relative_half_width,
          confidence: sim.precision.confidence,
          minReplications: sim.precision.min_replications,
          maxReplications: sim.precision.max_replications,
        }
      : undefined;
  const downtimeCost = s.costs?.downtime_per_hour ?? null;
  const cluster = s.cluster
    ? prepareCluster(loaded, {
        loads: expansion.facility.loads.map((l) => l.name),
        startIso: sim.start,
        endHours: sim.warmup + (o.horizonHours ?? sim.horizon),
      })
    : null;
  const scope: MetricScope = {
    facility: expansion.facility.loads.length > 0,
    cost: downtimeCost !== null && expansion.facility.loads.length > 0,
    cluster: cluster !== null,
    reservations: (cluster?.reservations.some((r) => !r.system) ?? false),
    servers: cluster?.servers != null,
  };
  const config: StudyConfig = {
    scenario: s.scenario,
    seed: o.seed ?? sim.seed,
    horizonHours: o.horizonHours ?? sim.horizon,
    warmupHours: sim.warmup,
    downtimeCostPerHour: downtimeCost,
    facility: expansion.facility,
    cluster,
    recordJobs: cluster !== null,
    maxEvents: o.maxEvents ?? DEFAULT_MAX_EVENTS,
  };
  const defs = metricDefs(scope);
  if (precision && !defs.some((d) => d.name === precision.metric && d.kind === 'mean')) {
    throw new InputError([
      problemAt(loaded, 'simulation.precision.metric', `a precision target needs a per-replication metric, one of ${defs.filter((d) => d.kind === 'mean').map((d) => d.name).join(', ')}`),
    ]);
  }
  const method = (sim.method ?? 'crude') as Method;
  if (method === 'importance') {
    const refused = markovProblems(loaded, expansion.facility);
    if (refused) throw refused;
  }
  return {
    loaded,
    config,
    scope,
    defs,
    method,
    replications: precision ? undefined : (o.replications ?? sim.replications ?? 1000),
    precision,
    exact: exactFigures(expansion.facility),
    warnings: [
      ...loaded.warnings,
      ...expansion.warnings.map((w) => problemAt(loaded, w.path, w.message, 'warning')),
    ],
  };
}

/** How a run may stop early, and where a resumed one starts. */
export interface SimulateOptions {
  signal?: AbortSignal;
  /** `Date.now()` value: the run's wall-clock deadline (--time-limit). */
  deadline?: number;
  resume?: ResumeState;
}

/** Runs the replications of one study. */
export function simulate(study: Study, workers: number, onProgress?: (done: number, target: number) => void, options: SimulateOptions = {}): Promise<RunOutcome> {
  const metric = study.precision ? COLUMN[study.precision.metric as keyof typeof COLUMN] : 0;
  const config: RunConfig = options.deadline === undefined ? study.config : { ...study.config, deadlineEpochMs: options.deadline };
  return runReplications({
    moduleUrl: MODEL_MODULE,
    config,
    metrics: Object.keys(COLUMN).length,
    replications: study.replications,
    precision: study.precision ? { ...study.precision, metric } : undefined,
    workers,
    onProgress,
    signal: options.signal,
    deadline: options.deadline,
    resume: options.resume,
  });
}

export interface StudyOutput extends StudyResults {
  rows: SummaryRow[];
  /** What the runner returned (per-replication values: partial.json keeps them). */
  outcome: RunOutcome;
  /** Replication 0's job intervals, reservation windows and server states (charts), or null. */
  clusterTimeline: ClusterTimeline | null;
}

/** The key that reproduces replication i: `<scenario seed>:<i>` (CLI.md). */
export function replicationKey(seed: string, replication: number): string {
  return `${seed}:${replication}`;
}

export function aggregate(study: Study, outcome: RunOutcome): StudyOutput {
  const rows = summarizeMetrics(outcome.columns, study.defs);
  const csvCols = replicationCsvColumns(study.scope);
  const replications = [];
  for (let i = 0; i < outcome.replications; i++) {
    const row: Record<string, string | number> = { replication: i, seed: replicationKey(study.config.seed, i) };
    for (const c of csvCols) row[c] = outcome.columns[COLUMN[c]]![i]!;
    replications.push(row);
  }
  const first = outcome.extras[0] as ReplicationDetail | undefined;
  const jobRows = first?.jobs;
  const serverStarts = study.config.cluster?.servers ? { columns: SERVER_START_COLUMNS, rows: (first?.serverStarts ?? []) as unknown as Array<Record<string, Cell>> } : null;
  const jobs = study.config.cluster ? { columns: JOB_COLUMNS, rows: (jobRows ?? []) as unknown as Array<Record<string, Cell>> } : null;
  const incidents: IncidentRow[] = [];
  const byRoot = new Map<string, { incidents: number; hours: number }>();
  outcome.extras.forEach((extra, i) => {
    const detail = extra as ReplicationDetail | undefined;
    for (const inc of detail?.incidents ?? []) {
      const start = inc.start - study.config.warmupHours;
      const end = inc.end - study.config.warmupHours;
      incidents.push({ replication: i, start_h: start, end_h: end, duration_h: end - start, planned: inc.planned, load: inc.load, cause: inc.cause });
      const root = byRoot.get(inc.root) ?? { incidents: 0, hours: 0 };
      root.incidents++;
      root.hours += inc.end - inc.start;
      byRoot.set(inc.root, root);
    }
  });
  const causes = causeRows(byRoot, (outcome.replications * study.config.horizonHours) / HOURS_PER_YEAR);
  const run = {
    version: VERSION,
    scenario: study.config.scenario,
    scenario_hash: study.loaded.hash,
    seed: study.config.seed,
    replications: outcome.replications,
    horizon_hours: study.config.horizonHours,
    warmup_hours: study.config.warmupHours,
    workers: outcome.workers,
    wall_seconds: outcome.wallSeconds,
    events: outcome.events,
    events_per_second: outcome.wallSeconds > 0 ? outcome.events / outcome.wallSeconds : null,
    partial: outcome.partial === true,
    ...(outcome.partial ? { target_replications: outcome.target ?? outcome.replications } : {}),
    precision: outcome.precision
      ? {
          metric: study.precision!.metric,
          target_relative_half_width: study.precision!.relativeHalfWidth,
          confidence: study.precision!.confidence,
          reached: outcome.precision.reached,
          half_width: outcome.precision.halfWidth,
          relative_half_width: outcome.precision.relativeHalfWidth,
          checkpoints: outcome.precision.checkpoints,
        }
      : null,
    exact: study.exact,
    tier: study.scope.facility ? verdictOf(study, rows) : null,
    ...(study.point ? { sweep: study.point } : {}),
  };
  return {
    rows,
    summaryColumns: SUMMARY_COLUMNS,
    summary: rows as unknown as StudyResults['summary'],
    replicationColumns: ['replication', 'seed', ...csvCols],
    replications,
    incidents,
    causes,
    jobs,
    serverStarts,
    clusterTimeline: first?.clusterTimeline ?? null,
    outcome,
    run,
  };
}

/** Tier verdict on the upper bound of mean downtime and the topology of the expanded facility. */
export function verdictOf(study: Study, rows: SummaryRow[]): TierVerdict {
  const downtime = rows.find((r) => r.metric === 'downtime_hours')!;
  const planned = rows.find((r) => r.metric === 'planned_downtime_hours')?.mean ?? 0;
  const upper = Number.isFinite(downtime.ci_high) ? downtime.ci_high : downtime.mean;
  return tierVerdict(upper, topologyFacts(study.config.facility, planned));
}

/**
 * Downtime by root cause, per year (causes.csv): every incident is attributed to the first link
 * of its cause chain, so the rows add up to the total downtime. Largest first.
 */
function causeRows(byRoot: Map<string, { incidents: number; hours: number }>, years: number): CauseRow[] {
  let total = 0;
  for (const v of byRoot.values()) total += v.hours;
  return [...byRoot.entries()]
    .map(([cause, v]) => ({ cause, incidents: v.incidents / years, downtime_hours: v.hours / years, share: total > 0 ? v.hours / total : 0 }))
    .sort((a, b) => b.downtime_hours - a.downtime_hours || (a.cause < b.cause ? -1 : 1));
}

/** Long-form sweep.csv rows: one per (point, metric), with exact and reference values. */
export function sweepRows(plan: SweepPlan, outputs: StudyOutput[], referenceMetric = 'downtime_hours') {
  const labels = Object.keys(plan.references);
  const columns = ['parameter', 'value', 'metric', 'unit', 'mean', 'ci_low', 'ci_high', 'exact', ...labels];
  const rows: Array<Record<string, string | number>> = [];
  plan.points.forEach((point, i) => {
    const value = String(point.point!.value);
    for (const r of outputs[i]!.rows) {
      const exact = point.exact ? (point.exact as unknown as Record<string, number>)[r.metric] : undefined;
      const row: Record<string, string | number> = {
        parameter: plan.parameter,
        value,
        metric: r.metric,
        unit: r.unit,
        mean: r.mean,
        ci_low: r.ci_low,
        ci_high: r.ci_high,
        exact: exact ?? '',
      };
      for (const label of labels) {
        const ref = Object.hasOwn(plan.references[label]!, value) ? plan.references[label]![value] : undefined;
        row[label] = r.metric === referenceMetric && ref !== undefined ? ref : '';
      }
      rows.push(row);
    }
  });
  return { columns, rows };
}

