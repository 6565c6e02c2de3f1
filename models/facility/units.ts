/**
 * Repairable units and the repair shop they share.
 *
 * Ageing (SCENARIOS.md): a unit's time to failure is drawn when it enters service (new or
 * repaired, as good as new); its failure clock pauses while it is down or switched off and
 * resumes where it stopped. One timer per unit serves both purposes (next failure while up,
 * end of repair while down).
 */
import type { Distribution } from '../../sim/distributions.js';
import type { Simulation } from '../../sim/engine.js';
import type { Stream, Streams } from '../../sim/rng.js';

export const UnitState = { up: 'up', waiting: 'waiting', repairing: 'repairing', down: 'down' } as const;
export type UnitState = (typeof UnitState)[keyof typeof UnitState];

/** What a unit tells the equipment it belongs to. */
export interface UnitOwner {
  unitFailed(unit: Unit): void;
  unitRepaired(unit: Unit): void;
}

/** Units that fail together (beta factor), see model.ts. */
export interface CommonCause {
  /** Called on a unit's own failure: true when it is a common-cause event (the caller's cue). */
  strikes(unit: Unit): boolean;
  /** Fails every other member that is up. */
  propagate(unit: Unit): void;
  readonly label: string;
}

export class Unit {
  state: UnitState = UnitState.up;
  /** False while switched off: the failure clock is paused. */
  running = true;
  /** True while taken out for planned maintenance (not failed, not available, clock paused). */
  maintained = false;
  /** Set when the current failure is part of a common-cause event: its label. */
  failCause = '';
  /** Common-cause groups this unit belongs to. */
  commonCauses: CommonCause[] = [];
  /**
   * Hidden failures (idle standby units, batteries): a failure is not noticed, so no repair
   * starts, until `reveal` (a test or a demand found it).
   */
  hidden = false;
  readonly timer: number;
  /** Time to failure left when the clock was paused (NaN when it is running or not drawn). */
  private remaining = NaN;
  private streams: Streams | null = null;
  private failureStream: Stream | null = null;
  private repairStream: Stream | null = null;
  private logisticsStream: Stream | null = null;
  /** Stream names, built once (every replication asks for them again). */
  private readonly failureKey: string;
  private readonly repairKey: string;
  private readonly logisticsKey: string;

  constructor(
    readonly name: string,
    readonly failure: Distribution | null,
    readonly repair: Distribution | null,
    readonly owner: UnitOwner,
    private readonly shop: RepairShop,
    private readonly sim: Simulation,
  ) {
    this.timer = sim.timer(name, () => (this.state === UnitState.up ? this.fail() : this.repaired()));
    this.failureKey = `${name}/failure`;
    this.repairKey = `${name}/repair`;
    this.logisticsKey = `${name}/logistics`;
  }

  /** Available: not failed and not in maintenance. */
  get up(): boolean {
    return this.state === UnitState.up && !this.maintained;
  }

  /** Does the failure clock run? */
  private get clockOn(): boolean {
    return this.running && !this.maintained;
  }

  /** New replication: new streams, new and up, not yet aged. */
  reset(streams: Streams): void {
    this.streams = streams;
    this.failureStream = this.repairStream = this.logisticsStream = null;
    this.state = UnitState.up;
    this.running = true;
    this.maintained = false;
    this.failCause = '';
    this.remaining = NaN;
  }

  /** Draws the first time to failure (call once per replication, after reset). */
  start(): void {
    this.enterService();
  }

  /** Switches the unit off (its failure clock pauses) or on again (it resumes). */
  setRunning(on: boolean): void {
    if (on === this.running) return;
    const before = this.clockOn;
    this.running = on;
    this.clockChanged(before);
  }

  /** Takes the unit out for maintenance (its owner sees it unavailable) or puts it back. */
  setMaintenance(on: boolean): void {
    if (on === this.maintained || this.state !== UnitState.up) return;
    const before = this.clockOn;
    this.maintained = on;
    this.clockChanged(before);
    if (on) this.owner.unitFailed(this);
    else this.owner.unitRepaired(this);
  }

  private clockChanged(before: boolean): void {
    const after = this.clockOn;
    if (after === before || this.state !== UnitState.up || !this.failure) return;
    if (after) {
      this.sim.after(this.timer, this.remaining);
      this.remaining = NaN;
    } else {
      this.remaining = this.sim.timeOf(this.timer) - this.sim.now;
      this.sim.cancel(this.timer);
    }
  }

  /** Fails the unit now, whatever its clock says (a failed start); `cause` labels a common-cause failure. */
  failNow(cause = ''): void {
    if (this.state !== UnitState.up) return;
    if (this.maintained) this.setMaintenance(false);
    this.failCause = cause;
    this.fail(cause !== '');
  }

  private enterService(): void {
    this.state = UnitState.up;
    if (!this.failure) return;
    this.failureStream ??= this.streams!.get(this.failureKey);
    const ttf = this.failure.sample(this.failureStream);
    if (this.clockOn) this.sim.after(this.timer, ttf);
    else this.remaining = ttf;
  }

  /** `induced`: failed by a common-cause event, which must not strike again from here. */
  private fail(induced = false): void {
    // Fired by its own timer, the timer is idle already (and re-armed in place by a repair);
    // failed from outside, the pending failure is cancelled.
    if (this.sim.isScheduled(this.timer)) this.sim.cancel(this.timer);
    this.remaining = NaN;
    let strike: CommonCause | undefined;
    if (!induced) {
      this.failCause = '';
      for (let i = 0; i < this.commonCauses.length && !strike; i++) if (this.commonCauses[i]!.strikes(this)) strike = this.commonCauses[i];
      if (strike) this.failCause = strike.label;
    }
    const repairNow = this.repair !== null && !this.hidden;
    this.state = repairNow ? UnitState.waiting : UnitState.down;
    this.owner.unitFailed(this);
    if (repairNow) this.shop.request(this);
    strike?.propagate(this);
  }

  /** A hidden failure is found: the repair starts (if the unit has one). */
  reveal(): void {
    if (this.state !== UnitState.down || !this.repair) return;
    this.state = UnitState.waiting;
    this.shop.request(this);
  }

  /** Called by the shop when a crew takes this unit. */
  beginRepair(logistics: Distribution | null): void {
    this.state = UnitState.repairing;
    let delay = 0;
    if (logistics) {
      this.logisticsStream ??= this.streams!.get(this.logisticsKey);
      delay = logistics.sample(this.logisticsStream);
    }
    this.repairStream ??= this.streams!.get(this.repairKey);
    this.sim.after(this.timer, delay + this.repair!.sample(this.repairStream));
  }

  private repaired(): void {
    this.shop.release();
    this.failCause = '';
    this.enterService();
    this.owner.unitRepaired(this);
    this.shop.onRepaired?.();
  }

  /** "ups.a.2 in repair" */
  describe(): string {
    const what = this.maintained
      ? 'in maintenance'
      : this.state === UnitState.waiting
        ? 'waiting for a crew'
        : this.state === UnitState.repairing
          ? 'in repair'
          : this.state === UnitState.down
            ? 'down'
            : 'up';
    return `${this.name} ${what}`;
  }
}

/** Shared repair crews: a failed unit waits, first failed first served, for a free crew. */
export class RepairShop {
  private free: number;
  private readonly queue: Unit[] = [];
  private head = 0;

  /** Called after every repair (the facility retries postponed maintenance then). */
  onRepaired: (() => void) | null = null;

  constructor(
    private readonly crews: number,
    private readonly logistics: Distribution | null,
  ) {
    this.free = crews;
  }

  reset(): void {
    this.free = this.crews;
    this.queue.length = 0;
    this.head = 0;
  }

  request(unit: Unit): void {
    if (this.free > 0) {
      this.free--;
      unit.beginRepair(this.logistics);
    } else this.queue.push(unit);
  }

  release(): void {
    if (this.head < this.queue.length) {
      const next = this.queue[this.head++]!;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
      next.beginRepair(this.logistics);
    } else this.free++;
  }
}
