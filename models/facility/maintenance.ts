/**
 * Planned maintenance and common-cause failures, acting on the facility's nodes and units.
 */
import type { Simulation } from '../../sim/engine.js';
import type { Stream, Streams } from '../../sim/rng.js';
import { Power, type PowerNode } from './power.js';
import type { MaintenanceSpec } from './spec.js';
import type { CommonCause, Unit } from './units.js';

interface Step {
  unit: Unit | null;
  /** The node whose spare units a unit step relies on. */
  owner: PowerNode | null;
  nodes: PowerNode[];
  /** The other sides a node step relies on. */
  siblings: PowerNode[];
}

/** A load that shutdown maintenance can hold down. */
export interface PlannedLoad {
  plannedDown: number;
  plannedBy: string;
}

/** What a maintenance plan asks of the facility. */
export interface MaintenanceHost {
  /** Takes a node out of service or puts it back (and judges it again at the end of the instant). */
  setOutOfService(node: PowerNode, out: boolean): void;
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
  /** Waiting for the redundancy its current step relies on (retried at every settle). */
  private waiting = false;
  private active = false;
  private step = 0;
  private readonly dueTimer: number;
  private readonly endTimer: number;
  private current: Step | null = null;
  /** The steps resolved once: the unit or nodes taken out, and what their redundancy rests on. */
  private readonly steps: Step[];

  constructor(
    private readonly spec: MaintenanceSpec,
    private readonly sim: Simulation,
    nodes: Map<string, PowerNode>,
    units: Map<string, Unit>,
    private readonly loads: PlannedLoad[],
    private readonly model: MaintenanceHost,
    /** How many plans of the facility are waiting (so a settle skips the retries when none is). */
    private readonly waits: { count: number },
  ) {
    this.dueTimer = sim.timer(`maintenance/${spec.target}`, () => this.due());
    this.endTimer = sim.timer(`maintenance/${spec.target}/end`, () => this.endStep());
    const all = [...nodes.values()];
    this.steps = spec.steps.map((s): Step => {
      if ('unit' in s) {
        const unit = units.get(s.unit)!;
        return { unit, owner: all.find((n) => n.allUnits().includes(unit)) ?? null, nodes: [], siblings: [] };
      }
      const out = s.nodes.map((n) => nodes.get(n)!);
      // A subsystem relies on its siblings (the other sides of the same component).
      const siblings = all.filter((n) => !out.includes(n) && out.some((o) => o.name.includes('.') && n.name.startsWith(`${o.name.slice(0, o.name.indexOf('.'))}.`)));
      return { unit: null, owner: null, nodes: out, siblings };
    });
  }

  get pending(): boolean {
    return this.waiting;
  }

  private setWaiting(on: boolean): void {
    if (on !== this.waiting) this.waits.count += on ? 1 : -1;
    this.waiting = on;
  }

  /** New replication (the facility zeroes the shared count of waiting plans). */
  reset(): void {
    this.waiting = this.active = false;
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
    const step = this.steps[this.step]!;
    const { unit, nodes } = step;
    if (unit && !unit.up) {
      // Failed or already out: nothing to service now; on to the next step.
      this.setWaiting(false);
      this.advance();
      return;
    }
    if (this.spec.mode === 'concurrent' && !this.redundancyHolds(step)) {
      this.setWaiting(true);
      return;
    }
    this.setWaiting(false);
    this.current = step;
    unit?.setMaintenance(true);
    for (const n of nodes) this.model.setOutOfService(n, true);
    for (const l of this.loads) {
      l.plannedDown++;
      l.plannedBy = this.spec.target;
      this.model.touch(l);
    }
    this.sim.after(this.endTimer, this.spec.duration);
  }

  private redundancyHolds(step: Step): boolean {
    if (step.unit) {
      if (!step.owner) return true;
      return step.owner.spareByDesign() === 0 || step.owner.spareNow() > 0;
    }
    return step.siblings.every((n) => n.level > Power.none);
  }

  private endStep(): void {
    const c = this.current;
    if (c) {
      c.unit?.setMaintenance(false);
      for (const n of c.nodes) this.model.setOutOfService(n, false);
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
