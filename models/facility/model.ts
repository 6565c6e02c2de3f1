/**
 * The facility on the engine: the power graph's nodes, judged once per instant, and the loads
 * whose service is measured.
 *
 * A settle (end of an instant with changes) runs three passes:
 *   1. nodes in topological order compute their output level from their inputs (sources first);
 *   2. loads put their power on their powered cords, and nodes in reverse order pass what they
 *      carry on to their inputs, so batteries drain at the load they actually carry;
 *   3. loads judge their service, and the site books downtime and incidents.
 * A node whose state changed during a pass asks for another settle at the same instant
 * (Simulation.markDirty), until nothing changes.
 */
import { makeDistribution, type Distribution } from '../../sim/distributions.js';
import type { Simulation } from '../../sim/engine.js';
import type { Stream, Streams } from '../../sim/rng.js';
import { NodeKind, Power, PowerNode, bestLevel, explainInputs, indicesOf, spreadDraw, type Flows, type NodeContext } from './power.js';
import type { FacilitySpec, LoadSpec, NodeSpec } from './spec.js';
import { CoolingNode } from './nodes/cooling.js';
import { GeneratorNode } from './nodes/generator.js';
import { DistributionNode, GroupNode, UtilityNode } from './nodes/simple.js';
import { TransferSwitchNode } from './nodes/switch.js';
import { UpsNode } from './nodes/ups.js';
import { RepairShop, type Unit } from './units.js';
import { CommonCauseGroup, MaintenancePlan } from './maintenance.js';

export const LoadState = {
  inService: 'in_service',
  planned: 'planned',
  unpowered: 'unpowered',
  tripped: 'tripped',
  recovering: 'recovering',
  dirtyDown: 'dirty_down',
} as const;
export type LoadState = (typeof LoadState)[keyof typeof LoadState];

/** One loss of service of the site, cut at the horizon. */
export interface Incident {
  start: number;
  end: number;
  /** The load (or loads, joined by "+") that lost service. */
  load: string;
  /** The chain from root to effect, joined by " > ". */
  cause: string;
  /** The root cause, at component level (what causes.csv adds up). */
  root: string;
  planned: boolean;
}

class Load {
  index = -1;
  state: LoadState = LoadState.inService;
  level: Power = Power.clean;
  chain: string[] = [];
  /** Shutdown maintenance plans holding this load down (planned downtime). */
  plannedDown = 0;
  plannedBy = '';
  readonly timer: number;
  /** The cords by node index. */
  readonly feeds: Int32Array;
  /** Nominal power (kW), 0 when none is given. */
  readonly powerKw: number;
  private stream: Stream | null = null;
  private streams: Streams | null = null;
  constructor(
    readonly spec: LoadSpec,
    readonly cords: PowerNode[],
    readonly cooling: CoolingNode | null,
    readonly recovery: Distribution | null,
    sim: Simulation,
    onRecovered: (l: Load) => void,
  ) {
    this.feeds = indicesOf(cords);
    this.powerKw = spec.powerKw ?? 0;
    // Recovery completes after events of the same instant that might interrupt it again.
    this.timer = sim.timer(`${spec.name}/recovery`, () => onRecovered(this), 1);
  }

  get name(): string {
    return this.spec.name;
  }

  reset(streams: Streams): void {
    this.streams = streams;
    this.stream = null;
    this.state = LoadState.inService;
    this.level = Power.clean;
    this.chain = [];
    this.plannedDown = 0;
    this.plannedBy = '';
  }

  recoveryTime(): number {
    this.stream ??= this.streams!.get(`${this.name}/recovery`);
    return this.recovery!.sample(this.stream);
  }
}

/** Per-replication accounting of site service, from `beginAccounting` on. */
export interface Accounting {
  downtime: number;
  /** Of which planned (incidents caused by shutdown maintenance). */
  planned: number;
  outage: number;
  dirty: number;
  incidents: number;
  log: Incident[];
}

/** "gensets fail_to_start (gensets.1 failed)" -> "gensets fail_to_start": what causes.csv groups by. */
export function rootOf(chain: readonly string[]): string {
  const first = chain[0] ?? 'unknown';
  const paren = first.indexOf(' (');
  return paren < 0 ? first : first.slice(0, paren);
}

export class FacilityModel {
  private readonly nodes: PowerNode[] = [];
  private readonly loads: Load[] = [];
  private readonly shop: RepairShop;
  private readonly commonCauses: CommonCauseGroup[] = [];
  private readonly plans: MaintenancePlan[] = [];
  /** Nodes that read each node's output, and loads fed or cooled by it (while building). */
  private readonly dependents: PowerNode[][] = [];
  private readonly dependentLoads: Load[][] = [];
  /**
   * The same as flat index lists: the readers of node i are dependentIndex[dependentStart[i] ..
   * dependentStart[i + 1]), its loads loadIndex[loadStart[i] .. loadStart[i + 1]).
   */
  private dependentStart = new Int32Array(0);
  private dependentIndex = new Int32Array(0);
  private loadStart = new Int32Array(0);
  private loadIndex = new Int32Array(0);
  private loadPending = new Uint8Array(0);
  /** Nodes to judge at the end of this instant (by topological index). */
  private nodePending = new Uint8Array(0);
  private anyPending = true;
  private anyLoadPending = true;
  /** Output levels and draws by node index (see power.ts). */
  private readonly flows: Flows;
  /** Nodes taken out of service for maintenance, by index (mirrors `PowerNode.outOfService`). */
  private outOfService = new Uint8Array(0);
  /** Indices of the nodes whose `propagateDraw` does something, in reverse topological order. */
  private drawNodes = new Int32Array(0);
  /** 1 for UPS nodes: their evaluation sets battery rates, so draws must be propagated after it. */
  private upsNode = new Uint8Array(0);
  /** Maintenance plans waiting for their redundancy (retried at every settle while > 0). */
  private readonly planWaits = { count: 0 };

  private siteDown = false;
  private siteUnpowered = false;
  private siteDirty = false;
  private downSince = 0;
  private unpoweredSince = 0;
  private dirtySince = 0;
  private accountFrom = 0;
  private current: Incident | null = null;
  private currentPlanned = false;
  account: Accounting = { downtime: 0, planned: 0, outage: 0, dirty: 0, incidents: 0, log: [] };
  /**
   * Told when a load loses or regains power for the equipment it feeds (a cluster's hosts):
   * power is gone while the load is unpowered, thermally tripped or shut down for maintenance.
   */
  onPower: ((load: number, powered: boolean) => void) | null = null;
  private readonly loadPowered: boolean[] = [];

  /** Builds the model once; `reset` prepares it for each replication. */
  constructor(
    private readonly sim: Simulation,
    spec: FacilitySpec,
  ) {
    this.shop = new RepairShop(spec.crews.count, spec.crews.logisticsDelay ? makeDistribution(spec.crews.logisticsDelay) : null);
    this.flows = { levels: new Uint8Array(spec.nodes.length), draws: new Float64Array(spec.nodes.length) };
    const ctx: NodeContext = {
      sim,
      shop: this.shop,
      flows: this.flows,
      fadeCurves: new Map(),
      changed: (node) => {
        this.nodePending[node.index] = 1;
        this.anyPending = true;
        sim.markDirty();
      },
    };
    const byName = new Map<string, PowerNode>();
    const get = (name: string) => {
      const n = byName.get(name);
      if (!n) throw new Error(`facility graph: "${name}" is used before it is built (not in topological order)`);
      return n;
    };
    for (const n of spec.nodes) {
      const node = buildNode(n, ctx, get);
      node.carriedKw = n.carriedKw;
      node.index = this.nodes.length;
      byName.set(n.name, node);
      this.nodes.push(node);
      this.dependents.push([]);
      this.dependentLoads.push([]);
      for (const input of readsFrom(n)) this.dependents[get(input).index]!.push(node);
    }
    for (const l of spec.loads) {
      const cooling = l.cooling ? get(l.cooling) : null;
      if (cooling && !(cooling instanceof CoolingNode)) throw new Error(`facility graph: "${l.cooling}" is not a cooling node`);
      const load = new Load(
          l,
          l.cords.map(get),
          cooling,
          l.recovery ? makeDistribution(l.recovery) : null,
          sim,
        (l) => {
          l.state = LoadState.inService;
          this.touch(l);
        },
      );
      load.index = this.loads.length;
      this.loads.push(load);
      this.loadPowered.push(true);
      for (const c of new Set([...l.cords, ...(l.cooling ? [l.cooling] : [])])) this.dependentLoads[get(c).index]!.push(load);
    }
    const units = new Map<string, Unit>();
    for (const n of this.nodes) for (const u of n.allUnits()) units.set(u.name, u);
    for (const cc of spec.commonCause ?? []) {
      const group = new CommonCauseGroup(cc.label, cc.beta, cc.units.map((u) => units.get(u)!));
      for (const u of group.members) u.commonCauses.push(group);
      this.commonCauses.push(group);
    }
    const loadsByName = new Map(this.loads.map((l) => [l.name, l]));
    // A repair may give back the spare a postponed maintenance step waits for.
    if ((spec.maintenance ?? []).length > 0) {
      this.shop.onRepaired = () => {
        if (this.planWaits.count > 0) sim.markDirty();
      };
    }
    for (const m of spec.maintenance ?? []) {
      this.plans.push(new MaintenancePlan(m, sim, byName, units, m.loads.map((l) => loadsByName.get(l)!), this, this.planWaits));
    }
    const flat = (lists: Array<Array<{ index: number }>>) => {
      const start = new Int32Array(lists.length + 1);
      for (let i = 0; i < lists.length; i++) start[i + 1] = start[i]! + lists[i]!.length;
      return { start, index: Int32Array.from(lists.flat(), (x) => x.index) };
    };
    ({ start: this.dependentStart, index: this.dependentIndex } = flat(this.dependents));
    ({ start: this.loadStart, index: this.loadIndex } = flat(this.dependentLoads));
    this.loadPending = new Uint8Array(this.loads.length).fill(1);
    this.nodePending = new Uint8Array(this.nodes.length).fill(1);
    this.outOfService = new Uint8Array(this.nodes.length);
    this.upsNode = Uint8Array.from(this.nodes, (n) => (n.kind === NodeKind.ups ? 1 : 0));
    this.drawNodes = Int32Array.from(this.nodes.filter((n) => n.passesDraw).reverse(), (n) => n.index);
    sim.onSettle(() => this.settle());
  }

  /** A new replication with these streams: everything new and up. The simulation must be reset too. */
  reset(streams: Streams): void {
    this.shop.reset();
    for (const n of this.nodes) {
      n.reset(streams);
      n.outOfService = false;
      this.flows.levels[n.index] = n.level;
    }
    this.outOfService.fill(0);
    this.planWaits.count = 0;
    this.nodePending.fill(1);
    this.loadPending.fill(1);
    this.anyPending = this.anyLoadPending = true;
    for (const l of this.loads) l.reset(streams);
    this.loadPowered.fill(true);
    for (const g of this.commonCauses) g.reset(streams);
    for (const p of this.plans) p.reset();
    this.siteDown = this.siteUnpowered = this.siteDirty = false;
    this.downSince = this.unpoweredSince = this.dirtySince = 0;
    this.accountFrom = 0;
    this.current = null;
    this.account = { downtime: 0, planned: 0, outage: 0, dirty: 0, incidents: 0, log: [] };
  }

  /** Schedules every first event; all equipment starts new and up, batteries full. */
  start(): void {
    for (const n of this.nodes) n.start();
    for (const p of this.plans) p.start();
    this.settle();
  }

  /** Judge this node again at the end of the instant (maintenance took it out or put it back). */
  private markNode(node: PowerNode): void {
    this.nodePending[node.index] = 1;
    this.anyPending = true;
    this.sim.markDirty();
  }

  /** Takes a node out of service for maintenance or puts it back; it is judged again at the end of the instant. */
  setOutOfService(node: PowerNode, out: boolean): void {
    node.outOfService = out;
    this.outOfService[node.index] = out ? 1 : 0;
    this.markNode(node);
  }

  /** Judge this load again at the end of the instant. */
  touch(load: Load): void {
    this.loadPending[load.index] = 1;
    this.anyLoadPending = true;
    this.sim.markDirty();
  }

  /**
   * Judges what changed at this instant: pending nodes in topological order, and whatever reads
   * a node whose output level changed; then, if any level changed, the draws (batteries drain at
   * the load they carry); then the loads that see a changed node; then the site's books.
   */
  private settle(): void {
    let levelsChanged = false;
    let upsEvaluated = false;
    if (this.anyPending) {
      this.anyPending = false;
      const nodes = this.nodes;
      const pending = this.nodePending;
      const levels = this.flows.levels;
      const dependentStart = this.dependentStart;
      const dependentIndex = this.dependentIndex;
      for (let i = 0; i < nodes.length; i++) {
        if (pending[i] === 0) continue;
        pending[i] = 0;
        const n = nodes[i]!;
        let level = evaluate(n);
        if (this.outOfService[i] !== 0) level = n.level = n.maintenanceLevel();
        if (this.upsNode[i] !== 0) upsEvaluated = true;
        if (level !== levels[i]) {
          levels[i] = level;
          levelsChanged = true;
          for (let k = dependentStart[i]!; k < dependentStart[i + 1]!; k++) pending[dependentIndex[k]!] = 1;
          const loadStart = this.loadStart;
          if (loadStart[i]! < loadStart[i + 1]!) {
            for (let k = loadStart[i]!; k < loadStart[i + 1]!; k++) this.loadPending[this.loadIndex[k]!] = 1;
            this.anyLoadPending = true;
          }
        }
      }
    }
    if (levelsChanged || upsEvaluated) this.propagateDraws();
    if (this.anyLoadPending) {
      this.anyLoadPending = false;
      for (let i = 0; i < this.loads.length; i++) {
        if (this.loadPending[i] === 0) continue;
        this.loadPending[i] = 0;
        this.judge(this.loads[i]!);
      }
      this.book();
    }
    // Maintenance postponed because the redundancy it relies on was lost: try again now.
    if (this.planWaits.count > 0) for (const p of this.plans) if (p.pending) p.tryStep();
  }

  private propagateDraws(): void {
    const flows = this.flows;
    flows.draws.fill(0);
    const levels = flows.levels;
    for (const l of this.loads) {
      if (l.powerKw && bestLevel(l.feeds, levels) > Power.none) spreadDraw(l.powerKw, l.feeds, flows);
    }
    const order = this.drawNodes;
    for (let k = 0; k < order.length; k++) propagateDraw(this.nodes[order[k]!]!);
  }

  private judge(load: Load): void {
    const level = load.cords.length === 0 ? Power.clean : bestLevel(load.feeds, this.flows.levels);
    const tripped = load.cooling?.tripped ?? false;
    const wasLost = load.state === LoadState.unpowered || load.state === LoadState.tripped || load.state === LoadState.planned;
    load.level = level;
    if (load.plannedDown > 0) {
      if (load.state !== LoadState.planned) {
        load.chain = [`maintenance of ${load.plannedBy} (shutdown)`];
        this.sim.cancel(load.timer);
      }
      load.state = LoadState.planned;
    } else if (level === Power.none || tripped) {
      if (!wasLost) {
        load.chain = level === Power.none ? this.powerChain(load) : [...load.cooling!.explain(), `${load.name} thermal trip`];
        this.sim.cancel(load.timer);
      }
      load.state = level === Power.none ? LoadState.unpowered : LoadState.tripped;
    } else if (wasLost) {
      if (load.recovery) {
        load.state = LoadState.recovering;
        this.sim.after(load.timer, load.recoveryTime());
      } else load.state = LoadState.inService;
    } else if (load.state !== LoadState.recovering) {
      if (level === Power.dirtyDown && load.state !== LoadState.dirtyDown) load.chain = [...explainInputs(load.cords, 'dirty power'), `${load.name} on dirty power`];
      load.state = level === Power.dirtyDown ? LoadState.dirtyDown : LoadState.inService;
    }
    const powered = load.state !== LoadState.unpowered && load.state !== LoadState.tripped && load.state !== LoadState.planned;
    if (powered !== this.loadPowered[load.index]) {
      this.loadPowered[load.index] = powered;
      this.onPower?.(load.index, powered);
    }
  }

  /** Load names in model order (what a cluster's hosts refer to). */
  get loadNames(): string[] {
    return this.loads.map((l) => l.name);
  }

  /** The cause chain of a load that lost power: through its (last) cord. */
  private powerChain(load: Load): string[] {
    const cords = load.cords;
    if (cords.length === 1) return cords[0]!.explain();
    const chains = cords.map((c) => c.explain());
    return [...chains[chains.length - 1]!, `${load.name} lost all ${cords.length} cords (${chains.map((c) => rootOf(c)).join(' & ')})`];
  }

  private book(): void {
    const now = this.sim.now;
    let down = false;
    let unpowered = false;
    let dirty = false;
    for (const l of this.loads) {
      if (l.state !== LoadState.inService) down = true;
      if (l.level === Power.none) unpowered = true;
      if (l.level === Power.dirty || l.level === Power.dirtyDown) dirty = true;
    }
    if (unpowered !== this.siteUnpowered) {
      if (unpowered) this.unpoweredSince = now;
      else this.account.outage += now - Math.max(this.unpoweredSince, this.accountFrom);
      this.siteUnpowered = unpowered;
    }
    if (dirty !== this.siteDirty) {
      if (dirty) this.dirtySince = now;
      else this.account.dirty += now - Math.max(this.dirtySince, this.accountFrom);
      this.siteDirty = dirty;
    }
    if (down !== this.siteDown) {
      if (down) this.openIncident(now);
      else this.closeIncident(now);
      this.siteDown = down;
    } else if (down && this.current) {
      this.current.load = this.downLoads();
    }
  }

  private downLoads(): string {
    return this.loads
      .filter((l) => l.state !== LoadState.inService)
      .map((l) => l.name)
      .join('+');
  }

  private openIncident(now: number): void {
    this.downSince = now;
    this.account.incidents++;
    const first = this.loads.find((l) => l.state !== LoadState.inService)!;
    const chain = first.chain.length > 0 ? first.chain : ['unknown'];
    const planned = first.state === LoadState.planned;
    this.current = { start: now, end: now, load: this.downLoads(), cause: chain.join(' > '), root: rootOf(chain), planned };
    this.currentPlanned = planned;
  }

  private closeIncident(now: number): void {
    const length = now - Math.max(this.downSince, this.accountFrom);
    this.account.downtime += length;
    if (this.currentPlanned) this.account.planned += length;
    if (this.current) {
      this.current.end = now;
      this.account.log.push(this.current);
      this.current = null;
    }
  }

  /** Starts accounting at the current time (end of warm-up); a loss in progress counts as an incident from here. */
  beginAccounting(): void {
    const now = this.sim.now;
    this.accountFrom = now;
    this.account = { downtime: 0, planned: 0, outage: 0, dirty: 0, incidents: this.siteDown ? 1 : 0, log: [] };
    if (this.current) this.current.start = now;
  }

  /** Closes the books at the horizon: an incident in progress is cut there. */
  finish(): void {
    const now = this.sim.now;
    if (this.siteUnpowered) this.account.outage += now - Math.max(this.unpoweredSince, this.accountFrom);
    if (this.siteDirty) this.account.dirty += now - Math.max(this.dirtySince, this.accountFrom);
    if (this.siteDown) this.closeIncident(now);
  }
}

/**
 * First pass of a settle for one node; returns its new level. The switch on the node's kind gives
 * each call site a single class (a call through the base class would see seven).
 */
function evaluate(n: PowerNode): Power {
  switch (n.kind) {
    case NodeKind.ups: {
      const u = n as UpsNode;
      u.evaluate();
      return u.level;
    }
    case NodeKind.transferSwitch: {
      const t = n as TransferSwitchNode;
      t.evaluate();
      return t.level;
    }
    case NodeKind.cooling: {
      const c = n as CoolingNode;
      c.evaluate();
      return c.level;
    }
    case NodeKind.distribution: {
      const d = n as DistributionNode;
      d.evaluate();
      return d.level;
    }
    case NodeKind.generator: {
      const g = n as GeneratorNode;
      g.evaluate();
      return g.level;
    }
    case NodeKind.utility: {
      const u = n as UtilityNode;
      u.evaluate();
      return u.level;
    }
    case NodeKind.group: {
      const g = n as GroupNode;
      g.evaluate();
      return g.level;
    }
  }
}

/** Second pass of a settle for one node (see `evaluate` for the switch). */
function propagateDraw(n: PowerNode): void {
  switch (n.kind) {
    case NodeKind.ups:
      (n as UpsNode).propagateDraw();
      return;
    case NodeKind.distribution:
      (n as DistributionNode).propagateDraw();
      return;
    case NodeKind.cooling:
      (n as CoolingNode).propagateDraw();
      return;
    default:
      n.propagateDraw();
  }
}

/** The nodes whose output a node reads. */
function readsFrom(n: NodeSpec): string[] {
  switch (n.kind) {
    case 'distribution':
    case 'cooling':
      return n.inputs;
    case 'ups':
      return [...n.inputs, n.bypass];
    case 'transfer_switch':
      return [n.primary, n.secondary];
    default:
      return [];
  }
}

function buildNode(n: NodeSpec, ctx: NodeContext, get: (name: string) => PowerNode): PowerNode {
  switch (n.kind) {
    case 'group':
      return new GroupNode(n, ctx);
    case 'utility':
      return new UtilityNode(n, ctx);
    case 'distribution':
      return new DistributionNode(n, ctx, n.inputs.map(get));
    case 'generator':
      return new GeneratorNode(n, ctx);
    case 'transfer_switch':
      return new TransferSwitchNode(n, ctx, get(n.primary), get(n.secondary));
    case 'ups':
      return new UpsNode(n, ctx, n.inputs.map(get), get(n.bypass));
    case 'cooling':
      return new CoolingNode(n, ctx, n.inputs.map(get));
  }
}
