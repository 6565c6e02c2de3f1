/**
 * The metrics of a facility study: what each replication returns (its columns, in this order)
 * and how summary rows are formed from them (CLI.md "Metrics"). Time and count metrics are per
 * year of simulated time (8760 h), whatever the horizon.
 */
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
] as const;
export type ReplicationColumn = (typeof REPLICATION_COLUMNS)[number];
export const COLUMN = Object.fromEntries(REPLICATION_COLUMNS.map((c, i) => [c, i])) as Record<ReplicationColumn, number>;

export type MetricUnit = 'h/yr' | '1/yr' | 'fraction' | 'h' | 'ratio' | 'gpu_h/yr' | 'currency/yr' | 'count';

export type MetricDef =
  | { name: string; unit: MetricUnit; kind: 'mean'; column: ReplicationColumn }
  | { name: string; unit: MetricUnit; kind: 'ratio'; numerator: ReplicationColumn; denominator: ReplicationColumn };

/** Summary rows, in the order they appear in summary.csv. */
export function metricDefs(withCost: boolean): MetricDef[] {
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

/** replications.csv columns after `replication,seed` (CLI.md: these four first). */
export function replicationCsvColumns(withCost: boolean): ReplicationColumn[] {
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
  if (withCost) cols.push('cost');
  return cols;
}
