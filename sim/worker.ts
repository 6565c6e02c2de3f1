/**
 * Worker thread entry: loads the model module named by the runner, builds its replicator once,
 * then runs blocks of replications on request and posts their values back (transferred, not copied).
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
  if (message.type === 'result') port.postMessage(message, [message.values.buffer as ArrayBuffer]);
  else port.postMessage(message);
});
port.postMessage({ type: 'ready' } satisfies WorkerMessage);
