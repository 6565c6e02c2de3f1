/**
 * UPS batteries: one store per unit (a failed unit's store is lost to the system) or one
 * shared cabinet holding the sum (SCENARIOS.md, DOMAIN.md §5.1).
 *
 * Each store holds energy (kWh) that changes linearly between settles: it discharges at the
 * share of the actual load it carries, and recharges linearly, empty to full in `recharge`,
 * while the UPS input is clean. Capacity fades with age: nominal x (1 - fade)^(age in years),
 * age returning to 0 at each replacement. A store's hidden failure (its `mtbf`) is found only
 * when a discharge needs it; the replacement (its `mttr`) arrives new and charged.
 */
import { makeDistribution } from '../../../sim/distributions.js';
import type { Streams } from '../../../sim/rng.js';
import { HOURS_PER_YEAR } from '../../metrics.js';
import type { NodeContext } from '../power.js';
import type { BatterySpec } from '../spec.js';
import { Unit, type UnitOwner } from '../units.js';

/** Below this a store counts as empty (kWh): guards against rounding at the depletion instant. */
const EMPTY_KWH = 1e-9;

/**
 * Capacity of one store over time: nominal x (1 - fade)^(age in years), the age returning to 0 at
 * each replacement. The last answer is kept: a settle asks for the same instant several times,
 * and every bank on the same curve asks for it too.
 */
export class FadeCurve {
  private lastT = NaN;
  private lastValue = 0;

  constructor(
    private readonly nominalKwh: number,
    private readonly spec: BatterySpec,
    private readonly ageAtStart: number,
  ) {}

  at(t: number): number {
    if (t !== this.lastT) {
      this.lastT = t;
      this.lastValue = this.compute(t);
    }
    return this.lastValue;
  }

  private compute(t: number): number {
    const f = this.spec.fadePerYear;
    const R = this.spec.replaceEvery;
    if (this.spec.health !== null) {
      // Health is the state at t = 0; the first replacement comes one replace_every later.
      if (R === null || t < R) return this.nominalKwh * this.spec.health * (1 - f) ** (t / HOURS_PER_YEAR);
      return this.nominalKwh * (1 - f) ** (((t - R) % R) / HOURS_PER_YEAR);
    }
    const age = R === null ? this.ageAtStart + t : (this.ageAtStart + t) % R;
    return f === 0 ? this.nominalKwh : this.nominalKwh * (1 - f) ** (age / HOURS_PER_YEAR);
  }
}

export class BatteryBank implements UnitOwner {
  readonly stores: number;
  private readonly nominalKwh: number;
  readonly soc: Float64Array;
  /** kW into (+) or out of (-) each store since `lastT`. */
  private readonly rate: Float64Array;
  private lastT = 0;
  /** Hidden-failure process of each store (null when the battery never fails). */
  readonly health: Unit[] | null;
  private readonly ageAtStart: number;
  private readonly curve: FadeCurve;
  private readonly replaceTimer: number;
  private readonly sim: NodeContext['sim'];

  constructor(
    private readonly spec: BatterySpec,
    unitCount: number,
    unitCapacityKw: number,
    name: string,
    ctx: NodeContext,
    private readonly onRevealedOrReplaced: () => void,
  ) {
    this.stores = spec.shared ? 1 : unitCount;
    this.nominalKwh = spec.autonomy * unitCapacityKw * (spec.shared ? unitCount : 1);
    this.soc = new Float64Array(this.stores);
    this.rate = new Float64Array(this.stores);
    const failure = spec.failure ? makeDistribution(spec.failure) : null;
    const repair = spec.repair ? makeDistribution(spec.repair) : null;
    this.health = failure
      ? Array.from({ length: this.stores }, (_, i) => {
          const u = new Unit(spec.shared ? `${name}.battery` : `${name}.${i + 1}.battery`, failure, repair, this, ctx.shop, ctx.sim);
          return u;
        })
      : null;
    const R = spec.replaceEvery;
    const age = spec.ageHours ?? 0;
    this.ageAtStart = R !== null && age >= R ? 0 : age;
    // Banks of the same make, size and age (the sides of a 2N UPS) share one curve and its memo.
    const key = JSON.stringify([this.nominalKwh, spec.fadePerYear, R, spec.health, this.ageAtStart]);
    let curve = ctx.fadeCurves.get(key);
    if (!curve) ctx.fadeCurves.set(key, (curve = new FadeCurve(this.nominalKwh, spec, this.ageAtStart)));
    this.curve = curve;
    this.sim = ctx.sim;
    this.replaceTimer = ctx.sim.timer(`${name}/battery_replacement`, () => this.replaced());
  }

  /** Scheduled replacement: every store is new and charged from this instant. */
  private replaced(): void {
    this.advance(this.sim.now);
    const cap = this.capacityAt(this.sim.now);
    this.soc.fill(cap);
    this.sim.after(this.replaceTimer, this.spec.replaceEvery!);
    this.onRevealedOrReplaced();
  }

  reset(streams: Streams): void {
    for (let i = 0; i < this.stores; i++) {
      this.soc[i] = this.capacityAt(0);
      this.rate[i] = 0;
    }
    this.lastT = 0;
    if (this.health) {
      for (const u of this.health) {
        u.reset(streams);
        u.hidden = true;
      }
    }
  }

  start(): void {
    if (this.health) for (const u of this.health) u.start();
    const R = this.spec.replaceEvery;
    // The first replacement comes when the age reaches replace_every (with `health`, one
    // replace_every after t = 0).
    if (R !== null) this.sim.after(this.replaceTimer, this.spec.health !== null ? R : R - this.ageAtStart);
  }

  /** Capacity of one store at time t (kWh), after fade. */
  capacityAt(t: number): number {
    return this.curve.at(t);
  }

  /** Brings every store to `now` at the rates set at the last settle. */
  advance(now: number): void {
    const dt = now - this.lastT;
    if (dt > 0) {
      const cap = this.capacityAt(now);
      for (let i = 0; i < this.stores; i++) {
        const r = this.rate[i]!;
        let e = this.soc[i]!;
        if (r !== 0) e += r * dt;
        this.soc[i] = e < EMPTY_KWH ? 0 : e > cap ? cap : e;
      }
    }
    this.lastT = now;
  }

  /** True while store i can deliver energy (not failed, not empty). */
  usable(i: number): boolean {
    return this.soc[i]! > EMPTY_KWH && !(this.health && !this.health[i]!.up);
  }

  /** A discharge needs store i: a hidden failure is found now. */
  demand(i: number): void {
    const h = this.health?.[i];
    if (h && !h.up) h.reveal();
  }

  failed(i: number): boolean {
    return this.health !== null && !this.health[i]!.up;
  }

  /**
   * Sets the rates until the next settle: `drainKw` shared equally by the usable stores among the
   * first `activeCount` of `active`, and a linear recharge of the first `chargingCount` stores of
   * `charging`. Returns the time until the first draining store runs empty (Infinity when none
   * drains).
   */
  setRates(drainKw: number, active: Int32Array, activeCount: number, charging: Int32Array, chargingCount: number): number {
    const rate = this.rate;
    for (let i = 0; i < this.stores; i++) rate[i] = 0;
    if (chargingCount > 0) {
      const recharge = this.capacityAt(this.lastT) / this.spec.recharge;
      for (let k = 0; k < chargingCount; k++) {
        const i = charging[k]!;
        if (!this.failed(i)) rate[i] = recharge;
      }
    }
    if (drainKw <= 0) return Infinity;
    let n = 0;
    for (let k = 0; k < activeCount; k++) if (this.usable(active[k]!)) n++;
    if (n === 0) return Infinity;
    const share = drainKw / n;
    let empty = Infinity;
    for (let k = 0; k < activeCount; k++) {
      const i = active[k]!;
      if (!this.usable(i)) continue;
      rate[i] = -share;
      empty = Math.min(empty, this.soc[i]! / share);
    }
    return empty;
  }

  /** Marks the draining stores empty (called at the depletion instant, against rounding). */
  emptyDraining(): void {
    // Anything a draining store still holds is rounding if it would last under 4 ms.
    for (let i = 0; i < this.stores; i++) if (this.rate[i]! < 0 && this.soc[i]! <= -this.rate[i]! * 1e-6) this.soc[i] = 0;
  }

  unitFailed(): void {
    // Hidden: nothing changes until a discharge needs the store.
  }

  unitRepaired(unit: Unit): void {
    // The replacement arrives new and charged; the hidden-failure clock starts again.
    const i = this.health!.indexOf(unit);
    this.soc[i] = this.capacityAt(this.lastT);
    unit.hidden = true;
    this.onRevealedOrReplaced();
  }
}
