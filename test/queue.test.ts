/**
 * The future-event list (sim/queue.ts): events at one instant come out in a defined order
 * (time, priority, insertion sequence; a reschedule counts as a new insertion), cancel and
 * reschedule keep the heap valid wherever the timer sits, and fire-in-place behaves like
 * pop-then-push. The randomized check compares every pop against a sorted-array reference.
 */
import { describe, expect, it } from 'vitest';
import { EventQueue, MAX_PRIORITY } from '../sim/queue.js';
import { Streams, type Stream } from '../sim/rng.js';

/** Pops everything, returning the ids in order. */
function drain(q: EventQueue): number[] {
  const out: number[] = [];
  for (let id = q.pop(); id >= 0; id = q.pop()) out.push(id);
  return out;
}

/** Pops everything, returning [id, time] pairs in order. */
function drainTimed(q: EventQueue): [number, number][] {
  const out: [number, number][] = [];
  while (q.size > 0) {
    const t = q.peekTime();
    out.push([q.pop(), t]);
  }
  return out;
}

describe('EventQueue order', () => {
  it('pops same-time events by priority (lower first), then in insertion order', () => {
    const q = new EventQueue();
    const a = q.allocate(2);
    const b = q.allocate(0);
    const c = q.allocate(1);
    const d = q.allocate(0);
    const e = q.allocate(2);
    const f = q.allocate(1);
    const early = q.allocate(MAX_PRIORITY);
    for (const id of [a, b, c, d, e, f]) q.schedule(id, 10);
    // An earlier time beats any priority.
    q.schedule(early, 9.999);
    expect(drain(q)).toEqual([early, b, d, c, f, a, e]);
  });

  it('orders by time first, whatever the insertion order', () => {
    const q = new EventQueue();
    const times = [5, 1, 4, 1.5, 3, 2, 0, 7];
    const ids = times.map(() => q.allocate());
    ids.forEach((id, i) => q.schedule(id, times[i]!));
    expect(drainTimed(q).map(([, t]) => t)).toEqual([0, 1, 1.5, 2, 3, 4, 5, 7]);
  });

  it('puts a rescheduled timer behind the others at the same time and priority', () => {
    const q = new EventQueue();
    const [a, b, c] = [q.allocate(), q.allocate(), q.allocate()];
    q.schedule(a, 3);
    q.schedule(b, 3);
    q.schedule(c, 3);
    q.schedule(a, 3); // moved to the same time: counts as newly inserted
    expect(drain(q)).toEqual([b, c, a]);

    // Moving from a later time to an existing instant also joins the back of that instant.
    q.schedule(a, 2);
    q.schedule(b, 2);
    q.schedule(c, 8);
    q.schedule(c, 2);
    expect(drain(q)).toEqual([a, b, c]);

    // Moving away from an instant to an earlier one puts it first.
    q.schedule(a, 2);
    q.schedule(b, 2);
    q.schedule(c, 2);
    q.schedule(c, 1);
    expect(drain(q)).toEqual([c, a, b]);
  });

  it('keeps priority above insertion order after a reschedule', () => {
    const q = new EventQueue();
    const low = q.allocate(0);
    const high = q.allocate(1);
    q.schedule(low, 4);
    q.schedule(high, 4);
    q.schedule(low, 4); // re-inserted after `high`, but its priority still wins
    expect(drain(q)).toEqual([low, high]);
  });

  it('rejects priorities outside [0, MAX_PRIORITY] and non-integers', () => {
    const q = new EventQueue();
    expect(() => q.allocate(-1)).toThrow(RangeError);
    expect(() => q.allocate(MAX_PRIORITY + 1)).toThrow(RangeError);
    expect(() => q.allocate(0.5)).toThrow(RangeError);
    expect(q.allocate(MAX_PRIORITY)).toBe(0);
  });
});

describe('EventQueue cancel', () => {
  /** Seven timers at times 1..7, so the heap is a full tree of depth 3 with a known root and leaves. */
  function seven(): { q: EventQueue; ids: number[] } {
    const q = new EventQueue();
    const ids = Array.from({ length: 7 }, () => q.allocate());
    ids.forEach((id, i) => q.schedule(id, i + 1));
    return { q, ids };
  }

  it('cancels the root: the next earliest becomes the root', () => {
    const { q, ids } = seven();
    q.cancel(ids[0]!);
    expect(q.peekTime()).toBe(2);
    expect(q.size).toBe(6);
    expect(drainTimed(q).map(([, t]) => t)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('cancels a leaf (the last heap slot and an inner leaf)', () => {
    const { q, ids } = seven();
    q.cancel(ids[6]!); // time 7: the last slot
    q.cancel(ids[3]!); // time 4: a leaf that is not last
    expect(q.isScheduled(ids[6]!)).toBe(false);
    expect(q.isScheduled(ids[3]!)).toBe(false);
    expect(drainTimed(q).map(([, t]) => t)).toEqual([1, 2, 3, 5, 6]);
  });

  it('cancels a middle element, whose replacement may have to move up', () => {
    // Heap after inserting 1, 10, 2, 11, 12, 3, 4 is [1, 10, 2, 11, 12, 3, 4]: cancelling 10
    // (index 1, with children) moves the last element (4) there, above 11 and 12.
    const q = new EventQueue();
    const times = [1, 10, 2, 11, 12, 3, 4];
    const ids = times.map(() => q.allocate());
    ids.forEach((id, i) => q.schedule(id, times[i]!));
    q.cancel(ids[1]!);
    expect(drainTimed(q).map(([, t]) => t)).toEqual([1, 2, 3, 4, 11, 12]);

    // Removal where the last element is smaller than the removed one's parent: it must go up.
    const r = new EventQueue();
    const times2 = [1, 20, 2, 21, 22, 3, 4, 23, 24, 25, 26, 5];
    const ids2 = times2.map(() => r.allocate());
    ids2.forEach((id, i) => r.schedule(id, times2[i]!));
    r.cancel(ids2[4]!); // 22: replaced by 5 from the last slot, which must rise above 20
    expect(drainTimed(r).map(([, t]) => t)).toEqual([1, 2, 3, 4, 5, 20, 21, 23, 24, 25, 26]);
  });

  it('ignores cancelling an idle timer, twice or never scheduled', () => {
    const { q, ids } = seven();
    const never = q.allocate();
    q.cancel(never);
    q.cancel(ids[2]!);
    q.cancel(ids[2]!);
    expect(q.size).toBe(6);
    expect(drain(q)).toEqual([ids[0], ids[1], ids[3], ids[4], ids[5], ids[6]]);
  });
});

describe('EventQueue idle timers', () => {
  it('reports idle timers as not scheduled with time NaN, before scheduling, after pop and after cancel', () => {
    const q = new EventQueue();
    const a = q.allocate();
    const b = q.allocate();
    expect(q.isScheduled(a)).toBe(false);
    expect(q.timeOf(a)).toBeNaN();
    q.schedule(a, 2.5);
    q.schedule(b, 3);
    expect(q.isScheduled(a)).toBe(true);
    expect(q.timeOf(a)).toBe(2.5);
    q.schedule(a, 4); // moved
    expect(q.timeOf(a)).toBe(4);
    expect(q.pop()).toBe(b);
    expect(q.isScheduled(b)).toBe(false);
    expect(q.timeOf(b)).toBeNaN();
    q.cancel(a);
    expect(q.isScheduled(a)).toBe(false);
    expect(q.timeOf(a)).toBeNaN();
    expect(q.size).toBe(0);
  });

  it('returns -1 and +Infinity on an empty queue', () => {
    const q = new EventQueue();
    expect(q.pop()).toBe(-1);
    expect(q.beginFire()).toBe(-1);
    expect(q.peekTime()).toBe(Infinity);
  });

  it('clear makes every timer idle, keeps them allocated, and restarts the tie order', () => {
    const q = new EventQueue();
    const [a, b] = [q.allocate(), q.allocate()];
    q.schedule(a, 1);
    q.schedule(b, 1);
    q.clear();
    expect(q.size).toBe(0);
    expect(q.timerCount).toBe(2);
    expect(q.isScheduled(a)).toBe(false);
    expect(q.timeOf(b)).toBeNaN();
    q.schedule(b, 1);
    q.schedule(a, 1);
    expect(drain(q)).toEqual([b, a]);
  });
});

describe('EventQueue growth', () => {
  it('keeps order and times of 1,000 timers allocated beyond an initial capacity of 4', () => {
    const q = new EventQueue(4);
    const n = 1000;
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = q.allocate(i % 3);
      ids.push(id);
      // Interleave scheduling with allocation, so growth happens while the heap is populated.
      q.schedule(id, (i * 7919) % 101);
    }
    expect(q.timerCount).toBe(n);
    expect(q.size).toBe(n);
    expect(ids).toEqual(Array.from({ length: n }, (_, i) => i));
    // Every timer kept its time across the reallocations.
    for (let i = 0; i < n; i++) expect(q.timeOf(i)).toBe((i * 7919) % 101);
    const popped = drainTimed(q);
    const expected = ids
      .map((id) => ({ id, time: (id * 7919) % 101, prio: id % 3 }))
      .sort((x, y) => x.time - y.time || x.prio - y.prio || x.id - y.id)
      .map((e) => [e.id, e.time]);
    expect(popped).toEqual(expected);
  });
});

describe('EventQueue fire in place (beginFire/endFire)', () => {
  function three(): { q: EventQueue; a: number; b: number; c: number } {
    const q = new EventQueue();
    const [a, b, c] = [q.allocate(), q.allocate(), q.allocate()];
    q.schedule(a, 1);
    q.schedule(b, 2);
    q.schedule(c, 3);
    return { q, a, b, c };
  }

  it('keeps a timer its handler re-arms, at the new time', () => {
    const { q, a, b, c } = three();
    expect(q.beginFire()).toBe(a);
    q.schedule(a, 2.5);
    expect(q.isScheduled(a)).toBe(true);
    expect(q.timeOf(a)).toBe(2.5);
    q.endFire();
    expect(q.isScheduled(a)).toBe(true);
    expect(q.timeOf(a)).toBe(2.5);
    expect(drainTimed(q)).toEqual([
      [b, 2],
      [a, 2.5],
      [c, 3],
    ]);
  });

  it('re-armed at the same instant, a fired timer goes behind the others of that instant', () => {
    const q = new EventQueue();
    const [a, b] = [q.allocate(), q.allocate()];
    q.schedule(a, 1);
    q.schedule(b, 1);
    expect(q.beginFire()).toBe(a);
    q.schedule(a, 1);
    q.endFire();
    expect(drain(q)).toEqual([b, a]);
  });

  it('removes a timer its handler does not re-arm', () => {
    const { q, a, b, c } = three();
    expect(q.beginFire()).toBe(a);
    q.endFire();
    expect(q.isScheduled(a)).toBe(false);
    expect(q.timeOf(a)).toBeNaN();
    expect(q.size).toBe(2);
    expect(drain(q)).toEqual([b, c]);
  });

  it('removes a timer cancelled during its own firing exactly once', () => {
    const { q, a, b, c } = three();
    expect(q.beginFire()).toBe(a);
    q.cancel(a);
    expect(q.size).toBe(2);
    q.endFire(); // must not remove another element in a's place
    expect(q.size).toBe(2);
    expect(q.isScheduled(a)).toBe(false);
    expect(drain(q)).toEqual([b, c]);
  });

  it('removes a timer re-armed then cancelled during its firing, and keeps one cancelled then re-armed', () => {
    const { q, a, b, c } = three();
    q.beginFire();
    q.schedule(a, 5);
    q.cancel(a);
    q.endFire();
    expect(q.isScheduled(a)).toBe(false);
    expect(drain(q)).toEqual([b, c]);

    const r = three();
    r.q.beginFire();
    r.q.cancel(r.a);
    r.q.schedule(r.a, 2.5);
    r.q.endFire();
    expect(r.q.timeOf(r.a)).toBe(2.5);
    expect(drain(r.q)).toEqual([r.b, r.a, r.c]);
  });

  it('reports the firing timer as idle until its handler re-arms it', () => {
    const { q, a, b } = three();
    q.beginFire();
    expect(q.isScheduled(a)).toBe(false);
    expect(q.timeOf(a)).toBeNaN();
    // Other timers are unaffected while one fires.
    expect(q.isScheduled(b)).toBe(true);
    expect(q.timeOf(b)).toBe(2);
    q.schedule(a, 7);
    expect(q.isScheduled(a)).toBe(true);
    expect(q.timeOf(a)).toBe(7);
    q.endFire();
    // The next firing starts from a clean slate: not re-armed yet.
    expect(q.beginFire()).toBe(b);
    expect(q.isScheduled(b)).toBe(false);
    q.endFire();
    expect(q.isScheduled(b)).toBe(false);
  });

  it('lets a handler schedule, move and cancel other timers while it fires', () => {
    const { q, a, b, c } = three();
    const d = q.allocate();
    q.beginFire();
    q.schedule(d, 1); // same instant as the firing timer, after it
    q.schedule(c, 1.5); // moved before b
    q.cancel(b);
    q.endFire();
    expect(q.isScheduled(a)).toBe(false);
    expect(drainTimed(q)).toEqual([
      [d, 1],
      [c, 1.5],
    ]);
  });
});

/**
 * Sorted-array reference: entries sorted by (time, priority, sequence); schedule removes the
 * id's entry and inserts a new one with the next sequence number.
 */
class ReferenceQueue {
  private seq = 0;
  entries: { id: number; time: number; prio: number; seq: number }[] = [];
  constructor(private readonly prio: number[]) {}

  schedule(id: number, time: number): void {
    this.cancel(id);
    const e = { id, time, prio: this.prio[id]!, seq: this.seq++ };
    let i = 0;
    while (i < this.entries.length && !this.before(e, this.entries[i]!)) i++;
    this.entries.splice(i, 0, e);
  }
  cancel(id: number): void {
    const i = this.entries.findIndex((e) => e.id === id);
    if (i >= 0) this.entries.splice(i, 1);
  }
  pop(): number {
    return this.entries.shift()?.id ?? -1;
  }
  timeOf(id: number): number {
    return this.entries.find((e) => e.id === id)?.time ?? NaN;
  }
  private before(a: { time: number; prio: number; seq: number }, b: { time: number; prio: number; seq: number }): boolean {
    return a.time < b.time || (a.time === b.time && (a.prio < b.prio || (a.prio === b.prio && a.seq < b.seq)));
  }
}

describe('EventQueue against a sorted-array reference', () => {
  it('agrees on every pop, fire, time and size over 20,000 seeded random operations', () => {
    const rng: Stream = new Streams('queue-differential', 0).get('ops');
    const int = (n: number): number => Math.floor(rng.uniform() * n) % n;
    const TIMERS = 150; // beyond the initial capacity, so growth happens mid-run
    const prio = Array.from({ length: TIMERS }, () => int(3));
    const q = new EventQueue(8);
    const ids = prio.map((p) => q.allocate(p));
    expect(ids).toEqual(Array.from({ length: TIMERS }, (_, i) => i));
    const ref = new ReferenceQueue(prio);
    // Coarse times (multiples of 0.5 in [0, 20)) make ties of time, and of time and priority, common.
    const time = (): number => int(40) / 2;
    const counts = { schedule: 0, reschedule: 0, cancel: 0, pop: 0, fire: 0, rearm: 0, fireCancel: 0 };

    for (let op = 0; op < 20_000; op++) {
      const r = rng.uniform();
      if (r < 0.4) {
        const id = int(TIMERS);
        if (!Number.isNaN(ref.timeOf(id))) counts.reschedule++;
        else counts.schedule++;
        const t = time();
        q.schedule(id, t);
        ref.schedule(id, t);
      } else if (r < 0.55) {
        const id = int(TIMERS);
        counts.cancel++;
        q.cancel(id);
        ref.cancel(id);
      } else if (r < 0.8) {
        counts.pop++;
        const t = q.peekTime();
        const expectedTime = ref.entries[0]?.time ?? Infinity;
        expect(t).toBe(expectedTime);
        expect(q.pop()).toBe(ref.pop());
      } else {
        // Fire in place: the reference pops, then the handler acts, then endFire.
        counts.fire++;
        const expectedTime = ref.entries[0]?.time ?? Infinity;
        expect(q.peekTime()).toBe(expectedTime);
        const id = q.beginFire();
        expect(id).toBe(ref.pop());
        if (id >= 0) {
          expect(q.isScheduled(id)).toBe(false);
          const action = rng.uniform();
          if (action < 0.4) {
            counts.rearm++;
            const t = expectedTime + time();
            q.schedule(id, t);
            ref.schedule(id, t);
          } else if (action < 0.55) {
            counts.fireCancel++;
            q.cancel(id);
          } else if (action < 0.75) {
            // The handler touches another timer.
            const other = int(TIMERS);
            const t = expectedTime + time();
            q.schedule(other, t);
            ref.schedule(other, t);
          }
          q.endFire();
        }
      }
      expect(q.size).toBe(ref.entries.length);
      const probe = int(TIMERS);
      expect(q.timeOf(probe)).toBe(ref.timeOf(probe));
      expect(q.isScheduled(probe)).toBe(!Number.isNaN(ref.timeOf(probe)));
    }
    // Drain what is left and compare the tail too.
    const rest: number[] = [];
    for (let id = ref.pop(); id >= 0; id = ref.pop()) rest.push(id);
    expect(drain(q)).toEqual(rest);
    // The mix exercised every kind of operation many times.
    for (const n of Object.values(counts)) expect(n).toBeGreaterThan(200);
  });
});
