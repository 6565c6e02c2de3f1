/**
 * Worker scaling (`npm run bench`, issue 6), three figures measured in the same run:
 *
 *   1. the machine's ceiling for pure computation: an integer loop in one thread alone, then in
 *      two threads at once (what two cores give when nothing is shared but the machine);
 *   2. the ceiling for this model: the Tier IV replicator called directly (no runner) in one
 *      thread alone, then in two threads at once, each doing half the replications of (3) (a
 *      shorter run would mostly time JIT compilation, which runs on background threads: free
 *      while one core idles, not when both are busy);
 *   3. the real thing: one long run of scenarios/tier4-2n1.yaml through the command line with 1
 *      and then 2 workers, same replications; the speed-up is the ratio of the simulation wall
 *      times run.json reports (worker start-up included, report writing not). The two
 *      summary.csv files must be byte-identical.
 *
 * On a virtual machine whose two vCPUs do not each run at full speed when both are busy, (1) is
 * below 2 and bounds (3); (3) / (2) is the runner's own efficiency.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const SCENARIO = join(ROOT, 'scenarios/tier4-2n1.yaml');
const REPLICATIONS = Number(process.env.RESIM_BENCH_WORKER_REPLICATIONS ?? 200_000);
const DIRECT_REPLICATIONS = REPLICATIONS / 2;
const SPIN = 1_500_000_000;

type Task = { kind: 'spin' } | { kind: 'replications'; count: number };

/** Seconds one task takes in the calling thread. */
async function perform(task: Task): Promise<number> {
  if (task.kind === 'spin') {
    const t0 = performance.now();
    let x = 0;
    for (let i = 0; i < SPIN; i++) x = (x + i * 7) | 0;
    if (x === 42) process.stdout.write(''); // keep the loop
    return (performance.now() - t0) / 1000;
  }
  const { loadScenarioFile } = await import('../models/scenario/index.js');
  const { expandFacility } = await import('../models/facility/expand.js');
  const { createReplicator } = await import('../models/study.js');
  const loaded = loadScenarioFile(SCENARIO);
  const { facility } = expandFacility(loaded.scenario as unknown as Parameters<typeof expandFacility>[0]);
  const replicate = createReplicator({ scenario: 'tier4', seed: 'bench', horizonHours: 8760, warmupHours: 0, downtimeCostPerHour: null, facility, cluster: null, recordJobs: false, maxEvents: Infinity });
  const t0 = performance.now();
  for (let r = 0; r < task.count; r++) replicate(r);
  return (performance.now() - t0) / 1000;
}

/** Seconds the task takes in one worker thread alone, and in each of two running at once. */
async function ceiling(task: Task): Promise<{ alone: number; together: number }> {
  const inThreads = (n: number) =>
    Promise.all(
      Array.from({ length: n }, () => {
        const w = new Worker(new URL(import.meta.url), { workerData: task });
        return new Promise<number>((resolve, reject) => {
          w.once('message', (s: number) => {
            void w.terminate();
            resolve(s);
          });
          w.once('error', reject);
        });
      }),
    );
  const [alone] = await inThreads(1);
  const both = await inThreads(2);
  return { alone: alone!, together: Math.max(...both) };
}

function run(workers: number): { seconds: number; events: number; summary: string } {
  const out = mkdtempSync(join(tmpdir(), 'resim-bench-workers-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'run', SCENARIO, '--replications', String(REPLICATIONS), '--workers', String(workers), '--out', out, '--quiet'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`resim run --workers ${workers} failed (exit ${r.status}): ${r.stderr}`);
    const meta = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { wall_seconds: number; events: number };
    return { seconds: meta.wall_seconds, events: meta.events, summary: readFileSync(join(out, 'summary.csv'), 'utf8') };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (!isMainThread) {
  parentPort!.postMessage(await perform(workerData as Task));
} else {
  const out = process.stdout;
  out.write(`resim worker scaling (node ${process.version}, ${availableParallelism()} cores)\n`);
  const spin = await ceiling({ kind: 'spin' });
  const spinScale = (2 * spin.alone) / spin.together;
  out.write(`    machine ceiling, integer loop: one thread ${spin.alone.toFixed(2)} s, two at once ${spin.together.toFixed(2)} s each: ${spinScale.toFixed(2)} x\n`);
  const direct = await ceiling({ kind: 'replications', count: DIRECT_REPLICATIONS });
  const directScale = (2 * direct.alone) / direct.together;
  out.write(
    `    model ceiling, ${DIRECT_REPLICATIONS.toLocaleString('en-US')} Tier IV replications per thread without the runner: one thread ${direct.alone.toFixed(2)} s, two at once ${direct.together.toFixed(2)} s each: ${directScale.toFixed(2)} x\n`,
  );
  const one = run(1);
  const two = run(2);
  const speedup = one.seconds / two.seconds;
  out.write(
    `    resim run tier4-2n1.yaml --replications ${REPLICATIONS.toLocaleString('en-US')}: 1 worker ${one.seconds.toFixed(2)} s (${(one.events / one.seconds / 1e6).toFixed(2)} M events/s), 2 workers ${two.seconds.toFixed(2)} s; ` +
      `summary.csv ${one.summary === two.summary ? 'identical' : 'DIFFERS'}\n`,
  );
  out.write(`(f) worker scaling 1 -> 2: ${speedup.toFixed(2)} x (acceptance: >= 1.8 x); ${((100 * speedup) / directScale).toFixed(0)}% of the model ceiling, machine ceiling ${spinScale.toFixed(2)} x\n`);
}
