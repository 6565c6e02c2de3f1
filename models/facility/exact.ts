/**
 * Exact steady-state figures for the facilities that have them, shown beside the simulation:
 * every node a group of one component feeding every load (one subsystem, or independent
 * parallel subsystems of a multi-system), no recovery delay, and either unlimited crews (k-of-n
 * with independent repair: exact for any failure and repair distributions, from their means) or
 * exponential failures and repairs with a finite number of crews on a single subsystem
 * (birth-death chain). Independent subsystems combine as parallel blocks.
 */
import { makeDistribution } from '../../sim/distributions.js';
import { HOURS_PER_YEAR, kOfNCrews, kOfNIndependent, type SystemFigures } from '../exact.js';
import type { FacilitySpec, GroupNodeSpec } from './spec.js';

export interface ExactFigures {
  unavailability: number;
  availability: number;
  downtime_hours: number;
  /** Without maintenance and recovery delays all downtime is unplanned and unpowered. */
  unplanned_downtime_hours: number;
  planned_downtime_hours: number;
  outage_hours: number;
  incidents: number;
  mtbf_hours: number;
  mttr_hours: number;
}

export function exactFigures(f: FacilitySpec): ExactFigures | null {
  if (f.nodes.length === 0 || f.nodes.some((n) => n.kind !== 'group')) return null;
  if ((f.commonCause?.length ?? 0) > 0 || (f.maintenance?.length ?? 0) > 0) return null;
  const groups = f.nodes as GroupNodeSpec[];
  if (new Set(groups.map((g) => g.component)).size !== 1) return null;
  if (f.loads.some((l) => l.recovery !== null || l.cooling !== null)) return null;
  const names = groups.map((s) => s.name).sort().join(',');
  if (f.loads.some((l) => [...l.cords].sort().join(',') !== names)) return null;
  if (f.crews.logisticsDelay !== null) return null;
  if (groups.length > 1 && Number.isFinite(f.crews.count)) return null;
  const parts: SystemFigures[] = [];
  for (const s of groups) {
    const fig = subsystemFigures(s, f.crews.count);
    if (!fig) return null;
    parts.push(fig);
  }
  // Parallel subsystems: down only when all are; it goes down when the last one fails.
  const u = parts.reduce((p, x) => p * x.unavailability, 1);
  let freq = 0;
  for (let i = 0; i < parts.length; i++) {
    let others = 1;
    for (let j = 0; j < parts.length; j++) if (j !== i) others *= parts[j]!.unavailability;
    freq += parts[i]!.failuresPerYear * others;
  }
  const downtime = u * HOURS_PER_YEAR;
  return {
    unavailability: u,
    availability: 1 - u,
    downtime_hours: downtime,
    unplanned_downtime_hours: downtime,
    planned_downtime_hours: 0,
    outage_hours: downtime,
    incidents: freq,
    mtbf_hours: freq > 0 ? (HOURS_PER_YEAR - downtime) / freq : Infinity,
    mttr_hours: freq > 0 ? downtime / freq : NaN,
  };
}

function subsystemFigures(s: GroupNodeSpec, crews: number): SystemFigures | null {
  const first = s.units[0];
  if (!first?.failure || !first.repair) return null;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!s.units.every((u) => same(u.failure, first.failure) && same(u.repair, first.repair))) return null;
  const mtbf = makeDistribution(first.failure).mean;
  const mttr = makeDistribution(first.repair).mean;
  const spec = { n: s.units.length, k: s.needed, mtbf, mttr };
  if (!Number.isFinite(crews) || crews >= s.units.length) return kOfNIndependent(spec);
  if (first.failure.kind !== 'exponential' || first.repair.kind !== 'exponential') return null;
  return kOfNCrews({ ...spec, crews });
}
