/**
 * The facility as a state machine on the engine: repairable units in subsystems, shared repair
 * crews, and loads whose service is judged once per instant.
 *
 * Unit life (SCENARIOS.md "Ageing"): a time to failure is drawn when the unit enters service
 * (as good as new after repair); while down it does not age. One timer per unit serves both
 * purposes (next failure while up, repair completion while down).
 */
import { makeDistribution, type Distribution } from '../../sim/distributions.js';
import type { Simulation } from '../../sim/engine.js';
import type { Stream, Streams } from '../../sim/rng.js';
import type { FacilitySpec } from './spec.js';

export const UnitState = { up: 'up', waiting: 'waiting', repairing: 'repairing', down: 'down' } as const;
export type UnitState = (typeof UnitState)[keyof typeof UnitState];

export const LoadState = { inService: 'in_service', unpowered: 'unpowered', recovering: 'recovering' } as const;
export type LoadState = (typeof LoadState)[keyof typeof LoadState];

/** One loss of service of the site, cut at the horizon. */
export interface Incident {
  start: number;
  end: number;
  /** The load (or loads, joined by "+") that lost service. */
  load: string;
  /** The chain from root to effect, joined by " > ". */
  cause: string;
  planned: boolean;
}

class Unit {
  state: UnitState = UnitState.up;
  timer = -1;
  // Streams are created on first use: seeding one costs microseconds, and most units of a
  // reliable facility never fail in a replication (STYLE.md).
  private failureStream: Stream | null = null;
  private repairStream: Stream | null = null;
  private logisticsStream: Stream | null = null;
  private streams: Streams | null = null;
  constructor(
    readonly name: string,
    readonly subsystem: Subsystem,
    readonly failure: Distribution | null,
    readonly repair: Distribution | null,
  ) {}

  /** New replication: new streams, new and up. */
  reset(streams: Streams): void {
    this.streams = streams;
    this.failureStream = this.repairStream = this.logisticsStream = null;
    this.state = UnitState.up;
  }

  timeToFailure(): number {
    this.failureStream ??= this.streams!.get(`${this.name}/failure`);
    return this.failure!.sample(this.failureStream);
  }

  repairTime(): number {
    this.repairStream ??= this.streams!.get(`${this.name}/repair`);
    return this.repair!.sample(this.repairStream);
  }

  logisticsDelay(d: Distribution): number {
    this.logisticsStream ??= this.streams!.get(`${this.name}/logistics`);
    return d.sample(this.logisticsStream);
  }
}

class Subsystem {
  up = 0;
  delivering = true;
  /** The unit failure that last took this subsystem below its need (the root cause of its loss). */
  lostBy = '';
  readonly units: Unit[] = [];
  constructor(
    readonly name: string,
    readonly needed: number,
  ) {}
}

class Load {
  state: LoadState = LoadState.inService;
  timer = -1;
  cause = '';
  private recoveryStream: Stream | null = null;
  private streams: Streams | null = null;
  constructor(
    readonly name: string,
    readonly cords: Subsystem[],
    readonly recovery: Distribution | null,
  ) {}

  reset(streams: Streams): void {
    this.streams = streams;
    this.recoveryStream = null;
    this.state = LoadState.inService;
    this.cause = '';
  }

  recoveryTime(): number {
    this.recoveryStream ??= this.streams!.get(`${this.name}/recovery`);
    return this.recovery!.sample(this.recoveryStream);
  }
}

/** Per-replication accounting of site service, from `start` on. */
export interface Accounting {
  downtime: number;
  outage: number;
  incidents: number;
  log: Incident[];
}

export class FacilityModel {
  private readonly units: Unit[] = [];
  private readonly subsystems: Subsystem[] = [];
  private readonly loads: Load[] = [];
  private readonly crewQueue: Unit[] = [];
  private queueHead = 0;
  private freeCrews: number;
  private readonly crewCount: number;
  private readonly logistics: Distribution | null;

  // Site state and accounting.
  private siteDown = false;
  private siteUnpowered = false;
  private downSince = 0;
  private unpoweredSince = 0;
  private accountFrom = 0;
  private current: Incident | null = null;
  readonly account: Accounting = { downtime: 0, outage: 0, incidents: 0, log: [] };

  /** Builds the model once; `reset` prepares it for each replication. */
  constructor(
    private readonly sim: Simulation,
    spec: FacilitySpec,
    private readonly keepLog: boolean,
  ) {
    this.crewCount = spec.crews.count;
    this.freeCrews = spec.crews.count;
    this.logistics = spec.crews.logisticsDelay ? makeDistribution(spec.crews.logisticsDelay) : null;
    const byName = new Map<string, Subsystem>();
    for (const g of spec.groups) {
      for (const s of g.subsystems) {
        const sub = new Subsystem(s.name, s.needed);
        for (const u of s.units) {
          const unit = new Unit(
            u.name,
            sub,
            u.failure ? makeDistribution(u.failure) : null,
            u.repair ? makeDistribution(u.repair) : null,
          );
          unit.timer = sim.timer(u.name, () => this.onUnitTimer(unit));
          sub.units.push(unit);
          this.units.push(unit);
        }
        sub.up = sub.units.length;
        sub.delivering = sub.up >= sub.needed;
        byName.set(s.name, sub);
        this.subsystems.push(sub);
      }
    }
    for (const l of spec.loads) {
      const load = new Load(
        l.name,
        l.cords.map((c) => byName.get(c)!),
        l.recovery ? makeDistribution(l.recovery) : null,
      );
      // Recovery completes after events of the same instant that might interrupt it again.
      load.timer = sim.timer(`${l.name}/recovery`, () => this.onRecovered(load), 1);
      this.loads.push(load);
    }
    sim.onSettle(() => this.settle());
  }

  /**
   * A new replication with these streams: everything new and up, batteries of accounting empty.
   * The simulation must have been reset too.
   */
  reset(streams: Streams): void {
    for (const u of this.units) u.reset(streams);
    for (const s of this.subsystems) {
      s.up = s.units.length;
      s.delivering = s.up >= s.needed;
      s.lostBy = '';
    }
    for (const l of this.loads) l.reset(streams);
    this.crewQueue.length = 0;
    this.queueHead = 0;
    this.freeCrews = this.crewCount;
    this.siteDown = false;
    this.siteUnpowered = false;
    this.downSince = 0;
    this.unpoweredSince = 0;
    this.accountFrom = 0;
    this.current = null;
    this.account.downtime = 0;
    this.account.outage = 0;
    this.account.incidents = 0;
    this.account.log = [];
  }

  /** Draws every unit's first time to failure; all equipment starts new and up. */
  start(): void {
    for (const u of this.units) this.enterService(u);
    this.settle();
  }

  private enterService(u: Unit): void {
    u.state = UnitState.up;
    if (u.failure) this.sim.after(u.timer, u.timeToFailure());
  }

  private onUnitTimer(u: Unit): void {
    if (u.state === UnitState.up) this.fail(u);
    else this.repaired(u);
  }

  private fail(u: Unit): void {
    const sub = u.subsystem;
    sub.up--;
    if (sub.delivering && sub.up < sub.needed) {
      sub.delivering = false;
      sub.lostBy = this.describeLoss(u);
      this.sim.markDirty();
    }
    if (!u.repair) {
      u.state = UnitState.down;
      return;
    }
    if (this.freeCrews > 0) this.startRepair(u);
    else {
      u.state = UnitState.waiting;
      this.crewQueue.push(u);
    }
  }

  private startRepair(u: Unit): void {
    this.freeCrews--;
    u.state = UnitState.repairing;
    const delay = this.logistics ? u.logisticsDelay(this.logistics) : 0;
    this.sim.after(u.timer, delay + u.repairTime());
  }

  /** "ups.4 failed (ups.2 in repair)": the failure that took a subsystem below its need, and why it mattered. */
  private describeLoss(u: Unit): string {
    const others = u.subsystem.units.filter((x) => x !== u && x.state !== UnitState.up);
    if (others.length === 0) return `${u.name} failed`;
    const what = (x: Unit) => `${x.name} ${x.state === UnitState.waiting ? 'waiting for a crew' : x.state === UnitState.repairing ? 'in repair' : 'down'}`;
    return `${u.name} failed (${others.map(what).join(', ')})`;
  }

  private repaired(u: Unit): void {
    this.freeCrews++;
    const sub = u.subsystem;
    sub.up++;
    if (!sub.delivering && sub.up >= sub.needed) {
      sub.delivering = true;
      this.sim.markDirty();
    }
    this.enterService(u);
    if (this.queueHead < this.crewQueue.length) {
      const next = this.crewQueue[this.queueHead++]!;
      if (this.queueHead === this.crewQueue.length) {
        this.crewQueue.length = 0;
        this.queueHead = 0;
      }
      this.startRepair(next);
    }
  }

  private onRecovered(load: Load): void {
    load.state = LoadState.inService;
    this.sim.markDirty();
  }

  /** Judges every load once all events of the instant are applied. */
  private settle(): void {
    const now = this.sim.now;
    let anyDown = false;
    let anyUnpowered = false;
    for (const load of this.loads) {
      let powered = load.cords.length === 0;
      for (const c of load.cords) if (c.delivering) powered = true;
      if (!powered) {
        if (load.state !== LoadState.unpowered) {
          load.cause = this.causeOf(load);
          this.sim.cancel(load.timer);
        }
        load.state = LoadState.unpowered;
      } else if (load.state === LoadState.unpowered) {
        if (load.recovery) {
          load.state = LoadState.recovering;
          this.sim.after(load.timer, load.recoveryTime());
        } else load.state = LoadState.inService;
      }
      if (load.state !== LoadState.inService) anyDown = true;
      if (load.state === LoadState.unpowered) anyUnpowered = true;
    }
    if (anyUnpowered !== this.siteUnpowered) {
      if (anyUnpowered) this.unpoweredSince = now;
      else this.account.outage += now - Math.max(this.unpoweredSince, this.accountFrom);
      this.siteUnpowered = anyUnpowered;
    }
    if (anyDown !== this.siteDown) {
      if (anyDown) this.openIncident(now);
      else this.closeIncident(now);
      this.siteDown = anyDown;
    } else if (anyDown && this.current) {
      this.current.load = this.downLoads();
    }
  }

  private causeOf(load: Load): string {
    const lost = load.cords.map((c) => `${c.lostBy} > ${c.name} below ${c.needed} of ${c.units.length} units`);
    return lost.length > 0 ? lost.join(' & ') : 'unknown';
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
    if (this.keepLog) {
      const first = this.loads.find((l) => l.state !== LoadState.inService)!;
      this.current = { start: now, end: now, load: this.downLoads(), cause: first.cause, planned: false };
    }
  }

  private closeIncident(now: number): void {
    this.account.downtime += now - Math.max(this.downSince, this.accountFrom);
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
    this.account.downtime = 0;
    this.account.outage = 0;
    this.account.incidents = this.siteDown ? 1 : 0;
    this.account.log = [];
    if (this.current) this.current.start = now;
  }

  /** Closes the books at the horizon: an incident in progress is cut there. */
  finish(): void {
    const now = this.sim.now;
    if (this.siteUnpowered) this.account.outage += now - Math.max(this.unpoweredSince, this.accountFrom);
    if (this.siteDown) {
      this.account.downtime += now - Math.max(this.downSince, this.accountFrom);
      if (this.current) {
        this.current.end = now;
        this.account.log.push(this.current);
        this.current = null;
      }
    }
  }
}
