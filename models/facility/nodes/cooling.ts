/**
 * Cooling (SCENARIOS.md "cooling"): the running units' capacity against the heat of the loads it
 * cools. Units run while powered, after `restart` following any interruption of their power
 * (their failure clock pauses while they are off). While capacity is short a ride-through timer
 * runs, reset when cooling is sufficient again; when it expires the loads trip (thermal) until
 * cooling is back. The heat is the nominal power of the loads it cools.
 */
import { makeDistribution } from '../../../sim/distributions.js';
import type { Streams } from '../../../sim/rng.js';
import { NodeKind, Power, PowerNode, bestOf, explainInputs, indicesOf, spreadDraw, type NodeContext } from '../power.js';
import type { CoolingNodeSpec } from '../spec.js';
import { Unit, type UnitOwner } from '../units.js';
import { unitLoss } from './simple.js';

export class CoolingNode extends PowerNode implements UnitOwner {
  readonly kind = NodeKind.cooling;
  readonly units: Unit[];
  private readonly feeds: Int32Array;
  /** Loads above this have lost their cooling for longer than the ride-through. */
  tripped = false;
  private powered = true;
  private restarting = false;
  private short = false;
  private upCount = 0;
  private lostBy = '';
  private why: string[] = [];
  private readonly restartTimer: number;
  private readonly rideTimer: number;

  constructor(
    private readonly spec: CoolingNodeSpec,
    ctx: NodeContext,
    private readonly inputs: PowerNode[],
  ) {
    super(spec.name, ctx);
    this.carriedKw = spec.carriedKw;
    this.feeds = indicesOf(inputs);
    this.units = spec.units.map(
      (u) => new Unit(u.name, u.failure ? makeDistribution(u.failure) : null, u.repair ? makeDistribution(u.repair) : null, this, ctx.shop, ctx.sim),
    );
    this.restartTimer = ctx.sim.timer(`${spec.name}/restart`, () => {
      this.restarting = false;
      this.changed();
    });
    this.rideTimer = ctx.sim.timer(`${spec.name}/ride_through`, () => {
      this.tripped = true;
      this.changed();
    });
  }

  reset(streams: Streams): void {
    for (const u of this.units) u.reset(streams);
    this.upCount = this.units.length;
    this.tripped = false;
    this.powered = true;
    this.restarting = false;
    this.short = false;
    this.lostBy = '';
    this.why = [];
    this.level = Power.clean;
  }

  start(): void {
    for (const u of this.units) u.start();
  }

  unitFailed(unit: Unit): void {
    this.upCount--;
    // Only a shortage (or the end of one) matters to anyone: spare capacity needs no settle, and
    // the cause text is written by the failure that makes the shortage.
    const short = this.upCount * this.spec.capacityKw < this.spec.heatKw - 1e-9;
    if (short) this.lostBy = unitLoss(this.spec.component, unit, this.units);
    if (this.short || short) this.changed();
  }

  unitRepaired(): void {
    this.upCount++;
    if (this.short) this.changed();
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

  evaluate(): void {
    const sim = this.ctx.sim;
    const powered = this.inputs.length === 0 || bestOf(this.inputs) > Power.none;
    if (powered !== this.powered) {
      this.powered = powered;
      for (const u of this.units) u.setRunning(powered);
      if (powered) {
        this.restarting = this.spec.restart > 0;
        if (this.restarting) sim.after(this.restartTimer, this.spec.restart);
      } else {
        this.restarting = false;
        sim.cancel(this.restartTimer);
      }
    }
    const running = powered && !this.restarting ? this.upCount : 0;
    const short = running * this.spec.capacityKw < this.spec.heatKw - 1e-9;
    if (short && !this.short) {
      this.why = !powered ? explainInputs(this.inputs, `${this.name} unpowered`) : this.restarting ? [...explainInputs(this.inputs, `${this.name} power interrupted`), `${this.name} restarting`] : [this.lostBy, `${this.name} short of capacity`];
      if (this.spec.rideThrough > 0) sim.after(this.rideTimer, this.spec.rideThrough);
      else this.tripped = true;
    } else if (!short && this.short) {
      sim.cancel(this.rideTimer);
      this.tripped = false;
    }
    this.short = short;
    this.level = this.tripped ? Power.none : Power.clean;
  }

  override propagateDraw(): void {
    if (!this.powered || this.restarting) return;
    spreadDraw(this.upCount * this.spec.powerKw, this.feeds, this.ctx.flows);
  }

  override get passesDraw(): boolean {
    return this.inputs.length > 0;
  }

  protected explainLoss(): string[] {
    return [...this.why, `${this.name} ride-through exceeded`];
  }
}
