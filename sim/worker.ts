/**
 * Worker thread entry: loads the model module named by the runner, builds its replicator once,
 * then runs blocks of replications on request and posts their values back.
 *
 * The values are copied, not transferred. Transferring detaches an ArrayBuffer, and the first
 * detach in a thread invalidates V8's "no ArrayBuffer was ever detached" assumption: from then on
 * every typed-array access in optimized code carries a detach check, and the model's flat arrays
 * (queue, levels, draws, battery stores) ran 7-10% slower (measured: 100,000 one-year Tier IV
 * replications in a worker, 10.6 s posting with a transfer list against 9.9 s copying). A block's
 * values are about 100 kB every 50 ms; copying them costs nothing measurable.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelModule } from './replication.js';
import { runBlock, type BlockRequest, type WorkerMessage } from './block.js';

interface WorkerInit {
  moduleUrl: string;
  config: unknown;
  metrics: number;
}

const port = parentPort;
if (!port) throw new Error('sim/worker.js must run in a worker thread');

const init = workerData as WorkerInit;
const mod = (await import(init.moduleUrl)) as ModelModule;
const replicate = mod.createReplicator(init.config);

port.on('message', (request: BlockRequest) => {
  const message: WorkerMessage = runBlock(replicate, init.metrics, request);
  port.postMessage(message);
});
port.postMessage({ type: 'ready' } satisfies WorkerMessage);
