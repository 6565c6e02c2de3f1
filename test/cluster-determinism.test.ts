/**
 * CLI.md "Determinism" for a cluster study: the same scenario, seed and replication count give
 * byte-identical summary.csv, replications.csv, incidents.csv and jobs.csv whatever the number of
 * workers. The GPU cluster on the Tier III site exercises the facility, jobs, reservations and
 * power losses together.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { read, resim } from './helpers/timeline.js';

describe('cluster determinism', () => {
  it('tier3-gpu-cluster gives the same files with 1 and 2 workers', () => {
    const outs = [1, 2].map((workers) => {
      const out = mkdtempSync(join(tmpdir(), `resim-det-${workers}-`));
      const r = resim(['run', 'scenarios/tier3-gpu-cluster.yaml', '--replications', '6', '--workers', String(workers), '--out', out, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      return out;
    });
    for (const file of ['summary.csv', 'replications.csv', 'incidents.csv', 'jobs.csv']) {
      expect(read(outs[1]!, file), file).toBe(read(outs[0]!, file));
    }
    expect(read(outs[0]!, 'jobs.csv').split('\n').length).toBeGreaterThan(30_000);
  });
});
