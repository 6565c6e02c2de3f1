/**
 * An automatic transfer switch (SCENARIOS.md "transfer_switch"): feeds from `primary`; when the
 * primary has an outage it asks the secondary (gensets) for power and transfers once the
 * secondary carries the demand (each transfer takes `transfer.delay`, with no output meanwhile,
 * and fails with `transfer.fail`); it returns after `retransfer_after` of stable primary (the
 * return takes the delay too and does not fail). If the primary comes back before a transfer
 * completes, it stays on primary. Poor quality does not make it transfer. A failed transfer
 * sticks until the primary returns or the switch is repaired (its `repair`); a failed switch
 * (`mtbf`) cuts its output until repaired.
 *
 * Choice where SCENARIOS.md is silent: on the secondary, when the secondary is lost while the
 * primary is back, the switch returns at once instead of waiting out `retransfer_after`.
 */
import { makeDistribution, type Distribution } from '../../../sim/distributions.js';
import type { Stream, Streams } from '../../../sim/rng.js';
import { NodeKind, Power, PowerNode, type NodeContext } from '../power.js';
import type { TransferSwitchNodeSpec } from '../spec.js';
import { Unit, type UnitOwner } from '../units.js';
import type { GeneratorNode } from './generator.js';
import { unitDown } from './simple.js';

export const SwitchPosition = {
  primary: 'primary',
  toSecondary: 'to_secondary',
  secondary: 'secondary',
  toPrimary: 'to_primary',
  stuck: 'stuck',
} as const;
export type SwitchPosition = (typeof SwitchPosition)[keyof typeof SwitchPosition];

export class TransferSwitchNode extends PowerNode implements UnitOwner {
  readonly kind = NodeKind.transferSwitch;
  private position: SwitchPosition = SwitchPosition.primary;
  private demanding = false;
  private breakerOpen = false;
  private readonly unit: Unit;
  private readonly transferTimer: number;
  private readonly stableTimer: number;
  private readonly stuckTimer: number;
  private readonly repairTime: Distribution | null;
  private streams: Streams | null = null;
  private transferStream: Stream | null = null;

  constructor(
    private readonly spec: TransferSwitchNodeSpec,
    ctx: NodeContext,
    private readonly primary: PowerNode,
    private readonly secondary: PowerNode,
  ) {
    super(spec.name, ctx);
    this.carriedKw = spec.carriedKw;
    this.repairTime = spec.repair ? makeDistribution(spec.repair) : null;
    this.unit = new Unit(spec.name, spec.failure ? makeDistribution(spec.failure) : null, this.repairTime, this, ctx.shop, ctx.sim);
    this.transferTimer = ctx.sim.timer(`${spec.name}/transfer`, () => this.transferDone());
    this.stableTimer = ctx.sim.timer(`${spec.name}/retransfer`, () => this.beginTransfer(SwitchPosition.toPrimary));
    this.stuckTimer = ctx.sim.timer(`${spec.name}/stuck`, () => {
      this.position = SwitchPosition.primary;
      this.changed();
    });
    const gen = secondary as Partial<GeneratorNode>;
    if (gen.switches) gen.switches.push(this);
  }

  reset(streams: Streams): void {
    this.streams = streams;
    this.transferStream = null;
    this.unit.reset(streams);
    this.position = SwitchPosition.primary;
    this.demanding = false;
    this.breakerOpen = false;
    this.level = Power.clean;
  }

  start(): void {
    this.unit.start();
  }

  /** A genset load test opens the utility breaker: the primary looks lost to this switch. */
  setBreakerOpen(open: boolean): void {
    this.breakerOpen = open;
    this.changed();
  }

  unitFailed(): void {
    this.changed();
  }

  unitRepaired(): void {
    this.changed();
  }

  private demand(on: boolean): void {
    if (on === this.demanding) return;
    this.demanding = on;
    (this.secondary as Partial<GeneratorNode>).setDemand?.(on);
  }

  private beginTransfer(to: SwitchPosition): void {
    this.position = to;
    this.ctx.sim.after(this.transferTimer, this.spec.delay);
    this.changed();
  }

  private transferDone(): void {
    if (this.position === SwitchPosition.toSecondary) this.position = SwitchPosition.secondary;
    else if (this.position === SwitchPosition.toPrimary) this.position = SwitchPosition.primary;
    this.changed();
  }

  private transferFails(): boolean {
    if (this.spec.fail <= 0) return false;
    this.transferStream ??= this.streams!.get(`${this.name}/transfer`);
    return this.transferStream.uniform() <= this.spec.fail;
  }

  override allUnits(): readonly Unit[] {
    return [this.unit];
  }

  evaluate(): void {
    const sim = this.ctx.sim;
    const primaryOk = this.primary.level > Power.none && !this.breakerOpen;
    const secondaryOk = this.secondary.level > Power.none;
    switch (this.position) {
      case SwitchPosition.primary:
        if (!primaryOk) {
          this.demand(true);
          if (secondaryOk) {
            if (this.transferFails()) {
              this.position = SwitchPosition.stuck;
              if (this.repairTime) sim.after(this.stuckTimer, this.repairTime.sample(this.streams!.get(`${this.name}/stuck`)));
            } else this.beginTransfer(SwitchPosition.toSecondary);
          }
        } else this.demand(false);
        break;
      case SwitchPosition.toSecondary:
        if (primaryOk) {
          sim.cancel(this.transferTimer);
          this.position = SwitchPosition.primary;
          this.demand(false);
        }
        break;
      case SwitchPosition.secondary:
        if (primaryOk && !secondaryOk) {
          sim.cancel(this.stableTimer);
          this.beginTransfer(SwitchPosition.toPrimary);
        } else if (primaryOk) {
          if (!sim.isScheduled(this.stableTimer)) sim.after(this.stableTimer, this.spec.retransferAfter);
        } else sim.cancel(this.stableTimer);
        break;
      case SwitchPosition.toPrimary:
        break;
      case SwitchPosition.stuck:
        if (primaryOk) {
          sim.cancel(this.stuckTimer);
          this.position = SwitchPosition.primary;
          this.demand(false);
        }
        break;
    }
    if (this.position === SwitchPosition.primary && primaryOk) this.demand(false);
    if (!this.unit.up) this.level = Power.none;
    else if (this.position === SwitchPosition.primary) this.level = primaryOk ? this.primary.level : Power.none;
    else if (this.position === SwitchPosition.secondary) this.level = this.secondary.level;
    else this.level = Power.none;
  }

  protected explainLoss(): string[] {
    if (!this.unit.up) return [unitDown(this.name, this.unit)];
    if (this.position === SwitchPosition.toPrimary) return [`${this.name} retransfer to ${this.primary.name}`];
    const primary = this.breakerOpen ? [`${this.secondary.name} load test (utility breaker open)`] : this.primary.explain();
    switch (this.position) {
      case SwitchPosition.stuck:
        return [...primary, `${this.name} transfer failed`];
      case SwitchPosition.toSecondary:
        return [...primary, `${this.name} transferring`];
      case SwitchPosition.secondary:
        return [...primary, ...this.secondary.explain()];
      default:
        return [...primary, ...(this.secondary.level > Power.none ? [] : this.secondary.explain())];
    }
  }
}
