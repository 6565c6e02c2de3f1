/**
 * The cluster as the simulation sees it: the scenario's `cluster:` section resolved into plain
 * data (structured-cloneable, so workers receive it as is). Hosts are numbered, users and
 * reservations are indices, a trace is read into arrays, reservation windows become intervals
 * of simulated hours.
 *
 * Decisions where SCENARIOS.md is silent (also in docs/decisions.md):
 * - `simulation.start` is the calendar instant of simulated time 0 (the start of any warm-up).
 * - Hosts of a class on a load component that the expander split into load groups (`it.1`,
 *   `it.2`, ...) are dealt to the groups in turn: host i on group i mod m.
 * - A reservation's slots are taken from its hosts in the order listed, each host as far as it
 *   has GPUs (all hosts in name order when none are listed). A system reservation takes every
 *   slot of its hosts.
 * - SWF: one processor is one GPU slot; times in seconds become hours; a job with an unknown
 *   run time is skipped (counted); a job larger than the cluster is rejected at submission.
 *   Users are named `u<user_id>` (`u-1` when unknown).
 * - `workload.jobs` lists jobs by hand; they are submitted in time order (ties in list order)
 *   and numbered 1, 2, ... in that order.
 * - A synthetic job of a user who may use a reservation is submitted into it with probability
 *   `reservation_share` (the first reservation listed that the user may use).
 */
import type { DistSpec } from '../../sim/distributions.js';
import { unknownReservation } from '../scenario/messages.js';
import { activeIntervals, resolveLsfTime, type Interval } from './reservations.js';

export interface HostSpec {
  name: string;
  gpus: number;
  model: string | null;
  /** Index of the facility load powering it, or -1 (always powered). */
  load: number;
  /** Hours from power back to usable. */
  boot: number;
}

export interface SyntheticWorkload {
  kind: 'synthetic';
  arrivals: DistSpec;
  gpus: { choice: number[]; weights: number[] };
  runtime: DistSpec;
  walltimeFactor: number;
  /** User indices drawn uniformly. */
  users: number[];
  reservationShare: number;
}

/** A trace or a hand-written list: every job known in advance. */
export interface TraceWorkload {
  kind: 'list';
  /** The SWF file it came from, or null for `workload.jobs`. */
  file: string | null;
  /** Hours since simulated time 0, ascending. */
  submit: number[];
  gpus: number[];
  runtime: number[];
  walltime: number[];
  user: number[];
  /** The trace's job numbers (jobs.csv shows them). */
  id: number[];
  /** Reservation index each job is submitted into (-1: none). */
  resv: number[];
  /** Trace lines that describe jobs that can never run (no processors, no run time). */
  skipped: number;
}

export type WorkloadSpec = SyntheticWorkload | TraceWorkload;

export interface ReservationPlan {
  name: string;
  type: 'open' | 'closed';
  system: boolean;
  recurring: boolean;
  /** User indices allowed to run jobs in it (users plus members of its groups). */
  users: number[];
  /** Slots it holds per host, in host order. */
  hosts: Array<{ host: number; slots: number }>;
  /** When it is active, in simulated hours (sorted, disjoint), none before `created`. */
  intervals: Interval[];
  /** When it is made (brsvadd), simulated hours: the scheduler plans around it from then on. */
  created: number;
}

export interface ServersSpec {
  count: number;
  gpus: number;
  model: string | null;
  idlePolicy: 'stop' | 'freeze';
  sessionsBetween: DistSpec;
  sessionDuration: DistSpec;
  stoppedToRunning: DistSpec;
  frozenToRunning: DistSpec;
  /** ECC test on restore from Frozen for this model, or null. */
  eccCheck: DistSpec | null;
  migrate: DistSpec | null;
  /** Tenant resets (time between, time one takes), or absent/null: none. */
  resets?: { between: DistSpec; duration: DistSpec } | null;
  /** Time after which a server is terminated (at its next idle moment) and replaced, or absent/null: never. */
  lifetime?: DistSpec | null;
}

export interface ClusterSpec {
  hosts: HostSpec[];
  policy: 'fcfs' | 'easy_backfill';
  preemption: 'suspend' | 'requeue' | 'kill';
  onPowerLoss: 'requeue' | 'fail';
  checkpoint: { interval: number; cost: number } | null;
  users: string[];
  workload: WorkloadSpec | null;
  reservations: ReservationPlan[];
  servers: ServersSpec | null;
}

/** The parsed `cluster:` section (the schema's output). */
export interface ClusterInput {
  hosts: Array<{ name: string; count: number; gpus: number; gpu_model?: string | undefined; load?: string | undefined; boot: number }>;
  scheduler: { policy: 'fcfs' | 'easy_backfill'; preemption: 'suspend' | 'requeue' | 'kill'; on_power_loss: 'requeue' | 'fail' };
  checkpoint?: { interval: number; cost: number } | undefined;
  groups: Record<string, string[]>;
  workload?: {
    swf?: string | undefined;
    jobs?: Array<{ submit: number; gpus: number; runtime: number; walltime?: number | undefined; user: string; reservation?: string | undefined; count: number }> | undefined;
    synthetic?: { arrivals: DistSpec; gpus: { choice: number[]; weights: number[] }; runtime: DistSpec; walltime_factor: number; users: string[]; reservation_share: number } | undefined } | undefined;
  reservations: Array<{ name: string; users: string[]; groups: string[]; hosts: string[]; slots?: number | undefined; begin?: string | undefined; end?: string | undefined; created?: string | undefined; window?: string | undefined; type: 'open' | 'closed'; system: boolean }>;
  servers?:
    | {
        count: number;
        gpus: number;
        gpu_model?: string | undefined;
        idle_policy: 'stop' | 'freeze';
        sessions: { between: DistSpec; duration: DistSpec };
        transitions: { stopped_to_running: DistSpec; frozen_to_running: DistSpec; ecc_check: Record<string, DistSpec>; migrate?: DistSpec | undefined };
        resets?: { between: DistSpec; duration: DistSpec } | undefined;
        lifetime?: DistSpec | undefined;
      }
    | undefined;
}

/** A trace already read: the arrays the cluster needs (see readTrace in the pipeline). */
export interface TraceJobs {
  submitSeconds: number[];
  procs: number[];
  runtimeSeconds: number[];
  walltimeSeconds: number[];
  userIds: number[];
  ids: number[];
  skipped: number;
}

export interface ResolveContext {
  /** Facility load names in model order. */
  loads: readonly string[];
  startIso: string;
  /** Warm-up plus horizon: reservation windows are computed up to here. */
  endHours: number;
  trace: TraceJobs | null;
  traceFile: string | null;
}

export class ClusterSpecError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export function resolveCluster(input: ClusterInput, ctx: ResolveContext): ClusterSpec {
  const hosts: HostSpec[] = [];
  input.hosts.forEach((cls, c) => {
    let groups: number[] = [];
    if (cls.load !== undefined) {
      const exact = ctx.loads.indexOf(cls.load);
      groups = exact >= 0 ? [exact] : ctx.loads.flatMap((name, i) => (name.startsWith(`${cls.load}.`) && /^\d+$/.test(name.slice(cls.load!.length + 1)) ? [i] : []));
      if (groups.length === 0) throw new ClusterSpecError(`cluster.hosts.${c}.load`, `"${cls.load}" is not a load component (hosts draw their power from a component of type load)`);
    }
    for (let i = 0; i < cls.count; i++) {
      hosts.push({
        name: `${cls.name}-${i + 1}`,
        gpus: cls.gpus,
        model: cls.gpu_model ?? null,
        load: groups.length > 0 ? groups[i % groups.length]! : -1,
        boot: cls.boot,
      });
    }
  });
  const hostIndex = new Map(hosts.map((h, i) => [h.name, i]));

  const users: string[] = [];
  const userIndex = (name: string): number => {
    let i = users.indexOf(name);
    if (i < 0) i = users.push(name) - 1;
    return i;
  };
  for (const members of Object.values(input.groups)) for (const u of members) userIndex(u);
  for (const r of input.reservations) for (const u of r.users) userIndex(u);

  let workload: WorkloadSpec | null = null;
  const w = input.workload;
  if (w?.synthetic) {
    const s = w.synthetic;
    workload = {
      kind: 'synthetic',
      arrivals: s.arrivals,
      gpus: s.gpus,
      runtime: s.runtime,
      walltimeFactor: s.walltime_factor,
      users: s.users.map(userIndex),
      reservationShare: s.reservation_share,
    };
  } else if (w?.jobs) {
    const list: TraceWorkload = { kind: 'list', file: null, submit: [], gpus: [], runtime: [], walltime: [], user: [], id: [], resv: [], skipped: 0 };
    const order = w.jobs.map((j, i) => ({ j, i })).sort((a, b) => a.j.submit - b.j.submit || a.i - b.i);
    for (const { j, i } of order) {
      const resv = j.reservation === undefined ? -1 : input.reservations.findIndex((r) => r.name === j.reservation);
      if (resv < 0 && j.reservation !== undefined) throw new ClusterSpecError(`cluster.workload.jobs.${i}.reservation`, unknownReservation(j.reservation, undefined));
      for (let k = 0; k < j.count; k++) {
        list.submit.push(j.submit);
        list.gpus.push(j.gpus);
        list.runtime.push(j.runtime);
        list.walltime.push(j.walltime ?? j.runtime);
        list.user.push(userIndex(j.user));
        list.id.push(list.id.length + 1);
        list.resv.push(resv);
      }
    }
    workload = list;
  } else if (w?.swf && ctx.trace) {
    const t = ctx.trace;
    workload = {
      kind: 'list',
      file: ctx.traceFile ?? w.swf,
      submit: t.submitSeconds.map((s) => s / 3600),
      gpus: t.procs,
      runtime: t.runtimeSeconds.map((s) => s / 3600),
      walltime: t.walltimeSeconds.map((s) => s / 3600),
      user: t.userIds.map((u) => userIndex(`u${u}`)),
      id: t.ids,
      resv: t.ids.map(() => -1),
      skipped: t.skipped,
    };
  }

  const reservations: ReservationPlan[] = input.reservations.map((r, index) => {
    const allowed = new Set<number>();
    for (const u of r.users) allowed.add(userIndex(u));
    for (const g of r.groups) for (const u of input.groups[g] ?? []) allowed.add(userIndex(u));
    const named = r.hosts.length > 0 ? r.hosts.map((h) => hostIndex.get(h)!) : hosts.map((_, i) => i);
    const taken: Array<{ host: number; slots: number }> = [];
    let left = r.system ? Infinity : (r.slots ?? 0);
    for (const h of named) {
      if (left <= 0) break;
      const slots = Math.min(left, hosts[h]!.gpus);
      taken.push({ host: h, slots });
      left -= slots;
    }
    let created = 0;
    if (r.created !== undefined) {
      const at = resolveLsfTime(r.created, ctx.startIso);
      if (!at.ok) throw new ClusterSpecError(`cluster.reservations.${index}.created`, `"${r.created}" is not a date that exists`);
      created = Math.max(0, (at.ms - Date.parse(ctx.startIso)) / 3_600_000);
    }
    const planned = activeIntervals(r, ctx.startIso, ctx.endHours);
    if (r.window === undefined && planned.length > 0 && created > planned[0]!.begin) {
      throw new ClusterSpecError(`cluster.reservations.${index}.created`, `a one-time reservation must be made before it begins (created "${r.created}" is after begin "${r.begin}")`);
    }
    // A recurring instance already under way when the reservation is made is active from then (§7.5).
    const intervals = planned.filter((iv) => iv.end > created).map((iv) => ({ begin: Math.max(iv.begin, created), end: iv.end }));
    return {
      name: r.name,
      type: r.type,
      system: r.system,
      recurring: r.window !== undefined,
      users: [...allowed].sort((a, b) => a - b),
      hosts: taken,
      intervals,
      created,
    };
  });

  let servers: ServersSpec | null = null;
  if (input.servers) {
    const s = input.servers;
    const model = s.gpu_model ?? null;
    servers = {
      count: s.count,
      gpus: s.gpus,
      model,
      idlePolicy: s.idle_policy,
      sessionsBetween: s.sessions.between,
      sessionDuration: s.sessions.duration,
      stoppedToRunning: s.transitions.stopped_to_running,
      frozenToRunning: s.transitions.frozen_to_running,
      eccCheck: model !== null ? (s.transitions.ecc_check[model] ?? null) : null,
      migrate: s.transitions.migrate ?? null,
      resets: s.resets ?? null,
      lifetime: s.lifetime ?? null,
    };
  }

  return {
    hosts,
    policy: input.scheduler.policy,
    preemption: input.scheduler.preemption,
    onPowerLoss: input.scheduler.on_power_loss,
    checkpoint: input.checkpoint ? { interval: input.checkpoint.interval, cost: input.checkpoint.cost } : null,
    users,
    workload,
    reservations,
    servers,
  };
}
