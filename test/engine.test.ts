/**
 * The event loop (sim/engine.ts): where `run(until)` stops, what counts as an event, how a
 * same-instant failure and repair is judged, how errors and runaway models are reported, and a
 * differential check that the engine's bookkeeping leaves a facility model's answer unchanged.
 */
import { describe, expect, it } from 'vitest';
import { EventBudgetExceeded, Simulation, SimulationError } from '../sim/engine.js';
import { makeDistribution } from '../sim/distributions.js';
import { Streams } from '../sim/rng.js';
import { FacilityModel } from '../models/facility/model.js';
import { kOfNFacility, type FacilitySpec } from '../models/facility/spec.js';

/** Catches what `fn` throws (failing the test if it does not). */
function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an exception');
}

describe('Simulation.run(until)', () => {
  it('processes events at exactly `until`, none after, and ends with the clock at `until`', () => {
    const sim = new Simulation();
    const fired: [string, number][] = [];
    const mk = (label: string) => sim.timer(label, () => fired.push([label, sim.now]));
    const a = mk('a');
    const b = mk('b');
    const c = mk('c');
    sim.at(a, 5);
    sim.at(b, 10);
    sim.at(c, 10 + 1e-9);
    sim.run(10);
    expect(fired).toEqual([
      ['a', 5],
      ['b', 10],
    ]);
    expect(sim.now).toBe(10);
    expect(sim.isScheduled(c)).toBe(true);
    expect(sim.timeOf(c)).toBe(10 + 1e-9);
    sim.run(20);
    expect(fired.at(-1)).toEqual(['c', 10 + 1e-9]);
    expect(sim.now).toBe(20);
  });

  it('processes an event a handler schedules at exactly `until` within the same run', () => {
    const sim = new Simulation();
    const fired: number[] = [];
    const late = sim.timer('late', () => fired.push(sim.now));
    const first = sim.timer('first', () => sim.at(late, 10));
    sim.at(first, 3);
    sim.run(10);
    expect(fired).toEqual([10]);
    expect(sim.events).toBe(2);
  });

  it('advances the clock to `until` when nothing is scheduled', () => {
    const sim = new Simulation();
    sim.run(42.5);
    expect(sim.now).toBe(42.5);
    expect(sim.events).toBe(0);
  });

  it('never moves the clock backwards: an `until` before the clock, or NaN, is refused and the clock kept', () => {
    const sim = new Simulation();
    const fired: number[] = [];
    const a = sim.timer('a', () => fired.push(sim.now));
    sim.at(a, 12);
    sim.run(10);
    // Rewinding to 5 would let a later `at(x, 7)` schedule an event before instants already processed.
    expect(() => sim.run(5)).toThrow();
    expect(sim.now).toBe(10);
    expect(() => sim.run(NaN)).toThrow();
    expect(sim.now).toBe(10);
    sim.run(20);
    expect(fired).toEqual([12]);
  });

  it('fires same-time events by timer priority, then in scheduling order', () => {
    const sim = new Simulation();
    const order: string[] = [];
    const mk = (label: string, priority: number) => sim.timer(label, () => order.push(label), priority);
    const recovery = mk('load/recovery', 1);
    const fail = mk('ups.1', 0);
    const repair = mk('ups.2', 0);
    sim.at(recovery, 7);
    sim.at(fail, 7);
    sim.at(repair, 7);
    sim.run(7);
    expect(order).toEqual(['ups.1', 'ups.2', 'load/recovery']);
  });
});

describe('scheduling in the past', () => {
  it('throws a SimulationError naming the timer, both from outside and inside a handler', () => {
    const sim = new Simulation();
    const a = sim.timer('ups.a.3', () => undefined);
    sim.run(10);
    const outside = thrown(() => sim.at(a, 9.5));
    expect(outside).toBeInstanceOf(SimulationError);
    expect((outside as SimulationError).entity).toBe('ups.a.3');
    expect((outside as SimulationError).time).toBe(10);
    expect(() => sim.after(a, -1)).toThrow(SimulationError);
    // NaN is not a time: it would silently never fire.
    expect(() => sim.at(a, NaN)).toThrow(SimulationError);
    expect(sim.isScheduled(a)).toBe(false);

    const b = sim.timer('genset.1', () => sim.after(a, -0.25));
    sim.at(b, 12);
    const inside = thrown(() => sim.run(20));
    expect(inside).toBeInstanceOf(SimulationError);
    expect((inside as SimulationError).time).toBe(12);
    expect((inside as SimulationError).entity).toBe('ups.a.3');
  });

  it('accepts an event at the current instant (zero delay)', () => {
    const sim = new Simulation();
    const fired: number[] = [];
    const a = sim.timer('a', () => fired.push(sim.now));
    sim.run(4);
    sim.after(a, 0);
    sim.run(4);
    expect(fired).toEqual([4]);
  });
});

describe('settling once per instant', () => {
  it('sees a failure and a repair at the same instant as no interruption: one call, after both, state restored', () => {
    const sim = new Simulation();
    let up = true;
    const seen: { time: number; up: boolean }[] = [];
    sim.onSettle(() => seen.push({ time: sim.now, up }));
    const failure = sim.timer('ups.1/failure', () => {
      up = false;
      sim.markDirty();
    });
    const repair = sim.timer('ups.1/repair', () => {
      up = true;
      sim.markDirty();
    });
    sim.at(failure, 5);
    sim.at(repair, 5);
    // A real interruption for comparison: failure at 8, repair at 9.
    const failure2 = sim.timer('ups.2/failure', () => {
      up = false;
      sim.markDirty();
    });
    const repair2 = sim.timer('ups.2/repair', () => {
      up = true;
      sim.markDirty();
    });
    sim.at(failure2, 8);
    sim.at(repair2, 9);
    sim.run(10);
    expect(seen).toEqual([
      { time: 5, up: true },
      { time: 8, up: false },
      { time: 9, up: true },
    ]);
  });

  it('does not call the hook at instants where nothing was marked dirty', () => {
    const sim = new Simulation();
    let calls = 0;
    sim.onSettle(() => calls++);
    const quiet = sim.timer('quiet', () => undefined);
    const loud = sim.timer('loud', () => sim.markDirty());
    sim.at(quiet, 1);
    sim.at(loud, 2);
    sim.at(quiet, 3);
    sim.run(5);
    expect(calls).toBe(1);
  });

  it('judges a facility whose only working unit is repaired at the instant the other fails as never down', () => {
    // Subsystem needs 1 of 2. u.1 fails at 5 and is repaired at 10; u.2 fails at `secondFailure`.
    // At 10 the order is: u.2 fails (scheduled first) -> 0 up, then u.1 is repaired -> 1 up.
    const run = (secondFailure: number) => {
      const spec: FacilitySpec = {
        nodes: [
          {
            kind: 'group',
            name: 'g',
            component: 'g',
            carriedKw: 0,
            needed: 1,
            units: [
              { name: 'u.1', failure: { kind: 'fixed', value: 5 }, repair: { kind: 'fixed', value: 5 } },
              { name: 'u.2', failure: { kind: 'fixed', value: secondFailure }, repair: { kind: 'fixed', value: 100 } },
            ],
          },
        ],
        loads: [{ name: 'it', powerKw: null, cords: ['g'], cooling: null, recovery: null }],
        crews: { count: Infinity, logisticsDelay: null },
      };
      const sim = new Simulation();
      const model = new FacilityModel(sim, spec);
      model.reset(new Streams('same-instant', 0));
      model.start();
      model.beginAccounting();
      sim.run(14);
      model.finish();
      return model.account;
    };
    const sameInstant = run(10);
    expect(sameInstant.incidents).toBe(0);
    expect(sameInstant.downtime).toBe(0);
    expect(sameInstant.log).toEqual([]);
    // Control: u.2 fails half an hour earlier, so the load is really down from 9.5 to 10.
    const gap = run(9.5);
    expect(gap.incidents).toBe(1);
    expect(gap.downtime).toBe(0.5);
    expect(gap.log.map((i) => [i.start, i.end, i.load])).toEqual([[9.5, 10, 'it']]);
  });
});

describe('event counting', () => {
  it('counts fired timers only: cancelled ones never, moved ones once', () => {
    const sim = new Simulation();
    const noop = () => undefined;
    const a = sim.timer('a', noop);
    const b = sim.timer('b', noop);
    const c = sim.timer('c', noop);
    const d = sim.timer('d', noop);
    sim.at(a, 1);
    sim.at(b, 2);
    sim.at(c, 3);
    sim.at(c, 4); // moved: still one event
    sim.cancel(b);
    // d is cancelled by a's successor at the instant it would fire.
    const canceller = sim.timer('canceller', () => sim.cancel(d));
    sim.at(canceller, 5);
    sim.at(d, 5);
    sim.run(10);
    expect(sim.events).toBe(3); // a, c, canceller
    expect(sim.pending).toBe(0);
  });

  it('counts a self-rescheduling timer once per firing', () => {
    const sim = new Simulation();
    const tick = sim.timer('tick', () => sim.after(tick, 1));
    sim.at(tick, 0);
    sim.run(99.5);
    expect(sim.events).toBe(100); // fired at 0, 1, ..., 99
    expect(sim.timeOf(tick)).toBe(100);
  });
});

describe('errors inside a replication', () => {
  it('rethrows a handler exception as a SimulationError with the simulated time and the timer label', () => {
    const sim = new Simulation();
    const boom = new Error('battery model out of range');
    const ok = sim.timer('ups.a.1', () => undefined);
    const bad = sim.timer('ups.a.3/failure', () => {
      throw boom;
    });
    sim.at(ok, 1);
    sim.at(bad, 7.25);
    const err = thrown(() => sim.run(100));
    expect(err).toBeInstanceOf(SimulationError);
    const e = err as SimulationError;
    expect(e.time).toBe(7.25);
    expect(e.entity).toBe('ups.a.3/failure');
    expect(e.cause).toBe(boom);
    expect(e.message).toContain('ups.a.3/failure');
    expect(e.message).toContain('7.25');
    expect(e.message).toContain('battery model out of range');
  });

  it('names the settle hook when the hook throws', () => {
    const sim = new Simulation();
    sim.onSettle(() => {
      throw new Error('no such load');
    });
    const t = sim.timer('ups.1', () => sim.markDirty());
    sim.at(t, 3);
    const err = thrown(() => sim.run(5));
    expect(err).toBeInstanceOf(SimulationError);
    expect((err as SimulationError).entity).toBe('settle');
    expect((err as SimulationError).time).toBe(3);
  });

  it('stops a zero-delay self-rescheduling loop at the event budget, naming the time and the entity', () => {
    const sim = new Simulation();
    sim.maxEvents = 1000;
    let calls = 0;
    const quiet = sim.timer('ups.1', () => undefined);
    const runaway = sim.timer('workload/arrivals', () => {
      calls++;
      sim.after(runaway, 0);
    });
    sim.at(quiet, 1);
    sim.at(runaway, 2);
    const err = thrown(() => sim.run(Infinity));
    expect(err).toBeInstanceOf(EventBudgetExceeded);
    const e = err as EventBudgetExceeded;
    expect(e.entity).toBe('workload/arrivals');
    expect(e.time).toBe(2);
    expect(e.message).toContain('workload/arrivals');
    expect(e.message).toContain('1000');
    // The budget is the number of events processed: ups.1 plus 999 arrivals.
    expect(calls).toBe(999);
  });
});

describe('engine against a hand-written loop (same streams)', () => {
  const UNITS = 20;
  const NEEDED = 18;
  const MTBF = 500;
  const MTTR = 20;
  const HOURS = 200_000;
  const SEED = 'engine-differential';

  const kofnSpec = (): FacilitySpec => kOfNFacility(UNITS, NEEDED, MTBF, MTTR);

  /** Every unit alternates failure and repair; the site is down while fewer than NEEDED are up. */
  function byHand(): { downtime: number; incidents: number; events: number } {
    const streams = new Streams(SEED, 0);
    const failure = makeDistribution({ kind: 'exponential', mean: MTBF });
    const repair = makeDistribution({ kind: 'exponential', mean: MTTR });
    const failStream = Array.from({ length: UNITS }, (_, i) => streams.get(`g.${i + 1}/failure`));
    const repairStream = Array.from({ length: UNITS }, (_, i) => streams.get(`g.${i + 1}/repair`));
    const next = failStream.map((s) => failure.sample(s));
    const up = new Array<boolean>(UNITS).fill(true);
    let upCount = UNITS;
    let downSince = 0;
    let downtime = 0;
    let incidents = 0;
    let events = 0;
    for (;;) {
      // Linear scan for the earliest event: 20 units, no heap needed for a reference.
      let i = 0;
      for (let j = 1; j < UNITS; j++) if (next[j]! < next[i]!) i = j;
      const now = next[i]!;
      if (now > HOURS) break;
      events++;
      if (up[i]) {
        up[i] = false;
        if (upCount-- === NEEDED) {
          downSince = now;
          incidents++;
        }
        next[i] = now + repair.sample(repairStream[i]!);
      } else {
        up[i] = true;
        if (++upCount === NEEDED) downtime += now - downSince;
        next[i] = now + failure.sample(failStream[i]!);
      }
    }
    if (upCount < NEEDED) downtime += HOURS - downSince;
    return { downtime, incidents, events };
  }

  it('gives exactly the same downtime, incidents and event count for a 20-unit group needing 18 over 200,000 h', () => {
    const sim = new Simulation();
    const model = new FacilityModel(sim, kofnSpec());
    model.reset(new Streams(SEED, 0));
    model.start();
    model.beginAccounting();
    sim.run(HOURS);
    model.finish();
    const hand = byHand();
    // The comparison is only meaningful when the site does go down, many times.
    expect(hand.incidents).toBeGreaterThan(100);
    expect(model.account.downtime).toBe(hand.downtime);
    expect(model.account.incidents).toBe(hand.incidents);
    expect(sim.events).toBe(hand.events);
  });
});
