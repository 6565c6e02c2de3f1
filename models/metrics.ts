/**
 * The metrics of a facility study: what each replication returns (its columns, in this order)
 * and how summary rows are formed from them (CLI.md "Metrics"). Time and count metrics are per
 * year of simulated time (8760 h), whatever the horizon.
 */
import { SERVER_COLUMNS } from './cluster/servers.js';

export const HOURS_PER_YEAR = 8760;

/** Values a replication returns, in order. `raw_*` columns feed ratio estimators only. */
export const REPLICATION_COLUMNS = [
  'downtime_hours',
  'unplanned_downtime_hours',
  'planned_downtime_hours',
  'outage_hours',
  'dirty_hours',
  'availability',
  'unavailability',
  'incidents',
  'cost',
  'raw_uptime_h',
  'raw_downtime_h',
  'raw_incidents',
  // The cluster (zero without one). Per replication: means over its jobs; raw_* feed the
  // ratio estimators (means over all jobs of all replications).
  'jobs.wait_hours',
  'jobs.bounded_slowdown',
  'jobs.completed',
  'jobs.preempted',
  'jobs.killed',
  'jobs.rejected',
  'jobs.queue_length',
  'gpu.utilization',
  'gpu_hours.lost',
  'reservation.utilization',
  'raw_jobs_started',
  'raw_wait_sum_h',
  'raw_jobs_completed',
  'raw_bsld_sum',
  'raw_resv_used_h',
  'raw_resv_reserved_h',
  // Tenant servers.
  ...SERVER_COLUMNS,
] as const;
export type ReplicationColumn = (typeof REPLICATION_COLUMNS)[number];
export const COLUMN = Object.fromEntries(REPLICATION_COLUMNS.map((c, i) => [c, i])) as Record<ReplicationColumn, number>;

export type MetricUnit = 'h/yr' | '1/yr' | 'fraction' | 'h' | 'ratio' | 'gpu_h/yr' | 'currency/yr' | 'count';

export type MetricDef =
  | { name: string; unit: MetricUnit; kind: 'mean'; column: ReplicationColumn }
  | { name: string; unit: MetricUnit; kind: 'ratio'; numerator: ReplicationColumn; denominator: ReplicationColumn };

/** What a study measures: the facility's service (when it has loads), a cluster, reservations, costs. */
export interface MetricScope {
  facility: boolean;
  cost: boolean;
  cluster: boolean;
  reservations: boolean;
  servers: boolean;
}

/** Summary rows, in the order they appear in summary.csv. */
export function metricDefs(scope: MetricScope): MetricDef[] {
  const defs: MetricDef[] = scope.facility ? facilityDefs(scope.cost) : [];
  if (scope.cluster) defs.push(...clusterDefs(scope.reservations));
  if (scope.servers) defs.push(...serverDefs());
  return defs;
}

/** Tenant servers: start latency is a mean over starts (ratio estimators); counts per year. */
function serverDefs(): MetricDef[] {
  return [
    { name: 'servers.start_latency_hours', unit: 'h', kind: 'ratio', numerator: 'raw_server_latency_sum_h', denominator: 'raw_server_starts' },
    { name: 'servers.start_latency_hours.stopped', unit: 'h', kind: 'ratio', numerator: 'raw_server_latency_sum_stopped_h', denominator: 'raw_server_starts_stopped' },
    { name: 'servers.start_latency_hours.frozen', unit: 'h', kind: 'ratio', numerator: 'raw_server_latency_sum_frozen_h', denominator: 'raw_server_starts_frozen' },
    { name: 'servers.migrations', unit: '1/yr', kind: 'mean', column: 'servers.migrations' },
    { name: 'servers.port_changes', unit: '1/yr', kind: 'mean', column: 'servers.port_changes' },
    { name: 'servers.idle_gpu_hours', unit: 'gpu_h/yr', kind: 'mean', column: 'servers.idle_gpu_hours' },
  ];
}

/**
 * Job metrics (CLI.md). Wait and bounded slowdown are means over jobs (all replications' jobs
 * together: ratio estimators), counts are per year, utilisation is the busy share of the
 * installed GPU-hours.
 */
function clusterDefs(reservations: boolean): MetricDef[] {
  const defs: MetricDef[] = [
    { name: 'jobs.wait_hours', unit: 'h', kind: 'ratio', numerator: 'raw_wait_sum_h', denominator: 'raw_jobs_started' },
    { name: 'jobs.bounded_slowdown', unit: 'ratio', kind: 'ratio', numerator: 'raw_bsld_sum', denominator: 'raw_jobs_completed' },
    { name: 'jobs.completed', unit: '1/yr', kind: 'mean', column: 'jobs.completed' },
    { name: 'jobs.preempted', unit: '1/yr', kind: 'mean', column: 'jobs.preempted' },
    { name: 'jobs.killed', unit: '1/yr', kind: 'mean', column: 'jobs.killed' },
    { name: 'jobs.rejected', unit: '1/yr', kind: 'mean', column: 'jobs.rejected' },
    { name: 'jobs.queue_length', unit: 'count', kind: 'mean', column: 'jobs.queue_length' },
    { name: 'gpu.utilization', unit: 'fraction', kind: 'mean', column: 'gpu.utilization' },
    { name: 'gpu_hours.lost', unit: 'gpu_h/yr', kind: 'mean', column: 'gpu_hours.lost' },
  ];
  if (reservations) {
    defs.push({ name: 'reservation.utilization', unit: 'fraction', kind: 'ratio', numerator: 'raw_resv_used_h', denominator: 'raw_resv_reserved_h' });
  }
  return defs;
}

function facilityDefs(withCost: boolean): MetricDef[] {
  const defs: MetricDef[] = [
    { name: 'downtime_hours', unit: 'h/yr', kind: 'mean', column: 'downtime_hours' },
    { name: 'unplanned_downtime_hours', unit: 'h/yr', kind: 'mean', column: 'unplanned_downtime_hours' },
    { name: 'planned_downtime_hours', unit: 'h/yr', kind: 'mean', column: 'planned_downtime_hours' },
    { name: 'outage_hours', unit: 'h/yr', kind: 'mean', column: 'outage_hours' },
    { name: 'dirty_hours', unit: 'h/yr', kind: 'mean', column: 'dirty_hours' },
    { name: 'availability', unit: 'fraction', kind: 'mean', column: 'availability' },
    { name: 'unavailability', unit: 'fraction', kind: 'mean', column: 'unavailability' },
    { name: 'incidents', unit: '1/yr', kind: 'mean', column: 'incidents' },
    // Time in service per incident and downtime per incident: ratio estimators over all
    // replications, defined even when some replications see no incident.
    { name: 'mtbf_hours', unit: 'h', kind: 'ratio', numerator: 'raw_uptime_h', denominator: 'raw_incidents' },
    { name: 'mttr_hours', unit: 'h', kind: 'ratio', numerator: 'raw_downtime_h', denominator: 'raw_incidents' },
  ];
  if (withCost) defs.push({ name: 'cost', unit: 'currency/yr', kind: 'mean', column: 'cost' });
  return defs;
}

/** replications.csv columns after `replication,seed` (CLI.md: these four first, then job metrics). */
export function replicationCsvColumns(scope: MetricScope): ReplicationColumn[] {
  const cols: ReplicationColumn[] = [
    'downtime_hours',
    'outage_hours',
    'dirty_hours',
    'incidents',
    'unplanned_downtime_hours',
    'planned_downtime_hours',
    'availability',
    'unavailability',
  ];
  if (scope.cost) cols.push('cost');
  if (scope.cluster) {
    cols.push('jobs.wait_hours', 'jobs.bounded_slowdown', 'jobs.completed', 'jobs.preempted', 'jobs.killed', 'jobs.rejected', 'jobs.queue_length', 'gpu.utilization', 'gpu_hours.lost');
    if (scope.reservations) cols.push('reservation.utilization');
  }
  if (scope.servers) {
    cols.push('servers.start_latency_hours', 'servers.start_latency_hours.stopped', 'servers.start_latency_hours.frozen', 'servers.migrations', 'servers.port_changes', 'servers.idle_gpu_hours');
  }
  return cols;
}
