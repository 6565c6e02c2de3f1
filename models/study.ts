/**
 * The model module the runner loads (in this thread or in workers): one replication of a
 * facility study from its index alone.
 */
import { Simulation } from '../sim/engine.js';
import type { ReplicationResult, Replicator } from '../sim/replication.js';
import { Streams } from '../sim/rng.js';
import { FacilityModel, type Incident } from './facility/model.js';
import type { StudyConfig } from './facility/spec.js';
import { COLUMN, HOURS_PER_YEAR, REPLICATION_COLUMNS } from './metrics.js';

export interface ReplicationDetail {
  incidents: Incident[];
}

/**
 * Test hook, not a user setting: RESIM_TEST_FAULT="<replication>@<hours>" makes that replication
 * throw at that simulated time, so tests can check how a failing replication is reported.
 */
function injectedFault(): { replication: number; time: number } | null {
  const m = /^(\d+)@([\d.]+)$/.exec(process.env.RESIM_TEST_FAULT ?? '');
  return m ? { replication: Number(m[1]), time: Number(m[2]) } : null;
}

export function createReplicator(config: unknown): Replicator {
  const study = config as StudyConfig;
  const perYear = HOURS_PER_YEAR / study.horizonHours;
  const fault = injectedFault();
  // One model instance per thread, reset for each replication (no rebuilding, little garbage).
  const sim = new Simulation();
  sim.maxEvents = study.maxEvents;
  const model = new FacilityModel(sim, study.facility);
  const faultTimer = sim.timer('injected-fault', () => {
    throw new Error('injected fault (RESIM_TEST_FAULT)');
  });
  return (replication: number): ReplicationResult => {
    sim.reset();
    model.reset(new Streams(study.seed, replication));
    if (fault?.replication === replication) sim.at(faultTimer, fault.time);
    model.start();
    if (study.warmupHours > 0) sim.run(study.warmupHours);
    model.beginAccounting();
    sim.run(study.warmupHours + study.horizonHours);
    model.finish();

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
    const detail: ReplicationDetail | undefined = a.log.length > 0 ? { incidents: a.log } : undefined;
    return { values: v, events: sim.events, extra: detail };
  };
}
