/**
 * The simple nodes: a generic group of hot units, the utility, and distribution elements.
 */
import { makeDistribution, type Distribution } from '../../../sim/distributions.js';
import type { Stream, Streams } from '../../../sim/rng.js';
import { NodeKind, Power, PowerNode, bestOf, explainInputs, indicesOf, spreadDraw, type NodeContext } from '../power.js';
import type { DistributionNodeSpec, GroupNodeSpec, UtilityNodeSpec } from '../spec.js';
import { Unit, type UnitOwner } from '../units.js';

/** "modules unit failure (modules.3 failed; modules.1 in repair)": the component-level cause first. */
export function unitLoss(component: string, failed: Unit, units: readonly Unit[]): string {
  const others = units.filter((u) => u !== failed && !u.up).map((u) => u.describe());
  const what = failed.maintained ? 'maintenance' : failed.failCause !== '' ? failed.failCause : 'unit failure';
  const first = failed.maintained ? `${failed.name} in maintenance` : `${failed.name} failed`;
  return `${component} ${what} (${[first, ...others].join('; ')})`;
}

/** Identical hot units; delivers while at least `needed` are up. */
export class GroupNode extends PowerNode implements UnitOwner {
  readonly kind = NodeKind.group;
  readonly units: Unit[];
  readonly needed: number;
  private upCount = 0;
  private lostBy = '';

  constructor(spec: GroupNodeSpec, ctx: NodeContext) {
    super(spec.name, ctx);
    this.needed = spec.needed;
    this.units = spec.units.map(
      (u) => new Unit(u.name, u.failure ? makeDistribution(u.failure) : null, u.repair ? makeDistribution(u.repair) : null, this, ctx.shop, ctx.sim),
    );
  }

  reset(streams: Streams): void {
    for (const u of this.units) u.reset(streams);
    this.upCount = this.units.length;
    this.lostBy = '';
    this.level = this.upCount >= this.needed ? Power.clean : Power.none;
  }

  start(): void {
    for (const u of this.units) u.start();
  }

  unitFailed(unit: Unit): void {
    if (this.upCount-- === this.needed) {
      this.lostBy = unitLoss(this.component, unit, this.units);
      this.changed();
    }
  }

  unitRepaired(): void {
    if (++this.upCount === this.needed) this.changed();
  }

  /** The scenario component this subsystem belongs to (`ups` for `ups.a`). */
  get component(): string {
    const dot = this.name.indexOf('.');
    return dot < 0 ? this.name : this.name.slice(0, dot);
  }

  override spareByDesign(): number {
    return this.units.length - this.needed;
  }

  override spareNow(): number {
    return this.upCount - this.needed;
  }

  override allUnits(): readonly Unit[] {
    return this.units;
  }

  evaluate(): void {
    this.level = this.upCount >= this.needed ? Power.clean : Power.none;
  }

  protected explainLoss(): string[] {
    return [this.lostBy, `${this.name} below ${this.needed} of ${this.units.length} units`];
  }
}

/** Mains: alternates normal / outage, and independently normal / poor quality. */
export class UtilityNode extends PowerNode {
  readonly kind = NodeKind.utility;
  private outage = false;
  private poor = false;
  private readonly outageTimer: number;
  private readonly qualityTimer: number;
  private readonly outages: { between: Distribution; duration: Distribution } | null;
  private readonly quality: { between: Distribution; duration: Distribution } | null;
  private streams: Streams | null = null;
  private outageStream: Stream | null = null;
  private qualityStream: Stream | null = null;

  constructor(spec: UtilityNodeSpec, ctx: NodeContext) {
    super(spec.name, ctx);
    const pair = (p: UtilityNodeSpec['outages']) => (p ? { between: makeDistribution(p.between), duration: makeDistribution(p.duration) } : null);
    this.outages = pair(spec.outages);
    this.quality = pair(spec.poorQuality);
    this.outageTimer = ctx.sim.timer(`${spec.name}/outages`, () => this.toggleOutage());
    this.qualityTimer = ctx.sim.timer(`${spec.name}/poor_quality`, () => this.toggleQuality());
  }

  reset(streams: Streams): void {
    this.streams = streams;
    this.outageStream = this.qualityStream = null;
    this.outage = this.poor = false;
    this.level = Power.clean;
  }

  start(): void {
    if (this.outages) {
      this.outageStream = this.streams!.get(`${this.name}/outages`);
      this.ctx.sim.after(this.outageTimer, this.outages.between.sample(this.outageStream));
    }
    if (this.quality) {
      this.qualityStream = this.streams!.get(`${this.name}/poor_quality`);
      this.ctx.sim.after(this.qualityTimer, this.quality.between.sample(this.qualityStream));
    }
  }

  private toggleOutage(): void {
    this.outage = !this.outage;
    const d = this.outage ? this.outages!.duration : this.outages!.between;
    this.ctx.sim.after(this.outageTimer, d.sample(this.outageStream!));
    this.changed();
  }

  private toggleQuality(): void {
    this.poor = !this.poor;
    const d = this.poor ? this.quality!.duration : this.quality!.between;
    this.ctx.sim.after(this.qualityTimer, d.sample(this.qualityStream!));
    this.changed();
  }

  evaluate(): void {
    this.level = this.outage ? Power.none : this.poor ? Power.dirty : Power.clean;
  }

  protected explainLoss(): string[] {
    return [this.outage ? `${this.name} outage` : this.poor ? `${this.name} poor quality` : `${this.name} normal`];
  }
}

/** A series element (switchboard, busway, cable): output = best input while the element is up. */
export class DistributionNode extends PowerNode implements UnitOwner {
  readonly kind = NodeKind.distribution;
  private readonly unit: Unit;
  private readonly feeds: Int32Array;

  constructor(
    spec: DistributionNodeSpec,
    ctx: NodeContext,
    private readonly inputs: PowerNode[],
  ) {
    super(spec.name, ctx);
    this.feeds = indicesOf(inputs);
    this.unit = new Unit(spec.name, spec.failure ? makeDistribution(spec.failure) : null, spec.repair ? makeDistribution(spec.repair) : null, this, ctx.shop, ctx.sim);
  }

  reset(streams: Streams): void {
    this.unit.reset(streams);
  }

  start(): void {
    this.unit.start();
  }

  unitFailed(): void {
    this.changed();
  }

  unitRepaired(): void {
    this.changed();
  }

  override allUnits(): readonly Unit[] {
    return [this.unit];
  }

  evaluate(): void {
    this.level = this.unit.up ? bestOf(this.inputs) : Power.none;
  }

  override propagateDraw(): void {
    spreadDraw(this.draw, this.feeds, this.ctx.flows);
  }

  override get passesDraw(): boolean {
    return true;
  }

  protected explainLoss(): string[] {
    return this.unit.up ? explainInputs(this.inputs, `${this.name} input lost`) : [unitDown(this.name, this.unit)];
  }
}

/** Why a one-unit element (switchboard, switch) is down: failure, common cause or maintenance. */
export function unitDown(name: string, unit: Unit): string {
  if (unit.maintained) return `maintenance of ${name} (unit out)`;
  if (unit.failCause !== '') return `${unit.failCause} (${name} failed)`;
  return `${name} failure`;
}
