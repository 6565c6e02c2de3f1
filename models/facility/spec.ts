/**
 * The concrete, expanded facility: what the scenario's notation means, as plain data.
 * Produced by expand.ts, printed by `resim expand`, sent to workers, built by model.ts.
 */
import type { DistSpec } from '../../sim/distributions.js';

export interface UnitSpec {
  /** Full name, e.g. `modules.3` or `ups.a.2`. */
  name: string;
  failure: DistSpec | null;
  repair: DistSpec | null;
}

/** A set of identical hot units that delivers while at least `needed` are up. */
export interface SubsystemSpec {
  name: string;
  needed: number;
  units: UnitSpec[];
}

export interface GroupSpec {
  name: string;
  notation: string;
  /** N after resolution (units needed to carry the load of one subsystem). */
  N: number;
  subsystems: SubsystemSpec[];
}

export interface LoadSpec {
  name: string;
  powerKw: number | null;
  /** Names of the subsystems feeding this load; it is powered while any of them delivers. */
  cords: string[];
  recovery: DistSpec | null;
}

export interface CrewSpec {
  /** Number of crews; Infinity when unlimited. */
  count: number;
  logisticsDelay: DistSpec | null;
}

export interface FacilitySpec {
  groups: GroupSpec[];
  loads: LoadSpec[];
  crews: CrewSpec;
}

/** Everything a worker needs to simulate replications. */
export interface StudyConfig {
  scenario: string;
  seed: string;
  horizonHours: number;
  warmupHours: number;
  /** Downtime cost per hour, or null when the scenario gives none. */
  downtimeCostPerHour: number | null;
  facility: FacilitySpec;
  /** Event budget per replication (Infinity when none). */
  maxEvents: number;
}

/**
 * The simplest facility: one group `g` of n identical units with exponential failures and
 * repairs, needing k, feeding one load `it` (used by oracle tests and benchmarks).
 */
export function kOfNFacility(n: number, k: number, mtbf: number, mttr: number, crews = Infinity): FacilitySpec {
  return {
    groups: [
      {
        name: 'g',
        notation: `${k}+${n - k}`,
        N: k,
        subsystems: [
          {
            name: 'g',
            needed: k,
            units: Array.from({ length: n }, (_, i) => ({
              name: `g.${i + 1}`,
              failure: { kind: 'exponential', mean: mtbf },
              repair: { kind: 'exponential', mean: mttr },
            })),
          },
        ],
      },
    ],
    loads: [{ name: 'it', powerKw: null, cords: ['g'], recovery: null }],
    crews: { count: crews, logisticsDelay: null },
  };
}
