/**
 * The continuous-time Markov chain of an all-exponential expanded facility, and its steady state
 * (`resim exact`).
 *
 * State: which repairable units are down, in the order they failed (with finite crews the first
 * `crews` of them are in repair, the rest wait first failed first served: RepairShop in
 * units.ts); each utility normal or in an outage; each UPS's mode when its inverter cannot carry
 * (on bypass, or dropped after a failed static transfer). Node levels follow from the state in
 * topological order exactly as nodes/simple.ts and nodes/ups.ts judge them.
 *
 * Lumping (exact, not an approximation): units of one node with the same failure and repair
 * rates are interchangeable (a group, a parallel UPS and a one-unit element look only at how
 * many are up), so the state records the *class* of each failed unit, not its name. Permuting
 * such units is a symmetry of the full chain that preserves every rate and the served/not-served
 * labelling, so the chain of classes is a strong lumping of the chain of named units: it is itself
 * Markov, and its stationary probabilities are the sums of those of the named states it lumps.
 * `lump: false` keeps one class per unit (the named chain) for checking this.
 *
 * Supported (everything else is refused with the scenario key that causes it):
 * - group, distribution, utility (outages only) and ups (parallel or power_parallel, no battery)
 *   nodes, every failure, repair, outage `between` and `duration` exponential;
 * - a static transfer that fails with probability p on demand: a branch of the transition;
 * - loads without recovery time or cooling; unlimited crews, or `count` crews without logistics delay;
 * - no maintenance, no common cause.
 */
import type { DistSpec } from '../../sim/distributions.js';
import { HOURS_PER_YEAR } from '../exact.js';
import type { FacilitySpec, NodeSpec, UpsNodeSpec } from '../facility/spec.js';
import { generatorFromTriplets, solveSteadyState, type IterativeOptions, type Residual, type SolveMethod, type SparseGenerator } from './solve.js';

export const EXACT_STATE_LIMIT = 200_000;

/** One reason the facility is outside the Markov model, at a scenario key path. */
export interface Refusal {
  /** Dotted path in the scenario file, e.g. `components.modules.unit.failure` ('' for the file). */
  path: string;
  message: string;
}

export class ExactRefusal extends Error {
  constructor(readonly refusals: Refusal[]) {
    super(refusals.map((r) => (r.path === '' ? r.message : `${r.path}: ${r.message}`)).join('\n'));
    this.name = 'ExactRefusal';
  }
}

export const exactMessages = {
  notExponential: (kind: string) =>
    `${kind} is not exponential; resim exact needs exponential failure, repair, outage and quality processes`,
  neverRepaired: () => 'fails but is never repaired (no repair given): the steady state is the failed state; give a repair to use resim exact',
  nodeKind: (kind: string) => {
    const what: Record<string, string> = {
      generator: 'generators (start delays, start attempts, fuel, tests)',
      transfer_switch: 'transfer switches (transfer delays, retransfer timers)',
      cooling: 'cooling (restart delays, thermal ride-through)',
    };
    return `${what[kind] ?? kind} are outside the Markov model of resim exact`;
  },
  battery: () => 'batteries (deterministic autonomy) are outside the Markov model of resim exact',
  poorQuality: () => 'poor-quality periods are not supported by resim exact (only outages)',
  topology: (t: string) => `topology ${t} is not supported by resim exact (parallel or power_parallel only)`,
  cannotCarry: (name: string) => `${name} cannot carry its load even with every unit up: the inverter never carries, so there is no steady state to compute`,
  recovery: () => 'a service recovery time is outside the Markov model of resim exact (write no recovery)',
  cooling: () => 'thermal dependence on cooling is outside the Markov model of resim exact',
  logistics: () => 'a crew logistics delay is not supported by resim exact (write none)',
  maintenance: () => 'scheduled maintenance (deterministic calendar) is outside the Markov model of resim exact',
  commonCause: () => 'common-cause failures are not supported by resim exact',
  tooManyStates: (limit: number, floor: number | null) =>
    floor !== null
      ? `the Markov chain would need at least ${floor.toLocaleString('en-US')} states, more than resim exact's limit of ${limit.toLocaleString('en-US')}`
      : `the Markov chain has more than ${limit.toLocaleString('en-US')} states (generation stopped at the limit)`,
};

interface UnitClass {
  /** Name of the first unit of the class (for descriptions). */
  label: string;
  node: number;
  count: number;
  failureRate: number;
  repairRate: number;
}

interface NodeModel {
  spec: NodeSpec;
  /** Indices of this node's inputs (distribution, ups) in the node list. */
  inputs: number[];
  bypass: number;
  /** Utility index for a utility with outages, else -1. */
  utility: number;
  /** UPS index among the UPSes, else -1. */
  ups: number;
  /** Total units that can fail (the others are always up). */
  units: number;
  /** Units that never fail. */
  permanent: number;
}

const Mode = { inverter: 0, bypass: 1, dropped: 2 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];

export interface ChainOptions {
  maxStates?: number;
  /** Lump interchangeable units (default true; exact, see the header). */
  lump?: boolean;
}

export interface FacilityChain {
  generator: SparseGenerator;
  /** 1 where every load is powered. */
  served: Uint8Array;
  /** Human-readable state, for debugging and tests. */
  describe(state: number): string;
}

function component(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

/** Rate of an exponential DistSpec, 0 for null, or a refusal. */
function rateOf(d: DistSpec | null, path: string, refusals: Refusal[]): number {
  if (d === null) return 0;
  if (d.kind !== 'exponential') {
    refusals.push({ path, message: exactMessages.notExponential(d.kind) });
    return NaN;
  }
  return 1 / d.mean;
}

/** The transitions out of one state, one entry per event and branch (a target may repeat). */
export interface StateTransitions {
  target: Int32Array;
  rate: Float64Array;
  /** 1 for a failure event (a unit fails, a utility outage begins), 0 for a repair or a return. */
  failure: Uint8Array;
  /** Sum of `rate` (the state's exit rate). */
  total: number;
}

/**
 * The chain explored on demand from everything up (state 0): states are numbered as they are
 * discovered, and a state's transitions are generated the first time they are asked for. `resim
 * exact` explores it all (breadth first); importance sampling only the states its paths visit.
 */
export interface ChainExplorer {
  /** States discovered so far. */
  readonly size: number;
  /** Is every load powered in state s? */
  served(s: number): boolean;
  transitions(s: number): StateTransitions;
  describe(s: number): string;
}

/** Builds the reachable chain from everything up; throws ExactRefusal outside the supported subset. */
export function buildChain(f: FacilitySpec, options: ChainOptions = {}): FacilityChain {
  const maxStates = options.maxStates ?? EXACT_STATE_LIMIT;
  const explorer = exploreChain(f, { ...options, maxStates, floorCheck: true });
  const from: number[] = [];
  const to: number[] = [];
  const rate: number[] = [];
  for (let s = 0; s < explorer.size; s++) {
    const t = explorer.transitions(s);
    for (let e = 0; e < t.target.length; e++) {
      from.push(s);
      to.push(t.target[e]!);
      rate.push(t.rate[e]!);
    }
  }
  const generator = generatorFromTriplets(explorer.size, from, to, rate);
  const served = new Uint8Array(explorer.size);
  for (let s = 0; s < explorer.size; s++) served[s] = explorer.served(s) ? 1 : 0;
  return { generator, served, describe: (i: number) => explorer.describe(i) };
}

/**
 * The chain of an all-exponential facility as an explorer; throws ExactRefusal outside the
 * supported subset, or when more than `maxStates` states are discovered. `floorCheck` refuses at
 * once when the state count is bound to exceed the limit (complete exploration).
 */
export function exploreChain(f: FacilitySpec, options: ChainOptions & { floorCheck?: boolean } = {}): ChainExplorer {
  const maxStates = options.maxStates ?? EXACT_STATE_LIMIT;
  const lump = options.lump ?? true;
  const refusals: Refusal[] = [];
  const index = new Map(f.nodes.map((n, i) => [n.name, i]));
  const classes: UnitClass[] = [];
  const nodes: NodeModel[] = [];
  const utilities: Array<{ up: number; down: number }> = [];
  const upses: UpsNodeSpec[] = [];
  const reported = new Set<string>();
  const refuse = (path: string, message: string) => {
    const key = `${path}\0${message}`;
    if (!reported.has(key)) refusals.push({ path, message });
    reported.add(key);
  };

  const addUnits = (node: number, units: Array<{ name: string; failure: DistSpec | null; repair: DistSpec | null }>, base: string): { units: number; permanent: number } => {
    let failing = 0;
    let permanent = 0;
    for (const u of units) {
      const local: Refusal[] = [];
      const lambda = rateOf(u.failure, `${base}.failure`, local);
      const mu = rateOf(u.repair, `${base}.repair`, local);
      for (const r of local) refuse(r.path, r.message);
      if (local.length > 0) continue;
      if (lambda === 0) {
        permanent++;
        continue;
      }
      if (mu === 0) {
        refuse(`${base}.repair`, exactMessages.neverRepaired());
        continue;
      }
      failing++;
      const same = lump ? classes.find((c) => c.node === node && c.failureRate === lambda && c.repairRate === mu) : undefined;
      if (same) same.count++;
      else classes.push({ label: u.name, node, count: 1, failureRate: lambda, repairRate: mu });
    }
    return { units: failing, permanent };
  };

  f.nodes.forEach((n, i) => {
    const c = `components.${n.component}`;
    const model: NodeModel = { spec: n, inputs: [], bypass: -1, utility: -1, ups: -1, units: 0, permanent: 0 };
    switch (n.kind) {
      case 'group': {
        Object.assign(model, addUnits(i, n.units, `${c}.unit`));
        break;
      }
      case 'utility': {
        if (n.poorQuality) refuse(`${c}.poor_quality`, exactMessages.poorQuality());
        if (n.outages) {
          const local: Refusal[] = [];
          const up = rateOf(n.outages.between, `${c}.outages.between`, local);
          const down = rateOf(n.outages.duration, `${c}.outages.duration`, local);
          for (const r of local) refuse(r.path, r.message);
          if (local.length === 0 && up > 0) {
            model.utility = utilities.length;
            utilities.push({ up, down });
          }
        }
        break;
      }
      case 'distribution': {
        model.inputs = n.inputs.map((x) => index.get(x)!);
        Object.assign(model, addUnits(i, [{ name: n.name, failure: n.failure, repair: n.repair }], c));
        break;
      }
      case 'ups': {
        model.inputs = n.inputs.map((x) => index.get(x)!);
        model.bypass = index.get(n.bypass)!;
        if (n.battery) refuse(`${c}.battery`, exactMessages.battery());
        if (n.topology !== 'parallel' && n.topology !== 'power_parallel') refuse(`${c}.topology`, exactMessages.topology(n.topology));
        Object.assign(model, addUnits(i, n.units, `${c}.unit`));
        model.ups = upses.length;
        upses.push(n);
        break;
      }
      default:
        refuse(c, exactMessages.nodeKind(n.kind));
    }
    nodes.push(model);
  });
  for (const l of f.loads) {
    if (l.recovery) refuse(`components.${component(l.name)}.recovery`, exactMessages.recovery());
    if (l.cooling) refuse(`components.${component(l.name)}.cooling`, exactMessages.cooling());
  }
  if (f.crews.logisticsDelay) refuse('crews.logistics_delay', exactMessages.logistics());
  if ((f.maintenance?.length ?? 0) > 0) refuse('maintenance', exactMessages.maintenance());
  if ((f.commonCause?.length ?? 0) > 0) refuse('common_cause', exactMessages.commonCause());
  for (const m of nodes) {
    if (m.spec.kind === 'ups' && !upsCarries(m.spec, m.spec.units.length)) refuse(`components.${m.spec.component}`, exactMessages.cannotCarry(m.spec.name));
  }
  if (refusals.length > 0) throw new ExactRefusal(refusals);

  // A lower bound on the state count before generating anything: with unlimited crews (or with
  // lumping) every combination of failed-unit counts per class times utility states is reachable.
  const crews = f.crews.count;
  let floor = 2 ** utilities.length;
  for (const c of classes) floor *= c.count + 1;
  if (options.floorCheck && floor > maxStates) throw new ExactRefusal([{ path: '', message: exactMessages.tooManyStates(maxStates, floor) }]);

  const loadCords = f.loads.map((l) => l.cords.map((x) => index.get(x)!));

  // ---- State encoding: failed classes in failure order | utility bits | UPS modes. ----
  interface State {
    failed: number[];
    outage: Uint8Array;
    modes: Uint8Array;
  }
  const keyOf = (s: State): string => `${s.failed.join(',')}|${s.outage.join('')}|${s.modes.join('')}`;
  /** The first `crews` failed units are in repair; their order carries no information. */
  const canonical = (failed: number[]): number[] => {
    const inRepair = Math.min(crews, failed.length);
    const head = failed.slice(0, inRepair).sort((a, b) => a - b);
    return inRepair === failed.length ? head : head.concat(failed.slice(inRepair));
  };

  /** Levels in topological order; a UPS leaving its inverter branches on the static transfer. */
  const settle = (failed: number[], outage: Uint8Array, modes: Uint8Array): Array<{ p: number; modes: Uint8Array; served: boolean }> => {
    const down = new Int32Array(nodes.length);
    for (const k of failed) down[classes[k]!.node]!++;
    const results: Array<{ p: number; modes: Uint8Array; served: boolean }> = [];
    const level = new Uint8Array(nodes.length);
    const walk = (i: number, p: number, next: Uint8Array): void => {
      for (; i < nodes.length; i++) {
        const m = nodes[i]!;
        const n = m.spec;
        const up = m.units + m.permanent - down[i]!;
        switch (n.kind) {
          case 'group':
            level[i] = up >= n.needed ? 1 : 0;
            break;
          case 'utility':
            level[i] = m.utility >= 0 && outage[m.utility] ? 0 : 1;
            break;
          case 'distribution':
            level[i] = up === m.units + m.permanent && m.inputs.some((x) => level[x]) ? 1 : 0;
            break;
          case 'ups': {
            const u = m.ups;
            const carries = upsCarries(n, up) && m.inputs.some((x) => level[x]);
            const previous = next[u] as Mode;
            if (carries) next[u] = Mode.inverter;
            else if (previous === Mode.inverter) {
              const fail = n.staticTransferFail;
              if (fail > 0 && fail < 1) {
                // Branch: the dropped alternative is explored recursively (it only writes levels
                // after i, which this path recomputes), the bypass one continues here.
                const dropped = Uint8Array.from(next);
                dropped[u] = Mode.dropped;
                level[i] = 0;
                walk(i + 1, p * fail, dropped);
                p *= 1 - fail;
                next[u] = Mode.bypass;
              } else next[u] = fail >= 1 ? Mode.dropped : Mode.bypass;
            }
            const mode = next[u] as Mode;
            level[i] = mode === Mode.inverter ? 1 : mode === Mode.dropped ? 0 : level[m.bypass]!;
            break;
          }
          default:
            throw new Error(`unreachable node kind ${n.kind}`);
        }
      }
      const served = loadCords.every((cords) => cords.length === 0 || cords.some((x) => level[x]));
      results.push({ p, modes: next, served });
    };
    walk(0, 1, Uint8Array.from(modes));
    return results;
  };

  const states: State[] = [];
  const servedList: number[] = [];
  const ids = new Map<string, number>();
  const expanded: Array<StateTransitions | undefined> = [];
  const intern = (s: State, served: boolean): number => {
    const key = keyOf(s);
    let id = ids.get(key);
    if (id === undefined) {
      if (states.length >= maxStates) throw new ExactRefusal([{ path: '', message: exactMessages.tooManyStates(maxStates, null) }]);
      id = states.length;
      ids.set(key, id);
      states.push(s);
      servedList.push(served ? 1 : 0);
    }
    return id;
  };
  const emptyOutage = new Uint8Array(utilities.length);
  // Everything up settles with every UPS on its inverter (checked above), without branching.
  const start = settle([], emptyOutage, new Uint8Array(upses.length))[0]!;
  intern({ failed: [], outage: emptyOutage, modes: start.modes }, start.served);

  const expand = (s: number): StateTransitions => {
    const to: number[] = [];
    const rate: number[] = [];
    const failure: number[] = [];
    const move = (failed: number[], outage: Uint8Array, modes: Uint8Array, r: number, isFailure: boolean): void => {
      for (const b of settle(failed, outage, modes)) {
        const target = intern({ failed, outage, modes: b.modes }, b.served);
        if (!(r * b.p > 0) || target === s) continue;
        to.push(target);
        rate.push(r * b.p);
        failure.push(isFailure ? 1 : 0);
      }
    };
    const { failed, outage, modes } = states[s]!;
    const downOf = new Int32Array(classes.length);
    for (const k of failed) downOf[k]!++;
    classes.forEach((c, k) => {
      const up = c.count - downOf[k]!;
      if (up > 0) move(canonical([...failed, k]), outage, modes, up * c.failureRate, true);
    });
    const inRepair = Math.min(crews, failed.length);
    for (let pos = 0; pos < inRepair; pos++) {
      const k = failed[pos]!;
      move(canonical(failed.filter((_, i) => i !== pos)), outage, modes, classes[k]!.repairRate, false);
    }
    utilities.forEach((u, j) => {
      const next = Uint8Array.from(outage);
      next[j] = outage[j] ? 0 : 1;
      move(failed, next, modes, outage[j] ? u.down : u.up, !outage[j]);
    });
    let total = 0;
    for (const r of rate) total += r;
    return { target: Int32Array.from(to), rate: Float64Array.from(rate), failure: Uint8Array.from(failure), total };
  };
  const modeName = ['inverter', 'bypass', 'dropped'];
  return {
    get size() {
      return states.length;
    },
    served: (i: number) => servedList[i] === 1,
    transitions: (i: number) => (expanded[i] ??= expand(i)),
    describe: (i: number) => {
      const s = states[i]!;
      const failed = s.failed.map((k) => classes[k]!.label).join(' ');
      const outages = utilities.map((_, j) => (s.outage[j] ? 'out' : 'normal')).join(' ');
      const modes = upses.map((u, j) => `${u.name}:${modeName[s.modes[j]!]}`).join(' ');
      return `failed [${failed}] utilities [${outages}] ${modes}`.trim();
    },
  };
}

/** nodes/ups.ts unitsCarry. */
function upsCarries(n: UpsNodeSpec, up: number): boolean {
  if (n.topology === 'power_parallel') return up === n.units.length;
  return n.loadDetection ? up * n.capacityKw >= n.carriedKw - 1e-9 : up >= n.needed;
}

export interface ExactResult {
  unavailability: number;
  availability: number;
  downtimeHoursPerYear: number;
  /** Incidents per year: the steady-state rate of transitions from served to not-served states. */
  failuresPerYear: number;
  /** Time in service per incident, and downtime per incident (h). */
  mtbfHours: number;
  mttrHours: number;
  states: number;
  transitions: number;
  method: SolveMethod;
  residual: Residual;
  iterations: number;
  converged: boolean;
}

/** Builds the chain, solves it (GTH up to 2000 states, Gauss-Seidel beyond) and sums the figures. */
export function exactSteadyState(f: FacilitySpec, options: ChainOptions & IterativeOptions & { gthLimit?: number } = {}): ExactResult {
  const chain = buildChain(f, options);
  const q = chain.generator;
  const sol = solveSteadyState(q, options);
  return figuresOf(chain, sol.pi, sol);
}

function figuresOf(chain: FacilityChain, pi: Float64Array, sol: { method: SolveMethod; residual: Residual; iterations: number; converged: boolean }): ExactResult {
  const q = chain.generator;
  let unavailability = 0;
  let availability = 0;
  let frequency = 0;
  for (let i = 0; i < q.n; i++) {
    if (!chain.served[i]) {
      unavailability += pi[i]!;
      continue;
    }
    availability += pi[i]!;
    for (let e = q.rowStart[i]!; e < q.rowStart[i + 1]!; e++) if (!chain.served[q.col[e]!]) frequency += pi[i]! * q.rate[e]!;
  }
  const failuresPerYear = frequency * HOURS_PER_YEAR;
  return {
    unavailability,
    availability,
    downtimeHoursPerYear: unavailability * HOURS_PER_YEAR,
    failuresPerYear,
    mtbfHours: frequency > 0 ? availability / frequency : Infinity,
    mttrHours: frequency > 0 ? unavailability / frequency : NaN,
    states: q.n,
    transitions: q.col.length,
    method: sol.method,
    residual: sol.residual,
    iterations: sol.iterations,
    converged: sol.converged,
  };
}
