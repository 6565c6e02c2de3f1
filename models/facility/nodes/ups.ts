/**
 * A UPS subsystem (SCENARIOS.md "ups", DOMAIN.md §5): inverter output while the units can carry
 * the load and there is clean input or battery energy; otherwise a static transfer (which may
 * fail) puts the load on the bypass source, powered only while that source is, dirty while it is
 * of poor quality; back to the inverter as soon as it can carry the load again (that transfer
 * does not fail). Poor quality at the rectifier input is treated like an outage.
 *
 * Topologies:
 * - parallel: the load is shared by the working units; with `load_detection` the system carries
 *   on while their capacity covers the load, otherwise while at least N work.
 * - power_parallel: scaling, not redundancy: any unit failure stops the inverter.
 * - hot_standby: the master carries the load; the slave feeds the master's bypass input, so a
 *   master that cannot carry transfers onto the slave, and a slave that cannot carry onto the
 *   bypass source. A master failure breaks its bypass with probability `severe_fraction`, which
 *   drops the load even with a healthy slave (DOMAIN.md §5.2-5.3).
 *
 * Load detection compares with the nominal load this subsystem is sized for (the full load of
 * everything it feeds, as if the other side were lost), not the share it carries right now.
 */
import { makeDistribution } from '../../../sim/distributions.js';
import type { Stream, Streams } from '../../../sim/rng.js';
import { NodeKind, Power, PowerNode, bestOf, explainInputs, indicesOf, spreadDraw, type NodeContext } from '../power.js';
import type { UpsNodeSpec } from '../spec.js';
import { Unit, type UnitOwner } from '../units.js';
import { BatteryBank } from './battery.js';
import { unitLoss } from './simple.js';

export const UpsMode = { inverter: 'inverter', slave: 'slave', bypass: 'bypass', dropped: 'dropped' } as const;
export type UpsMode = (typeof UpsMode)[keyof typeof UpsMode];

export class UpsNode extends PowerNode implements UnitOwner {
  readonly kind = NodeKind.ups;
  readonly units: Unit[];
  readonly battery: BatteryBank | null;
  private mode: UpsMode = UpsMode.inverter;
  private upCount = 0;
  /** Why the inverter path was lost, root first (for the cause chain). */
  private lostWhy: string[] = [];
  private lostBy = '';
  private severe = false;
  private readonly batteryTimer: number;
  private streams: Streams | null = null;
  private transferStream: Stream | null = null;
  private severeStream: Stream | null = null;
  /** Battery stores that discharge now (the first `activeCount`), and that may charge now. */
  private readonly active: Int32Array;
  private activeCount = 0;
  private readonly charging: Int32Array;
  private chargingCount = 0;
  private inputClean = true;
  /** Was the bypass powered when the load went onto it? (Then a later bypass loss is the root cause.) */
  private bypassOkAtTransfer = true;
  /** The feeds by node index: the bypass as a one-element list, and the inputs. */
  private readonly bypassFeed: Int32Array;
  private readonly inputFeeds: Int32Array;

  constructor(
    private readonly spec: UpsNodeSpec,
    ctx: NodeContext,
    private readonly inputs: PowerNode[],
    private readonly bypass: PowerNode,
  ) {
    super(spec.name, ctx);
    this.carriedKw = spec.carriedKw;
    this.bypassFeed = indicesOf([bypass]);
    this.inputFeeds = indicesOf(inputs);
    this.units = spec.units.map(
      (u) => new Unit(u.name, u.failure ? makeDistribution(u.failure) : null, u.repair ? makeDistribution(u.repair) : null, this, ctx.shop, ctx.sim),
    );
    this.battery = spec.battery ? new BatteryBank(spec.battery, spec.units.length, spec.capacityKw, spec.name, ctx, () => this.changed()) : null;
    this.active = new Int32Array(this.battery?.stores ?? 0);
    this.charging = new Int32Array(this.battery?.stores ?? 0);
    this.batteryTimer = ctx.sim.timer(`${spec.name}/battery`, () => {
      this.battery!.advance(ctx.sim.now);
      this.battery!.emptyDraining();
      this.changed();
    });
  }

  reset(streams: Streams): void {
    this.streams = streams;
    this.transferStream = this.severeStream = null;
    for (const u of this.units) u.reset(streams);
    this.battery?.reset(streams);
    this.upCount = this.units.length;
    this.mode = UpsMode.inverter;
    this.lostWhy = [];
    this.lostBy = '';
    this.severe = false;
    this.level = Power.clean;
    this.activeCount = this.chargingCount = 0;
    this.inputClean = true;
    this.bypassOkAtTransfer = true;
  }

  start(): void {
    for (const u of this.units) u.start();
    this.battery?.start();
  }

  unitFailed(unit: Unit): void {
    this.upCount--;
    // The cause text matters only once the units cannot carry (or for a hot-standby master):
    // a later failure that crosses that line writes it then, with every unit's state.
    if (this.spec.topology === 'hot_standby' || !this.unitsCarry()) this.lostBy = unitLoss(this.componentName, unit, this.units);
    if (this.spec.topology === 'hot_standby' && unit === this.units[0] && !unit.maintained && this.spec.severeFraction > 0) {
      this.severeStream ??= this.streams!.get(`${unit.name}/severe`);
      this.severe = this.severeStream.uniform() <= this.spec.severeFraction;
    }
    this.changed();
  }

  unitRepaired(unit: Unit): void {
    this.upCount++;
    if (unit === this.units[0]) this.severe = false;
    this.changed();
  }

  private get componentName(): string {
    return this.spec.component;
  }

  /** Can the units carry the load, whatever the energy source? */
  private unitsCarry(): boolean {
    switch (this.spec.topology) {
      case 'power_parallel':
        return this.upCount === this.units.length;
      case 'parallel':
        return this.spec.loadDetection ? this.upCount * this.spec.capacityKw >= this.carriedKw - 1e-9 : this.upCount >= this.spec.needed;
      case 'hot_standby':
        return this.upCount > 0;
    }
  }

  /** Battery store that serves unit i (its own, or the shared cabinet). */
  private storeOf(i: number): number {
    return this.battery && this.battery.stores === 1 ? 0 : i;
  }

  /**
   * Can the inverter path through unit `only` (or, when -1, through every working unit) carry
   * the load now, energy included? A discharge that needs a store finds its hidden failure.
   */
  private canInvert(only: number): boolean {
    if (this.inputClean) return true;
    const b = this.battery;
    if (!b) return false;
    if (b.stores === 1) {
      b.demand(0);
      return b.usable(0);
    }
    let any = false;
    for (let i = 0; i < this.units.length; i++) {
      if (only >= 0 ? i !== only : !this.units[i]!.up) continue;
      b.demand(i);
      if (b.usable(i)) any = true;
    }
    return any;
  }

  /** Writes the stores of the path (unit `only`, or every working unit when -1) to `list`; returns how many. */
  private storesOf(only: number, list: Int32Array): number {
    if (!this.battery) return 0;
    if (this.battery.stores === 1) {
      list[0] = 0;
      return 1;
    }
    let n = 0;
    for (let i = 0; i < this.units.length; i++) if (only >= 0 ? i === only : this.units[i]!.up) list[n++] = i;
    return n;
  }

  override spareByDesign(): number {
    return this.units.length - this.spec.needed;
  }

  override spareNow(): number {
    return this.upCount - this.spec.needed;
  }

  override allUnits(): readonly Unit[] {
    return this.units;
  }

  override maintenanceLevel(): Power {
    if (!this.spec.maintenanceBypass) return Power.none;
    const b = this.bypass.level;
    return b === Power.dirty && this.spec.bypassPoorQualityIsDown ? Power.dirtyDown : b;
  }

  evaluate(): void {
    this.battery?.advance(this.ctx.sim.now);
    this.inputClean = bestOf(this.inputs) === Power.clean;
    const previous = this.mode;
    let next: UpsMode;
    // The unit whose inverter carries the load (hot standby), or -1 for all working units.
    let path = -2;
    if (this.spec.topology === 'hot_standby') {
      const master = this.units[0]!;
      const slave = this.units[1];
      if (master.up && this.canInvert(0)) {
        next = UpsMode.inverter;
        path = 0;
      } else if (!master.up && this.severe) next = UpsMode.dropped;
      else if (slave?.up && this.canInvert(1)) {
        next = UpsMode.slave;
        path = 1;
      } else next = UpsMode.bypass;
    } else if (this.unitsCarry() && this.canInvert(-1)) {
      next = UpsMode.inverter;
      path = -1;
    } else next = UpsMode.bypass;
    // A static transfer away from an inverter path may fail; the load then stays dropped until an
    // inverter path is back. Returning to an inverter never fails.
    const leavingInverter = (previous === UpsMode.inverter || previous === UpsMode.slave) && (next === UpsMode.bypass || next === UpsMode.slave);
    if (leavingInverter && next !== previous) {
      this.lostWhy = this.whyInverterLost();
      this.bypassOkAtTransfer = this.bypass.level > Power.none;
      if (this.transferFails()) next = UpsMode.dropped;
    } else if (previous === UpsMode.dropped && next === UpsMode.bypass) next = UpsMode.dropped;
    if (next === UpsMode.dropped && previous !== UpsMode.dropped && this.lostWhy.length === 0) this.lostWhy = this.whyInverterLost();
    this.mode = next;
    this.activeCount = path !== -2 && !this.inputClean ? this.storesOf(path, this.active) : 0;
    this.chargingCount = this.inputClean && this.battery ? this.storesOf(-1, this.charging) : 0;
    if (next === UpsMode.inverter || next === UpsMode.slave) this.level = Power.clean;
    else if (next === UpsMode.dropped) this.level = Power.none;
    else {
      const b = this.bypass.level;
      this.level = b === Power.dirty && this.spec.bypassPoorQualityIsDown ? Power.dirtyDown : b;
    }
  }

  private transferFails(): boolean {
    if (this.spec.staticTransferFail <= 0) return false;
    this.transferStream ??= this.streams!.get(`${this.name}/static_transfer`);
    return this.transferStream.uniform() <= this.spec.staticTransferFail;
  }

  private whyInverterLost(): string[] {
    const unitsDown = this.spec.topology === 'hot_standby' ? !this.units[0]!.up : !this.unitsCarry();
    if (unitsDown) return [this.lostBy, `${this.name} inverter cannot carry the load`];
    const battery = this.battery;
    let failedStore = false;
    if (battery) for (let i = 0; i < battery.stores && !failedStore; i++) failedStore = battery.failed(i);
    const input = explainInputs(this.inputs, `${this.name} input lost`);
    if (!battery) return [...input, `${this.name} has no battery`];
    return [...input, failedStore ? `${this.name} battery failed (hidden, found on demand)` : `${this.name} battery depleted`];
  }

  override propagateDraw(): void {
    const b = this.battery;
    b?.advance(this.ctx.sim.now);
    const flows = this.ctx.flows;
    if (this.mode === UpsMode.bypass) spreadDraw(this.draw, this.bypassFeed, flows);
    else if (this.mode !== UpsMode.dropped && this.inputClean) spreadDraw(this.draw, this.inputFeeds, flows);
    if (!b) return;
    const drain = this.mode === UpsMode.inverter || this.mode === UpsMode.slave ? (this.inputClean ? 0 : this.draw) : 0;
    const untilEmpty = b.setRates(drain, this.active, this.activeCount, this.charging, this.chargingCount);
    if (Number.isFinite(untilEmpty)) this.ctx.sim.after(this.batteryTimer, untilEmpty);
    else this.ctx.sim.cancel(this.batteryTimer);
  }

  override get passesDraw(): boolean {
    return true;
  }

  protected explainLoss(): string[] {
    if (this.mode === UpsMode.dropped) {
      if (this.severe && !this.units[0]!.up) return [this.lostBy, `${this.name} master failure broke its bypass`];
      return [...this.lostWhy, `${this.name} static transfer failed`];
    }
    if (this.mode === UpsMode.bypass) {
      // Root first: whichever came last, the loss of the inverter path or of the bypass source.
      const inverter = this.lostWhy.join(' > ');
      if (this.bypass.level === Power.clean) return [...this.lostWhy, `${this.name} on bypass`];
      const bypass = this.bypass.explain();
      if (this.bypassOkAtTransfer) return [...bypass, `${this.name} on bypass since ${inverter}`];
      if (bypass[0] !== undefined && this.lostWhy.includes(bypass[0])) return [...this.lostWhy, `${this.name} bypass unavailable`];
      return [...this.lostWhy, `${this.name} bypass unavailable (${bypass.join(' > ')})`];
    }
    return [`${this.name} ok`];
  }
}
