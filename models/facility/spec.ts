/**
 * The concrete, expanded facility: what the scenario's notation means, as plain data.
 * Produced by expand.ts, printed by `resim expand`, sent to workers, built by facility.ts.
 *
 * Nodes are listed in topological order (every node after the nodes it reads from). A node's
 * name is the component's name, or `<component>.<side>` for the subsystems of a multi-system
 * (`ups.a`) and the elements replicated per side behind it (`pdu.a`). Units are
 * `<node>.<i>` (1-based).
 */
import type { ClusterSpec } from '../cluster/spec.js';
import type { DistSpec } from '../../sim/distributions.js';

export interface UnitSpec {
  /** Full name, e.g. `modules.3` or `ups.a.2`. */
  name: string;
  failure: DistSpec | null;
  repair: DistSpec | null;
}

interface NodeBase {
  name: string;
  /** The scenario component it comes from. */
  component: string;
  /** Nominal power it carries (kW): loads downstream, plus cooling power where it feeds cooling. */
  carriedKw: number;
}

/** Identical hot units; delivers while at least `needed` are up. */
export interface GroupNodeSpec extends NodeBase {
  kind: 'group';
  needed: number;
  units: UnitSpec[];
}

export interface InterruptionSpec {
  between: DistSpec;
  duration: DistSpec;
}

export interface UtilityNodeSpec extends NodeBase {
  kind: 'utility';
  outages: InterruptionSpec | null;
  poorQuality: InterruptionSpec | null;
}

export interface DistributionNodeSpec extends NodeBase {
  kind: 'distribution';
  inputs: string[];
  failure: DistSpec | null;
  repair: DistSpec | null;
}

export interface GeneratorTestSpec {
  every: number;
  duration: number;
}

export interface GeneratorNodeSpec extends NodeBase {
  kind: 'generator';
  units: UnitSpec[];
  /** `failure` of a unit here is its fail_to_run process (clock runs only while running). */
  needed: number;
  capacityKw: number;
  startDelay: number;
  startAttempts: number;
  failToStart: number;
  standbyFailure: DistSpec | null;
  fuelHours: number | null;
  refuelAfter: number | null;
  tests: { start: GeneratorTestSpec | null; load: GeneratorTestSpec | null };
}

export interface TransferSwitchNodeSpec extends NodeBase {
  kind: 'transfer_switch';
  primary: string;
  secondary: string;
  delay: number;
  fail: number;
  retransferAfter: number;
  failure: DistSpec | null;
  repair: DistSpec | null;
}

export interface BatterySpec {
  /** Hours at one unit's full rating. */
  autonomy: number;
  shared: boolean;
  recharge: number;
  fadePerYear: number;
  /** Age at t = 0 in hours, or null when `health` is given. */
  ageHours: number | null;
  health: number | null;
  replaceEvery: number | null;
  failure: DistSpec | null;
  repair: DistSpec | null;
}

export type UpsTopology = 'parallel' | 'hot_standby' | 'power_parallel';

export interface UpsNodeSpec extends NodeBase {
  kind: 'ups';
  inputs: string[];
  bypass: string;
  topology: UpsTopology;
  needed: number;
  capacityKw: number;
  units: UnitSpec[];
  loadDetection: boolean;
  battery: BatterySpec | null;
  staticTransferFail: number;
  bypassPoorQualityIsDown: boolean;
  severeFraction: number;
  /** Servicing the whole UPS puts the load on raw mains (the bypass) instead of dropping it. */
  maintenanceBypass: boolean;
}

export interface CoolingNodeSpec extends NodeBase {
  kind: 'cooling';
  inputs: string[];
  needed: number;
  capacityKw: number;
  powerKw: number;
  units: UnitSpec[];
  restart: number;
  rideThrough: number;
  /** Heat of the loads it cools (kW). */
  heatKw: number;
}

export type NodeSpec =
  | GroupNodeSpec
  | UtilityNodeSpec
  | DistributionNodeSpec
  | GeneratorNodeSpec
  | TransferSwitchNodeSpec
  | UpsNodeSpec
  | CoolingNodeSpec;

export interface LoadSpec {
  name: string;
  powerKw: number | null;
  /** Nodes feeding this load; it is powered while any of them is. */
  cords: string[];
  cooling: string | null;
  recovery: DistSpec | null;
}

export interface CrewSpec {
  /** Number of crews; Infinity when unlimited. */
  count: number;
  logisticsDelay: DistSpec | null;
}

/** Beta-factor common cause: a failure of a member unit is, with probability beta, a failure of all. */
export interface CommonCauseSpec {
  /** What the scenario wrote, e.g. "ups.a+ups.b" (names the event in cause chains). */
  label: string;
  beta: number;
  units: string[];
}

/**
 * One maintenance plan, resolved: the steps are taken one after another, each for `duration`:
 * units (one unit of an N+X system at a time) or nodes (a subsystem, a series element).
 */
export interface MaintenanceSpec {
  target: string;
  mode: 'concurrent' | 'shutdown';
  every: number;
  duration: number;
  offset: number;
  steps: Array<{ unit: string } | { nodes: string[] }>;
  /** shutdown: the loads that depend on the target, down (planned) for the duration. */
  loads: string[];
}

export interface FacilitySpec {
  /** In topological order. */
  nodes: NodeSpec[];
  loads: LoadSpec[];
  crews: CrewSpec;
  commonCause?: CommonCauseSpec[];
  maintenance?: MaintenanceSpec[];
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
  /** The GPU cluster on the facility's loads, or null. */
  cluster: ClusterSpec | null;
  /** Keep one row per job of replication 0 (jobs.csv). */
  recordJobs: boolean;
  /** Event budget per replication (Infinity when none). */
  maxEvents: number;
}

/**
 * The simplest facility: one group `g` of n identical units with exponential failures and
 * repairs, needing k, feeding one load `it` (used by oracle tests and benchmarks).
 */
export function kOfNFacility(n: number, k: number, mtbf: number, mttr: number, crews = Infinity): FacilitySpec {
  return {
    nodes: [
      {
        kind: 'group',
        name: 'g',
        component: 'g',
        carriedKw: 0,
        needed: k,
        units: Array.from({ length: n }, (_, i) => ({
          name: `g.${i + 1}`,
          failure: { kind: 'exponential', mean: mtbf },
          repair: { kind: 'exponential', mean: mttr },
        })),
      },
    ],
    loads: [{ name: 'it', powerKw: null, cords: ['g'], cooling: null, recovery: null }],
    crews: { count: crews, logisticsDelay: null },
  };
}
