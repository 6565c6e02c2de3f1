/**
 * Normalize: from the validated scenario to the concrete facility (FacilitySpec).
 *
 * - Carried power: every component's nominal load, from the loads downstream (plus the power of
 *   cooling units where a source feeds them), each side of a multi-system sized for the full load.
 * - N: `N:` if given, else the number in the notation, else ceil(carried / unit capacity)
 *   (cooling: heat of the loads it cools / unit capacity).
 * - Sides (SCENARIOS.md "Sides propagate downstream"): a multi-system `ups` becomes subsystems
 *   `ups.a`, `ups.b`, ...; a distribution element fed by it is replicated per side (`pdu.a`,
 *   `pdu.b`) unless `shared: true`; a load fed through them is corded to every side.
 * - Distributed redundancy kN/m: k subsystems and k load groups (`it.1` ... `it.k`), group i
 *   corded to subsystems i and i+1 (cyclic); with `spread: even` one group per ordered pair.
 * - Reserve subsystems (the third of `3(N+1)`) are taken as one more side: a dual-corded load
 *   needs only one live side, so "any subsystem delivers" is what the static transfer switch
 *   that puts the reserve on a lost side achieves.
 */
import type { DistSpec } from '../../sim/distributions.js';
import { parseRedundancy, resolveCount, usesSymbolicN, type Count, type Redundancy } from '../redundancy.js';
import type { Scenario } from '../scenario/index.js';
import type { BatterySpec, CommonCauseSpec, CrewSpec, FacilitySpec, LoadSpec, MaintenanceSpec, NodeSpec, UnitSpec } from './spec.js';

type Components = Scenario['components'];
type Component = Components[string];
type Of<T extends Component['type']> = Extract<Component, { type: T }>;

/** A scenario that validates but cannot be built; `path` is the dotted key path of the culprit. */
export class ModelError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export class AggregateModelError extends Error {
  constructor(readonly errors: ModelError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  }
}

export interface Expansion {
  facility: FacilitySpec;
  warnings: Array<{ path: string; message: string }>;
}

export interface FacilityInput {
  components: Components;
  crews?: { count: number; logistics_delay?: DistSpec } | null;
  maintenance?: Scenario['maintenance'];
  common_cause?: Scenario['common_cause'];
  /** A cluster may stand alone: with one and no components, the facility is empty, not an error. */
  cluster?: unknown;
}

const SIDE_NAMES = 'abcdefghijklmnopqrstuvwxyz';

/** What a component offers downstream. */
interface Sides {
  nodes: string[];
  /** Set when the sides are the subsystems of a distributed (kN/m) system. */
  distributed?: { k: number; m: number; spread: 'cyclic' | 'even' };
}

const EPS = 1e-9;

export function expandFacility(input: FacilityInput): Expansion {
  return new Expander(input).run();
}

class Expander {
  private readonly errors: ModelError[] = [];
  private readonly warnings: Array<{ path: string; message: string }> = [];
  private readonly components: Components;
  private readonly order: string[];
  private readonly carried = new Map<string, number>();
  private readonly sides = new Map<string, Sides>();
  private readonly nodes: NodeSpec[] = [];
  private readonly loads: LoadSpec[] = [];

  constructor(private readonly input: FacilityInput) {
    this.components = input.components;
    this.order = topologicalOrder(this.components);
  }

  run(): Expansion {
    const clusterAlone = this.input.cluster != null && Object.keys(this.components).length === 0;
    if (!clusterAlone && !Object.values(this.components).some((c) => c.type === 'load')) {
      this.errors.push(new ModelError('components', 'the scenario has no component of type load, so there is no service to measure'));
    }
    this.computeCarried();
    for (const name of this.order) {
      try {
        this.expand(name, this.components[name]!);
      } catch (err) {
        if (err instanceof ModelError) this.errors.push(err);
        else throw err;
      }
    }
    const commonCause = this.errors.length === 0 ? this.commonCause() : [];
    const maintenance = this.errors.length === 0 ? this.maintenance() : [];
    if (this.errors.length > 0) throw new AggregateModelError(this.errors);
    const crews: CrewSpec = {
      count: this.input.crews ? this.input.crews.count : Infinity,
      logisticsDelay: this.input.crews?.logistics_delay ?? null,
    };
    return { facility: { nodes: this.nodes, loads: this.loads, crews, commonCause, maintenance }, warnings: this.warnings };
  }

  /** Unit names of a node (series elements and switches are one unit named like the node). */
  private unitsOfNode(n: NodeSpec): string[] {
    return 'units' in n ? n.units.map((u) => u.name) : n.kind === 'utility' ? [] : [n.name];
  }

  /** What a name in `common_cause` or `maintenance` means: a unit, a node, or a whole component. */
  private resolve(name: string): { units: string[]; nodes: NodeSpec[]; unit: boolean } | null {
    for (const n of this.nodes) if (this.unitsOfNode(n).includes(name) && n.name !== name) return { units: [name], nodes: [n], unit: true };
    const node = this.nodes.find((n) => n.name === name);
    if (node) return { units: this.unitsOfNode(node), nodes: [node], unit: false };
    const nodes = this.nodes.filter((n) => n.component === name);
    if (nodes.length > 0) return { units: nodes.flatMap((n) => this.unitsOfNode(n)), nodes, unit: false };
    return null;
  }

  private unknownPart(path: string, name: string): ModelError {
    const known = this.nodes.flatMap((n) => [n.name, ...this.unitsOfNode(n)]);
    return new ModelError(path, `"${name}" names no component, subsystem or unit of the expanded facility (e.g. ${[...new Set(known)].slice(0, 6).join(', ')})`);
  }

  private commonCause(): CommonCauseSpec[] {
    return (this.input.common_cause ?? []).flatMap((cc, i) => {
      const units: string[] = [];
      cc.group.forEach((member, j) => {
        const r = this.resolve(member);
        if (!r) this.errors.push(this.unknownPart(`common_cause.${i}.group.${j}`, member));
        else units.push(...r.units);
      });
      return units.length > 0 ? [{ label: cc.group.join('+'), beta: cc.beta, units: [...new Set(units)] }] : [];
    });
  }

  private maintenance(): MaintenanceSpec[] {
    return (this.input.maintenance ?? []).flatMap((m, i) => {
      const r = this.resolve(m.target);
      if (!r) {
        this.errors.push(this.unknownPart(`maintenance.${i}.target`, m.target));
        return [];
      }
      let steps: MaintenanceSpec['steps'];
      if (m.mode === 'shutdown') steps = [{ nodes: r.nodes.map((n) => n.name) }];
      else if (r.unit) steps = [{ unit: r.units[0]! }];
      else if (r.nodes.length > 1) steps = r.nodes.map((n) => ({ nodes: [n.name] }));
      else {
        // One system: with spare units they are serviced one at a time, the rest carrying the
        // load; without, the whole system goes out (and the load with it, unplanned).
        const n = r.nodes[0]!;
        const spare = 'needed' in n && 'units' in n && n.units.length > n.needed;
        steps = spare ? r.units.map((unit) => ({ unit })) : [{ nodes: [n.name] }];
      }
      const loads = m.mode === 'shutdown' ? this.loadsBehind(r.nodes.map((n) => n.name)) : [];
      return [{ target: m.target, mode: m.mode, every: m.every, duration: m.duration, offset: m.offset, steps, loads }];
    });
  }

  /** Loads that depend on these nodes (every cord fed through them, or cooled by them). */
  private loadsBehind(targets: string[]): string[] {
    const behind = new Set(targets);
    for (const n of this.nodes) {
      const from = n.kind === 'distribution' || n.kind === 'ups' || n.kind === 'cooling' ? n.inputs : n.kind === 'transfer_switch' ? [n.primary, n.secondary] : [];
      if (from.some((x) => behind.has(x))) behind.add(n.name);
    }
    return this.loads.filter((l) => (l.cords.length > 0 && l.cords.every((c) => behind.has(c))) || (l.cooling !== null && behind.has(l.cooling))).map((l) => l.name);
  }

  /**
   * Nominal power each component carries: every load and cooling system downstream of it,
   * each counted once (a dual-corded load behind two switchboards of one UPS is carried once).
   */
  private computeCarried(): void {
    const consumers = new Map<string, string[]>();
    for (const [other, c] of Object.entries(this.components)) {
      for (const source of feeds(c)) consumers.set(source, [...(consumers.get(source) ?? []), other]);
    }
    const reach = new Map<string, Set<string>>();
    const downstream = (name: string): Set<string> => {
      let set = reach.get(name);
      if (set) return set;
      set = new Set<string>();
      reach.set(name, set);
      for (const c of consumers.get(name) ?? []) {
        const type = this.components[c]!.type;
        if (type === 'load' || type === 'cooling') set.add(c);
        for (const x of downstream(c)) set.add(x);
      }
      return set;
    };
    for (const name of this.order) {
      let sum = 0;
      for (const x of downstream(name)) {
        const c = this.components[x]!;
        sum += c.type === 'load' ? (c.power ?? 0) : c.type === 'cooling' ? c.unit.power * this.unitCount(x, c) : 0;
      }
      const self = this.components[name]!;
      this.carried.set(name, self.type === 'cooling' ? sum + self.unit.power * this.unitCount(name, self) : sum);
    }
  }

  /** Units a redundant component will have (for the cooling power it draws), best effort. */
  private unitCount(name: string, c: Of<'cooling'>): number {
    try {
      const r = parseRedundancy(String(c.redundancy));
      const N = this.resolveN(name, c, r, this.heatOf(name), c.unit.capacity);
      const sub = (w: Count, x: Count) => resolveCount(w, N) + resolveCount(x, N);
      if (r.form === 'single') return sub(r.working, r.reserve);
      if (r.form === 'multi') return r.subsystems.reduce((s, x) => s + sub(x.working, x.reserve), 0);
      return r.k * sub(r.subsystem.working, r.subsystem.reserve);
    } catch {
      return 0;
    }
  }

  private heatOf(cooling: string): number {
    let heat = 0;
    for (const c of Object.values(this.components)) if (c.type === 'load' && c.cooling === cooling) heat += c.power ?? 0;
    return heat;
  }

  private resolveN(name: string, c: { N?: number | undefined; redundancy: string | number }, r: Redundancy, carried: number, capacity: number | undefined): number {
    if (c.N !== undefined) return c.N;
    if (!usesSymbolicN(r)) return 0;
    if (capacity === undefined || capacity <= 0 || carried <= 0) {
      throw new ModelError(
        `components.${name}.redundancy`,
        `cannot compute N for "${c.redundancy}": give the unit capacity and the power of the loads it carries, give N, or write N as a number (e.g. "3+1")`,
      );
    }
    return Math.max(1, Math.ceil(carried / capacity - EPS));
  }

  private sidesOf(refs: readonly string[]): string[] {
    return refs.flatMap((r) => this.sides.get(r)?.nodes ?? []);
  }

  private single(refName: string, path: string): string {
    const s = this.sides.get(refName);
    if (!s || s.nodes.length === 0) throw new ModelError(path, `"${refName}" could not be built (see its own error)`);
    return s.nodes[0]!;
  }

  private expand(name: string, c: Component): void {
    const path = `components.${name}`;
    switch (c.type) {
      case 'utility':
        this.emit(name, [name], {
          kind: 'utility',
          name,
          component: name,
          carriedKw: this.carried.get(name)!,
          outages: c.outages ? { between: c.outages.between, duration: c.outages.duration } : null,
          poorQuality: c.poor_quality ? { between: c.poor_quality.between, duration: c.poor_quality.duration } : null,
        });
        return;
      case 'group':
        return this.expandRedundant(name, c, this.carried.get(name)!, c.unit.capacity, (node, needed, units) => ({
          kind: 'group',
          name: node,
          component: name,
          carriedKw: this.carried.get(name)!,
          needed,
          units,
        }));
      case 'ups':
        return this.expandUps(name, c);
      case 'generator':
        return this.expandRedundant(name, c, this.carried.get(name)!, c.unit.capacity, (node, needed, units) => ({
          kind: 'generator',
          name: node,
          component: name,
          carriedKw: this.carried.get(name)!,
          needed,
          units,
          capacityKw: c.unit.capacity,
          startDelay: c.unit.start_delay,
          startAttempts: c.unit.start_attempts,
          failToStart: c.unit.fail_to_start,
          standbyFailure: c.unit.standby_failure?.failure ?? null,
          fuelHours: c.unit.fuel ?? null,
          refuelAfter: c.unit.refuel_after ?? null,
          tests: { start: c.tests?.start ?? null, load: c.tests?.load ?? null },
        }), { failure: c.unit.fail_to_run?.failure ?? null, repair: c.unit.repair ?? null }, { singleOnly: 'a genset group feeds its transfer switches as one source' });
      case 'transfer_switch':
        this.emit(name, [name], {
          kind: 'transfer_switch',
          name,
          component: name,
          carriedKw: this.carried.get(name)!,
          primary: this.single(c.primary, `${path}.primary`),
          secondary: this.single(c.secondary, `${path}.secondary`),
          delay: c.transfer.delay,
          fail: c.transfer.fail,
          retransferAfter: c.retransfer_after,
          failure: c.failure ?? null,
          repair: c.repair ?? null,
        });
        return;
      case 'distribution':
        return this.expandDistribution(name, c);
      case 'cooling': {
        const heat = this.heatOf(name);
        const inputs = this.sidesOf(c.input ?? []);
        return this.expandRedundant(name, c, heat, c.unit.capacity, (node, needed, units) => ({
          kind: 'cooling',
          name: node,
          component: name,
          carriedKw: this.carried.get(name)!,
          inputs,
          needed,
          units,
          capacityKw: c.unit.capacity,
          powerKw: c.unit.power,
          restart: c.restart,
          rideThrough: c.ride_through,
          heatKw: heat,
        }), undefined, { singleOnly: 'the loads it cools see one cooling system' });
      }
      case 'load':
        return this.expandLoad(name, c);
    }
  }

  private emit(component: string, sideNodes: string[], ...nodes: NodeSpec[]): void {
    this.nodes.push(...nodes);
    if (!this.sides.has(component)) this.sides.set(component, { nodes: sideNodes });
  }

  /**
   * Expands a component with a redundancy notation into its subsystem nodes. `make` builds the
   * node of one subsystem from its name, units needed and units.
   */
  private expandRedundant<T extends NodeSpec>(
    name: string,
    c: { redundancy: string | number; N?: number | undefined; unit: { failure?: DistSpec; repair?: DistSpec } },
    carried: number,
    capacity: number | undefined,
    make: (node: string, needed: number, units: UnitSpec[]) => T,
    failures: { failure: DistSpec | null; repair: DistSpec | null } = { failure: c.unit.failure ?? null, repair: c.unit.repair ?? null },
    options: { singleOnly?: string } = {},
  ): void {
    const path = `components.${name}`;
    const notation = String(c.redundancy);
    const r = parseRedundancy(notation);
    if (options.singleOnly && r.form !== 'single') {
      throw new ModelError(`${path}.redundancy`, `"${notation}" is a multi-system; for this component type resim simulates one system (${options.singleOnly}): write e.g. N+1 or 2N`);
    }
    const perSubsystem = r.form === 'distributed' ? distributedShare(carried, r, (c as { spread?: 'cyclic' | 'even' }).spread ?? 'cyclic') : carried;
    const N = this.resolveN(name, c, r, perSubsystem, capacity);
    const units = (node: string, count: number): UnitSpec[] =>
      Array.from({ length: count }, (_, i) => ({ name: `${node}.${i + 1}`, failure: failures.failure, repair: failures.repair }));
    const subsystems: Array<{ node: string; working: number; reserve: number }> = [];
    if (r.form === 'single') subsystems.push({ node: name, working: resolveCount(r.working, N), reserve: resolveCount(r.reserve, N) });
    else if (r.form === 'multi') {
      r.subsystems.forEach((s, i) => subsystems.push({ node: `${name}.${SIDE_NAMES[i]}`, working: resolveCount(s.working, N), reserve: resolveCount(s.reserve, N) }));
    } else {
      for (let i = 0; i < r.k; i++) {
        subsystems.push({ node: `${name}.${SIDE_NAMES[i]}`, working: resolveCount(r.subsystem.working, N), reserve: resolveCount(r.subsystem.reserve, N) });
      }
    }
    const nodes: NodeSpec[] = [];
    for (const s of subsystems) {
      if (s.working < 1) throw new ModelError(`${path}.redundancy`, `"${notation}" with N = ${N} leaves ${s.node} with no working unit`);
      if (capacity !== undefined && perSubsystem > 0 && s.working * capacity < perSubsystem - EPS) {
        this.warnings.push({
          path: `${path}.redundancy`,
          message: `${s.node}: ${s.working} working unit${s.working === 1 ? '' : 's'} of ${capacity} kW cannot carry ${round(perSubsystem)} kW; there is no redundancy at that load`,
        });
      }
      nodes.push(make(s.node, s.working, units(s.node, s.working + s.reserve)));
    }
    this.nodes.push(...nodes);
    const spread = (c as { spread?: 'cyclic' | 'even' }).spread ?? 'cyclic';
    this.sides.set(name, { nodes: subsystems.map((s) => s.node), ...(r.form === 'distributed' ? { distributed: { k: r.k, m: r.m, spread } } : {}) });
  }

  private expandUps(name: string, c: Of<'ups'>): void {
    const path = `components.${name}`;
    const inputs = this.sidesOf(c.input);
    const bypassRef = c.bypass ?? c.input[0]!;
    const bypass = this.single(bypassRef, `${path}.bypass`);
    const carried = this.carried.get(name)!;
    if (c.topology === 'hot_standby') {
      const r = parseRedundancy(String(c.redundancy));
      if (r.form !== 'single') throw new ModelError(`${path}.topology`, `hot_standby is one master/slave pair; "${c.redundancy}" is a multi-system`);
      if (carried > c.unit.capacity + EPS) {
        throw new ModelError(
          `${path}.topology`,
          `design error: a hot-standby UPS cannot carry ${round(carried)} kW on ${round(c.unit.capacity)} kW units: the master alone carries the load, there is no load sharing (DOMAIN.md §5.3); use topology: parallel`,
        );
      }
    }
    const battery: BatterySpec | null = c.battery
      ? {
          autonomy: c.battery.autonomy,
          shared: c.battery.shared,
          recharge: c.battery.recharge,
          fadePerYear: c.battery.fade_per_year,
          ageHours: c.battery.health === undefined ? (c.battery.age ?? 0) : null,
          health: c.battery.health ?? null,
          replaceEvery: c.battery.replace_every ?? null,
          failure: c.battery.failure ?? null,
          repair: c.battery.repair ?? null,
        }
      : null;
    this.expandRedundant(name, c, carried, c.unit.capacity, (node, needed, units) => {
      if (c.topology === 'hot_standby' && units.length !== 2) {
        throw new ModelError(`${path}.redundancy`, `hot_standby needs exactly a master and a slave (1+1); "${c.redundancy}" gives ${units.length} units`);
      }
      return {
        kind: 'ups',
        name: node,
        component: name,
        carriedKw: this.subsystemCarried(name, carried),
        inputs,
        bypass,
        topology: c.topology,
        needed,
        capacityKw: c.unit.capacity,
        units,
        loadDetection: c.load_detection,
        battery,
        staticTransferFail: c.static_transfer.fail,
        bypassPoorQualityIsDown: c.bypass_poor_quality_is_down,
        severeFraction: c.severe_fraction,
        maintenanceBypass: c.maintenance_bypass,
      };
    });
  }

  /** Nominal load of one subsystem: the full load, or its share of it in a distributed system. */
  private subsystemCarried(name: string, carried: number): number {
    const c = this.components[name] as { redundancy: string | number; spread?: 'cyclic' | 'even' };
    const r = parseRedundancy(String(c.redundancy));
    return r.form === 'distributed' ? distributedShare(carried, r, c.spread ?? 'cyclic') : carried;
  }

  private expandDistribution(name: string, c: Of<'distribution'>): void {
    const from = c.input.map((i) => this.sides.get(i)).filter((s): s is Sides => s !== undefined);
    const carried = this.carried.get(name)!;
    const base = { kind: 'distribution' as const, component: name, carriedKw: carried, failure: c.failure ?? null, repair: c.repair ?? null };
    if (!c.shared && c.input.length === 1 && from[0] && from[0].nodes.length > 1) {
      // Replicated per side: pdu.a behind ups.a, pdu.b behind ups.b.
      const upstream = from[0];
      const nodes = upstream.nodes.map((side) => ({ ...base, name: `${name}.${side.slice(side.lastIndexOf('.') + 1)}`, inputs: [side] }));
      this.nodes.push(...nodes);
      this.sides.set(name, { nodes: nodes.map((n) => n.name), ...(upstream.distributed ? { distributed: upstream.distributed } : {}) });
      return;
    }
    this.emit(name, [name], { ...base, name, inputs: this.sidesOf(c.input) });
  }

  private expandLoad(name: string, c: Of<'load'>): void {
    const recovery = c.recovery ?? null;
    const cooling = c.cooling ?? null;
    const feeds = c.input.map((i) => this.sides.get(i)).filter((s): s is Sides => s !== undefined);
    const distributed = feeds.find((s) => s.distributed);
    if (distributed?.distributed) {
      const { k, spread } = distributed.distributed;
      const sides = distributed.nodes;
      const pairs: Array<[number, number]> = [];
      if (spread === 'even') {
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) pairs.push([i, j]);
      } else for (let i = 0; i < k; i++) pairs.push([i, (i + 1) % k]);
      pairs.forEach(([i, j], g) => {
        this.loads.push({
          name: `${name}.${g + 1}`,
          powerKw: c.power === undefined ? null : c.power / pairs.length,
          cords: [sides[i]!, sides[j]!],
          cooling,
          recovery,
        });
      });
      return;
    }
    this.loads.push({ name, powerKw: c.power ?? null, cords: this.sidesOf(c.input), cooling, recovery });
  }
}

/**
 * What one subsystem of a kN/m system is sized for (SCENARIOS.md): m of the k load groups
 * (cyclic), or with `spread: even` 1/(k-1) of the load, since a lost subsystem's load falls
 * evenly on all the others.
 */
function distributedShare(carried: number, r: Extract<Redundancy, { form: 'distributed' }>, spread: 'cyclic' | 'even'): number {
  return spread === 'even' ? carried / (r.k - 1) : (carried * r.m) / r.k;
}

/** Components a component draws power from (not its bypass, which carries it only on transfer). */
function feeds(c: Component): string[] {
  switch (c.type) {
    case 'ups':
    case 'distribution':
    case 'load':
      return [...c.input];
    case 'cooling':
      return [...(c.input ?? [])];
    case 'transfer_switch':
      return [c.primary, c.secondary];
    default:
      return [];
  }
}

/** Every reference a component makes (what it must come after). */
function references(c: Component): string[] {
  const refs = feeds(c);
  if (c.type === 'ups' && c.bypass) refs.push(c.bypass);
  if (c.type === 'load' && c.cooling) refs.push(c.cooling);
  return refs;
}

/** Components ordered so that each comes after everything it references (the loader rejects cycles). */
function topologicalOrder(components: Components): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    if (state.get(name) === 'done' || !components[name]) return;
    if (state.get(name) === 'visiting') return;
    state.set(name, 'visiting');
    for (const r of references(components[name]!)) visit(r);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(components)) visit(name);
  return order;
}

function round(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}
