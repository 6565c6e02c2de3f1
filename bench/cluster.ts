/**
 * Cluster throughput (`npm run bench`): one replication of a synthetic workload of about
 * 1,000,000 jobs on 1,024 GPUs (128 hosts of 8) with EASY backfilling at about 85% offered load:
 * GPU counts 1, 2, 4, 8 (weights 0.4, 0.3, 0.2, 0.1: mean 2.6), lognormal runtimes (median 1 h,
 * sigma 1: mean e^0.5 h), walltime factor 1.5. Offered load = rate x 2.6 x e^0.5 / 1024 = 0.85.
 * Issue 4 asks for under 20 s on one core.
 */
import { createReplicator } from '../models/study.js';
import type { ClusterSpec } from '../models/cluster/spec.js';
import type { StudyConfig } from '../models/facility/spec.js';
import { COLUMN } from '../models/metrics.js';

const JOBS = 1_000_000;
const HOSTS = 128;
const GPUS = 8;
const LOAD = 0.85;
const meanGpus = 0.4 * 1 + 0.3 * 2 + 0.2 * 4 + 0.1 * 8;
const meanRuntime = Math.exp(0.5);
const rate = (LOAD * HOSTS * GPUS) / (meanGpus * meanRuntime); // jobs per hour
const horizon = JOBS / rate;

const cluster: ClusterSpec = {
  hosts: Array.from({ length: HOSTS }, (_, i) => ({ name: `gpu-${i + 1}`, gpus: GPUS, model: 'A100', load: -1, boot: 0 })),
  policy: 'easy_backfill',
  preemption: 'suspend',
  onPowerLoss: 'requeue',
  checkpoint: null,
  users: ['user'],
  workload: {
    kind: 'synthetic',
    arrivals: { kind: 'exponential', mean: 1 / rate },
    gpus: { choice: [1, 2, 4, 8], weights: [0.4, 0.3, 0.2, 0.1] },
    runtime: { kind: 'lognormal', median: 1, sigma: 1 },
    walltimeFactor: 1.5,
    users: [0],
    reservationShare: 0,
  },
  reservations: [],
  servers: null,
};

const config: StudyConfig = {
  scenario: 'bench-cluster',
  seed: 'bench',
  horizonHours: horizon,
  warmupHours: 0,
  downtimeCostPerHour: null,
  facility: { nodes: [], loads: [], crews: { count: Infinity, logisticsDelay: null } },
  cluster,
  recordJobs: false,
  maxEvents: Infinity,
};

const replicate = createReplicator(config);
const t0 = performance.now();
const result = replicate(0);
const seconds = (performance.now() - t0) / 1000;
const v = result.values;
const completed = (v[COLUMN['jobs.completed']]! * horizon) / 8760;
process.stdout.write(`resim cluster benchmark (node ${process.version}, one thread)\n`);
process.stdout.write(
  `(d) ${HOSTS} hosts x ${GPUS} GPUs, EASY, offered load ${LOAD}: ${Math.round(completed)} jobs completed in ${seconds.toFixed(2)} s = ${Math.round(completed / seconds)} jobs/s (acceptance: 1M jobs under 20 s); ` +
    `${result.events} events, ${(result.events / seconds / 1e6).toFixed(2)} M events/s\n`,
);
process.stdout.write(
  `    utilization ${v[COLUMN['gpu.utilization']]!.toFixed(3)}, mean queue length ${v[COLUMN['jobs.queue_length']]!.toFixed(1)} jobs, mean wait ${v[COLUMN['jobs.wait_hours']]!.toFixed(3)} h, bounded slowdown ${v[COLUMN['jobs.bounded_slowdown']]!.toFixed(2)}\n`,
);
