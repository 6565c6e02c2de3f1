/**
 * A throwaway single-node Slurm cluster for tests (../shared/SLURM.md, moved into a temp folder):
 * munged with a freshly generated key on its own socket, slurmctld and slurmd in the foreground
 * on two free ports, every path (config, state, spool, logs, PID files) inside the folder, and
 * clients pointed at it through SLURM_CONF. Nothing under /etc, /run or /var is touched, and a
 * Slurm or munge already running on the machine is left alone.
 *
 * The daemons are this process's children; stop() ends them by PID (SIGTERM, then SIGKILL after
 * a grace period) after cancelling the jobs submitted through the cluster.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const DAEMONS = ['munged', 'slurmctld', 'slurmd'] as const;
const CLIENTS = ['sbatch', 'squeue', 'scontrol', 'sinfo', 'scancel'] as const;
type Program = (typeof DAEMONS)[number] | (typeof CLIENTS)[number];

/** Where a program is: PATH, then the sbin folders a non-root PATH often lacks. */
function which(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs.filter((d) => d !== '')) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Why a cluster cannot be started here, or null when it can. */
export function slurmUnavailable(): string | null {
  const missing = [...DAEMONS, ...CLIENTS].filter((p) => which(p) === null);
  if (missing.length > 0) return `Slurm is not installed (no ${missing.join(', ')}; Debian: apt-get install slurm-wlm munge)`;
  if (process.getuid?.() !== 0) return 'a single-node Slurm cluster needs root (slurmd starts jobs as their user)';
  return null;
}

export interface SlurmCluster {
  /** The cluster's folder (slurm.conf, state, spool, logs). */
  dir: string;
  /** The node's name (the short host name). */
  node: string;
  /** Environment for Slurm clients: SLURM_CONF set, inherited SLURM_* / SBATCH_* removed. */
  env: NodeJS.ProcessEnv;
  /** Runs a Slurm client with the cluster's environment; throws with stderr on failure. */
  run(program: (typeof CLIENTS)[number], args: string[]): string;
  /** Remembers job ids to cancel at stop(). */
  track(...jobIds: string[]): void;
  /** The daemons' logs, last lines of each (for failure messages). */
  logs(lines?: number): string;
  /** Starts munged, slurmctld and slurmd and waits until the node is idle; stops them on failure. */
  start(): Promise<void>;
  /** Cancels the tracked jobs, then ends every daemon started, by PID. Safe to call at any point. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return `(${file}: not written)`;
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Ends a child by PID: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
async function end(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(child.pid!, name);
    } catch {
      // exited meanwhile
    }
  };
  signal('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
  if ((await Promise.race([exited, late])) === 'late') {
    signal('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

/** Waits until `ready()` holds, polling; throws `what` (with `details()`) after `timeoutMs`. */
async function until(ready: () => boolean, timeoutMs: number, what: string, details: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what} (after ${timeoutMs / 1000} s)\n${details()}`);
    await sleep(250);
  }
}

/** The cluster's folder and configuration; nothing runs until start(). */
export function slurmCluster(): SlurmCluster {
  const path = (p: Program) => which(p)!;
  const dir = mkdtempSync(join(tmpdir(), 'resim-slurm-'));
  chmodSync(dir, 0o711); // munged wants its socket's folder searchable
  for (const sub of ['log', 'run', 'state', 'spool']) mkdirSync(join(dir, sub), { mode: 0o700 });
  const file = (...p: string[]) => join(dir, ...p);
  const node = hostname().split('.')[0]!;
  const children: Array<{ name: string; child: ChildProcess; log: string }> = [];
  const jobs = new Set<string>();

  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLURM|SBATCH|SALLOC|SRUN)_/.test(k)));
  env.SLURM_CONF = file('slurm.conf');

  const daemon = (name: (typeof DAEMONS)[number], args: string[]) => {
    const log = file('log', `${name}.out`);
    const fd = openSync(log, 'a');
    const child = spawn(path(name), args, { env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('error', () => undefined); // reported through exitCode and the log
    children.push({ name, child, log });
    return child;
  };
  const logs = (lines = 15) =>
    [
      ...children.map((c) => `--- ${c.name} (pid ${c.child.pid ?? '?'}, exit ${c.child.exitCode ?? c.child.signalCode ?? 'running'}):\n${tail(c.log, lines)}`),
      `--- slurmctld.log:\n${tail(file('log', 'slurmctld.log'), lines)}`,
      `--- slurmd.log:\n${tail(file('log', 'slurmd.log'), lines)}`,
    ].join('\n');
  const run = (program: (typeof CLIENTS)[number], args: string[]) => {
    try {
      return execFileSync(path(program), args, { env, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${program} ${args.join(' ')} failed: ${e.stderr || e.message}`);
    }
  };
  const alive = () => children.every((c) => c.child.exitCode === null && c.child.signalCode === null);

  async function stop(): Promise<void> {
    if (jobs.size > 0 && children.length === DAEMONS.length && alive()) {
      try {
        run('scancel', [...jobs]);
      } catch {
        // the jobs are gone already
      }
      // Let slurmd end the job steps it started before it is stopped itself.
      const queued = () => {
        try {
          return run('squeue', ['-h', '-o', '%i']).trim() !== '';
        } catch {
          return false;
        }
      };
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && queued()) await sleep(250);
    }
    for (const c of [...children].reverse()) await end(c.child);
  }

  function writeConfig(socket: string, ctldPort: number, slurmdPort: number): void {
    const cpus = execFileSync('nproc', { encoding: 'utf8' }).trim();
    const lines = [
      'ClusterName=resimtest',
      `SlurmctldHost=${node}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'SlurmUser=root',
      'SlurmdUser=root',
      `SlurmctldPidFile=${file('run', 'slurmctld.pid')}`,
      `SlurmdPidFile=${file('run', 'slurmd.pid')}`,
      `SlurmctldLogFile=${file('log', 'slurmctld.log')}`,
      `SlurmdLogFile=${file('log', 'slurmd.log')}`,
      `StateSaveLocation=${file('state')}`,
      `SlurmdSpoolDir=${file('spool')}`,
      'ReturnToService=2',
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN`,
      `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
    ];
    writeFileSync(env.SLURM_CONF!, lines.join('\n') + '\n');
  }

  async function start(): Promise<void> {
    try {
      // munge: a generated key, its own socket, PID, seed and log files.
      const key = file('munge.key');
      writeFileSync(key, randomBytes(1024), { mode: 0o400 });
      const socket = file('run', 'munge.socket');
      daemon('munged', ['--foreground', '--force', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${file('run', 'munged.pid')}`, `--seed-file=${file('run', 'munged.seed')}`, `--log-file=${file('log', 'munged.log')}`]);
      await until(() => existsSync(socket) || !alive(), 20_000, 'munged did not create its socket', logs);
      if (!alive()) throw new Error(`munged exited\n${logs()}`);

      writeConfig(socket, await freePort(), await freePort());
      daemon('slurmctld', ['-D', '-c', '-f', env.SLURM_CONF!]);
      daemon('slurmd', ['-D', '-f', env.SLURM_CONF!]);
      const idle = () => {
        if (!alive()) return true;
        try {
          return run('sinfo', ['-h', '-n', node, '-o', '%T']).trim() === 'idle';
        } catch {
          return false; // slurmctld is not answering yet
        }
      };
      await until(idle, 60_000, `node ${node} did not become idle`, logs);
      if (!alive()) throw new Error(`a Slurm daemon exited\n${logs()}`);
    } catch (err) {
      await stop();
      throw err;
    }
  }

  return { dir, node, env, run, track: (...ids) => ids.forEach((id) => jobs.add(id)), logs, start, stop };
}
