/**
 * Scheduling policies as pure decision functions (STYLE.md, after Batsim's scheduler interface):
 * the engine describes one instant (free slots per host, running jobs, the queue in priority
 * order) and gets back the jobs to start, with their hosts, as plain data in the order decided.
 * No engine, no I/O, no randomness, and the input is never written to.
 *
 * Policies
 * - `fcfs`: start queued jobs in order while they fit; stop at the first that does not.
 * - `easyBackfill`: EASY backfilling (Lifka 1995, "The ANL/IBM SP scheduling system"; in the form
 *   of Mu'alem & Feitelson 2001, "Utilization, predictability, workloads, and user runtime
 *   estimates in scheduling the IBM SP2 with backfilling", IEEE TPDS 12(6)). Start jobs in order
 *   while they fit. The first that does not (the head) gets a reservation: its shadow time is the
 *   earliest instant at which enough slots are free for it, found by releasing running jobs' slots
 *   in order of their `end` (start + requested walltime, all the scheduler may assume), and the
 *   extra slots are those free at the shadow time beyond what the head needs. A later job then
 *   starts if it fits now and either ends (now + walltime) by the shadow time, or needs no more
 *   than the extra slots, which then shrink by what it takes. Only the head is protected.
 *
 * Choices where the literature leaves room (each also noted where it is made):
 * - Slots are interchangeable across hosts: any job may span hosts, so a job fits exactly when
 *   the free slots of all hosts together suffice. Placement only decides which hosts it gets
 *   (see `place`): the whole job on the host with the fewest free slots that can hold it (best
 *   fit, ties to the lower id), else the hosts with the most free slots in turn until the rest
 *   fits on one host, which is again chosen best-fit. Because fitting is a pool-level test, the
 *   pool-level EASY arithmetic is exact: the head's reservation holds whatever the placement.
 *   The price is that a small job may be split over hosts when they are fragmented; the decision
 *   lists every piece, so the caller can count or forbid such splits.
 * - Host-level free slots may be negative (slots reserved for others that are still in use); such
 *   a host offers nothing now, and when one of its jobs ends only the slots above zero become
 *   usable. The shadow time is computed host by host for this reason. Slots of running jobs on
 *   hosts absent from `hosts` are never usable by this queue.
 * - Jobs started earlier in the same call are running jobs for the head's reservation: they
 *   release their slots at now + walltime.
 * - A running job whose `end` has passed (it overran its request and was not stopped) is assumed
 *   to end at any moment: its slots count as released at `now`.
 * - A job ending exactly at the shadow time may backfill (it gives its slots back in time), and
 *   running jobs ending at the same instant as the one that completes the head's need all count
 *   towards the extra slots (they are free at the shadow time).
 * - A job that cannot fit even when every running job has ended (it needs more than the
 *   capacity this queue can see) is passed over by both policies: it neither starts nor blocks
 *   nor gets a reservation, and the next job is considered as if it were absent. Otherwise one
 *   impossible job would stop the queue forever (and with nothing running, no event would ever
 *   wake the scheduler again). The caller should reject jobs larger than the installed cluster at
 *   submission; a job that is too large only for now (hosts down, slots reserved) is picked up
 *   again once capacity returns, without a reservation in the meantime.
 *
 * Cost of one call, with H hosts, R running jobs and the queue scanned: O(H) to read the hosts
 * (plus a host-id table unless the ids are 0..H-1 in array order, the fast path), O(H) per
 * placement, and, only when a job cannot start at once while slots are still free, O(H + R) to
 * build a heap of release times plus O(log R) per release popped until that job fits (instead of
 * sorting all running jobs). A job that never fits pops them all once; the capacity learnt then
 * disposes of any further such job in O(1). The queue scan stops as soon as no slot is free, and at most
 * `maxScan` jobs are examined after the first one that cannot start at once (default
 * `DEFAULT_MAX_SCAN`); jobs further back wait for a later call. This bounds the work per call on
 * long queues, at the price of not backfilling jobs deep in the queue.
 */

/** A host as seen by this queue at this instant. */
export interface HostView {
  id: number;
  /** Slots (GPUs) free for this queue now: total minus used minus reserved for others. May be negative. */
  freeSlots: number;
  /**
   * Upcoming claims on this host (advance reservations about to become active), by time: a job
   * still running at `from` (now + walltime > from) may take at most `free` of the host's slots.
   * LSF does not dispatch a job that a reservation would suspend (DOMAIN.md §7.2).
   */
  later?: ReadonlyArray<{ from: number; free: number }> | undefined;
}

/** A running job: where it holds slots and when the scheduler may assume it ends. */
export interface RunningView {
  job: number;
  /** Start + requested walltime, hours. */
  end: number;
  slots: Array<{ host: number; count: number }>;
}

/** A queued job. */
export interface QueuedView {
  job: number;
  /** Slots (GPUs) needed; may span hosts. */
  slots: number;
  /** Requested walltime, hours. `Infinity` means unbounded (it never ends by a shadow time). */
  walltime: number;
}

export interface SchedulerInput {
  /** Hours. */
  now: number;
  hosts: HostView[];
  running: RunningView[];
  /** In priority order (FCFS: submission order). */
  queue: QueuedView[];
}

export type Decision = { kind: 'start'; job: number; slots: Array<{ host: number; count: number }> };

export interface SchedulerOptions {
  /**
   * At most this many queued jobs are examined after the first one that cannot start at once
   * (backfill candidates, and jobs passed over as too large). A whole number or `Infinity`.
   */
  maxScan?: number;
}

export const DEFAULT_MAX_SCAN = 1000;

/** The head's reservation: when it can start at the latest, and the slots to spare then. */
export interface HeadReservation {
  shadowTime: number;
  extraSlots: number;
}

/** Scenario names of the policies (`cluster.scheduler.policy`). */
export const SchedulerPolicy = { fcfs: 'fcfs', easyBackfill: 'easy_backfill' } as const;
export type SchedulerPolicy = (typeof SchedulerPolicy)[keyof typeof SchedulerPolicy];

/** Errors for inputs no engine should produce; tests compare against these functions. */
export const schedulerMessages = {
  badSlots: (job: number, slots: number): string => `queued job ${job}: slots must be a positive whole number, got ${slots}`,
  badWalltime: (job: number, walltime: number): string => `queued job ${job}: walltime must be a number of hours >= 0, got ${walltime}`,
  badFreeSlots: (host: number, free: number): string => `host ${host}: freeSlots must be a whole number, got ${free}`,
  duplicateHost: (host: number): string => `host ${host} is listed twice`,
  badRunningSlots: (job: number, host: number, count: number): string => `running job ${job}: slot count on host ${host} must be a positive whole number, got ${count}`,
  badRunningEnd: (job: number, end: number): string => `running job ${job}: end must be a time in hours, got ${end}`,
  badNow: (now: number): string => `now must be a finite time in hours, got ${now}`,
  badMaxScan: (maxScan: number): string => `maxScan must be a whole number >= 0 or Infinity, got ${maxScan}`,
} as const;

/** FCFS: start jobs in queue order while they fit; stop at the first that does not. */
export function fcfs(input: SchedulerInput, options: SchedulerOptions = {}): Decision[] {
  return schedule(input, options, false);
}

/** EASY backfilling: FCFS plus backfilling that never delays the first waiting job (see file comment). */
export function easyBackfill(input: SchedulerInput, options: SchedulerOptions = {}): Decision[] {
  return schedule(input, options, true);
}

/** The policies by scenario name. */
export const schedulers: Record<SchedulerPolicy, (input: SchedulerInput, options?: SchedulerOptions) => Decision[]> = {
  [SchedulerPolicy.fcfs]: fcfs,
  [SchedulerPolicy.easyBackfill]: easyBackfill,
};

/**
 * The reservation EASY would give a job needing `slots` if it were the head now, from the input
 * as it stands (no job started first): null when it cannot fit even after every running job
 * ends. Shadow time `now` means it fits at once.
 */
export function headReservation(input: SchedulerInput, slots: number): HeadReservation | null {
  checkNow(input.now);
  const found = reserve(readPool(input), input.running, [], slots);
  return 'capacity' in found ? null : found;
}

// ---------------------------------------------------------------------------------------------

/** Working state of one call: a private copy of the hosts' free slots. */
interface Pool {
  now: number;
  hosts: readonly HostView[];
  /** Free slots per host index, as given (may be negative), reduced by the placements made. */
  free: Float64Array;
  /** Sum of the positive parts of `free`. */
  totalFree: number;
  /** Host id -> index; null when every host's id is its index (ids 0..H-1 in order: no table needed). */
  index: Map<number, number> | null;
  /** Per host index: upcoming claims (from, slots left for jobs running past it); null when no host has any. */
  limits: Array<Array<{ from: number; free: number }> | null> | null;
}

/** A job started during this call, remembered as a running job for the head's reservation. */
interface Started {
  end: number;
  decision: Decision;
}

function schedule(input: SchedulerInput, options: SchedulerOptions, backfill: boolean): Decision[] {
  const maxScan = options.maxScan ?? DEFAULT_MAX_SCAN;
  if (!(maxScan === Infinity || (Number.isSafeInteger(maxScan) && maxScan >= 0))) throw new RangeError(schedulerMessages.badMaxScan(maxScan));
  checkNow(input.now);
  const decisions: Decision[] = [];
  const queue = input.queue;
  if (queue.length === 0) return decisions;
  const pool = readPool(input);
  const started: Started[] = [];
  // Slots usable once every running job has ended; learnt when a job proves larger than that.
  // Starting a job during the call does not change it: the job takes slots from a host's positive
  // free part and gives the same slots back when it ends.
  let capacity = Infinity;
  let scanned = 0;
  let blocked = false; // true once some job could not start at once; from then on the scan is counted
  let reservation: HeadReservation | null = null;
  let i = 0;
  for (; i < queue.length; i++) {
    if (pool.totalFree === 0) return decisions;
    if (blocked) {
      if (scanned >= maxScan) return decisions;
      scanned++;
    }
    const job = queue[i]!;
    checkQueued(job);
    if (job.slots <= pool.totalFree) {
      const end = input.now + job.walltime;
      if (pool.limits !== null && job.slots > limitedFree(pool, end)) {
        // Only an upcoming reservation is in the way: passed over, not made the head.
        blocked = true;
        continue;
      }
      const decision = start(pool, job, end);
      decisions.push(decision);
      started.push({ end, decision });
      continue;
    }
    blocked = true;
    if (job.slots > capacity) continue; // can never fit as things stand: passed over, not blocking
    const found = reserve(pool, input.running, started, job.slots);
    if ('capacity' in found) {
      capacity = found.capacity;
      continue;
    }
    reservation = found; // the head
    break;
  }
  if (!backfill || reservation === null) return decisions;

  let extra = reservation.extraSlots;
  for (i++; i < queue.length; i++) {
    if (pool.totalFree === 0 || scanned >= maxScan) break;
    scanned++;
    const job = queue[i]!;
    checkQueued(job);
    if (job.slots > pool.totalFree) continue;
    const end = input.now + job.walltime;
    if (pool.limits !== null && job.slots > limitedFree(pool, end)) continue;
    if (end <= reservation.shadowTime) {
      decisions.push(start(pool, job, end)); // gives its slots back by the shadow time
    } else if (job.slots <= extra) {
      extra -= job.slots; // still holds them at the shadow time
      decisions.push(start(pool, job, end));
    }
  }
  return decisions;
}

function readPool(input: SchedulerInput): Pool {
  const hosts = input.hosts;
  const free = new Float64Array(hosts.length);
  let totalFree = 0;
  for (let h = 0; h < hosts.length; h++) {
    const host = hosts[h]!;
    if (!Number.isSafeInteger(host.freeSlots)) throw new RangeError(schedulerMessages.badFreeSlots(host.id, host.freeSlots));
    free[h] = host.freeSlots;
    if (host.freeSlots > 0) totalFree += host.freeSlots;
  }
  let idsAreIndices = true;
  for (let h = 0; h < hosts.length && idsAreIndices; h++) idsAreIndices = hosts[h]!.id === h;
  let index: Map<number, number> | null = null;
  if (!idsAreIndices) {
    index = new Map<number, number>();
    for (let h = 0; h < hosts.length; h++) {
      const id = hosts[h]!.id;
      if (index.has(id)) throw new RangeError(schedulerMessages.duplicateHost(id));
      index.set(id, h);
    }
  }
  let limits: Pool['limits'] = null;
  for (let h = 0; h < hosts.length; h++) {
    const later = hosts[h]!.later;
    if (later === undefined || later.length === 0) continue;
    limits ??= new Array<Array<{ from: number; free: number }> | null>(hosts.length).fill(null);
    limits[h] = later.map((c) => ({ from: c.from, free: c.free })); // a private copy: placements reduce it
  }
  return { now: input.now, hosts, free, totalFree, index, limits };
}

/** Slots host h offers a job ending at `end`: its free slots, capped by every upcoming claim the job would run into. */
function offered(pool: Pool, h: number, end: number): number {
  let f = pool.free[h]!;
  const claims = pool.limits?.[h];
  if (claims) for (const c of claims) if (end > c.from && c.free < f) f = c.free;
  return f;
}

/** Slots all hosts together offer a job ending at `end`. */
function limitedFree(pool: Pool, end: number): number {
  let sum = 0;
  for (let h = 0; h < pool.hosts.length; h++) {
    const o = offered(pool, h, end);
    if (o > 0) sum += o;
  }
  return sum;
}

function start(pool: Pool, job: QueuedView, end: number): Decision {
  return { kind: 'start', job: job.job, slots: place(pool, job.slots, end) };
}

/**
 * Take `need` slots (at most `pool.totalFree`) and say where. The whole job goes to the host with
 * the fewest free slots that can hold it (best fit keeps large holes for large jobs; ties to the
 * lower id). If none can, the host with the most free slots (ties to the lower id) is taken whole
 * and the rest placed the same way, so a spanning job uses few hosts and leaves the smallest
 * fitting remainder. Pieces are listed by host id.
 */
function place(pool: Pool, need: number, end: number): Array<{ host: number; count: number }> {
  const { hosts, free } = pool;
  const pieces: Array<{ host: number; count: number }> = [];
  let remaining = need;
  while (remaining > 0) {
    let best = -1;
    let bestFree = 0;
    let largest = -1;
    let largestFree = 0;
    for (let h = 0; h < hosts.length; h++) {
      const f = offered(pool, h, end);
      if (f <= 0) continue;
      const id = hosts[h]!.id;
      if (f >= remaining && (best < 0 || f < bestFree || (f === bestFree && id < hosts[best]!.id))) {
        best = h;
        bestFree = f;
      }
      if (largest < 0 || f > largestFree || (f === largestFree && id < hosts[largest]!.id)) {
        largest = h;
        largestFree = f;
      }
    }
    const h = best >= 0 ? best : largest;
    if (h < 0) throw new Error(`internal: placing ${need} slots with only ${pool.totalFree} free`);
    const count = Math.min(remaining, best >= 0 ? bestFree : largestFree);
    free[h]! -= count;
    const claims = pool.limits?.[h];
    if (claims) for (const c of claims) if (end > c.from) c.free -= count;
    remaining -= count;
    pieces.push({ host: hosts[h]!.id, count });
  }
  pool.totalFree -= need;
  if (pieces.length > 1) pieces.sort((a, b) => a.host - b.host);
  return pieces;
}

/** Index of a host in `pool.hosts`, or -1 when this queue cannot use it. */
function hostIndexOf(pool: Pool, id: number): number {
  if (pool.index === null) return Number.isInteger(id) && id >= 0 && id < pool.hosts.length ? id : -1;
  return pool.index.get(id) ?? -1;
}

/**
 * The head's reservation: release running jobs (input and `started`) in order of end time,
 * host by host, until `need` slots are free; include every job ending at that same instant.
 * Uses a binary heap over release times so that only the releases needed are ordered. When even
 * the last release leaves too few slots, the job can never fit: the answer is then the capacity
 * (slots usable once every running job has ended: per host, the positive part of free + released).
 */
function reserve(pool: Pool, running: readonly RunningView[], started: readonly Started[], need: number): HeadReservation | { capacity: number } {
  let available = pool.totalFree;
  if (need <= available) return { shadowTime: pool.now, extraSlots: available - need };
  const level = Float64Array.from(pool.free);
  const n = running.length + started.length;
  const ends = new Float64Array(n);
  for (let k = 0; k < running.length; k++) {
    const job = running[k]!;
    if (Number.isNaN(job.end)) throw new RangeError(schedulerMessages.badRunningEnd(job.job, job.end));
    ends[k] = Math.max(job.end, pool.now); // an overdue job may end at any moment
  }
  for (let k = 0; k < started.length; k++) ends[running.length + k] = started[k]!.end;
  const slotsOf = (k: number): RunningView['slots'] => (k < running.length ? running[k]!.slots : started[k - running.length]!.decision.slots);

  const heap = new ReleaseHeap(ends);
  let shadowTime = NaN;
  while (heap.size > 0) {
    const k = heap.top();
    const end = ends[k]!;
    if (available >= need && end !== shadowTime) break; // the last job ending at the shadow time is in
    heap.pop();
    for (const piece of slotsOf(k)) {
      if (k < running.length) checkPiece(running[k]!, piece);
      const h = hostIndexOf(pool, piece.host);
      if (h < 0) continue; // a host this queue cannot use
      const before = level[h]! > 0 ? level[h]! : 0;
      level[h]! += piece.count;
      available += (level[h]! > 0 ? level[h]! : 0) - before;
    }
    if (available >= need && Number.isNaN(shadowTime)) shadowTime = end;
  }
  if (available < need) return { capacity: available };
  return { shadowTime, extraSlots: available - need };
}

/** Min-heap of job indices keyed by (end, index): a defined order for equal end times. */
class ReleaseHeap {
  private readonly items: Int32Array;
  size: number;

  constructor(private readonly keys: Float64Array) {
    this.size = keys.length;
    this.items = new Int32Array(this.size);
    for (let k = 0; k < this.size; k++) this.items[k] = k;
    for (let k = (this.size >> 1) - 1; k >= 0; k--) this.siftDown(k); // Floyd: O(n)
  }

  top(): number {
    return this.items[0]!;
  }

  pop(): void {
    this.size--;
    if (this.size > 0) {
      this.items[0] = this.items[this.size]!;
      this.siftDown(0);
    }
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka < kb || (ka === kb && a < b);
  }

  private siftDown(from: number): void {
    const items = this.items;
    let k = from;
    const item = items[k]!;
    for (;;) {
      let child = 2 * k + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.less(items[child + 1]!, items[child]!)) child++;
      if (!this.less(items[child]!, item)) break;
      items[k] = items[child]!;
      k = child;
    }
    items[k] = item;
  }
}

function checkNow(now: number): void {
  if (!Number.isFinite(now)) throw new RangeError(schedulerMessages.badNow(now));
}

function checkQueued(job: QueuedView): void {
  if (!Number.isSafeInteger(job.slots) || job.slots < 1) throw new RangeError(schedulerMessages.badSlots(job.job, job.slots));
  if (!(job.walltime >= 0)) throw new RangeError(schedulerMessages.badWalltime(job.job, job.walltime));
}

function checkPiece(job: RunningView, piece: { host: number; count: number }): void {
  if (!Number.isSafeInteger(piece.count) || piece.count < 1) throw new RangeError(schedulerMessages.badRunningSlots(job.job, piece.host, piece.count));
}
