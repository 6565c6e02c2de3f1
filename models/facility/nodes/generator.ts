/**
 * A genset group (SCENARIOS.md "generator"): idle until a transfer switch asks for power. On a
 * demand every available unit starts: up to `start_attempts` attempts of `start_delay` each,
 * each failing with `fail_to_start` (for sure while a hidden standby failure is present). A unit
 * that fails all its attempts is a failed unit repaired by its repair distribution or, without
 * one, sits out this demand. The group delivers once running units can carry the demand (the
 * nominal power behind its switches: UPS input plus cooling). Running units fail by
 * `fail_to_run` (a clock that runs only while they run) and stop when their fuel runs out;
 * idle units fail by `standby_failure`, hidden until a test or a demand finds it.
 *
 * Decisions SCENARIOS.md leaves open (docs/decisions.md): fuel burns in proportion to the share
 * of the demand a unit carries; deliveries arrive `refuel_after` after the group starts running
 * and every `refuel_after` after that, filling every tank; tanks are full again at the next
 * demand; tests burn no fuel.
 */
import { makeDistribution, type Distribution } from '../../../sim/distributions.js';
import type { Stream, Streams } from '../../../sim/rng.js';
import { NodeKind, Power, PowerNode, type NodeContext } from '../power.js';
import type { GeneratorNodeSpec } from '../spec.js';
import { Unit, type UnitOwner } from '../units.js';

export const GensetState = { idle: 'idle', starting: 'starting', running: 'running', failed: 'failed', satOut: 'sat_out', empty: 'empty' } as const;
export type GensetState = (typeof GensetState)[keyof typeof GensetState];

class Genset {
  state: GensetState = GensetState.idle;
  attemptsLeft = 0;
  fuel = 0;
  /** What last went wrong with it, for the cause chain. */
  problem = '';
  readonly attemptTimer: number;
  readonly fuelTimer: number;
  startStream: Stream | null = null;
  constructor(
    readonly name: string,
    readonly run: Unit,
    readonly standby: Unit | null,
    attempt: () => void,
    fuelOut: () => void,
    ctx: NodeContext,
  ) {
    this.attemptTimer = ctx.sim.timer(`${name}/start`, attempt);
    this.fuelTimer = ctx.sim.timer(`${name}/fuel`, fuelOut);
  }
}

export class GeneratorNode extends PowerNode implements UnitOwner {
  readonly kind = NodeKind.generator;
  readonly gensets: Genset[];
  private readonly byUnit = new Map<Unit, Genset>();
  private demands = 0;
  /** Tests under way (a start test and a load test may overlap). */
  private readonly testing = { start: false, load: false };
  private runStart = NaN;
  private lastFuelUpdate = 0;
  /** Load share of each running unit since the last fuel update. */
  private share = 0;
  private streams: Streams | null = null;
  private readonly refuelTimer: number;
  private readonly startTestTimer: number;
  private readonly loadTestTimer: number;
  /** Transfer switches fed by this group: a load test opens their utility breaker. */
  readonly switches: Array<{ setBreakerOpen(open: boolean): void }> = [];

  constructor(
    private readonly spec: GeneratorNodeSpec,
    ctx: NodeContext,
  ) {
    super(spec.name, ctx);
    this.carriedKw = spec.carriedKw;
    const run = (d: typeof spec.units[number]) => ({ failure: d.failure ? makeDistribution(d.failure) : null, repair: d.repair ? makeDistribution(d.repair) : null });
    const standbyFailure: Distribution | null = spec.standbyFailure ? makeDistribution(spec.standbyFailure) : null;
    this.gensets = spec.units.map((u) => {
      const { failure, repair } = run(u);
      const runUnit = new Unit(u.name, failure, repair, this, ctx.shop, ctx.sim);
      const standby = standbyFailure ? new Unit(`${u.name}.standby`, standbyFailure, repair, this, ctx.shop, ctx.sim) : null;
      const g: Genset = new Genset(
        u.name,
        runUnit,
        standby,
        () => this.attemptDone(g),
        () => this.fuelOut(g),
        ctx,
      );
      this.byUnit.set(runUnit, g);
      if (standby) this.byUnit.set(standby, g);
      return g;
    });
    this.refuelTimer = ctx.sim.timer(`${spec.name}/refuel`, () => this.refuel());
    this.startTestTimer = ctx.sim.timer(`${spec.name}/start_test`, () => this.toggleTest('start'));
    this.loadTestTimer = ctx.sim.timer(`${spec.name}/load_test`, () => this.toggleTest('load'));
  }

  reset(streams: Streams): void {
    this.streams = streams;
    for (const g of this.gensets) {
      g.run.reset(streams);
      g.run.running = false; // idle: the running-failure clock is paused
      if (g.standby) {
        g.standby.reset(streams);
        g.standby.hidden = true;
      }
      g.state = GensetState.idle;
      g.fuel = this.spec.fuelHours ?? Infinity;
      g.problem = '';
      g.startStream = null;
    }
    this.demands = 0;
    this.testing.start = this.testing.load = false;
    this.runStart = NaN;
    this.lastFuelUpdate = 0;
    this.share = 0;
    this.level = Power.none;
  }

  start(): void {
    for (const g of this.gensets) {
      g.run.start();
      g.standby?.start();
    }
    const t = this.spec.tests;
    if (t.start) this.ctx.sim.after(this.startTestTimer, t.start.every);
    if (t.load) this.ctx.sim.after(this.loadTestTimer, t.load.every);
  }

  /** A transfer switch asks for (true) or releases (false) power. */
  setDemand(on: boolean): void {
    this.demands += on ? 1 : -1;
    this.react();
    this.changed();
  }

  /**
   * Something changed inside the group. Its output can only change while a switch demands power
   * (or while it still shows power), so tests and repairs of an idle group need no settle.
   */
  private touched(): void {
    if (this.demands > 0 || this.level !== Power.none) this.changed();
  }

  private get wanted(): boolean {
    return this.demands > 0 || this.testing.start || this.testing.load;
  }

  /** Starts idle units when power is wanted, releases everything when it is not. */
  private react(): void {
    if (this.wanted) {
      for (const g of this.gensets) if (g.state === GensetState.idle) this.beginStart(g);
      // A demand that finds units already running (a test under way) starts the run's clock here.
      if (this.demands > 0 && Number.isNaN(this.runStart) && this.anyRunning()) this.beginRun();
    } else {
      for (const g of this.gensets) this.release(g);
      this.runStart = NaN;
      this.ctx.sim.cancel(this.refuelTimer);
    }
    this.touched();
  }

  private anyRunning(): boolean {
    for (const g of this.gensets) if (g.state === GensetState.running) return true;
    return false;
  }

  private beginStart(g: Genset): void {
    g.state = GensetState.starting;
    g.problem = '';
    g.attemptsLeft = this.spec.startAttempts;
    this.ctx.sim.after(g.attemptTimer, this.spec.startDelay);
  }

  private release(g: Genset): void {
    if (g.state === GensetState.starting) this.ctx.sim.cancel(g.attemptTimer);
    if (g.state === GensetState.running) this.stopRunning(g);
    if (g.state !== GensetState.failed) g.state = GensetState.idle;
    g.fuel = this.spec.fuelHours ?? Infinity;
    this.ctx.sim.cancel(g.fuelTimer);
  }

  private stopRunning(g: Genset): void {
    g.run.setRunning(false);
    g.standby?.setRunning(true);
  }

  private attemptDone(g: Genset): void {
    const hiddenFailure = g.standby !== null && !g.standby.up;
    let failed = hiddenFailure;
    if (!failed && this.spec.failToStart > 0) {
      g.startStream ??= this.streams!.get(`${g.name}/start`);
      failed = g.startStream.uniform() <= this.spec.failToStart;
    }
    if (!failed) {
      g.state = GensetState.running;
      g.standby?.setRunning(false);
      g.run.setRunning(true);
      if (Number.isNaN(this.runStart) && this.demands > 0) this.beginRun();
      this.touched();
      return;
    }
    if (--g.attemptsLeft > 0) {
      this.ctx.sim.after(g.attemptTimer, this.spec.startDelay);
      return;
    }
    g.problem = hiddenFailure ? 'standby failure found on start' : 'fail_to_start';
    if (hiddenFailure) {
      g.state = GensetState.failed;
      g.standby!.reveal();
    } else if (g.run.repair) g.run.failNow();
    else g.state = GensetState.satOut;
    this.touched();
  }

  private beginRun(): void {
    this.runStart = this.ctx.sim.now;
    this.lastFuelUpdate = this.ctx.sim.now;
    if (this.spec.refuelAfter !== null && this.spec.fuelHours !== null) this.ctx.sim.after(this.refuelTimer, this.spec.refuelAfter);
  }

  private refuel(): void {
    this.burnFuel();
    for (const g of this.gensets) {
      g.fuel = this.spec.fuelHours!;
      if (g.state === GensetState.empty) this.beginStart(g);
    }
    this.ctx.sim.after(this.refuelTimer, this.spec.refuelAfter!);
    this.touched();
  }

  private fuelOut(g: Genset): void {
    this.burnFuel();
    g.fuel = 0;
    g.state = GensetState.empty;
    g.problem = 'out of fuel';
    this.stopRunning(g);
    this.touched();
  }

  private toggleTest(kind: 'start' | 'load'): void {
    const test = this.spec.tests[kind]!;
    const timer = kind === 'start' ? this.startTestTimer : this.loadTestTimer;
    const on = !this.testing[kind];
    this.testing[kind] = on;
    // A load test opens the utility breaker of the switches this group feeds.
    if (kind === 'load') for (const s of this.switches) s.setBreakerOpen(on);
    this.ctx.sim.after(timer, on ? test.duration : test.every - test.duration);
    this.react();
  }

  unitFailed(unit: Unit): void {
    const g = this.byUnit.get(unit)!;
    if (unit === g.standby) return; // hidden until a start finds it
    if (g.state === GensetState.starting) this.ctx.sim.cancel(g.attemptTimer);
    if (unit.maintained) g.problem = 'in maintenance';
    else if (g.state === GensetState.running) {
      g.problem = 'fail_to_run';
      g.standby?.setRunning(true);
    }
    // Repaired units come back idle: their running-failure clock must stay paused.
    g.run.setRunning(false);
    g.state = GensetState.failed;
    this.ctx.sim.cancel(g.fuelTimer);
    this.touched();
  }

  unitRepaired(unit: Unit): void {
    const g = this.byUnit.get(unit)!;
    if (unit === g.standby) {
      g.standby.hidden = true;
      if (!g.run.up) return;
    } else if (g.standby && !g.standby.up) return;
    g.state = GensetState.idle;
    if (this.wanted) this.beginStart(g);
    this.touched();
  }

  /** Burns fuel since the last update at the load share each running unit carries. */
  private burnFuel(): void {
    const now = this.ctx.sim.now;
    const dt = now - this.lastFuelUpdate;
    this.lastFuelUpdate = now;
    if (dt <= 0 || this.spec.fuelHours === null || this.share === 0) return;
    for (const g of this.gensets) if (g.state === GensetState.running) g.fuel = Math.max(0, g.fuel - this.share * dt);
  }

  /** Fraction of full load each running unit carries. */
  private loadShare(): number {
    let running = 0;
    for (const g of this.gensets) if (g.state === GensetState.running) running++;
    return running === 0 ? 0 : Math.min(1, this.carriedKw / (running * this.spec.capacityKw));
  }

  override spareByDesign(): number {
    return this.gensets.length - this.spec.needed;
  }

  override spareNow(): number {
    // A group running for a real demand is never taken apart for maintenance.
    if (this.demands > 0) return 0;
    let available = 0;
    for (const g of this.gensets) if (g.run.up && (g.standby === null || g.standby.up)) available++;
    return available - this.spec.needed;
  }

  override allUnits(): readonly Unit[] {
    return this.gensets.map((g) => g.run);
  }

  evaluate(): void {
    this.burnFuel();
    let running = 0;
    for (const g of this.gensets) if (g.state === GensetState.running) running++;
    this.level = this.demands > 0 && running * this.spec.capacityKw >= this.carriedKw - 1e-9 && running > 0 ? Power.clean : Power.none;
    if (this.spec.fuelHours === null) return;
    this.share = this.demands > 0 ? this.loadShare() : 0;
    for (const g of this.gensets) {
      if (g.state === GensetState.running && this.share > 0) this.ctx.sim.after(g.fuelTimer, g.fuel / this.share);
      else this.ctx.sim.cancel(g.fuelTimer);
    }
  }

  protected explainLoss(): string[] {
    // The distinct problems of the units not running, in unit order, and those units' states.
    let problems = '';
    let units = '';
    let starting = false;
    for (const g of this.gensets) {
      if (g.state === GensetState.running) continue;
      if (g.state === GensetState.starting) starting = true;
      units += `${units === '' ? '' : '; '}${g.name} ${g.state}`;
      if (g.problem !== '' && !this.problemListed(g)) problems += `${problems === '' ? '' : ', '}${g.problem}`;
    }
    const what = problems !== '' ? problems : starting ? 'still starting' : 'not running';
    return [`${this.name} ${what} (${units})`];
  }

  /** Did a unit before `g` (not running) have the same problem? */
  private problemListed(g: Genset): boolean {
    for (const h of this.gensets) {
      if (h === g) return false;
      if (h.state !== GensetState.running && h.problem === g.problem) return true;
    }
    return false;
  }
}
