/**
 * Long-lived tenant GPU servers ("Blibs", DOMAIN.md §1) on the cluster's GPUs: sessions drive
 * start and stop, the idle policy decides between Stopped (GPUs kept, quick restart) and Frozen
 * (GPUs released, slower restore that may have to migrate), and the fleet measures what that
 * choice costs (start latency, migrations, port changes, GPU-hours held idle).
 *
 * Life of one server (its current state is a ServerState; a transition is a state with a timer):
 *
 *   idle (stopped | frozen) --between--> request --> restarting | migrating -> restarting --> running
 *   running --duration--> idle policy: stop -> stopped (keeps GPUs) | freeze -> frozen (releases them)
 *
 * Choices where DOMAIN.md §1 and SCENARIOS.md are silent:
 * - At t = 0 every server is placed best fit (the host with the fewest free GPUs that still fit,
 *   lowest index on ties; only hosts of `model` when given), all servers together, then enters
 *   the idle state of its policy: stopped on its host, or frozen remembering that host (its
 *   GPUs released at once). A fleet that does not fit throws ServerPlacementError.
 * - Sessions: `sessionsBetween` runs from the end of a session (from t = 0 for the first); the
 *   session lasts `sessionDuration` from the moment the server is running, in wall time: a power
 *   loss during it does not extend it. Both are drawn from `server.<n>/sessions` (n from 1), so a
 *   stop variant and a freeze variant of a scenario see the same tenant demand.
 * - Start latency is measured from the request to running, whatever happens in between (waiting
 *   for a host to come back, waiting for room, a reset under way). It is counted for requests
 *   made after `beginAccounting` (as job waits are) and reported by the state the request found
 *   the server in: stopped, frozen, or terminated (a replacement still waiting for room). A
 *   request still unserved at `finish` is counted in `pendingStarts`, not in the means.
 * - Stopped -> running: `stoppedToRunning`, once its host is up.
 * - Frozen -> running in place (its old host has `gpus` free): `frozenToRunning` plus `eccCheck`
 *   (DOMAIN.md §1.3, A100). Otherwise, with `migrate` given, it moves best fit to another host:
 *   `migrate` (state migrating, GPUs held on the new host), then the same restore,
 *   `frozenToRunning` plus `eccCheck`, there (§1.3: a migration "takes additional time" on top
 *   of the restore). A migration and a port change are counted when the move completes. Without
 *   `migrate`, or with no host having room, the server waits frozen with its request pending;
 *   `gpusFreed()` and `hostUp()` retry the waiting servers in the order they began to wait (a
 *   server that only its old host can take does not hold up the others). The fleet retries them
 *   itself right after it releases GPUs (a server freezing, a lifetime ending), so waiting
 *   servers get those before the cluster's next dispatch of jobs.
 * - An in-place restore counts no port change: §1.4 says ports "may" be re-mapped on a restore;
 *   we count port changes only where the server moves (migration) or is re-provisioned (reset).
 * - Power: a host losing power turns its running servers into restarting (counted as a power
 *   interruption); they restart in `stoppedToRunning` once `hostUp` says the host is usable. A
 *   start or restore under way on that host is redone the same way, as a restart from Stopped
 *   (the server's image is on the host already). A migration onto it is abandoned: the GPUs are
 *   released and the server waits frozen (request pending) for room, at its old host or
 *   elsewhere. A reset under way is redone in full once the host is up. Stopped servers keep
 *   their GPUs and cannot start until the host is up. Frozen servers hold nothing.
 * - A session that ends while its server restarts after a power loss ends it there: the
 *   restart is cancelled and the idle policy applies.
 * - Resets (optional `resets`): each server's reset clock runs in wall time, `between` from the
 *   end of its last reset (from t = 0 or its creation for the first). A reset that falls due is
 *   done as soon as the server is running or stopped on a usable host (a frozen server is reset
 *   at its next start). It takes `duration`, holds the GPUs, wipes the data (§1.2) and counts a
 *   reset and a port change at its end. A session goes on during it (the server is not usable);
 *   afterwards the server is running if a session is on or a request waits (served then, with
 *   no further start latency: the reset provisions a running server), idle otherwise.
 * - Lifetime (optional `lifetime`): after `lifetime` from its creation the tenant terminates
 *   the server at its next idle moment (no session, no request), releasing its GPUs, and
 *   creates a new one in its place at once: placed best fit like at t = 0 (under freeze it just
 *   chooses its home host, where room must exist at that instant). With no room the replacement
 *   waits in state terminated; requests made meanwhile wait for it. Terminations are counted;
 *   a replacement's new address is not counted as a port change.
 * - GPU-hours held idle: GPUs x time in state stopped (reserved, unused; including a stopped
 *   server waiting for its host). Frozen servers hold none: that is the difference between the
 *   policies. `heldGpuHours` also counts running, restarting, migrating and reset.
 * - Streams: `server.<n>/sessions`, `server.<n>/transitions` (latencies, ECC test, migration),
 *   `server.<n>/resets`, `server.<n>/lifetime`, created when first drawn from; nothing depends
 *   on the job workload's streams.
 *
 * Where things are: states, accounts and metrics first; then ServerFleet in sections (marked
 * `// ---- ... ----`): queries, replication lifecycle, what the cluster tells the fleet (power,
 * freed GPUs), sessions, transitions (start, restore, migration), resets and lifetime, waiting
 * for room, bookkeeping.
 */
import { makeDistribution, type Distribution } from '../../sim/distributions.js';
import type { Simulation } from '../../sim/engine.js';
import type { Stream, Streams } from '../../sim/rng.js';
import type { ServersSpec } from './spec.js';

/** Where a tenant server takes its GPUs (the cluster implements it). */
export interface GpuPool {
  readonly hostCount: number;
  /** GPUs free on host h right now for a tenant server (0 if the host is down or closed). */
  free(h: number): number;
  /** The server takes / gives back GPUs on host h (the cluster updates its accounting and reschedules). */
  take(h: number, gpus: number): void;
  release(h: number, gpus: number): void;
  /** GPU model of host h, or null. */
  model(h: number): string | null;
}

export const ServerState = {
  running: 'running',
  stopped: 'stopped',
  restarting: 'restarting',
  frozen: 'frozen',
  migrating: 'migrating',
  terminated: 'terminated',
  reset: 'reset',
} as const;
export type ServerState = (typeof ServerState)[keyof typeof ServerState];

const STATES: readonly ServerState[] = Object.values(ServerState);
/** States in which a server holds its GPUs (DOMAIN.md §1.5). */
const HOLDING: readonly ServerState[] = [ServerState.running, ServerState.stopped, ServerState.restarting, ServerState.migrating, ServerState.reset];

/** The state a start request found the server in (latency is reported by it). */
export type StartSource = 'stopped' | 'frozen' | 'terminated';

/** What one replication measured (from `beginAccounting` on). */
export interface ServerAccount {
  /** Starts completed, by the state the request found the server in. */
  starts: Record<StartSource, number>;
  /** Sum of their latencies (request to running), hours. */
  latencySum: Record<StartSource, number>;
  /** Requests made while accounting and still unserved at `finish`. */
  pendingStarts: number;
  /** Restores from Frozen on the old host, and how many of all restores ran the ECC test. */
  restoresInPlace: number;
  eccChecks: number;
  migrations: number;
  portChanges: number;
  /** Running servers whose host lost power. */
  powerInterruptions: number;
  resets: number;
  terminations: number;
  /** GPU-hours held by stopped servers. Set by `finish`. */
  idleGpuHours: number;
  /** GPU-hours held in any state. Set by `finish`. */
  heldGpuHours: number;
  /** Server-hours spent in each state. */
  stateHours: Record<ServerState, number>;
  /** Servers in each state now (kept current). */
  inState: Record<ServerState, number>;
}

function byState(): Record<ServerState, number> {
  return { running: 0, stopped: 0, restarting: 0, frozen: 0, migrating: 0, terminated: 0, reset: 0 };
}

/** A new account; `inState` is the fleet's live count, shared, not copied. */
function emptyAccount(inState: Record<ServerState, number>): ServerAccount {
  return {
    starts: { stopped: 0, frozen: 0, terminated: 0 },
    latencySum: { stopped: 0, frozen: 0, terminated: 0 },
    pendingStarts: 0,
    restoresInPlace: 0,
    eccChecks: 0,
    migrations: 0,
    portChanges: 0,
    powerInterruptions: 0,
    resets: 0,
    terminations: 0,
    idleGpuHours: 0,
    heldGpuHours: 0,
    stateHours: byState(),
    inState,
  };
}

/** Per-replication values, in this order (counts and hours are for the accounted period). */
export const SERVER_COLUMNS = [
  'servers.start_latency_hours',
  'servers.start_latency_hours.stopped',
  'servers.start_latency_hours.frozen',
  'servers.migrations',
  'servers.port_changes',
  'servers.idle_gpu_hours',
  'raw_server_starts',
  'raw_server_latency_sum_h',
  'raw_server_starts_stopped',
  'raw_server_latency_sum_stopped_h',
  'raw_server_starts_frozen',
  'raw_server_latency_sum_frozen_h',
] as const;
export type ServerColumn = (typeof SERVER_COLUMNS)[number];

/**
 * The replication's values: latencies are means over its starts (NaN without one; the raw_*
 * sums and counts feed ratio estimators over all replications, as for job waits); migrations,
 * port changes and idle GPU-hours are totals over the accounted period (per year: x 8760 / horizon).
 */
export function serverMetrics(a: ServerAccount): Record<ServerColumn, number> {
  const starts = a.starts.stopped + a.starts.frozen + a.starts.terminated;
  const sum = a.latencySum.stopped + a.latencySum.frozen + a.latencySum.terminated;
  const mean = (s: number, n: number): number => (n > 0 ? s / n : NaN);
  return {
    'servers.start_latency_hours': mean(sum, starts),
    'servers.start_latency_hours.stopped': mean(a.latencySum.stopped, a.starts.stopped),
    'servers.start_latency_hours.frozen': mean(a.latencySum.frozen, a.starts.frozen),
    'servers.migrations': a.migrations,
    'servers.port_changes': a.portChanges,
    'servers.idle_gpu_hours': a.idleGpuHours,
    raw_server_starts: starts,
    raw_server_latency_sum_h: sum,
    raw_server_starts_stopped: a.starts.stopped,
    raw_server_latency_sum_stopped_h: a.latencySum.stopped,
    raw_server_starts_frozen: a.starts.frozen,
    raw_server_latency_sum_frozen_h: a.latencySum.frozen,
  };
}

/** The fleet does not fit on the cluster at t = 0 (an input problem, not a simulation failure). */
export class ServerPlacementError extends Error {
  constructor(
    readonly unplaced: number,
    readonly missingGpus: number,
    message: string,
  ) {
    super(message);
  }
}

/** One start of a server (servers.csv, first replication): from request to running. */
export interface ServerStartRecord {
  server: string;
  source: StartSource;
  requested_h: number;
  running_h: number;
  latency_h: number;
  /** Host it runs on, and the host it was on (or restores to) when the start was requested. */
  host: number;
  from_host: number;
}

/** One state change (for timelines of the first replication). */
export interface ServerStateRecord {
  server: string;
  t: number;
  state: ServerState;
}

export class ServerFleet {
  readonly count: number;
  /** When set (before `start`), every start and state change of the replication is kept. */
  log: { starts: ServerStartRecord[]; states: ServerStateRecord[] } | null = null;
  /** Host at the time of each pending request (home for a frozen server). */
  private readonly requestHost: Int32Array;
  private readonly gpus: number;
  /** Hosts a server may use (of the servers' GPU model when given), in host order. */
  private readonly candidates: Int32Array;
  private readonly down: Uint8Array;

  private readonly state: ServerState[];
  /** Host whose GPUs the server holds (-1: none). */
  private readonly host: Int32Array;
  /** Host a frozen server was on (where it restores in place). */
  private readonly home: Int32Array;
  /** When the pending start was requested (NaN: none). */
  private readonly requestAt: Float64Array;
  private readonly requestFrom: StartSource[];
  /** 1 while a session is on (from running until the session ends). */
  private readonly inSession: Uint8Array;
  /** 1 when a transition (restart, reset) waits for its host to come back. */
  private readonly stalled: Uint8Array;
  private readonly resetDue: Uint8Array;
  private readonly retireDue: Uint8Array;
  /** 1 while in `waiting` (for room). */
  private readonly isWaiting: Uint8Array;
  private readonly waiting: number[] = [];
  private retrying = false;
  private retryAgain = false;

  private readonly sessionTimer: Int32Array;
  private readonly transitionTimer: Int32Array;
  private readonly resetTimer: Int32Array;
  private readonly lifeTimer: Int32Array;

  private readonly between: Distribution;
  private readonly duration: Distribution;
  private readonly stoppedToRunning: Distribution;
  private readonly frozenToRunning: Distribution;
  private readonly ecc: Distribution | null;
  private readonly migrate: Distribution | null;
  private readonly resetBetween: Distribution | null;
  private readonly resetDuration: Distribution | null;
  private readonly lifetime: Distribution | null;

  private readonly names: string[];
  private streams: Streams | null = null;
  private readonly sessionStreams: Array<Stream | null>;
  private readonly transitionStreams: Array<Stream | null>;
  private readonly resetStreams: Array<Stream | null>;
  private readonly lifeStreams: Array<Stream | null>;

  private live: Record<ServerState, number> = byState();
  private lastT = 0;
  private accountFrom = 0;
  account: ServerAccount = emptyAccount(byState());

  constructor(
    private readonly sim: Simulation,
    readonly spec: ServersSpec,
    private readonly pool: GpuPool,
  ) {
    const n = spec.count;
    this.count = n;
    this.gpus = spec.gpus;
    const hosts: number[] = [];
    for (let h = 0; h < pool.hostCount; h++) if (spec.model === null || pool.model(h) === spec.model) hosts.push(h);
    this.candidates = Int32Array.from(hosts);
    this.down = new Uint8Array(pool.hostCount);
    this.state = new Array<ServerState>(n).fill(ServerState.terminated);
    this.host = new Int32Array(n).fill(-1);
    this.home = new Int32Array(n).fill(-1);
    this.requestAt = new Float64Array(n).fill(NaN);
    this.requestHost = new Int32Array(n).fill(-1);
    this.requestFrom = new Array<StartSource>(n).fill('stopped');
    this.inSession = new Uint8Array(n);
    this.stalled = new Uint8Array(n);
    this.resetDue = new Uint8Array(n);
    this.retireDue = new Uint8Array(n);
    this.isWaiting = new Uint8Array(n);
    this.between = makeDistribution(spec.sessionsBetween);
    this.duration = makeDistribution(spec.sessionDuration);
    this.stoppedToRunning = makeDistribution(spec.stoppedToRunning);
    this.frozenToRunning = makeDistribution(spec.frozenToRunning);
    this.ecc = spec.eccCheck ? makeDistribution(spec.eccCheck) : null;
    this.migrate = spec.migrate ? makeDistribution(spec.migrate) : null;
    this.resetBetween = spec.resets ? makeDistribution(spec.resets.between) : null;
    this.resetDuration = spec.resets ? makeDistribution(spec.resets.duration) : null;
    this.lifetime = spec.lifetime ? makeDistribution(spec.lifetime) : null;
    this.names = Array.from({ length: n }, (_, i) => `server.${i + 1}`);
    this.sessionStreams = new Array<Stream | null>(n).fill(null);
    this.transitionStreams = new Array<Stream | null>(n).fill(null);
    this.resetStreams = new Array<Stream | null>(n).fill(null);
    this.lifeStreams = new Array<Stream | null>(n).fill(null);
    this.sessionTimer = new Int32Array(n).fill(-1);
    this.transitionTimer = new Int32Array(n).fill(-1);
    this.resetTimer = new Int32Array(n).fill(-1);
    this.lifeTimer = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const name = this.names[i]!;
      this.sessionTimer[i] = sim.timer(`${name}/session`, () => (this.inSession[i] === 1 ? this.endSession(i) : this.request(i)));
      this.transitionTimer[i] = sim.timer(`${name}/transition`, () => this.transitionDone(i));
      if (this.resetBetween) {
        this.resetTimer[i] = sim.timer(`${name}/reset`, () => {
          this.resetDue[i] = 1;
          this.tryReset(i);
        });
      }
      if (this.lifetime) {
        this.lifeTimer[i] = sim.timer(`${name}/lifetime`, () => {
          this.retireDue[i] = 1;
          this.tryRetire(i);
        });
      }
    }
  }

  // ---- queries ------------------------------------------------------------------------------

  stateOf(i: number): ServerState {
    return this.state[i]!;
  }

  /** Host whose GPUs server i holds, or -1. */
  hostOf(i: number): number {
    return this.host[i]!;
  }

  /** Host a frozen server restores on in place (its last host), or -1. */
  homeOf(i: number): number {
    return this.home[i]!;
  }

  /** Servers in `state` now. */
  inState(state: ServerState): number {
    return this.live[state];
  }

  /** Servers waiting for room (frozen with a request, or a replacement not yet placed). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  // ---- replication lifecycle ----------------------------------------------------------------

  /** New replication: new streams, nothing placed, every host up. */
  reset(streams: Streams): void {
    this.streams = streams;
    this.sessionStreams.fill(null);
    this.transitionStreams.fill(null);
    this.resetStreams.fill(null);
    this.lifeStreams.fill(null);
    this.down.fill(0);
    this.state.fill(ServerState.terminated);
    this.host.fill(-1);
    this.home.fill(-1);
    this.requestAt.fill(NaN);
    this.inSession.fill(0);
    this.stalled.fill(0);
    this.resetDue.fill(0);
    this.retireDue.fill(0);
    this.isWaiting.fill(0);
    this.waiting.length = 0;
    this.retrying = this.retryAgain = false;
    this.live = byState();
    this.lastT = 0;
    this.accountFrom = 0;
    this.account = emptyAccount(this.live);
  }

  /**
   * Places every server (best fit, all together) and enters its idle state; schedules the first
   * session requests (and resets, lifetimes). Throws ServerPlacementError when some do not fit.
   */
  start(): void {
    const g = this.gpus;
    let unplaced = 0;
    for (let i = 0; i < this.count; i++) {
      const h = this.bestFit(-1);
      if (h < 0) {
        unplaced++;
        continue;
      }
      this.pool.take(h, g);
      this.host[i] = h;
    }
    if (unplaced > 0) {
      for (let i = 0; i < this.count; i++) if (this.host[i]! >= 0) this.pool.release(this.host[i]!, g);
      this.host.fill(-1);
      const model = this.spec.model === null ? '' : ` of gpu_model ${this.spec.model}`;
      throw new ServerPlacementError(
        unplaced,
        unplaced * g,
        `${this.count} tenant servers of ${g} GPU${g === 1 ? '' : 's'} do not fit on the hosts${model}: ${unplaced} could not be placed (best fit), ${unplaced * g} GPU${unplaced * g === 1 ? '' : 's'} missing`,
      );
    }
    const idle = this.spec.idlePolicy === 'stop' ? ServerState.stopped : ServerState.frozen;
    for (let i = 0; i < this.count; i++) {
      if (idle === ServerState.frozen) {
        this.pool.release(this.host[i]!, g);
        this.home[i] = this.host[i]!;
        this.host[i] = -1;
      }
      this.state[i] = idle;
      this.live[idle]++;
      this.sim.after(this.sessionTimer[i]!, this.between.sample(this.sessionStream(i)));
      this.armReset(i);
      this.armLifetime(i);
    }
  }

  /** Metrics count from now on (the end of the warm-up). */
  beginAccounting(): void {
    this.advance();
    this.accountFrom = this.sim.now;
    this.account = emptyAccount(this.live);
  }

  finish(): void {
    this.advance();
    const a = this.account;
    let held = 0;
    for (const s of HOLDING) held += a.stateHours[s];
    a.heldGpuHours = held * this.gpus;
    a.idleGpuHours = a.stateHours.stopped * this.gpus;
    a.pendingStarts = 0;
    for (let i = 0; i < this.count; i++) if (this.requestAt[i]! >= this.accountFrom) a.pendingStarts++;
  }

  // ---- what the cluster tells the fleet -----------------------------------------------------

  /** Host h lost power: running servers on it restart once it is back, transitions stall. */
  hostDown(h: number): void {
    if (this.down[h] === 1) return;
    this.down[h] = 1;
    let released = false;
    for (let i = 0; i < this.count; i++) {
      if (this.host[i] !== h) continue;
      switch (this.state[i]) {
        case ServerState.running:
          this.account.powerInterruptions++;
          this.setState(i, ServerState.restarting);
          this.stalled[i] = 1;
          break;
        case ServerState.restarting:
        case ServerState.reset:
          this.sim.cancel(this.transitionTimer[i]!);
          this.stalled[i] = 1;
          break;
        case ServerState.migrating:
          // Abandoned: the server waits frozen for room, its request still pending.
          this.sim.cancel(this.transitionTimer[i]!);
          this.pool.release(h, this.gpus);
          this.host[i] = -1;
          this.setState(i, ServerState.frozen);
          this.enqueue(i);
          released = true;
          break;
        default:
          break;
      }
    }
    if (released) this.retryWaiting();
  }

  /** Host h is usable again (after its boot): stalled servers on it go on, waiting ones retry. */
  hostUp(h: number): void {
    if (this.down[h] === 0) return;
    this.down[h] = 0;
    for (let i = 0; i < this.count; i++) {
      if (this.host[i] !== h) continue;
      const s = this.state[i];
      if (this.stalled[i] === 1) {
        this.stalled[i] = 0;
        const t = this.transitionStream(i);
        this.sim.after(this.transitionTimer[i]!, s === ServerState.reset ? this.resetDuration!.sample(t) : this.stoppedToRunning.sample(t));
      } else if (s === ServerState.stopped) {
        if (this.pending(i)) this.restart(i);
        else this.tryReset(i);
      }
    }
    this.retryWaiting();
  }

  /**
   * GPUs may have become free: servers waiting for room retry, first waiting first. Cheap when
   * nothing waits. For restores to come before queued jobs, the cluster calls it before it
   * dispatches jobs (at the start of its settle, when a job ended or a host came back).
   */
  gpusFreed(): void {
    this.retryWaiting();
  }

  // ---- sessions -----------------------------------------------------------------------------

  private request(i: number): void {
    const s = this.state[i]!;
    this.requestAt[i] = this.sim.now;
    this.requestHost[i] = this.host[i]! >= 0 ? this.host[i]! : this.home[i]!;
    // A request that finds a reset under way counts under the policy's idle state.
    this.requestFrom[i] = s === ServerState.stopped || s === ServerState.frozen || s === ServerState.terminated ? s : this.idleState;
    if (s === ServerState.stopped) {
      if (this.down[this.host[i]!] === 0) this.restart(i);
    } else if (s === ServerState.frozen) {
      if (!this.restore(i)) this.enqueue(i);
    }
    // terminated: already waiting for room; reset: served when the reset ends.
  }

  private endSession(i: number): void {
    this.inSession[i] = 0;
    const s = this.state[i];
    if (s === ServerState.running || s === ServerState.restarting) {
      this.sim.cancel(this.transitionTimer[i]!);
      this.stalled[i] = 0;
      this.goIdle(i);
    }
    this.sim.after(this.sessionTimer[i]!, this.between.sample(this.sessionStream(i)));
  }

  /** The idle policy: stopped keeps the GPUs, frozen releases them and remembers the host. */
  private goIdle(i: number): void {
    if (this.spec.idlePolicy === 'stop') {
      this.setState(i, ServerState.stopped);
      if (!this.tryRetire(i)) this.tryReset(i);
      return;
    }
    const h = this.host[i]!;
    this.home[i] = h;
    this.host[i] = -1;
    this.setState(i, ServerState.frozen);
    this.pool.release(h, this.gpus);
    if (!this.tryRetire(i)) this.retryWaiting();
  }

  private get idleState(): StartSource {
    return this.spec.idlePolicy === 'stop' ? 'stopped' : 'frozen';
  }

  // ---- transitions --------------------------------------------------------------------------

  /** Stopped -> restarting on its (usable) host. */
  private restart(i: number): void {
    this.setState(i, ServerState.restarting);
    this.sim.after(this.transitionTimer[i]!, this.stoppedToRunning.sample(this.transitionStream(i)));
  }

  /** Frozen with a request: restore in place, or migrate; false when no host can take it now. */
  private restore(i: number): boolean {
    const g = this.gpus;
    const home = this.home[i]!;
    if (home >= 0 && this.down[home] === 0 && this.pool.free(home) >= g) {
      this.pool.take(home, g);
      this.host[i] = home;
      this.account.restoresInPlace++;
      this.beginRestore(i);
      return true;
    }
    if (this.migrate === null) return false;
    const h = this.bestFit(home);
    if (h < 0) return false;
    this.pool.take(h, g);
    this.host[i] = h;
    this.setState(i, ServerState.migrating);
    this.sim.after(this.transitionTimer[i]!, this.migrate.sample(this.transitionStream(i)));
    return true;
  }

  /** The restore from Frozen on the host it now holds: frozen_to_running plus the ECC test. */
  private beginRestore(i: number): void {
    const t = this.transitionStream(i);
    let delay = this.frozenToRunning.sample(t);
    if (this.ecc) {
      delay += this.ecc.sample(t);
      this.account.eccChecks++;
    }
    this.setState(i, ServerState.restarting);
    this.sim.after(this.transitionTimer[i]!, delay);
  }

  private transitionDone(i: number): void {
    switch (this.state[i]) {
      case ServerState.migrating:
        this.account.migrations++;
        this.account.portChanges++;
        this.home[i] = this.host[i]!;
        this.beginRestore(i);
        break;
      case ServerState.restarting:
        this.running(i);
        break;
      case ServerState.reset:
        this.resetDone(i);
        break;
      default:
        throw new Error(`${this.names[i]}: transition timer fired in state ${this.state[i]}`);
    }
  }

  /** Running: a pending request is served (its session begins); a power restart resumes the session. */
  private running(i: number): void {
    this.setState(i, ServerState.running);
    const at = this.requestAt[i]!;
    if (!Number.isNaN(at)) {
      if (at >= this.accountFrom) {
        const from = this.requestFrom[i]!;
        this.account.starts[from]++;
        this.account.latencySum[from] += this.sim.now - at;
      }
      this.log?.starts.push({
        server: this.names[i]!,
        source: this.requestFrom[i]!,
        requested_h: at,
        running_h: this.sim.now,
        latency_h: this.sim.now - at,
        host: this.host[i]!,
        from_host: this.requestHost[i]!,
      });
      this.requestAt[i] = NaN;
      this.inSession[i] = 1;
      this.sim.after(this.sessionTimer[i]!, this.duration.sample(this.sessionStream(i)));
    }
    this.tryReset(i);
  }

  // ---- resets and lifetime ------------------------------------------------------------------

  private armReset(i: number): void {
    if (!this.resetBetween) return;
    this.resetStreams[i] ??= this.streams!.get(`${this.names[i]}/resets`);
    this.sim.after(this.resetTimer[i]!, this.resetBetween.sample(this.resetStreams[i]!));
  }

  private tryReset(i: number): void {
    if (this.resetDue[i] === 0) return;
    const s = this.state[i];
    if (s !== ServerState.running && s !== ServerState.stopped) return;
    if (this.down[this.host[i]!] === 1) return;
    this.resetDue[i] = 0;
    this.setState(i, ServerState.reset);
    this.sim.after(this.transitionTimer[i]!, this.resetDuration!.sample(this.transitionStream(i)));
  }

  private resetDone(i: number): void {
    this.account.resets++;
    this.account.portChanges++;
    this.armReset(i);
    if (this.pending(i)) this.running(i);
    else if (this.inSession[i] === 1) this.setState(i, ServerState.running);
    else this.goIdle(i);
  }

  private armLifetime(i: number): void {
    if (!this.lifetime) return;
    this.lifeStreams[i] ??= this.streams!.get(`${this.names[i]}/lifetime`);
    this.sim.after(this.lifeTimer[i]!, this.lifetime.sample(this.lifeStreams[i]!));
  }

  /** Terminates a server whose lifetime is over if it is idle, and creates its replacement. */
  private tryRetire(i: number): boolean {
    if (this.retireDue[i] === 0) return false;
    const s = this.state[i];
    if ((s !== ServerState.stopped && s !== ServerState.frozen) || this.inSession[i] === 1 || this.pending(i)) return false;
    this.retireDue[i] = 0;
    this.resetDue[i] = 0;
    if (this.resetBetween) this.sim.cancel(this.resetTimer[i]!);
    const h = this.host[i]!;
    this.host[i] = this.home[i] = -1;
    this.setState(i, ServerState.terminated);
    this.account.terminations++;
    if (h >= 0) this.pool.release(h, this.gpus);
    if (!this.place(i)) this.enqueue(i);
    this.retryWaiting();
    return true;
  }

  /** A replacement takes its place best fit; a request that waited for it is then served. */
  private place(i: number): boolean {
    const h = this.bestFit(-1);
    if (h < 0) return false;
    if (this.spec.idlePolicy === 'stop') {
      this.pool.take(h, this.gpus);
      this.host[i] = h;
      this.setState(i, ServerState.stopped);
    } else {
      this.home[i] = h;
      this.setState(i, ServerState.frozen);
    }
    this.armReset(i);
    this.armLifetime(i);
    if (this.pending(i)) {
      if (this.state[i] === ServerState.stopped) this.restart(i);
      else if (!this.restore(i)) return false;
    }
    return true;
  }

  // ---- waiting for room ---------------------------------------------------------------------

  private enqueue(i: number): void {
    if (this.isWaiting[i] === 1) return;
    this.isWaiting[i] = 1;
    this.waiting.push(i);
  }

  /**
   * Retries the waiting servers in order. A failure of one that may go anywhere means no host
   * has room for any of them (all servers need the same GPUs), so the pass stops there.
   */
  private retryWaiting(): void {
    if (this.retrying) {
      this.retryAgain = true;
      return;
    }
    this.retrying = true;
    try {
      do {
        this.retryAgain = false;
        const list = this.waiting;
        let kept = 0;
        let full = false;
        for (let k = 0; k < list.length; k++) {
          const i = list[k]!;
          let done = false;
          if (!full) {
            const s = this.state[i];
            if (s === ServerState.terminated) {
              done = this.place(i);
              if (!done) full = this.state[i] === ServerState.terminated || this.migrate !== null;
            } else if (s === ServerState.frozen && this.pending(i)) {
              done = this.restore(i);
              if (!done && this.migrate !== null) full = true;
            } else done = true;
          }
          if (done) this.isWaiting[i] = 0;
          else list[kept++] = i;
        }
        list.length = kept;
      } while (this.retryAgain);
    } finally {
      this.retrying = false;
    }
  }

  /** Best fit: the usable host with the fewest free GPUs that still fit a server (not `except`). */
  private bestFit(except: number): number {
    const g = this.gpus;
    let best = -1;
    let bestFree = Infinity;
    const c = this.candidates;
    for (let k = 0; k < c.length; k++) {
      const h = c[k]!;
      if (h === except || this.down[h] === 1) continue;
      const free = this.pool.free(h);
      if (free >= g && free < bestFree) {
        best = h;
        bestFree = free;
      }
    }
    return best;
  }

  // ---- bookkeeping --------------------------------------------------------------------------

  /** A start request is pending. */
  private pending(i: number): boolean {
    return !Number.isNaN(this.requestAt[i]!);
  }

  private setState(i: number, s: ServerState): void {
    this.advance();
    this.live[this.state[i]!]--;
    this.live[s]++;
    this.state[i] = s;
    this.log?.states.push({ server: this.names[i]!, t: this.sim.now, state: s });
  }

  /** Brings the time spent in each state up to now. */
  private advance(): void {
    const now = this.sim.now;
    const from = Math.max(this.lastT, this.accountFrom);
    if (now > from) {
      const dt = now - from;
      const hours = this.account.stateHours;
      for (let k = 0; k < STATES.length; k++) {
        const s = STATES[k]!;
        hours[s] += this.live[s] * dt;
      }
    }
    this.lastT = now;
  }

  private sessionStream(i: number): Stream {
    return (this.sessionStreams[i] ??= this.streams!.get(`${this.names[i]}/sessions`));
  }

  private transitionStream(i: number): Stream {
    return (this.transitionStreams[i] ??= this.streams!.get(`${this.names[i]}/transitions`));
  }
}
