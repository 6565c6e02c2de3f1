/**
 * The simulation clock and event loop.
 *
 * Entities own timers (see queue.ts) with a handler each, created once when the model is
 * built; firing a timer calls its handler. Nothing is allocated per event.
 *
 * Same instant: models that judge a state (is the load in service?) call `markDirty()` when
 * something changed; once every event of the current instant has been applied, the loop calls
 * the `settle` hook once. So a zero-length interruption is never seen as one (SCENARIOS.md).
 */
import { EventQueue } from './queue.js';

export type Handler = () => void;

const MAX_SETTLE_PASSES = 1000;

/** An error raised inside a replication, carrying where and when it happened. */
export class SimulationError extends Error {
  constructor(
    message: string,
    readonly time: number,
    readonly entity: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** A replication that ran past its event budget (a runaway model, not a bug). */
export class EventBudgetExceeded extends SimulationError {}

/** A replication still running when its wall-clock deadline passed (`Simulation.deadline`). */
export class WallClockExceeded extends SimulationError {}

/** The wall clock is read once per this many events (a power of two): a read costs ~30 ns. */
const CLOCK_CHECK_EVERY = 1 << 16;

export class Simulation {
  /** Current simulated time, hours. */
  now = 0;
  /** Events taken from the queue and processed (cancelled timers never count). */
  events = 0;
  /** Stop with EventBudgetExceeded after this many events (per `run` call chain). */
  maxEvents = Infinity;
  /**
   * Stop with WallClockExceeded once `performance.now()` passes this (milliseconds, same clock),
   * checked every 65,536 events; Infinity (the default) never checks.
   */
  deadline = Infinity;

  private readonly queue = new EventQueue(256);
  private readonly handlers: Handler[] = [];
  private readonly labels: string[] = [];
  private dirty = false;
  private readonly settleHooks: Handler[] = [];

  /**
   * Back to t = 0 with nothing scheduled, keeping the timers and handlers, so one model
   * instance serves many replications without allocating them again.
   */
  reset(): void {
    this.queue.clear();
    this.now = 0;
    this.events = 0;
    this.dirty = false;
  }

  /** Creates a timer whose firing calls `handler`; `label` names the entity in error messages. */
  timer(label: string, handler: Handler, priority = 0): number {
    const id = this.queue.allocate(priority);
    this.handlers[id] = handler;
    this.labels[id] = label;
    return id;
  }

  /** Fires `id` at absolute time `time` (moving it if already scheduled). */
  at(id: number, time: number): void {
    if (!(time >= this.now)) {
      throw new SimulationError(`${this.labels[id]} scheduled in the past (${time} < ${this.now})`, this.now, this.labels[id] ?? '?');
    }
    this.queue.schedule(id, time);
  }

  /** Fires `id` after `delay` hours (moving it if already scheduled). */
  after(id: number, delay: number): void {
    this.at(id, this.now + delay);
  }

  cancel(id: number): void {
    this.queue.cancel(id);
  }

  isScheduled(id: number): boolean {
    return this.queue.isScheduled(id);
  }

  /** When `id` fires next (NaN when idle). */
  timeOf(id: number): number {
    return this.queue.timeOf(id);
  }

  labelOf(id: number): string {
    return this.labels[id] ?? '?';
  }

  /**
   * Registers a hook called once after all events of an instant whenever `markDirty` was called.
   * Several hooks (a facility, then a cluster on its loads) run in the order registered.
   */
  onSettle(hook: Handler): void {
    this.settleHooks.push(hook);
  }

  markDirty(): void {
    this.dirty = true;
  }

  /** Number of scheduled events (for "what was still happening" diagnostics). */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Processes events in order until the next one lies after `until` (events at exactly `until`
   * are processed), then sets the clock to `until`. Errors are rethrown as SimulationError naming
   * the entity and the simulated time.
   */
  run(until: number): void {
    if (!(until >= this.now)) throw new RangeError(`run(until): until = ${until} is before the clock (${this.now})`);
    const queue = this.queue;
    const handlers = this.handlers;
    let current = -1;
    try {
      if (this.dirty) this.settle();
      while (queue.peekTime() <= until) {
        this.now = queue.peekTime();
        current = queue.beginFire();
        if (this.events >= this.maxEvents) {
          throw new EventBudgetExceeded(
            `event budget of ${this.maxEvents} events exhausted at t = ${this.now} h; ${queue.size} events pending, the last one from ${this.labels[current]}`,
            this.now,
            this.labels[current] ?? '?',
          );
        }
        if ((++this.events & (CLOCK_CHECK_EVERY - 1)) === 0 && this.deadline !== Infinity && performance.now() > this.deadline) {
          throw new WallClockExceeded(
            `wall-clock limit reached at t = ${this.now} h after ${this.events} events; ${queue.size} events pending, the last one from ${this.labels[current]}`,
            this.now,
            this.labels[current] ?? '?',
          );
        }
        handlers[current]!();
        queue.endFire();
        current = -1;
        if (this.dirty && queue.peekTime() > this.now) this.settle();
      }
    } catch (err) {
      if (err instanceof SimulationError) throw err;
      const entity = current >= 0 ? (this.labels[current] ?? '?') : 'settle';
      const message = err instanceof Error ? err.message : String(err);
      throw new SimulationError(`${entity} at t = ${this.now} h: ${message}`, this.now, entity, err);
    }
    this.now = until;
  }

  /**
   * Runs the settle hook until nothing more changes at this instant (a settle may itself change
   * state: a switch that transfers asks for its generator). A model that never settles is a bug.
   */
  private settle(): void {
    for (let pass = 0; this.dirty; pass++) {
      if (pass >= MAX_SETTLE_PASSES) {
        throw new SimulationError(`the model did not settle after ${MAX_SETTLE_PASSES} passes at t = ${this.now} h`, this.now, 'settle');
      }
      this.dirty = false;
      const hooks = this.settleHooks;
      for (let i = 0; i < hooks.length; i++) hooks[i]!();
    }
  }
}
