/**
 * The model module the runner loads (in this thread or in workers): one replication of a
 * facility study from its index alone.
 */
import { isMainThread } from 'node:worker_threads';
import { Simulation } from '../sim/engine.js';
import type { ReplicationResult, Replicator } from '../sim/replication.js';
import { Streams } from '../sim/rng.js';
import { ClusterModel } from './cluster/model.js';
import type { ClusterTimeline, JobRecord, ServerStartRow } from './cluster/records.js';
import { SERVER_COLUMNS, serverMetrics } from './cluster/servers.js';
import { FacilityModel, type Incident } from './facility/model.js';
import type { StudyConfig } from './facility/spec.js';
import { COLUMN, HOURS_PER_YEAR, REPLICATION_COLUMNS } from './metrics.js';

export interface ReplicationDetail {
  incidents: Incident[];
  /** Replication 0 of a cluster study run for its results folder: one row per job. */
  jobs?: JobRecord[];
  /** Replication 0: one row per tenant server start. */
  serverStarts?: ServerStartRow[];
  /** Replication 0: job intervals on hosts, reservation windows, server states (charts). */
  clusterTimeline?: ClusterTimeline;
}

/**
 * What the runner hands to `createReplicator`: the study, plus the run's wall-clock deadline as
 * a `Date.now()` value (each thread converts it to its own `performance.now()` clock).
 */
export type RunConfig = StudyConfig & { deadlineEpochMs?: number };

type FaultKind = 'throw' | 'exit' | 'hang';

/**
 * Test hook, not a user setting: RESIM_TEST_FAULT="[kind:]<replication>@<hours>" makes that
 * replication, at that simulated time, throw (kind `throw`, the default), end the worker thread
 * running it (`exit`: process.exit in a worker; in the main thread it throws instead), or spin
 * without events forever (`hang`: only a terminated worker stops it), so tests can check how a
 * failing replication and a dying or stuck worker are reported.
 */
function injectedFault(): { kind: FaultKind; replication: number; time: number } | null {
  const m = /^(?:(throw|exit|hang):)?(\d+)@([\d.]+)$/.exec(process.env.RESIM_TEST_FAULT ?? '');
  return m ? { kind: (m[1] ?? 'throw') as FaultKind, replication: Number(m[2]), time: Number(m[3]) } : null;
}

function fire(kind: FaultKind): void {
  if (kind === 'exit' && !isMainThread) process.exit(70);
  if (kind === 'hang' && !isMainThread) for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  throw new Error(`injected fault (RESIM_TEST_FAULT${kind === 'throw' ? '' : `, ${kind} needs a worker thread`})`);
}

export function createReplicator(config: unknown): Replicator {
  const study = config as RunConfig;
  const perYear = HOURS_PER_YEAR / study.horizonHours;
  const fault = injectedFault();
  // One model instance per thread, reset for each replication (no rebuilding, little garbage).
  const sim = new Simulation();
  sim.maxEvents = study.maxEvents;
  if (study.deadlineEpochMs !== undefined && Number.isFinite(study.deadlineEpochMs)) {
    sim.deadline = performance.now() + (study.deadlineEpochMs - Date.now());
  }
  const model = new FacilityModel(sim, study.facility);
  // Registered after the facility, so its settle sees the loads' power of this instant.
  const cluster = study.cluster ? new ClusterModel(sim, study.cluster) : null;
  if (cluster) model.onPower = (load, on) => cluster.setPower(load, on);
  const end = study.warmupHours + study.horizonHours;
  const faultTimer = sim.timer('injected-fault', () => fire(fault!.kind));
  return (replication: number): ReplicationResult => {
    sim.reset();
    const streams = new Streams(study.seed, replication);
    model.reset(streams);
    if (cluster) {
      cluster.reset(streams, end);
      cluster.recordJobs = study.recordJobs && replication === 0;
    }
    if (fault?.replication === replication) sim.at(faultTimer, fault.time);
    model.start();
    cluster?.start();
    if (study.warmupHours > 0) sim.run(study.warmupHours);
    model.beginAccounting();
    cluster?.beginAccounting();
    sim.run(end);
    model.finish();
    cluster?.finish();

    const a = model.account;
    const v = new Float64Array(REPLICATION_COLUMNS.length);
    const unavailability = a.downtime / study.horizonHours;
    v[COLUMN.downtime_hours] = a.downtime * perYear;
    v[COLUMN.unplanned_downtime_hours] = (a.downtime - a.planned) * perYear;
    v[COLUMN.planned_downtime_hours] = a.planned * perYear;
    v[COLUMN.outage_hours] = a.outage * perYear;
    v[COLUMN.dirty_hours] = a.dirty * perYear;
    v[COLUMN.availability] = 1 - unavailability;
    v[COLUMN.unavailability] = unavailability;
    v[COLUMN.incidents] = a.incidents * perYear;
    v[COLUMN.cost] = study.downtimeCostPerHour === null ? 0 : a.downtime * perYear * study.downtimeCostPerHour;
    v[COLUMN.raw_uptime_h] = study.horizonHours - a.downtime;
    v[COLUMN.raw_downtime_h] = a.downtime;
    v[COLUMN.raw_incidents] = a.incidents;
    if (cluster) writeClusterValues(v, cluster, perYear);
    const jobs = cluster?.records ?? undefined;
    const serverStarts = cluster?.serverRecords ?? undefined;
    const clusterTimeline = cluster?.timeline ?? undefined;
    const detail: ReplicationDetail | undefined =
      a.log.length > 0 || jobs || serverStarts || clusterTimeline
        ? { incidents: a.log, ...(jobs ? { jobs } : {}), ...(serverStarts ? { serverStarts } : {}), ...(clusterTimeline ? { clusterTimeline } : {}) }
        : undefined;
    return { values: v, events: sim.events, extra: detail };
  };
}

function writeClusterValues(v: Float64Array, cluster: ClusterModel, perYear: number): void {
  const c = cluster.account;
  const hours = c.capacityGpuHours / Math.max(1, cluster.totalGpuCount);
  v[COLUMN['jobs.wait_hours']] = c.started > 0 ? c.waitSum / c.started : NaN;
  v[COLUMN['jobs.bounded_slowdown']] = c.completed > 0 ? c.bsldSum / c.completed : NaN;
  v[COLUMN['jobs.completed']] = c.completed * perYear;
  v[COLUMN['jobs.preempted']] = c.preemptions * perYear;
  v[COLUMN['jobs.killed']] = c.kills * perYear;
  v[COLUMN['jobs.rejected']] = c.rejected * perYear;
  v[COLUMN['jobs.queue_length']] = hours > 0 ? c.queueIntegral / hours : 0;
  v[COLUMN['gpu.utilization']] = c.capacityGpuHours > 0 ? c.busyGpuHours / c.capacityGpuHours : 0;
  v[COLUMN['gpu_hours.lost']] = c.lostGpuHours * perYear;
  v[COLUMN['reservation.utilization']] = c.reservedSlotHours > 0 ? c.usedReservedSlotHours / c.reservedSlotHours : NaN;
  v[COLUMN.raw_jobs_started] = c.started;
  v[COLUMN.raw_wait_sum_h] = c.waitSum;
  v[COLUMN.raw_jobs_completed] = c.completed;
  v[COLUMN.raw_bsld_sum] = c.bsldSum;
  v[COLUMN.raw_resv_used_h] = c.usedReservedSlotHours;
  v[COLUMN.raw_resv_reserved_h] = c.reservedSlotHours;
  const fleet = cluster.servers;
  if (fleet) {
    const s = serverMetrics(fleet.account);
    for (const name of SERVER_COLUMNS) v[COLUMN[name]] = s[name];
    for (const name of ['servers.migrations', 'servers.port_changes', 'servers.idle_gpu_hours'] as const) v[COLUMN[name]] = s[name] * perYear;
  }
}
