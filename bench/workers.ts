/**
 * Worker scaling (`npm run bench`, issue 6): one long run of scenarios/tier4-2n1.yaml through the
 * real command line with 1 and then 2 worker threads, same replications; the speed-up is the ratio
 * of the simulation wall times that run.json reports (worker start-up included, report writing
 * not). The two results must be byte-identical (determinism whatever the worker count).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const REPLICATIONS = Number(process.env.RESIM_BENCH_WORKER_REPLICATIONS ?? 60_000);

function run(workers: number): { seconds: number; events: number; summary: string } {
  const out = mkdtempSync(join(tmpdir(), 'resim-bench-workers-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'run', join(ROOT, 'scenarios/tier4-2n1.yaml'), '--replications', String(REPLICATIONS), '--workers', String(workers), '--out', out, '--quiet'], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`resim run --workers ${workers} failed (exit ${r.status}): ${r.stderr}`);
    const meta = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { wall_seconds: number; events: number };
    return { seconds: meta.wall_seconds, events: meta.events, summary: readFileSync(join(out, 'summary.csv'), 'utf8') };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const one = run(1);
const two = run(2);
const speedup = one.seconds / two.seconds;
process.stdout.write(`resim worker scaling (node ${process.version}, ${availableParallelism()} cores): tier4-2n1.yaml, ${REPLICATIONS.toLocaleString('en-US')} replications of 1 y\n`);
process.stdout.write(`    1 worker ${one.seconds.toFixed(2)} s (${(one.events / one.seconds / 1e6).toFixed(2)} M events/s), 2 workers ${two.seconds.toFixed(2)} s; summary.csv ${one.summary === two.summary ? 'identical' : 'DIFFERS'}\n`);
process.stdout.write(`(f) worker scaling 1 -> 2: ${speedup.toFixed(2)} x, efficiency ${((100 * speedup) / 2).toFixed(0)}% (acceptance: >= 1.8 x)\n`);
