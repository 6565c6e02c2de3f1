/**
 * Planned maintenance and common-cause failures, acting on the facility's nodes and units.
 */
import type { Simulation } from '../../sim/engine.js';
import type { Stream, Streams } from '../../sim/rng.js';
import { Power, type PowerNode } from './power.js';
import type { MaintenanceSpec } from './spec.js';
import type { CommonCause, Unit } from './units.js';

/** A load that shutdown maintenance can hold down. */
export interface PlannedLoad {
  plannedDown: number;
  plannedBy: string;
}

/** What a maintenance plan asks of the facility. */
export interface MaintenanceHost {
  /** Judge this node again at the end of the instant. */
  markNode(node: PowerNode): void;
  /** Judge this load again at the end of the instant. */
  touch(load: PlannedLoad): void;
}

/** Beta factor: a member's own failure is, with probability beta, a failure of every member. */
export class CommonCauseGroup implements CommonCause {
  readonly label: string;
  private stream: Stream | null = null;
  private streams: Streams | null = null;

  constructor(
    private readonly name: string,
    private readonly beta: number,
    readonly members: Unit[],
  ) {
    this.label = `common cause ${name}`;
  }

  reset(streams: Streams): void {
    this.streams = streams;
    this.stream = null;
  }

  strikes(): boolean {
    if (this.beta <= 0) return false;
    this.stream ??= this.streams!.get(`common_cause/${this.name}`);
    return this.stream.uniform() <= this.beta;
  }

  propagate(unit: Unit): void {
    for (const m of this.members) if (m !== unit) m.failNow(this.label);
  }
}

/**
 * One maintenance plan: due at `offset`, then every `every`; its steps (units one at a time,
 * or nodes) each out for `duration`. Concurrent maintenance waits while the redundancy it relies
 * on is lost (a unit whose system has no spare now, a subsystem whose sibling is down); a target
 * that never had redundancy goes out anyway and its loads drop (unplanned downtime). Shutdown
 * maintenance takes the target out and holds its dependent loads down (planned downtime).
 * Maintenance has its own staff: it does not use the repair crews. A round still running when
 * the next is due makes that one skipped.
 */
export class MaintenancePlan {
  pending = false;
  private active = false;
  private step = 0;
  private readonly dueTimer: number;
  private readonly endTimer: number;
  private current: { unit: Unit | null; nodes: PowerNode[] } | null = null;

  constructor(
    private readonly spec: MaintenanceSpec,
    private readonly sim: Simulation,
    private readonly nodes: Map<string, PowerNode>,
    private readonly units: Map<string, Unit>,
    private readonly loads: PlannedLoad[],
    private readonly model: MaintenanceHost,
  ) {
    this.dueTimer = sim.timer(`maintenance/${spec.target}`, () => this.due());
    this.endTimer = sim.timer(`maintenance/${spec.target}/end`, () => this.endStep());
  }

  reset(): void {
    this.pending = this.active = false;
    this.step = 0;
    this.current = null;
  }

  start(): void {
    this.sim.after(this.dueTimer, this.spec.offset);
  }

  private due(): void {
    this.sim.after(this.dueTimer, this.spec.every);
    if (this.active) return;
    this.active = true;
    this.step = 0;
    this.tryStep();
  }

  /** Starts the current step if its redundancy allows (concurrent), else waits for a settle. */
  tryStep(): void {
    const s = this.spec.steps[this.step]!;
    const unit = 'unit' in s ? this.units.get(s.unit)! : null;
    const nodes = 'nodes' in s ? s.nodes.map((n) => this.nodes.get(n)!) : [];
    if (unit && !unit.up) {
      // Failed or already out: nothing to service now; on to the next step.
      this.pending = false;
      this.advance();
      return;
    }
    if (this.spec.mode === 'concurrent' && !this.redundancyHolds(unit, nodes)) {
      this.pending = true;
      return;
    }
    this.pending = false;
    this.current = { unit, nodes };
    unit?.setMaintenance(true);
    for (const n of nodes) {
      n.outOfService = true;
      this.model.markNode(n);
    }
    for (const l of this.loads) {
      l.plannedDown++;
      l.plannedBy = this.spec.target;
      this.model.touch(l);
    }
    this.sim.after(this.endTimer, this.spec.duration);
  }

  private redundancyHolds(unit: Unit | null, nodes: PowerNode[]): boolean {
    if (unit) {
      const owner = [...this.nodes.values()].find((n) => n.allUnits().includes(unit));
      if (!owner) return true;
      const spare = owner.spare();
      return spare.design === 0 || spare.now > 0;
    }
    // A subsystem relies on its siblings (the other sides of the same component).
    return nodes.every((node) => {
      const component = node.name.includes('.') ? node.name.slice(0, node.name.indexOf('.')) : node.name;
      const siblings = [...this.nodes.values()].filter((n) => n !== node && n.name.startsWith(`${component}.`) && !nodes.includes(n));
      return siblings.every((n) => n.level > Power.none);
    });
  }

  private endStep(): void {
    const c = this.current;
    if (c) {
      c.unit?.setMaintenance(false);
      for (const n of c.nodes) {
        n.outOfService = false;
        this.model.markNode(n);
      }
      for (const l of this.loads) {
        l.plannedDown--;
        this.model.touch(l);
      }
      this.current = null;
    }
    // Another plan may be waiting for what this one gives back.
    this.sim.markDirty();
    this.advance();
  }

  private advance(): void {
    this.step++;
    if (this.step < this.spec.steps.length) this.tryStep();
    else this.active = false;
  }
}
