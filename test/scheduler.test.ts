/**
 * Scheduling policies (models/cluster/scheduler.ts) on hand-sized instants: every case states its
 * timeline and asserts the exact decisions (which jobs start, on which hosts, in what order).
 * Hosts are small (4 slots) so the arithmetic can be checked by eye. Times are hours.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_SCAN,
  SchedulerPolicy,
  easyBackfill,
  fcfs,
  headReservation,
  schedulerMessages as msg,
  schedulers,
  type Decision,
  type SchedulerInput,
} from '../models/cluster/scheduler.js';

/** `start(7, [2, 3])`: job 7 starts with 3 slots on host 2. */
function start(job: number, ...pieces: Array<[host: number, count: number]>): Decision {
  return { kind: 'start', job, slots: pieces.map(([host, count]) => ({ host, count })) };
}

const jobs = (decisions: Decision[]): number[] => decisions.map((d) => d.job);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('FCFS', () => {
  // Hosts 1 and 2, 4 slots each. Job 100 holds host 1 until t=10.
  //   t=0: A (2 slots) fits and starts on host 2; B (6 slots) does not fit (2 free), so FCFS stops:
  //        C (1 slot, 1 h) waits behind B although a slot is free all the way to t=10.
  //   t=10: job 100 ends, 6 free, B can start (a later call).
  const input: SchedulerInput = {
    now: 0,
    hosts: [{ id: 1, freeSlots: 0 }, { id: 2, freeSlots: 4 }],
    running: [{ job: 100, end: 10, slots: [{ host: 1, count: 4 }] }],
    queue: [
      { job: 1, slots: 2, walltime: 1 }, // A
      { job: 2, slots: 6, walltime: 1 }, // B
      { job: 3, slots: 1, walltime: 1 }, // C
    ],
  };

  it('starts jobs in order and blocks behind a large head', () => {
    expect(fcfs(input)).toEqual([start(1, [2, 2])]);
  });

  it('where EASY backfills the short job behind the same head', () => {
    // Head B: shadow time 10 (job 100 releases host 1: 2 + 4 = 6 free), extra 0.
    // C ends at 1 <= 10, so it backfills on host 2, the only host with a free slot.
    expect(easyBackfill(input)).toEqual([start(1, [2, 2]), start(3, [2, 1])]);
  });

  it('starts nothing when no slot is free, and nothing from an empty queue', () => {
    expect(fcfs({ ...input, hosts: [{ id: 1, freeSlots: 0 }, { id: 2, freeSlots: 0 }] })).toEqual([]);
    expect(fcfs({ ...input, queue: [] })).toEqual([]);
    expect(easyBackfill({ ...input, queue: [] })).toEqual([]);
  });
});

describe('EASY backfilling', () => {
  // Shared instant for cases 1 and 2. Hosts 1 and 2, 4 slots each, now = 0.
  //   job 100: 4 slots on host 1, ends t=5
  //   job 101: 2 slots on host 2, ends t=8
  //   free now: host 1: 0, host 2: 2 (total 2)
  // Head H needs 6 slots: at t=5 job 100 releases 4 -> 2 + 4 = 6 free: shadow time 5, extra 0.
  const busy = {
    now: 0,
    hosts: [{ id: 1, freeSlots: 0 }, { id: 2, freeSlots: 2 }],
    running: [
      { job: 100, end: 5, slots: [{ host: 1, count: 4 }] },
      { job: 101, end: 8, slots: [{ host: 2, count: 2 }] },
    ],
  };
  const head = { job: 1, slots: 6, walltime: 3 };

  it('computes the head reservation of the shared instant', () => {
    expect(headReservation({ ...busy, queue: [] }, 6)).toEqual({ shadowTime: 5, extraSlots: 0 });
  });

  it('(1) a short job backfills before the shadow time', () => {
    // S (2 slots, 4 h) runs 0..4 on host 2 and is gone before t=5, when H starts on time.
    const input = { ...busy, queue: [head, { job: 2, slots: 2, walltime: 4 }] };
    expect(easyBackfill(input)).toEqual([start(2, [2, 2])]);
  });

  it('(1b) a job ending exactly at the shadow time backfills', () => {
    // S (2 slots, 5 h) runs 0..5 and returns its slots at t=5, the instant H needs them.
    const input = { ...busy, queue: [head, { job: 2, slots: 2, walltime: 5 }] };
    expect(easyBackfill(input)).toEqual([start(2, [2, 2])]);
  });

  it('(2) a long job that would delay the head does not backfill', () => {
    // L (2 slots, 6 h) would hold host 2 until t=6: at t=5 only host 1's 4 slots would be free,
    // fewer than H's 6, so H would wait until t=6. It ends after the shadow time and there is no
    // extra slot, so it must wait; FCFS order is kept for it.
    const input = { ...busy, queue: [head, { job: 2, slots: 2, walltime: 6 }] };
    expect(easyBackfill(input)).toEqual([]);
    expect(fcfs(input)).toEqual([]);
  });

  // Shared instant for cases 3 and 4. Hosts 1 and 2, 4 slots each, now = 0.
  //   job 100: 4 slots on host 1, ends t=5; free now: host 1: 0, host 2: 4.
  // Head H needs 6: at t=5, 4 + 4 = 8 free: shadow time 5, extra 8 - 6 = 2.
  const roomy = {
    now: 0,
    hosts: [{ id: 1, freeSlots: 0 }, { id: 2, freeSlots: 4 }],
    running: [{ job: 100, end: 5, slots: [{ host: 1, count: 4 }] }],
  };

  it('(3) a long job that fits in the extra slots backfills', () => {
    // L (2 slots, 100 h) runs far beyond t=5, but at t=5 host 1 (4) + host 2 (4 - 2) = 6 slots
    // are free, exactly H's need: H is not delayed.
    const input = { ...roomy, queue: [head, { job: 2, slots: 2, walltime: 100 }] };
    expect(headReservation({ ...roomy, queue: [] }, 6)).toEqual({ shadowTime: 5, extraSlots: 2 });
    expect(easyBackfill(input)).toEqual([start(2, [2, 2])]);
  });

  it('(4) the extra slots shrink as backfilled long jobs take them; short jobs do not use them', () => {
    // extra 2 at the start of the scan, 4 slots free now (host 2):
    //   L1 (1 slot, 100 h): long, 1 <= extra 2 -> starts, extra 1, free 3
    //   L2 (2 slots, 100 h): long, 2 > extra 1 -> waits (it fits now, but would delay H to t=100)
    //   L3 (1 slot, 100 h): long, 1 <= extra 1 -> starts, extra 0, free 2
    //   L4 (1 slot, 100 h): long, extra 0 -> waits
    //   S  (1 slot, 5 h):   ends at t=5 <= 5 -> starts without using extra slots, free 1
    // At t=5: host 1 gives 4, host 2 keeps 1 free + S's 1 back = 6 = H's need.
    const queue = [
      head,
      { job: 2, slots: 1, walltime: 100 },
      { job: 3, slots: 2, walltime: 100 },
      { job: 4, slots: 1, walltime: 100 },
      { job: 5, slots: 1, walltime: 100 },
      { job: 6, slots: 1, walltime: 5 },
    ];
    expect(easyBackfill({ ...roomy, queue })).toEqual([start(2, [2, 1]), start(4, [2, 1]), start(6, [2, 1])]);
  });

  it('(5) several running jobs ending at different times set the shadow time', () => {
    // Hosts 1, 2, 3 with 4 slots each, now = 0. Running jobs, given out of end order:
    //   job 100: 4 slots on host 1, ends t=9
    //   job 101: 2 slots on host 2, ends t=3
    //   job 102: 3 slots on host 3, ends t=6
    //   job 103: 2 slots on host 2, ends t=6
    // Free now: host 3: 1. Head H needs 6 slots:
    //   t=3: job 101 ends -> 1 + 2 = 3 free
    //   t=6: job 102 ends -> 6 free = H's need, so the shadow time is 6; job 103 also ends at t=6
    //        -> 8 free at the shadow time: extra 2 (not 0: same-instant releases all count).
    //   (job 100 at t=9 is not needed.)
    // B (1 slot, 10 h) ends after t=6 but fits in the extra slots: starts on host 3.
    // B2 is not even examined: no slot is left.
    const input: SchedulerInput = {
      now: 0,
      hosts: [{ id: 1, freeSlots: 0 }, { id: 2, freeSlots: 0 }, { id: 3, freeSlots: 1 }],
      running: [
        { job: 100, end: 9, slots: [{ host: 1, count: 4 }] },
        { job: 101, end: 3, slots: [{ host: 2, count: 2 }] },
        { job: 102, end: 6, slots: [{ host: 3, count: 3 }] },
        { job: 103, end: 6, slots: [{ host: 2, count: 2 }] },
      ],
      queue: [
        { job: 1, slots: 6, walltime: 1 },
        { job: 2, slots: 1, walltime: 10 },
        { job: 3, slots: 1, walltime: 1 },
      ],
    };
    expect(headReservation(input, 6)).toEqual({ shadowTime: 6, extraSlots: 2 });
    expect(headReservation(input, 3)).toEqual({ shadowTime: 3, extraSlots: 0 });
    expect(headReservation(input, 9)).toEqual({ shadowTime: 9, extraSlots: 3 });
    expect(headReservation(input, 12)).toEqual({ shadowTime: 9, extraSlots: 0 });
    expect(easyBackfill(input)).toEqual([start(2, [3, 1])]);
  });

  it('(5b) jobs started earlier in the same call count as running for the reservation', () => {
    // One host of 8 slots, nothing running, now = 10.
    //   A (5 slots, 2 h) starts in order and will end at t=12.
    //   H (6 slots) does not fit in the 3 left: at t=12 A's 5 come back -> 8 free:
    //     shadow time 12, extra 2.
    //   B (3 slots, 1 h) ends at t=11 <= 12: backfills. Nothing is left free; C is not examined.
    const input: SchedulerInput = {
      now: 10,
      hosts: [{ id: 1, freeSlots: 8 }],
      running: [],
      queue: [
        { job: 1, slots: 5, walltime: 2 },
        { job: 2, slots: 6, walltime: 1 },
        { job: 3, slots: 3, walltime: 1 },
        { job: 4, slots: 1, walltime: 0.5 },
      ],
    };
    expect(easyBackfill(input)).toEqual([start(1, [1, 5]), start(3, [1, 3])]);
    // Had B been 3 h long (ends at 13 > 12), it would need 3 extra slots and only 2 exist; the
    // half-hour job D backfills instead.
    const longB = { ...input, queue: input.queue.map((j) => (j.job === 3 ? { ...j, walltime: 3 } : j)) };
    expect(easyBackfill(longB)).toEqual([start(1, [1, 5]), start(4, [1, 1])]);
  });

  it('(6) a job larger than the whole cluster never starts and does not block the queue', () => {
    // Hosts 1 and 2, 4 slots each (capacity 8). Job 100 holds 2 slots on host 1 until t=5.
    //   X (9 slots): more than the cluster can ever offer -> passed over, no reservation.
    //   A (3 slots, 10 h): 6 free -> starts; best fit is host 2 (4 free; host 1 has only 2).
    //   H (8 slots): 3 free now; t=5: job 100 ends -> 5; t=10: A ends -> 8: shadow 10, extra 0.
    //   B (1 slot, 100 h): ends after t=10, no extra slot -> waits.
    const input: SchedulerInput = {
      now: 0,
      hosts: [{ id: 1, freeSlots: 2 }, { id: 2, freeSlots: 4 }],
      running: [{ job: 100, end: 5, slots: [{ host: 1, count: 2 }] }],
      queue: [
        { job: 9, slots: 9, walltime: 1 },
        { job: 1, slots: 3, walltime: 10 },
        { job: 2, slots: 8, walltime: 1 },
        { job: 3, slots: 1, walltime: 100 },
      ],
    };
    expect(easyBackfill(input)).toEqual([start(1, [2, 3])]);
    expect(fcfs(input)).toEqual([start(1, [2, 3])]);
    expect(headReservation(input, 9)).toBeNull();
    // An idle cluster with only impossible jobs: nothing starts, the call returns.
    const idle: SchedulerInput = { now: 0, hosts: [{ id: 1, freeSlots: 4 }], running: [], queue: [{ job: 9, slots: 5, walltime: 1 }] };
    expect(easyBackfill(idle)).toEqual([]);
    expect(fcfs(idle)).toEqual([]);
    // Behind it, a job that fits starts in order under both policies.
    const behind = { ...idle, queue: [...idle.queue, { job: 1, slots: 4, walltime: 1 }] };
    expect(easyBackfill(behind)).toEqual([start(1, [1, 4])]);
    expect(fcfs(behind)).toEqual([start(1, [1, 4])]);
  });
});

describe('host-level slots', () => {
  it('places a job whole on the host with the fewest free slots that holds it, ties to the lower id', () => {
    // Free: host 1: 3, host 2: 1, host 3: 4, host 4: 3 (listed out of id order).
    //   J1 (1): hosts holding 1 -> the fewest free is host 2 (1).
    //   J2 (3): hosts 1, 3, 4 hold 3; fewest free is 3 on hosts 1 and 4 -> host 1.
    //   J3 (3): host 4 (3) beats host 3 (4).
    //   J4 (2): only host 3 is left.
    const input: SchedulerInput = {
      now: 0,
      hosts: [{ id: 3, freeSlots: 4 }, { id: 4, freeSlots: 3 }, { id: 1, freeSlots: 3 }, { id: 2, freeSlots: 1 }],
      running: [],
      queue: [
        { job: 1, slots: 1, walltime: 1 },
        { job: 2, slots: 3, walltime: 1 },
        { job: 3, slots: 3, walltime: 1 },
        { job: 4, slots: 2, walltime: 1 },
      ],
    };
    expect(fcfs(input)).toEqual([start(1, [2, 1]), start(2, [1, 3]), start(3, [4, 3]), start(4, [3, 2])]);
  });

  it('spans hosts when no host holds the job: largest first, then best fit for the rest', () => {
    // Free: host 1: 3, host 2: 2, host 3: 4. J (6 slots): no host holds 6; take host 3 whole (4),
    // the remaining 2 fit best on host 2 (2) rather than host 1 (3). Pieces are listed by host id.
    // Then K (3 slots) fits whole on host 1.
    const input: SchedulerInput = {
      now: 0,
      hosts: [{ id: 1, freeSlots: 3 }, { id: 2, freeSlots: 2 }, { id: 3, freeSlots: 4 }],
      running: [],
      queue: [
        { job: 1, slots: 6, walltime: 1 },
        { job: 2, slots: 3, walltime: 1 },
      ],
    };
    expect(easyBackfill(input)).toEqual([start(1, [2, 2], [3, 4]), start(2, [1, 3])]);
  });

  it('counts a host with slots reserved for others only above zero, now and at release', () => {
    // Host 1 (4 slots) is fully used by job 100 (ends t=4) and 2 of its slots are reserved for
    // another queue: freeSlots = 4 - 4 - 2 = -2. Host 2 has 4 free. Free now: 4 (not 2).
    // Head H (5 slots): at t=4 host 1 goes -2 + 4 = 2 -> 2 + 4 = 6 free: shadow 4, extra 1.
    // A (1 slot, 50 h) backfills in the extra slot on host 2; B (1 slot, 50 h) waits.
    const input: SchedulerInput = {
      now: 0,
      hosts: [{ id: 1, freeSlots: -2 }, { id: 2, freeSlots: 4 }],
      running: [{ job: 100, end: 4, slots: [{ host: 1, count: 4 }] }],
      queue: [
        { job: 1, slots: 5, walltime: 1 },
        { job: 2, slots: 1, walltime: 50 },
        { job: 3, slots: 1, walltime: 50 },
      ],
    };
    expect(headReservation(input, 5)).toEqual({ shadowTime: 4, extraSlots: 1 });
    expect(easyBackfill(input)).toEqual([start(2, [2, 1])]);
    // Only 6 slots will ever be usable here: a 7-slot job is passed over.
    expect(headReservation(input, 7)).toBeNull();
  });

  it('ignores slots of running jobs on hosts this queue cannot use', () => {
    // Job 100 runs on host 9, which is not offered to this queue: its end frees nothing here.
    const input: SchedulerInput = {
      now: 0,
      hosts: [{ id: 1, freeSlots: 1 }],
      running: [{ job: 100, end: 2, slots: [{ host: 9, count: 4 }, { host: 1, count: 3 }] }],
      queue: [],
    };
    expect(headReservation(input, 4)).toEqual({ shadowTime: 2, extraSlots: 0 });
    expect(headReservation(input, 5)).toBeNull();
  });

  it('gives the same answer when host ids are their array indices (the lookup-free path)', () => {
    // Hosts 0 and 1 with 4 slots each; job 100 holds host 0 until t=5 and 2 slots on host 7,
    // which this queue cannot use. A (2 slots, 1 h) starts on host 1 and ends at t=1.
    // Head H (8 slots): 2 free; t=1: A's 2 back -> 4; t=5: host 0's 4 -> 8: shadow 5, extra 0.
    // L (2 slots, 9 h) would delay H; S (2 slots, 5 h) backfills on host 1.
    const queue = [
      { job: 1, slots: 2, walltime: 1 },
      { job: 2, slots: 8, walltime: 1 },
      { job: 3, slots: 2, walltime: 9 },
      { job: 4, slots: 2, walltime: 5 },
    ];
    const running = [{ job: 100, end: 5, slots: [{ host: 0, count: 4 }, { host: 7, count: 2 }] }];
    const inOrder: SchedulerInput = { now: 0, hosts: [{ id: 0, freeSlots: 0 }, { id: 1, freeSlots: 4 }], running, queue };
    const expected = [start(1, [1, 2]), start(4, [1, 2])];
    expect(easyBackfill(inOrder)).toEqual(expected);
    expect(easyBackfill({ ...inOrder, hosts: [...inOrder.hosts].reverse() })).toEqual(expected);
    expect(headReservation(inOrder, 8)).toEqual({ shadowTime: 5, extraSlots: 0 });
    expect(headReservation(inOrder, 9)).toBeNull(); // host 7's slots never count
  });

  it('treats a running job past its end as ending now', () => {
    // now = 5, job 100 was due at t=3 and still holds 4 slots on host 1: shadow time 5 (now).
    const input: SchedulerInput = {
      now: 5,
      hosts: [{ id: 1, freeSlots: 0 }],
      running: [{ job: 100, end: 3, slots: [{ host: 1, count: 4 }] }],
      queue: [
        { job: 1, slots: 4, walltime: 1 },
        { job: 2, slots: 1, walltime: 0 },
      ],
    };
    expect(headReservation(input, 4)).toEqual({ shadowTime: 5, extraSlots: 0 });
    expect(easyBackfill(input)).toEqual([]); // nothing is free yet: the engine calls again at the release
  });
});

describe('scan limit', () => {
  // One host of 4 slots, job 100 holds 2 until t=10. Head H (4 slots): shadow 10, extra 0.
  // Behind it three long 1-slot jobs that cannot backfill, then a short one that can.
  const input: SchedulerInput = {
    now: 0,
    hosts: [{ id: 1, freeSlots: 2 }],
    running: [{ job: 100, end: 10, slots: [{ host: 1, count: 2 }] }],
    queue: [
      { job: 1, slots: 4, walltime: 1 },
      { job: 2, slots: 1, walltime: 20 },
      { job: 3, slots: 1, walltime: 20 },
      { job: 4, slots: 1, walltime: 20 },
      { job: 5, slots: 1, walltime: 2 },
    ],
  };

  it('examines at most maxScan jobs after the first that cannot start', () => {
    expect(DEFAULT_MAX_SCAN).toBe(1000);
    expect(easyBackfill(input)).toEqual([start(5, [1, 1])]);
    expect(easyBackfill(input, { maxScan: 4 })).toEqual([start(5, [1, 1])]);
    expect(easyBackfill(input, { maxScan: 3 })).toEqual([]);
    expect(easyBackfill(input, { maxScan: 0 })).toEqual([]);
  });

  it('counts jobs passed over as too large against the same limit', () => {
    const oversized = { ...input, running: [], hosts: [{ id: 1, freeSlots: 4 }], queue: [9, 8, 7].map((job) => ({ job, slots: 5, walltime: 1 })) };
    const withSmall = { ...oversized, queue: [...oversized.queue, { job: 1, slots: 1, walltime: 1 }] };
    // X9 is the first that cannot start; X8, X7 and job 1 are the 1st..3rd examined after it.
    expect(fcfs(withSmall, { maxScan: 3 })).toEqual([start(1, [1, 1])]);
    expect(fcfs(withSmall, { maxScan: 2 })).toEqual([]);
    expect(easyBackfill(withSmall, { maxScan: 2 })).toEqual([]);
  });

  it('stops scanning a long queue once no slot is free', () => {
    // 100,000 one-slot jobs on 4 free slots: the first four start; the rest are not examined,
    // which a queue of invalid entries behind them would reveal.
    const queue = Array.from({ length: 100_000 }, (_, k) => ({ job: k, slots: k < 4 ? 1 : 0, walltime: 1 }));
    const decisions = easyBackfill({ now: 0, hosts: [{ id: 1, freeSlots: 4 }], running: [], queue }, { maxScan: Infinity });
    expect(jobs(decisions)).toEqual([0, 1, 2, 3]);
  });
});

describe('purity', () => {
  const input: SchedulerInput = {
    now: 1,
    hosts: [{ id: 2, freeSlots: 3 }, { id: 1, freeSlots: 1 }, { id: 3, freeSlots: 0 }],
    running: [
      { job: 100, end: 4, slots: [{ host: 3, count: 4 }] },
      { job: 101, end: 2, slots: [{ host: 1, count: 2 }, { host: 2, count: 1 }] },
    ],
    queue: [
      { job: 1, slots: 2, walltime: 1 },
      { job: 2, slots: 8, walltime: 1 },
      { job: 3, slots: 1, walltime: 10 },
      { job: 4, slots: 1, walltime: 0.5 },
    ],
  };
  // now = 1, free: host 1: 1, host 2: 3, host 3: 0 (total 4).
  //   J1 (2 slots, 1 h): only host 2 holds 2 -> host 2; it ends at t=2. Free: hosts 1 and 2: 1 each.
  //   Head J2 (8 slots): 2 free; t=2: job 101 (+2 host 1, +1 host 2) and J1 (+2 host 2) -> 7;
  //     t=4: job 100 (+4 host 3) -> 11: shadow time 4, extra 3.
  //   J3 (1 slot, ends t=11 > 4) takes an extra slot: hosts 1 and 2 tie at 1 free -> host 1.
  //   J4 (1 slot, ends t=1.5 <= 4) takes host 2's last slot.
  const expected = [start(1, [2, 2]), start(3, [1, 1]), start(4, [2, 1])];

  it('never writes to its input (a deeply frozen input works and is unchanged)', () => {
    const copy = structuredClone(input);
    const frozen = deepFreeze(structuredClone(input));
    expect(easyBackfill(frozen)).toEqual(expected);
    expect(fcfs(frozen)).toEqual([start(1, [2, 2])]);
    expect(headReservation(frozen, 8)).toEqual({ shadowTime: 4, extraSlots: 3 });
    expect(frozen).toEqual(copy);
  });

  it('gives the same decisions for the same instant, whatever the order of hosts and running jobs', () => {
    const first = easyBackfill(input);
    expect(easyBackfill(input)).toEqual(first);
    const shuffled = { ...input, hosts: [...input.hosts].reverse(), running: [...input.running].reverse() };
    expect(easyBackfill(shuffled)).toEqual(first);
    expect(first).toEqual(expected);
  });

  it('returns fresh decision objects that share nothing with the input', () => {
    const decisions = easyBackfill(input);
    decisions[0]!.slots[0]!.count = 99;
    expect(easyBackfill(input)).toEqual(expected);
  });
});

describe('policy table and input errors', () => {
  it('maps scenario policy names to the functions', () => {
    expect(schedulers[SchedulerPolicy.fcfs]).toBe(fcfs);
    expect(schedulers[SchedulerPolicy.easyBackfill]).toBe(easyBackfill);
    expect(Object.keys(schedulers).sort()).toEqual(['easy_backfill', 'fcfs']);
  });

  it('rejects impossible inputs with a message naming the job or host', () => {
    const base: SchedulerInput = { now: 0, hosts: [{ id: 1, freeSlots: 4 }], running: [], queue: [] };
    expect(() => easyBackfill({ ...base, queue: [{ job: 7, slots: 0, walltime: 1 }] })).toThrow(msg.badSlots(7, 0));
    expect(() => easyBackfill({ ...base, queue: [{ job: 7, slots: 1.5, walltime: 1 }] })).toThrow(msg.badSlots(7, 1.5));
    expect(() => fcfs({ ...base, queue: [{ job: 7, slots: 1, walltime: NaN }] })).toThrow(msg.badWalltime(7, NaN));
    expect(() => fcfs({ ...base, hosts: [{ id: 3, freeSlots: 0.5 }], queue: [{ job: 7, slots: 1, walltime: 1 }] })).toThrow(msg.badFreeSlots(3, 0.5));
    expect(() => fcfs({ ...base, now: NaN })).toThrow(msg.badNow(NaN));
    expect(() => fcfs(base, { maxScan: -1 })).toThrow(msg.badMaxScan(-1));
    expect(() => headReservation({ ...base, hosts: [{ id: 1, freeSlots: 0 }, { id: 1, freeSlots: 0 }] }, 1)).toThrow(msg.duplicateHost(1));
    const badRunning = { ...base, hosts: [{ id: 1, freeSlots: 0 }], running: [{ job: 100, end: 1, slots: [{ host: 1, count: 0 }] }] };
    expect(() => headReservation(badRunning, 1)).toThrow(msg.badRunningSlots(100, 1, 0));
  });
});
