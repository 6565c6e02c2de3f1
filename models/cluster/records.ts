/**
 * What the cluster of one replication leaves behind for the results folder and the charts:
 * jobs.csv and servers.csv rows, and the timeline of jobs, reservations and servers.
 */

/** How a job ended (jobs.csv `status`). */
export type JobOutcome = 'completed' | 'walltime' | 'killed' | 'rejected' | 'unfinished';

/** A job on a host from `start` to `end`, running or suspended (hours, simulated time). */
export interface JobSegment {
  host: number;
  start: number;
  end: number;
  state: 'running' | 'suspended';
}

/** What one replication's cluster did, for timelines and Gantt charts (times from the end of warm-up). */
export interface ClusterTimeline {
  segments: Array<{ job: number; host: string; start: number; end: number; state: 'running' | 'suspended' }>;
  reservations: Array<{ name: string; host: string; begin: number; end: number; system: boolean }>;
  servers: Array<{ server: string; t: number; state: string }> | null;
  horizonHours: number;
}

/** One row of jobs.csv. */
export interface JobRecord {
  job: number;
  user: string;
  gpus: number;
  submit_h: number;
  start_h: number | '';
  end_h: number | '';
  wait_h: number | '';
  runtime_h: number;
  walltime_h: number;
  reservation: string;
  status: JobOutcome;
  preemptions: number;
  kills: number;
  lost_gpu_h: number;
  hosts: string;
}

/** One row of servers.csv: a tenant server start of the first replication, request to running. */
export interface ServerStartRow {
  server: string;
  /** The state the request found: stopped, frozen, or terminated (a replacement waiting for room). */
  source: string;
  requested_h: number;
  running_h: number;
  latency_h: number;
  host: string;
  from_host: string;
  migrated: boolean;
}

export const SERVER_START_COLUMNS: ReadonlyArray<keyof ServerStartRow> = ['server', 'source', 'requested_h', 'running_h', 'latency_h', 'host', 'from_host', 'migrated'];

export const JOB_COLUMNS: ReadonlyArray<keyof JobRecord> = [
  'job',
  'user',
  'gpus',
  'submit_h',
  'start_h',
  'end_h',
  'wait_h',
  'runtime_h',
  'walltime_h',
  'reservation',
  'status',
  'preemptions',
  'kills',
  'lost_gpu_h',
  'hosts',
];
