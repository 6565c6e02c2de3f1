/**
 * The GPU cluster on the engine: hosts powered by facility loads, jobs submitted from a trace or
 * a generator, a queue policy from scheduler.ts (a pure decision function called once per
 * instant when something changed), LSF-style advance reservations (DOMAIN.md §7) and the
 * accounting of what users see (waits, slowdowns, kills, lost GPU-hours, utilisation).
 *
 * Job life: pending -> running -> done, with
 * - suspension (preempted by a reservation, or an AR job at an open reservation's expiry): the
 *   job keeps its hosts and its progress, holds no slots, and resumes on the same hosts;
 * - kill (power loss, closed reservation expiry, preemption mode kill/requeue): the work since
 *   the last checkpoint is lost (`gpu_hours.lost`), then the job is requeued (restarting from its
 *   last checkpoint, keeping its place in the queue) or ends as killed.
 *
 * Reservations (DOMAIN.md §7.2, §7.11), as implemented:
 * - While r is active its slots on each host are r's: non-AR jobs may use only the other slots,
 *   AR jobs of r only r's slots, and a system reservation closes its hosts to every job.
 * - Preemption runs at most once per active period, at the first settle where r is active and
 *   one of its jobs is pending or suspended: on each of r's hosts, non-AR jobs are suspended
 *   (youngest first) until non-AR jobs hold no more than the unreserved slots, however few AR
 *   jobs there are. A system reservation preempts everything on its hosts at activation. The
 *   scheduler's `preemption` setting says whether "preempted" means suspend, requeue or kill.
 * - A job suspended for a reservation resumes on its hosts only after the reservation ends or
 *   another non-AR job on one of its hosts finishes, and only into unreserved free slots.
 *   Resumptions come before any new dispatch.
 * - Expiry: closed kills r's running jobs (and, one-time, its pending ones); open one-time
 *   detaches them (running ones suspended, then resumed first as normal jobs; pending ones
 *   queue as normal jobs); open recurring suspends running ones until the next instance.
 * - A non-AR job submitted while an open reservation is active stays pending until it expires.
 * - A non-AR job is not dispatched onto slots an upcoming reservation (the next activation on
 *   that host) would claim while the job might still run (by its walltime).
 *
 * Power: a host is usable `boot` after its load regains power; a loss kills every job with a
 * piece on it (running or suspended).
 *
 * Where things are: the Job record; then ClusterModel in sections (marked `// ---- ... ----`):
 * the GPU pool tenant servers draw from, accounting (time integrals), submission, running (run,
 * stop, complete, suspend, kill, power loss), reservations (activation, expiry, preemption),
 * scheduling (the per-instant settle, resumption, dispatch, upcoming claims, and `audit`, the
 * books checked against the jobs), output. Output row types are in records.ts, the tenant server
 * lifecycle in servers.ts, the queue policies in scheduler.ts.
 */
import { makeDistribution, type Distribution } from '../../sim/distributions.js';
import type { Simulation } from '../../sim/engine.js';
import type { Stream, Streams } from '../../sim/rng.js';
import { easyBackfill, fcfs, type Decision, type HostView, type QueuedView, type RunningView, type SchedulerInput } from './scheduler.js';
import { ServerFleet, type GpuPool } from './servers.js';
import type { ClusterTimeline, JobOutcome, JobRecord, JobSegment, ServerStartRow } from './records.js';
import type { ClusterSpec, ReservationPlan } from './spec.js';


export const JobState = { pending: 0, running: 1, suspended: 2, done: 3 } as const;
export type JobState = (typeof JobState)[keyof typeof JobState];

/** Bounded slowdown threshold (10 s): jobs shorter than this count as this long. */
export const BSLD_THRESHOLD_HOURS = 10 / 3600;

export class Job {
  state: JobState = JobState.pending;
  /** Reservation the job is in now (-1: a normal job). */
  resv = -1;
  /** The reservation it was submitted into (-1: none), for jobs.csv. */
  submittedResv = -1;
  firstStart = NaN;
  finished = NaN;
  outcome: JobOutcome = 'unfinished';
  /** Useful work saved (checkpointed) to restart from, hours. */
  restartFrom = 0;
  /** Wall time run since the last (re)start, not counting the current run interval. */
  wall = 0;
  /** Start of the current run interval (NaN unless running). */
  segStart = NaN;
  /** Run-timer slot while running (-1 otherwise). */
  slot = -1;
  pieces: Array<{ host: number; count: number }> = [];
  runningView: RunningView | null = null;
  /** Index in its running list while running. */
  listIndex = -1;
  readonly queued: QueuedView;
  /** Suspended and allowed to resume when room appears (preempted jobs after their trigger). */
  mayResume = false;
  /** Held pending until this open reservation expires (-1: not held). */
  heldBy = -1;
  kills = 0;
  preemptions = 0;
  lostGpuHours = 0;
  /** Run and suspended intervals per host (kept only for the recorded replication). */
  segs: JobSegment[] | null = null;

  constructor(
    readonly seq: number,
    readonly label: number,
    readonly submit: number,
    readonly gpus: number,
    readonly runtime: number,
    readonly walltime: number,
    readonly user: number,
  ) {
    this.queued = { job: seq, slots: gpus, walltime };
  }
}

/** What one replication measured (from the end of the warm-up). */
export interface ClusterAccount {
  submitted: number;
  rejected: number;
  started: number;
  waitSum: number;
  completed: number;
  bsldSum: number;
  preemptions: number;
  kills: number;
  lostGpuHours: number;
  busyGpuHours: number;
  capacityGpuHours: number;
  reservedSlotHours: number;
  usedReservedSlotHours: number;
  /** Integral of the number of pending jobs over time (hours x jobs). */
  queueIntegral: number;
}

function emptyAccount(): ClusterAccount {
  return {
    submitted: 0,
    rejected: 0,
    started: 0,
    waitSum: 0,
    completed: 0,
    bsldSum: 0,
    preemptions: 0,
    kills: 0,
    lostGpuHours: 0,
    busyGpuHours: 0,
    capacityGpuHours: 0,
    reservedSlotHours: 0,
    usedReservedSlotHours: 0,
    queueIntegral: 0,
  };
}

interface Reservation {
  plan: ReservationPlan;
  index: number;
  active: boolean;
  preempted: boolean;
  /** Next interval to activate. */
  next: number;
  timer: number;
  /** Slots per host index (0 where it holds none). */
  slots: Int32Array;
  /** Slots its running jobs use per host index. */
  used: Int32Array;
  allowed: Set<number>;
  queue: QueuedView[];
  running: RunningView[];
  /** Jobs of it suspended at a recurring open expiry, to resume at the next activation. */
  parked: Job[];
}

export class ClusterModel implements GpuPool {
  private readonly H: number;
  private readonly gpus: Int32Array;
  private readonly totalGpus: number;
  private readonly powered: Uint8Array;
  private readonly up: Uint8Array;
  private readonly bootTimers: number[];
  /** GPUs per host held by running non-AR jobs. */
  private readonly nonAr: Int32Array;
  /** Active reserved slots per host (non-system), and active system reservations per host. */
  private readonly reserved: Int32Array;
  private readonly system: Int32Array;
  /** GPUs held by tenant servers per host. */
  private readonly serverHeld: Int32Array;
  /** Tenant servers on the hosts' GPUs, or null. */
  readonly servers: ServerFleet | null;
  /** Jobs with a piece on each host (running or suspended). */
  private readonly onHost: Job[][];
  private readonly hostViews: HostView[];
  private readonly hostsByLoad = new Map<number, number[]>();
  private readonly reservations: Reservation[] = [];

  private readonly queue: QueuedView[] = [];
  private readonly running: RunningView[] = [];
  private readonly held: Job[] = [];
  private suspended: Job[] = [];
  private jobs: Map<number, Job> = new Map();

  private readonly timerPool: number[] = [];
  private readonly slotJob: Array<Job | null> = [];
  private readonly arrivalTimer: number;

  private streams: Streams | null = null;
  private arrivals: Distribution | null = null;
  private runtimeDist: Distribution | null = null;
  private gpuCdf: Float64Array | null = null;
  private sArrival: Stream | null = null;
  private sJob: Stream | null = null;
  private nextTrace = 0;
  private seq = 0;

  private dirty = true;
  private busy = 0;
  private pendingCount = 0;
  private lastT = 0;
  private accountFrom = 0;
  private endAt = Infinity;
  account: ClusterAccount = emptyAccount();
  /** jobs.csv rows (only when `recordJobs`), in order of submission. */
  records: JobRecord[] | null = null;
  /** servers.csv rows (only when `recordJobs`): every start of a tenant server. */
  serverRecords: ServerStartRow[] | null = null;
  /** Job intervals, reservation windows and server states (only when `recordJobs`). */
  timeline: ClusterTimeline | null = null;
  private recordOrder: Job[] = [];
  recordJobs = false;

  constructor(
    private readonly sim: Simulation,
    readonly spec: ClusterSpec,
  ) {
    const H = spec.hosts.length;
    this.H = H;
    this.gpus = Int32Array.from(spec.hosts.map((h) => h.gpus));
    this.totalGpus = spec.hosts.reduce((s, h) => s + h.gpus, 0);
    this.powered = new Uint8Array(H);
    this.up = new Uint8Array(H);
    this.nonAr = new Int32Array(H);
    this.reserved = new Int32Array(H);
    this.system = new Int32Array(H);
    this.serverHeld = new Int32Array(H);
    this.onHost = spec.hosts.map(() => []);
    this.hostViews = spec.hosts.map((_, id) => ({ id, freeSlots: 0, later: undefined }));
    this.bootTimers = spec.hosts.map((h, i) =>
      sim.timer(`${h.name}/boot`, () => this.hostReady(i)),
    );
    spec.hosts.forEach((h, i) => {
      if (h.load < 0) return;
      const list = this.hostsByLoad.get(h.load) ?? [];
      list.push(i);
      this.hostsByLoad.set(h.load, list);
    });
    spec.reservations.forEach((plan, index) => {
      const slots = new Int32Array(H);
      for (const p of plan.hosts) slots[p.host] = plan.system ? this.gpus[p.host]! : p.slots;
      const r: Reservation = {
        plan,
        index,
        active: false,
        preempted: false,
        next: 0,
        timer: -1,
        slots,
        used: new Int32Array(H),
        allowed: new Set(plan.users),
        queue: [],
        running: [],
        parked: [],
      };
      r.timer = sim.timer(`reservation ${plan.name}`, () => this.toggleReservation(r));
      this.reservations.push(r);
    });
    this.arrivalTimer = sim.timer('jobs/arrival', () => this.arrive());
    this.servers = spec.servers ? new ServerFleet(sim, spec.servers, this) : null;
    sim.onSettle(() => this.settle());
  }

  // ---- the GPU pool tenant servers draw from ------------------------------------------------

  get hostCount(): number {
    return this.H;
  }

  /** A tenant server may take GPUs that normal jobs could take now (not reserved, host up). */
  free(h: number): number {
    return Math.max(0, this.freeFor(-1, h));
  }

  take(h: number, gpus: number): void {
    this.serverHeld[h]! += gpus;
    this.touch();
  }

  release(h: number, gpus: number): void {
    this.serverHeld[h]! -= gpus;
    this.touch();
  }

  model(h: number): string | null {
    return this.spec.hosts[h]!.model;
  }

  private hostReady(h: number): void {
    this.up[h] = 1;
    this.servers?.hostUp(h);
    this.touch();
  }

  get totalGpuCount(): number {
    return this.totalGpus;
  }

  /** New replication. `endHours` is warm-up plus horizon: no job is submitted after it. */
  reset(streams: Streams, endHours: number): void {
    this.streams = streams;
    this.endAt = endHours;
    this.powered.fill(1);
    this.up.fill(1);
    this.nonAr.fill(0);
    this.reserved.fill(0);
    this.system.fill(0);
    this.serverHeld.fill(0);
    for (const list of this.onHost) list.length = 0;
    for (const r of this.reservations) {
      r.active = r.preempted = false;
      r.next = 0;
      r.used.fill(0);
      r.queue.length = 0;
      r.running.length = 0;
      r.parked.length = 0;
    }
    this.queue.length = 0;
    this.running.length = 0;
    this.held.length = 0;
    this.suspended = [];
    this.jobs = new Map();
    this.slotJob.fill(null);
    this.timerPool.length = 0;
    for (let i = 0; i < this.slotJob.length; i++) this.timerPool.push(this.slotJob.length - 1 - i);
    const w = this.spec.workload;
    this.arrivals = w?.kind === 'synthetic' ? makeDistribution(w.arrivals) : null;
    this.runtimeDist = w?.kind === 'synthetic' ? makeDistribution(w.runtime) : null;
    if (w?.kind === 'synthetic') {
      const total = w.gpus.weights.reduce((a, b) => a + b, 0);
      let acc = 0;
      this.gpuCdf = Float64Array.from(w.gpus.weights, (x) => (acc += x) / total);
    }
    this.sArrival = this.sJob = null;
    this.nextTrace = 0;
    this.seq = 0;
    this.dirty = true;
    this.busy = 0;
    this.pendingCount = 0;
    this.lastT = 0;
    this.accountFrom = 0;
    this.account = emptyAccount();
    this.records = null;
    this.recordOrder = [];
    this.serverRecords = null;
    this.timeline = null;
    this.servers?.reset(streams);
  }

  start(): void {
    const w = this.spec.workload;
    if (w?.kind === 'synthetic') {
      this.sArrival = this.streams!.get('jobs/arrivals');
      this.sJob = this.streams!.get('jobs/attributes');
      this.scheduleArrival(this.arrivals!.sample(this.sArrival));
    } else if (w?.kind === 'list' && w.submit.length > 0) {
      this.scheduleArrival(w.submit[0]!);
    }
    for (const r of this.reservations) this.armReservation(r);
    if (this.servers) {
      this.servers.log = this.recordJobs ? { starts: [], states: [] } : null;
      this.servers.start();
    }
    this.touch();
  }

  private scheduleArrival(at: number): void {
    if (at <= this.endAt) this.sim.at(this.arrivalTimer, at);
  }

  /** The facility says a load lost or regained power. */
  setPower(load: number, on: boolean): void {
    const hosts = this.hostsByLoad.get(load);
    if (!hosts) return;
    for (const h of hosts) {
      if (on === (this.powered[h] === 1)) continue;
      this.powered[h] = on ? 1 : 0;
      if (on) {
        const boot = this.spec.hosts[h]!.boot;
        if (boot > 0) this.sim.after(this.bootTimers[h]!, boot);
        else this.hostReady(h);
      } else {
        this.sim.cancel(this.bootTimers[h]!);
        this.up[h] = 0;
        this.powerLoss(h);
        this.servers?.hostDown(h);
      }
    }
    this.touch();
  }

  private touch(): void {
    this.dirty = true;
    this.sim.markDirty();
  }

  // ---- accounting ---------------------------------------------------------------------------

  /** Brings the time integrals (busy GPUs, reserved slots, queue length) up to now. */
  private advance(): void {
    const now = this.sim.now;
    const from = Math.max(this.lastT, this.accountFrom);
    if (now > from) {
      const dt = now - from;
      const a = this.account;
      a.busyGpuHours += this.busy * dt;
      a.queueIntegral += this.pendingCount * dt;
      for (const r of this.reservations) {
        if (!r.active || r.plan.system) continue;
        let reserved = 0;
        let used = 0;
        for (const p of r.plan.hosts) {
          reserved += r.slots[p.host]!;
          used += r.used[p.host]!;
        }
        a.reservedSlotHours += reserved * dt;
        a.usedReservedSlotHours += used * dt;
      }
    }
    this.lastT = now;
  }

  private get counting(): boolean {
    return this.sim.now >= this.accountFrom;
  }

  beginAccounting(): void {
    this.advance();
    this.accountFrom = this.sim.now;
    this.account = emptyAccount();
    this.servers?.beginAccounting();
  }

  finish(): void {
    this.advance();
    this.servers?.finish();
    this.account.capacityGpuHours = this.totalGpus * (this.sim.now - this.accountFrom);
    if (this.recordJobs) this.records = this.recordOrder.map((j) => this.record(j));
    if (this.recordJobs) this.timeline = this.makeTimeline();
    const log = this.servers?.log;
    if (log) {
      const name = (h: number) => (h >= 0 ? this.spec.hosts[h]!.name : '');
      this.serverRecords = log.starts.map((x) => ({
        server: x.server,
        source: x.source,
        requested_h: x.requested_h - this.accountFrom,
        running_h: x.running_h - this.accountFrom,
        latency_h: x.latency_h,
        host: name(x.host),
        from_host: name(x.from_host),
        migrated: x.host !== x.from_host && x.from_host >= 0,
      }));
    }
  }

  // ---- submission ---------------------------------------------------------------------------

  private arrive(): void {
    const w = this.spec.workload!;
    const now = this.sim.now;
    if (w.kind === 'synthetic') {
      const s = this.sJob!;
      const u = s.uniform();
      let g = 0;
      while (g < this.gpuCdf!.length - 1 && u > this.gpuCdf![g]!) g++;
      const gpus = w.gpus.choice[g]!;
      const runtime = this.runtimeDist!.sample(s);
      const user = w.users[Math.min(w.users.length - 1, Math.floor((1 - s.uniform()) * w.users.length))]!;
      const intoResv = w.reservationShare > 0 && s.uniform() <= w.reservationShare;
      const seq = this.seq++;
      this.submit(new Job(seq, seq + 1, now, gpus, runtime, runtime * w.walltimeFactor, user), intoResv ? this.reservationOf(user) : -1);
      this.scheduleArrival(now + this.arrivals!.sample(this.sArrival!));
    } else {
      // Every trace job submitted at this instant.
      while (this.nextTrace < w.submit.length && w.submit[this.nextTrace]! <= now) {
        const i = this.nextTrace++;
        this.submit(new Job(this.seq++, w.id[i]!, now, w.gpus[i]!, w.runtime[i]!, w.walltime[i]!, w.user[i]!), w.resv[i]!);
      }
      if (this.nextTrace < w.submit.length) this.scheduleArrival(w.submit[this.nextTrace]!);
    }
  }

  /** The first reservation `user` may submit into now (made, not over), or -1. */
  private reservationOf(user: number): number {
    const now = this.sim.now;
    const r = this.reservations.find((x) => !x.plan.system && now >= x.plan.created && x.allowed.has(user) && (x.active || x.next < x.plan.intervals.length));
    return r ? r.index : -1;
  }

  private submit(job: Job, resv: number): void {
    this.advance();
    if (this.recordJobs) {
      this.recordOrder.push(job);
      job.segs = [];
    }
    if (this.counting) this.account.submitted++;
    if (job.gpus > this.totalGpus) {
      job.outcome = 'rejected';
      job.state = JobState.done;
      job.finished = this.sim.now;
      if (this.counting) this.account.rejected++;
      return;
    }
    this.jobs.set(job.seq, job);
    // Into a reservation that exists now and can hold it; otherwise it runs as a normal job.
    const r = resv >= 0 ? this.reservations[resv]! : null;
    if (r && this.sim.now >= r.plan.created && (r.active || r.next < r.plan.intervals.length)) {
      if (job.gpus <= r.plan.hosts.reduce((s, p) => s + p.slots, 0)) {
        job.resv = job.submittedResv = r.index;
        this.enqueue(job);
        return;
      }
    }
    const open = this.reservations.find((x) => x.active && x.plan.type === 'open' && !x.plan.system);
    if (open) {
      job.heldBy = open.index;
      this.held.push(job);
      this.pendingCount++;
      return;
    }
    this.enqueue(job);
  }

  /** Into the queue it belongs to, at its place in submission order. */
  private enqueue(job: Job): void {
    this.advance();
    job.state = JobState.pending;
    const q = job.resv >= 0 ? this.reservations[job.resv]!.queue : this.queue;
    let lo = q.length;
    if (lo > 0 && q[lo - 1]!.job > job.seq) {
      lo = 0;
      let hi = q.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (q[mid]!.job < job.seq) lo = mid + 1;
        else hi = mid;
      }
    }
    q.splice(lo, 0, job.queued);
    this.pendingCount++;
    this.touch();
  }

  // ---- running ------------------------------------------------------------------------------

  /** Wall time to do `work` hours of useful work, checkpoints included. */
  private wallFor(work: number): number {
    const c = this.spec.checkpoint;
    if (work <= 0) return 0;
    if (!c || c.cost === 0) return work;
    return work + (Math.ceil(work / c.interval - 1e-12) - 1) * c.cost;
  }

  /** Wall time still to run (to completion, or to the walltime limit). */
  private wallLeft(job: Job): number {
    const work = Math.min(job.runtime, job.walltime) - job.restartFrom;
    return Math.max(0, this.wallFor(work) - job.wall);
  }

  /** Engine timer of each run slot (one slot per job running at once, reused). */
  private readonly slotTimers: number[] = [];

  private takeSlot(job: Job): number {
    let slot = this.timerPool.pop();
    if (slot === undefined) {
      slot = this.slotJob.length;
      const s = slot;
      this.slotJob.push(null);
      this.slotTimers.push(this.sim.timer(`job slot ${s}`, () => this.complete(this.slotJob[s]!)));
    }
    this.slotJob[slot] = job;
    return slot;
  }

  private releaseSlot(job: Job): void {
    if (job.slot < 0) return;
    this.sim.cancel(this.slotTimers[job.slot]!);
    this.slotJob[job.slot] = null;
    this.timerPool.push(job.slot);
    job.slot = -1;
  }

  /** Starts (or resumes) a job on its pieces. */
  private run(job: Job): void {
    this.advance();
    const now = this.sim.now;
    if (job.state === JobState.pending) this.pendingCount--;
    this.segClose(job);
    job.state = JobState.running;
    job.segStart = now;
    job.mayResume = false;
    if (Number.isNaN(job.firstStart)) {
      job.firstStart = now;
      if (job.submit >= this.accountFrom && this.counting) {
        this.account.started++;
        this.account.waitSum += now - job.submit;
      }
    }
    const r = job.resv >= 0 ? this.reservations[job.resv]! : null;
    for (const p of job.pieces) {
      if (r) r.used[p.host]! += p.count;
      else this.nonAr[p.host]! += p.count;
    }
    this.busy += job.gpus;
    const list = r ? r.running : this.running;
    const end = now + Math.max(0, this.wallFor(job.walltime - job.restartFrom) - job.wall);
    if (job.runningView) {
      job.runningView.end = end;
      job.runningView.slots = job.pieces;
    } else job.runningView = { job: job.seq, end, slots: job.pieces };
    job.listIndex = list.length;
    list.push(job.runningView);
    job.slot = this.takeSlot(job);
    this.sim.after(this.slotTimers[job.slot]!, this.wallLeft(job));
    this.segOpen(job, 'running');
  }

  private segOpen(job: Job, state: 'running' | 'suspended'): void {
    if (!job.segs) return;
    for (const p of job.pieces) job.segs.push({ host: p.host, start: this.sim.now, end: NaN, state });
  }

  private segClose(job: Job): void {
    if (!job.segs) return;
    for (const seg of job.segs) if (Number.isNaN(seg.end)) seg.end = this.sim.now;
  }

  /** Takes a running job off its hosts (for completion, suspension or a kill); returns the wall time of this interval. */
  private stop(job: Job): number {
    this.advance();
    const r = job.resv >= 0 ? this.reservations[job.resv]! : null;
    for (const p of job.pieces) {
      if (r) r.used[p.host]! -= p.count;
      else this.nonAr[p.host]! -= p.count;
    }
    this.busy -= job.gpus;
    const list = r ? r.running : this.running;
    const last = list.pop()!;
    if (last !== job.runningView) {
      list[job.listIndex] = last;
      this.jobs.get(last.job)!.listIndex = job.listIndex;
    }
    job.listIndex = -1;
    this.releaseSlot(job);
    this.segClose(job);
    const ran = this.sim.now - job.segStart;
    job.wall += ran;
    job.segStart = NaN;
    return ran;
  }

  private complete(job: Job): void {
    const now = this.sim.now;
    this.stop(job);
    const hosts = job.pieces;
    job.state = JobState.done;
    job.finished = now;
    job.outcome = job.runtime > job.walltime ? 'walltime' : 'completed';
    this.detach(job);
    if (job.outcome === 'walltime') {
      if (this.counting) this.account.kills++;
    } else if (job.submit >= this.accountFrom && this.counting) {
      this.account.completed++;
      const bsld = (now - job.submit) / Math.max(job.runtime, BSLD_THRESHOLD_HOURS);
      this.account.bsldSum += Math.max(1, bsld);
    }
    // §7.11: a job preempted for a reservation may resume when another non-AR job on its host finishes.
    if (job.resv < 0) for (const p of hosts) for (const other of this.onHost[p.host]!) if (other.state === JobState.suspended && other.resv < 0) other.mayResume = true;
    this.jobs.delete(job.seq);
    this.touch();
  }

  /** Removes a job from its hosts' lists. */
  private detach(job: Job): void {
    for (const p of job.pieces) {
      const list = this.onHost[p.host]!;
      const i = list.indexOf(job);
      if (i >= 0) list.splice(i, 1);
    }
  }

  private suspend(job: Job): void {
    this.stop(job);
    this.segOpen(job, 'suspended');
    job.state = JobState.suspended;
    job.mayResume = false;
    this.suspended.push(job);
  }

  /**
   * Kills a running or suspended job: the work since its last checkpoint is lost; `requeue`
   * sends it back to the queue to restart from that checkpoint, otherwise it ends killed.
   */
  private kill(job: Job, requeue: boolean): void {
    const wasRunning = job.state === JobState.running;
    if (wasRunning) this.stop(job);
    else if (job.state === JobState.suspended) this.unsuspend(job);
    this.segClose(job);
    const c = this.spec.checkpoint;
    const checkpoints = c ? Math.floor(job.wall / (c.interval + c.cost) + 1e-12) : 0;
    const saved = c ? checkpoints * c.interval : 0;
    // Lost: the wall time since the last checkpoint completed (the run is repeated from there).
    const lost = Math.max(0, job.wall - (c ? checkpoints * (c.interval + c.cost) : 0)) * job.gpus;
    job.lostGpuHours += lost;
    job.kills++;
    if (this.counting) {
      this.account.kills++;
      this.account.lostGpuHours += lost;
    }
    this.detach(job);
    job.restartFrom += saved;
    job.wall = 0;
    if (requeue) {
      this.enqueue(job);
    } else {
      job.state = JobState.done;
      job.outcome = 'killed';
      job.finished = this.sim.now;
      this.jobs.delete(job.seq);
    }
    this.touch();
  }

  private unsuspend(job: Job): void {
    const i = this.suspended.indexOf(job);
    if (i >= 0) this.suspended.splice(i, 1);
    if (job.resv >= 0) {
      const parked = this.reservations[job.resv]!.parked;
      const k = parked.indexOf(job);
      if (k >= 0) parked.splice(k, 1);
    }
  }

  private powerLoss(h: number): void {
    const victims = [...this.onHost[h]!];
    const requeue = this.spec.onPowerLoss === 'requeue';
    for (const job of victims) this.kill(job, requeue);
  }

  // ---- reservations -------------------------------------------------------------------------

  private armReservation(r: Reservation): void {
    const iv = r.plan.intervals[r.next];
    if (!iv) return;
    this.sim.at(r.timer, r.active ? iv.end : iv.begin);
  }

  private toggleReservation(r: Reservation): void {
    this.advance();
    if (!r.active) this.activate(r);
    else this.expire(r);
    this.armReservation(r);
    this.touch();
  }

  private activate(r: Reservation): void {
    r.active = true;
    r.preempted = false;
    for (const p of r.plan.hosts) {
      if (r.plan.system) this.system[p.host]!++;
      else this.reserved[p.host]! += r.slots[p.host]!;
    }
    if (r.plan.system) {
      // Maintenance takes the hosts: every job on them is preempted.
      for (const p of r.plan.hosts) for (const job of [...this.onHost[p.host]!]) if (job.state === JobState.running) this.preempt(job);
      r.preempted = true;
    }
    // Recurring open: the jobs suspended at the last expiry may run again.
    for (const job of r.parked) job.mayResume = true;
  }

  private expire(r: Reservation): void {
    r.active = false;
    r.next++;
    const oneTime = !r.plan.recurring || r.next >= r.plan.intervals.length;
    for (const p of r.plan.hosts) {
      if (r.plan.system) this.system[p.host]!--;
      else this.reserved[p.host]! -= r.slots[p.host]!;
    }
    const runningJobs = r.running.map((v) => this.jobs.get(v.job)!);
    // Its suspended jobs: parked at a recurring open expiry, or preempted by a system reservation.
    const suspendedJobs = this.suspended.filter((j) => j.resv === r.index);
    if (r.plan.type === 'closed') {
      for (const job of runningJobs) this.kill(job, false);
      if (oneTime) {
        for (const q of [...r.queue]) this.dropPending(r, this.jobs.get(q.job)!);
        for (const job of suspendedJobs) this.kill(job, false);
      }
    } else if (oneTime) {
      // Open, last instance: its jobs become normal jobs; running ones are suspended, then resume first.
      for (const job of runningJobs) {
        this.stop(job);
        this.segOpen(job, 'suspended');
        job.resv = -1;
        job.state = JobState.suspended;
        job.mayResume = true;
        this.suspended.unshift(job);
      }
      for (const q of [...r.queue]) {
        const job = this.jobs.get(q.job)!;
        r.queue.splice(r.queue.indexOf(q), 1);
        this.pendingCount--;
        job.resv = -1;
        this.enqueue(job);
      }
      for (const job of suspendedJobs) {
        this.unsuspend(job);
        job.resv = -1;
        job.mayResume = true;
        this.suspended.unshift(job);
      }
    } else {
      // Recurring open: running jobs are suspended until the next instance.
      for (const job of runningJobs) {
        this.suspend(job);
        r.parked.push(job);
      }
    }
    // Jobs preempted for it may resume, except (open, one-time) on hosts where its detached jobs
    // run on: there they wait until those finish (§7.2), which the resume rule then signals.
    const busy = new Set<number>();
    if (r.plan.type === 'open' && oneTime) for (const job of runningJobs) for (const p of job.pieces) busy.add(p.host);
    for (const p of r.plan.hosts) {
      if (busy.has(p.host)) continue;
      for (const job of this.onHost[p.host]!) if (job.state === JobState.suspended && job.resv < 0) job.mayResume = true;
    }
    // Non-AR jobs held by it are released.
    if (r.plan.type === 'open') {
      for (const job of this.held.filter((j) => j.heldBy === r.index)) {
        this.held.splice(this.held.indexOf(job), 1);
        this.pendingCount--;
        job.heldBy = -1;
        this.enqueue(job);
      }
    }
  }

  /** A pending AR job whose one-time closed reservation expired: killed without having run. */
  private dropPending(r: Reservation, job: Job): void {
    r.queue.splice(r.queue.indexOf(job.queued), 1);
    this.pendingCount--;
    job.kills++;
    if (this.counting) this.account.kills++;
    job.state = JobState.done;
    job.outcome = 'killed';
    job.finished = this.sim.now;
    this.jobs.delete(job.seq);
  }

  /** A reservation takes this job's slots: suspend, requeue or kill, per the scheduler setting. */
  private preempt(job: Job): void {
    job.preemptions++;
    if (this.counting) this.account.preemptions++;
    const mode = this.spec.preemption;
    if (mode === 'suspend') this.suspend(job);
    else this.kill(job, mode === 'requeue');
  }

  /** §7.11: once per period, when r is active and one of its jobs is pending or suspended. */
  private preemptFor(r: Reservation): void {
    r.preempted = true;
    for (const p of r.plan.hosts) {
      const h = p.host;
      const allowed = this.gpus[h]! - this.serverHeld[h]! - this.reserved[h]!;
      if (this.nonAr[h]! <= allowed) continue;
      const victims = this.onHost[h]!.filter((j) => j.state === JobState.running && j.resv < 0).sort((a, b) => b.segStart - a.segStart || b.seq - a.seq);
      for (const job of victims) {
        if (this.nonAr[h]! <= allowed) break;
        this.preempt(job);
      }
    }
  }

  // ---- scheduling ---------------------------------------------------------------------------

  private settle(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.advance();
    // Tenant servers waiting for GPUs come before queued jobs.
    this.servers?.gpusFreed();
    for (const r of this.reservations) {
      if (r.active && !r.preempted && !r.plan.system && (r.queue.length > 0 || r.parked.length > 0)) this.preemptFor(r);
    }
    this.resume();
    for (const r of this.reservations) if (r.active && r.queue.length > 0) this.dispatch(r);
    if (this.queue.length > 0) this.dispatch(null);
    if (this.audits) this.audits.push(...this.audit());
  }

  /** Set by tests: every settle records what `audit` finds (nothing, in a correct model). */
  audits: string[] | null = null;

  /**
   * The bookkeeping checked against the jobs themselves: GPUs held per host (normal jobs, each
   * reservation's jobs, tenant servers) add up and never exceed the host; running jobs are on up
   * hosts, in their lists, with a run timer; queued jobs are pending; counts are consistent.
   */
  audit(): string[] {
    const out: string[] = [];
    const t = this.sim.now;
    const nonAr = new Int32Array(this.H);
    const used = this.reservations.map(() => new Int32Array(this.H));
    let busy = 0;
    for (const job of this.jobs.values()) {
      if (job.state === JobState.running) {
        busy += job.gpus;
        if (job.slot < 0 || !this.sim.isScheduled(this.slotTimers[job.slot]!)) out.push(`t=${t}: running job ${job.label} has no end scheduled`);
        let pieces = 0;
        for (const p of job.pieces) {
          pieces += p.count;
          if (job.resv >= 0) used[job.resv]![p.host]! += p.count;
          else nonAr[p.host]! += p.count;
          if (this.up[p.host] === 0) out.push(`t=${t}: job ${job.label} runs on down host ${this.spec.hosts[p.host]!.name}`);
          if (!this.onHost[p.host]!.includes(job)) out.push(`t=${t}: job ${job.label} missing from its host's list`);
        }
        if (pieces !== job.gpus) out.push(`t=${t}: job ${job.label} holds ${pieces} GPUs for ${job.gpus}`);
        const list = job.resv >= 0 ? this.reservations[job.resv]!.running : this.running;
        if (list[job.listIndex] !== job.runningView) out.push(`t=${t}: job ${job.label} not at its place in the running list`);
      } else if (job.state === JobState.suspended) {
        if (!this.suspended.includes(job)) out.push(`t=${t}: suspended job ${job.label} not in the suspended list`);
        if (job.slot >= 0) out.push(`t=${t}: suspended job ${job.label} still holds a run timer`);
      }
    }
    for (let h = 0; h < this.H; h++) {
      let total = nonAr[h]! + this.serverHeld[h]!;
      if (nonAr[h] !== this.nonAr[h]) out.push(`t=${t}: host ${h} books ${this.nonAr[h]} GPUs of normal jobs, jobs hold ${nonAr[h]}`);
      this.reservations.forEach((r, k) => {
        total += used[k]![h]!;
        if (used[k]![h] !== r.used[h]) out.push(`t=${t}: host ${h} books ${r.used[h]} GPUs of ${r.plan.name}, its jobs hold ${used[k]![h]}`);
        if (r.used[h]! > r.slots[h]!) out.push(`t=${t}: ${r.plan.name} jobs hold ${r.used[h]} GPUs on host ${h}, more than its ${r.slots[h]} slots`);
      });
      if (total > this.gpus[h]!) out.push(`t=${t}: host ${h} has ${total} GPUs in use of ${this.gpus[h]}`);
      if (this.serverHeld[h]! < 0) out.push(`t=${t}: host ${h} has negative server GPUs`);
    }
    if (busy !== this.busy) out.push(`t=${t}: busy GPUs booked ${this.busy}, running jobs hold ${busy}`);
    let pending = this.held.length + this.queue.length;
    for (const r of this.reservations) pending += r.queue.length;
    if (pending !== this.pendingCount) out.push(`t=${t}: pending jobs booked ${this.pendingCount}, queues hold ${pending}`);
    for (const q of this.queue) if (this.jobs.get(q.job)?.state !== JobState.pending) out.push(`t=${t}: queued job ${q.job} is not pending`);
    return out;
  }

  /** Suspended jobs allowed to resume, first suspended first, each if its hosts have room for it. */
  private resume(): void {
    if (this.suspended.length === 0) return;
    const waiting = this.suspended.filter((j) => j.mayResume || (j.resv >= 0 && this.reservations[j.resv]!.active));
    for (const job of waiting) {
      if (!job.pieces.every((p) => this.up[p.host] === 1 && this.freeFor(job.resv, p.host) >= p.count)) continue;
      this.unsuspend(job);
      this.run(job);
    }
  }

  /** Slots on host h that a job of reservation `resv` (or -1: a normal job) may take now. */
  private freeFor(resv: number, h: number): number {
    if (this.up[h] === 0 || this.system[h]! > 0) return 0;
    let physical = this.gpus[h]! - this.nonAr[h]! - this.serverHeld[h]!;
    for (const r of this.reservations) physical -= r.used[h]!;
    if (resv >= 0) {
      const r = this.reservations[resv]!;
      return r.active ? Math.min(r.slots[h]! - r.used[h]!, physical) : 0;
    }
    return this.gpus[h]! - this.nonAr[h]! - this.serverHeld[h]! - this.reserved[h]!;
  }

  private dispatch(r: Reservation | null): void {
    const now = this.sim.now;
    const views: HostView[] = [];
    let anyFree = false;
    if (r) {
      for (const p of r.plan.hosts) {
        if (this.up[p.host] === 0) continue;
        const v = this.hostViews[p.host]!;
        v.freeSlots = this.freeFor(r.index, p.host);
        v.later = undefined;
        if (v.freeSlots > 0) anyFree = true;
        views.push(v);
      }
    } else {
      for (let h = 0; h < this.H; h++) {
        if (this.up[h] === 0 || this.system[h]! > 0) continue;
        const v = this.hostViews[h]!;
        v.freeSlots = this.freeFor(-1, h);
        v.later = this.upcomingClaims(h);
        if (v.freeSlots > 0) anyFree = true;
        views.push(v);
      }
    }
    if (!anyFree) return;
    const input: SchedulerInput = { now, hosts: views, running: r ? r.running : this.running, queue: r ? r.queue : this.queue };
    const decisions: Decision[] = this.spec.policy === 'fcfs' ? fcfs(input) : easyBackfill(input);
    if (decisions.length === 0) return;
    const startedSeqs = new Set<number>();
    for (const d of decisions) {
      const job = this.jobs.get(d.job)!;
      job.pieces = d.slots;
      for (const p of d.slots) this.onHost[p.host]!.push(job);
      startedSeqs.add(d.job);
    }
    // Out of the queue (keeping order), then running.
    const q = r ? r.queue : this.queue;
    let k = 0;
    for (let i = 0; i < q.length; i++) if (!startedSeqs.has(q[i]!.job)) q[k++] = q[i]!;
    q.length = k;
    for (const d of decisions) this.run(this.jobs.get(d.job)!);
  }

  /**
   * The claims upcoming reservations will make on host h: for each next activation of a
   * reservation there (the next instance of each), the slots left to non-AR jobs that would still
   * run then: the host's GPUs minus what non-AR jobs hold now (assumed still running) minus every
   * reservation active at that instant. Reservations not yet made are unknown to the scheduler.
   */
  private upcomingClaims(h: number): Array<{ from: number; free: number }> | undefined {
    if (this.reservations.length === 0) return undefined;
    const now = this.sim.now;
    let claims: Array<{ from: number; free: number }> | undefined;
    for (const r of this.reservations) {
      if (r.slots[h] === 0 || now < r.plan.created) continue;
      const iv = r.plan.intervals[r.active ? r.next + 1 : r.next];
      if (!iv) continue;
      const at = iv.begin;
      let claimed = 0;
      for (const o of this.reservations) {
        if (o.slots[h] === 0 || now < o.plan.created) continue;
        const cur = o.plan.intervals[o.next];
        const nxt = o.plan.intervals[o.active ? o.next + 1 : o.next];
        const covers = (x: { begin: number; end: number } | undefined) => x !== undefined && x.begin <= at && at < x.end;
        if ((o.active && covers(cur)) || covers(nxt)) claimed += o.slots[h]!;
      }
      (claims ??= []).push({ from: at, free: this.gpus[h]! - this.nonAr[h]! - this.serverHeld[h]! - claimed });
    }
    return claims;
  }

  // ---- output -------------------------------------------------------------------------------

  private makeTimeline(): ClusterTimeline {
    const from = this.accountFrom;
    const hostName = (h: number) => this.spec.hosts[h]!.name;
    const segments: ClusterTimeline['segments'] = [];
    for (const job of this.recordOrder) {
      this.segClose(job);
      for (const seg of job.segs ?? []) {
        if (seg.end > seg.start) segments.push({ job: job.label, host: hostName(seg.host), start: seg.start - from, end: seg.end - from, state: seg.state });
      }
    }
    const reservations: ClusterTimeline['reservations'] = [];
    for (const r of this.spec.reservations) {
      for (const iv of r.intervals) {
        if (iv.end <= from) continue;
        for (const p of r.hosts) reservations.push({ name: r.name, host: hostName(p.host), begin: Math.max(iv.begin, from) - from, end: iv.end - from, system: r.system });
      }
    }
    const states = this.servers?.log?.states.map((x) => ({ server: x.server, t: x.t - from, state: x.state })) ?? null;
    return { segments, reservations, servers: states, horizonHours: this.sim.now - from };
  }

  private record(job: Job): JobRecord {
    const started = !Number.isNaN(job.firstStart);
    const ended = !Number.isNaN(job.finished);
    return {
      job: job.label,
      user: this.spec.users[job.user] ?? String(job.user),
      gpus: job.gpus,
      submit_h: job.submit - this.accountFrom,
      start_h: started ? job.firstStart - this.accountFrom : '',
      end_h: ended ? job.finished - this.accountFrom : '',
      wait_h: started ? job.firstStart - job.submit : '',
      runtime_h: job.runtime,
      walltime_h: job.walltime,
      reservation: job.submittedResv >= 0 ? this.spec.reservations[job.submittedResv]!.name : '',
      status: job.outcome,
      preemptions: job.preemptions,
      kills: job.kills,
      lost_gpu_h: job.lostGpuHours,
      hosts: [...new Set(job.pieces.map((p) => this.spec.hosts[p.host]!.name))].join(' '),
    };
  }
}
