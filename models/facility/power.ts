/**
 * What flows along the power graph: an output level per node, judged once per instant in
 * topological order (sources first), and the explanation of a loss as a cause chain.
 */
import type { Simulation } from '../../sim/engine.js';
import type { Streams } from '../../sim/rng.js';
import type { FadeCurve } from './nodes/battery.js';
import type { RepairShop, Unit } from './units.js';

/**
 * Output level of a node. Dirty power is unconditioned mains reaching the load through a static
 * bypass while the mains are of poor quality; `dirtyDown` is dirty power that the UPS it passed
 * was told to count as downtime (`bypass_poor_quality_is_down`).
 */
export const Power = { none: 0, dirtyDown: 1, dirty: 2, clean: 3 } as const;
export type Power = (typeof Power)[keyof typeof Power];

/** The node classes, as a tag: the settle dispatches on it so each call site sees one class. */
export const NodeKind = { group: 0, utility: 1, distribution: 2, generator: 3, transferSwitch: 4, ups: 5, cooling: 6 } as const;
export type NodeKind = (typeof NodeKind)[keyof typeof NodeKind];

/**
 * The graph's flows as flat arrays indexed by node position: output levels (a mirror of each
 * node's `level`, written by the settle after every evaluation) and the power drawn through each
 * node. Loops over several nodes' feeds read these instead of fields of differently shaped
 * objects.
 */
export interface Flows {
  readonly levels: Uint8Array;
  readonly draws: Float64Array;
}

/** Everything a node needs from the facility. */
export interface NodeContext {
  readonly sim: Simulation;
  readonly shop: RepairShop;
  readonly flows: Flows;
  /** Battery capacity curves, shared by banks of the same make, size and age. */
  readonly fadeCurves: Map<string, FadeCurve>;
  /** Asks for this node to be judged again at the end of this instant. */
  changed(node: PowerNode): void;
}

export abstract class PowerNode {
  level: Power = Power.clean;
  /** Taken out for maintenance as a whole (a subsystem, a series element). */
  outOfService = false;
  /** Nominal power this node must carry (kW): the design load, for sizing and demand. */
  carriedKw = 0;
  /** Position in topological order. */
  index = -1;
  abstract readonly kind: NodeKind;

  constructor(
    readonly name: string,
    protected readonly ctx: NodeContext,
  ) {}

  /** Power actually drawn through this node (kW), from the second pass of a settle. */
  get draw(): number {
    return this.ctx.flows.draws[this.index]!;
  }

  /** Something about this node changed: judge it again at the end of the instant. */
  protected changed(): void {
    this.ctx.changed(this);
  }

  /** New replication: new streams, everything new and up. */
  abstract reset(streams: Streams): void;
  /** Schedules the first events of a replication. */
  abstract start(): void;
  /** First pass of a settle: read the inputs' levels, update state, set `level`. */
  abstract evaluate(): void;
  /** Second pass (reverse order): pass `draw` on to the inputs and react to it (batteries). */
  propagateDraw(): void {}
  /** Does `propagateDraw` do anything? (The settle calls only those that do.) */
  get passesDraw(): boolean {
    return false;
  }
  /** Why this node's output is below clean, root first ("utility outage", "gensets fail_to_start"). */
  explain(): string[] {
    return this.outOfService ? [`maintenance of ${this.name} (out of service)`] : this.explainLoss();
  }
  /** `explain` for a node in service. */
  protected abstract explainLoss(): string[];
  /** The repairable units it is made of (for maintenance and common cause). */
  allUnits(): readonly Unit[] {
    return [];
  }
  /** Units beyond those needed by design (for postponing maintenance). */
  spareByDesign(): number {
    return 0;
  }
  /** Units beyond those needed that are available now. */
  spareNow(): number {
    return 0;
  }
  /** Its output while taken out for maintenance: nothing, unless it can be bypassed. */
  maintenanceLevel(): Power {
    return Power.none;
  }
}

/** The cause chain of the first input that is down (or the given fallback). */
export function explainInputs(inputs: readonly PowerNode[], fallback: string): string[] {
  const lost = inputs.find((n) => n.level === Power.none) ?? inputs.find((n) => n.level < Power.clean);
  return lost ? lost.explain() : [fallback];
}

/** The best level among several feeds (a dual-corded load, an element with several inputs). */
export function bestOf(inputs: readonly PowerNode[]): Power {
  let best: Power = Power.none;
  for (const n of inputs) if (n.level > best) best = n.level;
  return best;
}

/** `bestOf` on the flat levels: feeds given by node index. */
export function bestLevel(feeds: Int32Array, levels: Uint8Array): Power {
  let best = 0;
  for (let k = 0; k < feeds.length; k++) {
    const l = levels[feeds[k]!]!;
    if (l > best) best = l;
  }
  return best as Power;
}

/** Shares a draw equally among the powered feeds (several cords or inputs), given by node index. */
export function spreadDraw(draw: number, feeds: Int32Array, flows: Flows): void {
  if (draw === 0) return;
  const levels = flows.levels;
  let powered = 0;
  for (let k = 0; k < feeds.length; k++) if (levels[feeds[k]!]! > Power.none) powered++;
  if (powered === 0) return;
  const share = draw / powered;
  const draws = flows.draws;
  for (let k = 0; k < feeds.length; k++) {
    const i = feeds[k]!;
    if (levels[i]! > Power.none) draws[i] = draws[i]! + share;
  }
}

/** The node indices of a feed list (resolved once, when the model is built). */
export function indicesOf(nodes: readonly PowerNode[]): Int32Array {
  return Int32Array.from(nodes, (n) => n.index);
}
