/**
 * The GPU cluster (SCENARIOS.md "Cluster"): hosts, scheduler, workload, LSF-style advance
 * reservations (DOMAIN.md §7) and long-lived tenant servers (DOMAIN.md §1).
 */
import { dataFileProblem, MAX_TRACE_BYTES } from './datafile.js';
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  ON_OBJECTS,
  distribution,
  duration,
  exactlyOne,
  boundedCount,
  integer,
  LIMITS,
  withoutPrototype,
  positiveDuration,
  probability,
  reference,
  type SchemaContext,
} from './fields.js';
import * as m from './messages.js';
import { compareLsfTimes, isLsfWindow, parseLsfTime } from './syntax.js';

const HOST_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** LSF: letters, digits, "_" and "-", starting with a letter, at most 39 characters; "#<n>" as in system-assigned names. */
const RESERVATION_NAME = /^(?=.{1,39}$)[A-Za-z][A-Za-z0-9_-]*(?:#\d+)?$/;

const names = (description: string) =>
  z.array(z.string().min(1, { error: () => m.emptyText() })).default([]).meta({ description });

function gpuCount() {
  return z
    .union(
      [
        integer(1),
        z
          .strictObject({
            choice: z.array(integer(1)).min(1, { error: () => m.tooFewItems(1) }).meta({ description: 'The possible counts. Required.' }),
            weights: z
              .array(z.number().nonnegative({ error: (iss) => m.atLeast(0, iss.input) }))
              .optional()
              .meta({ description: 'Relative weights, one per choice. Default: all equal.' }),
          })
          .superRefine((value, ctx) => {
            if (value.weights === undefined) return;
            if (value.weights.length !== value.choice.length) {
              ctx.addIssue({ code: 'custom', message: m.weightsLength(value.choice.length, value.weights.length), path: ['weights'] });
            } else if (value.weights.every((weight) => weight === 0)) {
              ctx.addIssue({ code: 'custom', message: m.weightsZero(), path: ['weights'] });
            }
          }),
      ],
      { error: (iss) => m.expectedType('a whole number or {choice: [...], weights: [...]}', iss.input) },
    )
    .transform((value): { choice: number[]; weights: number[] } => {
      if (typeof value === 'number') return { choice: [value], weights: [1] };
      return { choice: value.choice, weights: value.weights ?? value.choice.map(() => 1) };
    });
}

function synthetic(ctx: SchemaContext) {
  return z
    .strictObject({
      arrivals: distribution(ctx).meta({ description: 'Time between job submissions. Required.' }),
      gpus: gpuCount().prefault(1).meta({
        description: 'GPUs per job: a number or a weighted choice {choice: [1, 2, 4, 8], weights: [...]} (relative weights; output as {choice, weights}). Default: 1.',
      }),
      runtime: distribution(ctx).meta({ description: 'Job runtime. Required.' }),
      walltime_factor: z.number().min(1, { error: (iss) => m.atLeast(1, iss.input) }).default(1).meta({
        description: 'Requested walltime = runtime x this factor. Default: 1.',
      }),
      users: z.array(z.string().min(1, { error: () => m.emptyText() })).min(1, { error: () => m.tooFewItems(1) }).default(['user']).meta({
        description: 'Users, drawn uniformly per job. Default: ["user"].',
      }),
      reservation_share: probability().prefault(0).meta({
        description: "Fraction of a user's jobs submitted into that user's reservation (bsub -U). Default: 0.",
      }),
    })
    .optional()
    .meta({ description: 'A synthetic workload (instead of swf). Default: none.' });
}

function workload(ctx: SchemaContext) {
  return z
    .strictObject({
      swf: z
        .string()
        .min(1, { error: () => m.emptyText() })
        .transform((path, refinement): string => {
          const absolute = resolve(ctx.baseDir, path);
          const problem = dataFileProblem(absolute, MAX_TRACE_BYTES);
          if (problem !== null) refinement.addIssue({ code: 'custom', message: problem === 'no such file' ? m.swfNotFound(path) : m.fileUnreadable(path, problem) });
          return absolute;
        })
        .optional()
        .meta({ description: 'A Standard Workload Format trace (18 fields), relative to the scenario file; output as an absolute path. Default: none.' }),
      synthetic: synthetic(ctx),
      jobs: z
        .array(
          z.strictObject({
            submit: duration().meta({ description: 'Submission time after simulated time 0 (e.g. 90min). Required.' }),
            gpus: integer(1).default(1).meta({ description: 'GPU slots. Default: 1.' }),
            runtime: duration().meta({ description: 'Actual run time. Required.' }),
            walltime: duration().optional().meta({ description: 'Requested walltime (what backfilling plans with). Default: the runtime.' }),
            user: z.string().min(1, { error: () => m.emptyText() }).default('user').meta({ description: 'Submitting user. Default: "user".' }),
            reservation: z.string().min(1, { error: () => m.emptyText() }).optional().meta({
              description: 'Submitted into this reservation (bsub -U); it must exist in cluster.reservations. Default: none.',
            }),
            count: boundedCount(1, LIMITS.identicalJobs).default(1).meta({ description: 'This many identical jobs, submitted in order. Default: 1.' }),
          }),
        )
        .optional()
        .meta({ description: 'Jobs written out by hand (tests, worked examples), in submission order. Default: none.' }),
    })
    .superRefine(exactlyOne(['swf', 'synthetic', 'jobs']))
    .optional()
    .meta({ description: 'The jobs: {swf: trace.swf}, {synthetic: {...}} or {jobs: [...]}. Default: none (no jobs).' });
}

const lsfTime = (description: string) =>
  z
    .string({ error: (iss) => m.expectedLsfTime(iss.input) })
    .refine((value) => parseLsfTime(value) !== undefined, { error: (iss) => m.expectedLsfTime(iss.input) })
    .optional()
    .meta({ description });

function reservation() {
  return z
    .strictObject({
      name: z.string().regex(RESERVATION_NAME, { error: (iss) => m.expectedReservationName(iss.input) }).meta({
        description: 'Reservation name, unique (LSF: "user1#0" or a user-defined name). Required.',
      }),
      users: names('Users who may run jobs in it. Default: none.'),
      groups: names('User groups (from cluster.groups) who may run jobs in it. Default: none.'),
      hosts: names('Reserved hosts by name (gpu-1, ...). Default: any hosts.'),
      slots: integer(1).optional().meta({ description: 'GPU slots reserved. Default: none (required unless system: true).' }),
      begin: lsfTime('One-time start, LSF form [[[year:]month:]day:]hour:minute, e.g. "6:00" (UTC). Default: none (give window instead).'),
      end: lsfTime('One-time end, same form as begin. Default: none.'),
      created: lsfTime(
        'When the reservation is made (brsvadd), same form as begin: before it the scheduler does not know it, so jobs dispatched earlier may run into it and be preempted (DOMAIN.md §7.11 worked example). Must not be after begin; a recurring instance already under way at creation is active from then. Default: at simulation.start.',
      ),
      window: z
        .string({ error: (iss) => m.expectedLsfWindow(iss.input) })
        .refine(isLsfWindow, { error: (iss) => m.expectedLsfWindow(iss.input) })
        .optional()
        .meta({ description: 'Recurring window (LSF -t) [day:]hour[:minute]-[day:]hour[:minute], day 0 = Sunday, e.g. "5:18:0-5:20:0". Default: none.' }),
      type: z.enum(['closed', 'open']).default('closed').meta({
        description: 'closed: its jobs are killed at expiry; open: they continue as normal jobs. Default: closed.',
      }),
      system: z.boolean().default(false).meta({ description: 'A system (maintenance) reservation: no jobs at all on its hosts. Default: false.' }),
    })
    .superRefine((value, ctx) => {
      // Runs even when a field is invalid (to report everything at once), so fields are read warily.
      const issue = (message: string, path: PropertyKey[] = []) => ctx.addIssue({ code: 'custom', message, path });
      const given = (key: keyof typeof value) => value[key] !== undefined;
      const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);
      const oneTime = given('begin') || given('end');
      if (oneTime === given('window') || (oneTime && !(given('begin') && given('end')))) {
        issue(m.reservationTime());
      } else if (typeof value.begin === 'string' && typeof value.end === 'string') {
        const begin = parseLsfTime(value.begin);
        const end = parseLsfTime(value.end);
        if (begin && end && begin.length !== end.length) issue(m.beginEndForm(), ['end']);
        else if (begin && end && compareLsfTimes(begin, end) >= 0) issue(m.beginAfterEnd(), ['end']);
      }
      const system = value.system === true;
      if (!system && count(value.users) === 0 && count(value.groups) === 0) issue(m.reservationOwner());
      if (!system && !given('slots')) issue(m.reservationSlots());
      if (system && count(value.hosts) === 0) issue(m.systemNeedsHosts());
    }, ON_OBJECTS);
}

function servers(ctx: SchemaContext) {
  return z
    .strictObject({
      count: boundedCount(1, LIMITS.servers).meta({ description: 'Number of tenant GPU servers. Required.' }),
      gpus: boundedCount(1, LIMITS.gpusPerHost).default(1).meta({ description: 'GPUs per server. Default: 1.' }),
      gpu_model: z.string().min(1, { error: () => m.emptyText() }).optional().meta({
        description: 'GPU model of the servers, e.g. A100 (selects transitions.ecc_check). Default: none.',
      }),
      idle_policy: z.enum(['stop', 'freeze']).default('stop').meta({
        description: 'What an idle server does: stop (keeps its GPUs, restarts in seconds) or freeze (releases them; slower, may migrate). Default: stop.',
      }),
      sessions: z
        .strictObject({
          between: distribution(ctx).meta({ description: 'Idle time between sessions. Required.' }),
          duration: distribution(ctx).meta({ description: 'Length of one session. Required.' }),
        })
        .meta({ description: 'When tenants use their servers. Required.' }),
      transitions: z
        .strictObject({
          stopped_to_running: distribution(ctx).prefault(0).meta({ description: 'Start latency from Stopped. Default: 0.' }),
          frozen_to_running: distribution(ctx).prefault(0).meta({ description: 'Start latency from Frozen. Default: 0.' }),
          ecc_check: z.record(z.string().min(1), distribution(ctx)).transform(withoutPrototype).prefault({}).meta({
            description: 'Extra ECC memory test on restore from Frozen, by gpu_model, e.g. {A100: 15min}. Default: none.',
          }),
          migrate: distribution(ctx).optional().meta({ description: 'Time a migration to other hardware takes. Default: none (no migrations).' }),
        })
        .prefault({})
        .meta({ description: 'Lifecycle transition times. Default: all instantaneous.' }),
      resets: z
        .strictObject({
          between: distribution(ctx).meta({ description: 'Time from the end of one reset of a server to its next reset (wall time). Required.' }),
          duration: distribution(ctx).meta({ description: 'Time one reset takes; the server keeps its GPUs meanwhile. Required.' }),
        })
        .optional()
        .meta({
          description:
            'Tenant resets (DOMAIN.md §1: all data deleted, original configuration restored, ports may change), done when the server is next running or stopped. Default: none.',
        }),
      lifetime: distribution(ctx).optional().meta({
        description: 'Time after which the tenant terminates a server (at its next idle moment) and creates a new one in its place. Default: none (servers are never terminated).',
      }),
    })
    .optional()
    .meta({ description: 'Long-lived tenant GPU servers and their lifecycle. Default: none.' });
}

export function cluster(ctx: SchemaContext) {
  return z
    .strictObject({
      hosts: z
        .array(
          z.strictObject({
            name: z.string().regex(HOST_NAME, { error: (iss) => m.expectedType('a host name (a letter, then letters, digits, "_" or "-")', iss.input) }).meta({
              description: 'Host name prefix: hosts are named <name>-1 ... <name>-<count>. Required.',
            }),
            count: boundedCount(1, LIMITS.hostsPerClass).default(1).meta({ description: 'Number of hosts. Default: 1.' }),
            gpus: boundedCount(1, LIMITS.gpusPerHost).default(1).meta({ description: 'GPUs per host (a slot is one GPU). Default: 1.' }),
            gpu_model: z.string().min(1, { error: () => m.emptyText() }).optional().meta({ description: 'GPU model, e.g. A100 (used by servers.transitions.ecc_check). Default: none.' }),
            load: reference('The load component that powers these hosts. Default: none (always powered).').optional(),
            boot: duration().prefault(0).meta({ description: 'Boot time after power returns. Default: 0.' }),
          }),
        )
        .default([])
        .meta({ description: 'Host classes: {name, count, gpus, gpu_model, load, boot}. Default: none.' }),
      scheduler: z
        .strictObject({
          policy: z.enum(['fcfs', 'easy_backfill']).default('easy_backfill').meta({ description: 'Queue policy. Default: easy_backfill.' }),
          preemption: z.enum(['suspend', 'requeue', 'kill']).default('suspend').meta({
            description: 'What a reservation does to jobs in its way. Default: suspend (LSF).',
          }),
          on_power_loss: z.enum(['requeue', 'fail']).default('requeue').meta({
            description: 'Jobs on a host that loses power are killed, then requeued or failed. Default: requeue.',
          }),
        })
        .prefault({})
        .meta({ description: 'Scheduler policy. Default: easy_backfill, suspend, requeue.' }),
      checkpoint: z
        .strictObject({
          interval: positiveDuration().meta({ description: 'Time between checkpoints. Required.' }),
          cost: duration().prefault(0).meta({ description: 'Time one checkpoint takes. Default: 0.' }),
        })
        .optional()
        .meta({ description: 'Requeued jobs restart from their last checkpoint. Default: none (restart from the beginning).' }),
      groups: z
        .record(z.string().min(1, { error: () => m.emptyText() }), z.array(z.string().min(1, { error: () => m.emptyText() })))
        .transform(withoutPrototype)
        .prefault({})
        .meta({ description: 'User groups: {groupA: [alice, bob]}. Default: none.' }),
      workload: workload(ctx),
      reservations: z.array(reservation()).default([]).meta({
        description: 'LSF-style advance reservations: one-time (begin/end) or recurring (window). Default: none.',
      }),
      servers: servers(ctx),
    })
    .optional()
    .meta({ description: 'The GPU cluster: hosts, scheduler, jobs, reservations, tenant servers. Default: none.' });
}
