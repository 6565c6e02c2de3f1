/**
 * The cluster's bookkeeping under random but valid scenarios: reservations (one-time and
 * recurring, open, closed and system, made late or early), preemption modes, power losses with
 * boot times, checkpoints, multi-host jobs and tenant servers, all mixed. After every settle the
 * model's books must agree with its jobs (ClusterModel.audit: GPUs per host and per reservation,
 * nothing over capacity, running jobs on up hosts with an end scheduled, queue counts), and
 * jobs.csv must tell a consistent story for every job.
 *
 * Deterministic: the scenarios come from a fixed seed. A failure prints the scenario.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { prepare } from '../cli/pipeline.js';
import { ClusterModel } from '../models/cluster/model.js';
import { FacilityModel } from '../models/facility/model.js';
import { InputError, loadScenarioFile } from '../models/scenario/index.js';
import { Simulation } from '../sim/engine.js';
import { Streams } from '../sim/rng.js';

const CASES = 1000;
const dir = mkdtempSync(join(tmpdir(), 'resim-invariants-'));

function scenario(rng: () => number, k: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const powered = rng() < 0.7;
  const classes = Array.from({ length: int(1, 2) }, (_, c) => ({ name: `h${c}`, count: int(1, 3), gpus: int(1, 8) }));
  const hostNames = classes.flatMap((c) => Array.from({ length: c.count }, (_, i) => `${c.name}-${i + 1}`));
  const gpusOf = new Map<string, number>(classes.flatMap((c) => Array.from({ length: c.count }, (_, i) => [`${c.name}-${i + 1}`, c.gpus] as const)));
  const total = [...gpusOf.values()].reduce((a, b) => a + b, 0);
  const users = ['ann', 'bob', 'cid'];
  const reservations: string[] = [];
  const names: string[] = [];
  for (let r = 0; r < int(0, 3); r++) {
    const hosts: string[] = hostNames.filter(() => rng() < 0.5);
    if (hosts.length === 0) hosts.push(pick(hostNames));
    const slots = int(1, hosts.reduce((a, h) => a + gpusOf.get(h)!, 0));
    const day = int(5, 6);
    const b = int(0, 20);
    const e = b + int(1, 3);
    const times = rng() < 0.5 ? `begin: "${day}:${b}:00", end: "${day}:${e}:00"` : rng() < 0.5 ? `window: "${b}:00-${e}:00"` : `window: "${int(0, 6)}:${b}:0-${int(0, 6)}:${e}:0"`;
    const created = rng() < 0.3 && times.startsWith('begin') ? `, created: "${day}:${Math.max(0, b - 1)}:00"` : '';
    const name = `r${r}`;
    if (rng() < 0.2) reservations.push(`    - {name: ${name}, system: true, hosts: [${hosts.join(', ')}], ${times}}`);
    else {
      names.push(name);
      reservations.push(`    - {name: ${name}, users: [${pick(users)}], hosts: [${hosts.join(', ')}], slots: ${slots}, ${times}${created}, type: ${pick(['open', 'closed'])}}`);
    }
  }
  const jobs = Array.from({ length: int(5, 40) }, () => {
    const runtime = (0.1 + rng() * 20).toFixed(3);
    const walltime = (Number(runtime) * (0.5 + rng() * 1.5)).toFixed(3);
    const resv = names.length > 0 && rng() < 0.3 ? `, reservation: ${pick(names)}` : '';
    return `      - {submit: ${(rng() * 100).toFixed(3)}h, gpus: ${int(1, Math.min(12, total))}, runtime: ${runtime}h, walltime: ${walltime}h, user: ${pick(users)}${resv}}`;
  });
  const servers = rng() < 0.3 && total >= 3
    ? `  servers: {count: ${int(1, Math.max(1, Math.floor(total / 3)))}, gpus: 1, idle_policy: ${pick(['stop', 'freeze'])}, sessions: {between: {exponential: 10h}, duration: {exponential: 3h}}, transitions: {migrate: {uniform: ["10min", "90min"]}}}\n`
    : '';
  return `scenario: inv${k}
simulation: {horizon: 200h, replications: 1, seed: ${k}, start: "2026-01-05T00:00"}
${powered ? `components:
  grid: {type: utility, outages: {between: ${int(10, 80)}h, duration: ${int(1, 6)}h}}
  it: {type: load, input: grid}
` : ''}cluster:
  hosts:
${classes.map((c) => `    - {name: ${c.name}, count: ${c.count}, gpus: ${c.gpus}${powered && rng() < 0.8 ? ', load: it' : ''}, boot: ${pick([0, 0.25, 1])}h}`).join('\n')}
  scheduler: {policy: ${pick(['fcfs', 'easy_backfill'])}, preemption: ${pick(['suspend', 'requeue', 'kill'])}, on_power_loss: ${pick(['requeue', 'fail'])}}
${rng() < 0.4 ? `  checkpoint: {interval: ${int(1, 5)}h, cost: ${pick([0, 0.1])}h}\n` : ''}  workload:
    jobs:
${jobs.join('\n')}
${reservations.length > 0 ? `  reservations:\n${reservations.join('\n')}\n` : ''}${servers}`;
}

describe('cluster bookkeeping under random scenarios', () => {
  it(`${CASES} random scenarios: the books agree with the jobs after every settle, and jobs.csv is consistent`, () => {
    const rng = seedrandom('cluster-invariants');
    let valid = 0;
    for (let k = 0; k < CASES; k++) {
      const text = scenario(rng, k);
      const file = join(dir, `inv${k}.yaml`);
      writeFileSync(file, text);
      let study;
      try {
        const p = prepare(loadScenarioFile(file));
        if (p.kind !== 'study') continue;
        study = p.study;
      } catch (err) {
        if (err instanceof InputError) continue; // a random reservation LSF would refuse, etc.
        throw err;
      }
      valid++;
      const sim = new Simulation();
      const facility = new FacilityModel(sim, study.config.facility);
      const cluster = new ClusterModel(sim, study.config.cluster!);
      facility.onPower = (load, on) => cluster.setPower(load, on);
      const streams = new Streams(study.config.seed, 0);
      facility.reset(streams);
      cluster.reset(streams, study.config.horizonHours);
      cluster.recordJobs = true;
      cluster.audits = [];
      facility.start();
      cluster.start();
      facility.beginAccounting();
      cluster.beginAccounting();
      sim.run(study.config.horizonHours);
      facility.finish();
      cluster.finish();
      expect(cluster.audits, text).toEqual([]);
      for (const j of cluster.records ?? []) {
        const where = `job ${j.job} (${j.status}) in\n${text}`;
        if (j.start_h !== '') expect(j.start_h, where).toBeGreaterThanOrEqual(j.submit_h);
        if (j.status === 'completed') {
          expect(j.end_h, where).not.toBe('');
          // Suspensions and checkpoints only add wall time; a requeue starts again.
          expect(Number(j.end_h) - Number(j.start_h) + 1e-9, where).toBeGreaterThanOrEqual(j.runtime_h - j.lost_gpu_h / j.gpus - 1e-9);
        }
        if (j.status === 'unfinished') expect(j.end_h, where).toBe('');
        expect(j.lost_gpu_h, where).toBeGreaterThanOrEqual(0);
      }
    }
    console.log(`${valid} of ${CASES} random scenarios were valid and ran`);
    expect(valid).toBeGreaterThan(CASES / 2);
  }, 120_000);
});
