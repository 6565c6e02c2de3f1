/**
 * Prepares a scenario's cluster for simulation: reads its SWF trace, checks its reservations
 * against the rules LSF enforces, and resolves it into plain data (models/cluster/spec.ts).
 * Every problem is an InputError located in the scenario file (or the trace).
 */
import { relative } from 'node:path';
import { checkReservations, parseWindow } from '../models/cluster/reservations.js';
import { ClusterSpecError, resolveCluster, type ClusterInput, type ClusterSpec, type TraceJobs } from '../models/cluster/spec.js';
import { ServerFleet, ServerPlacementError, type GpuPool } from '../models/cluster/servers.js';
import { Simulation } from '../sim/engine.js';
import { Streams } from '../sim/rng.js';
import { effectiveProcs, effectiveWalltime, parseSwf } from '../models/cluster/swf.js';
import { InputError, problemAt, type LoadedScenario } from '../models/scenario/index.js';
import { MAX_TRACE_BYTES, readDataFile } from '../models/scenario/datafile.js';

/** Recurring reservation windows one study may lay out (a daily window over about 270 years). */
export const MAX_RESERVATION_WINDOWS = 100_000;

export const clusterMessages = {
  tooManyWindows: (count: number, max: number, period: string) =>
    `this recurring window repeats every ${period} ${count.toPrecision(3)} times over the simulated time (at most ${max}): shorten simulation.horizon`,
};

export interface ClusterContext {
  loads: string[];
  startIso: string;
  endHours: number;
}

export function prepareCluster(loaded: LoadedScenario, ctx: ClusterContext): ClusterSpec {
  const input = (loaded.scenario as { cluster: ClusterInput }).cluster;
  const trace = input.workload?.swf ? readTrace(loaded, input.workload.swf) : null;

  // A recurring window becomes one interval per day or week of the run: bound them before any is made.
  input.reservations.forEach((r, i) => {
    const window = r.window === undefined ? undefined : parseWindow(r.window);
    if (!window) return;
    const count = Math.ceil(ctx.endHours / (window.period === 'week' ? 168 : 24));
    if (!(count <= MAX_RESERVATION_WINDOWS)) {
      throw new InputError([problemAt(loaded, `cluster.reservations.${i}.window`, clusterMessages.tooManyWindows(count, MAX_RESERVATION_WINDOWS, window.period))]);
    }
  });
  const hostSlots = new Map<string, number>();
  for (const cls of input.hosts) for (let i = 1; i <= cls.count; i++) hostSlots.set(`${cls.name}-${i}`, cls.gpus);
  const issues = checkReservations(input.reservations, { hosts: hostSlots, groups: Object.keys(input.groups), start: ctx.startIso });
  if (issues.length > 0) throw new InputError(issues.map((i) => problemAt(loaded, `cluster.reservations.${i.index}.${i.key}`, i.message)));

  let spec: ClusterSpec;
  try {
    spec = resolveCluster(input, { ...ctx, trace, traceFile: input.workload?.swf ?? null });
  } catch (err) {
    if (err instanceof ClusterSpecError) throw new InputError([problemAt(loaded, err.path, err.message)]);
    throw err;
  }
  checkServersFit(loaded, spec);
  return spec;
}

/** The tenant servers must fit on the hosts at t = 0 (placed as the fleet places them). */
function checkServersFit(loaded: LoadedScenario, spec: ClusterSpec): void {
  if (!spec.servers) return;
  const free = spec.hosts.map((h) => h.gpus);
  const pool: GpuPool = {
    hostCount: free.length,
    free: (h) => free[h]!,
    take: (h, gpus) => void (free[h]! -= gpus),
    release: (h, gpus) => void (free[h]! += gpus),
    model: (h) => spec.hosts[h]!.model,
  };
  const fleet = new ServerFleet(new Simulation(), spec.servers, pool);
  fleet.reset(new Streams('placement', 0));
  try {
    fleet.start();
  } catch (err) {
    if (err instanceof ServerPlacementError) throw new InputError([problemAt(loaded, 'cluster.servers.count', err.message)]);
    throw err;
  }
}

function readTrace(loaded: LoadedScenario, file: string): TraceJobs {
  const shown = relative(process.cwd(), file) || file;
  const read = readDataFile(file, MAX_TRACE_BYTES);
  if (!read.ok) throw new InputError([problemAt(loaded, 'cluster.workload.swf', `cannot read the trace ${shown}: ${read.reason}`)]);
  const parsed = parseSwf(read.text, shown);
  const out: TraceJobs = { submitSeconds: [], procs: [], runtimeSeconds: [], walltimeSeconds: [], userIds: [], ids: [], skipped: parsed.skipped.length };
  for (const job of parsed.jobs) {
    const procs = effectiveProcs(job);
    const runtime = job.runtime;
    if (procs === null || runtime === null) {
      out.skipped++;
      continue;
    }
    out.submitSeconds.push(job.submit);
    out.procs.push(procs);
    out.runtimeSeconds.push(runtime);
    out.walltimeSeconds.push(effectiveWalltime(job) ?? runtime);
    out.userIds.push(job.user ?? -1);
    out.ids.push(job.id);
  }
  return out;
}
