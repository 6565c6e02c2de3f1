/**
 * Standard Workload Format reader (models/cluster/swf.ts): the shared Lublin trace read exactly,
 * the demand fallbacks, and every malformed line reported with its place and field, all at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_REPORTED_ERRORS,
  SWF_FIELDS,
  SwfError,
  SwfParseError,
  effectiveProcs,
  effectiveWalltime,
  parseSwf,
  swfMessages as msg,
  type SwfJob,
  type SwfWorkload,
} from '../models/cluster/swf.js';
import { InputError } from '../models/scenario/problems.js';

const SHARED_TRACE = new URL('../../shared/traces/lublin_256.swf', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/swf/${name}`, import.meta.url), 'utf8');

/** The trace belongs to the environment (shared/traces/README.md), so its absence fails loudly. */
function sharedTrace(): string {
  const path = fileURLToPath(SHARED_TRACE);
  if (!existsSync(path)) {
    throw new Error(`shared workload trace missing: ${path}. It is part of the project's environment (see shared/traces/README.md); restore it there, do not copy it into the project.`);
  }
  return readFileSync(path, 'utf8');
}

/** The error parseSwf throws for `text`, or a failure if it does not throw one. */
function parseError(text: string, file = 'trace.swf'): SwfParseError {
  try {
    parseSwf(text, file);
  } catch (err) {
    if (err instanceof SwfParseError) return err;
    throw err;
  }
  throw new Error('expected parseSwf to throw an SwfParseError');
}

const where = (e: SwfError) => ({ line: e.line, column: e.column, field: e.field, message: e.message });

/** A valid 18-field line with one field replaced (by SWF name). */
function lineWith(replacements: Partial<Record<(typeof SWF_FIELDS)[number], string>> = {}, id = 1, submit = 0): string {
  const base = [String(id), String(submit), '-1', '100', '8', '-1', '-1', '8', '200', '-1', '1', '1', '1', '-1', '1', '-1', '-1', '-1'];
  return SWF_FIELDS.map((name, i) => replacements[name] ?? base[i]).join(' ');
}

const unknownJob: Omit<SwfJob, 'id' | 'submit'> = {
  wait: null,
  runtime: null,
  allocatedProcs: null,
  avgCpu: null,
  usedMemory: null,
  requestedProcs: null,
  requestedTime: null,
  requestedMemory: null,
  status: null,
  user: null,
  group: null,
  executable: null,
  queue: null,
  partition: null,
  precedingJob: null,
  thinkTime: null,
};

describe('the shared Lublin-Feitelson trace (lublin_256.swf)', () => {
  let workload: SwfWorkload;
  // Read in a hook, so a missing trace fails these tests with its message and not the whole file.
  beforeAll(() => {
    workload = parseSwf(sharedTrace(), 'lublin_256.swf');
  });

  it('holds 10,000 jobs, none skipped, and its header as written', () => {
    expect(workload.jobs).toHaveLength(10_000);
    expect(workload.skipped).toEqual([]);
    expect(workload.header).toEqual({
      Version: '2',
      Acknowledge: 'Uri Lublin, Hebrew University',
      Information: 'http://www.cs.huji.ac.il/labs/parallel/workload',
      MaxJobs: '10000',
      MaxRecords: '10000',
      MaxNodes: '256',
      MaxRuntime: '162754',
    });
  });

  it('reads the first and last lines field by field', () => {
    // 1    5094 -1   12072  16 -1 -1 -1 -1 -1 1 -1 -1 -1 0 -1 -1 -1
    expect(workload.jobs[0]).toEqual({ ...unknownJob, id: 1, submit: 5094, runtime: 12072, allocatedProcs: 16, status: 1, queue: 0 });
    // 10000 7711701 -1   13929   3 -1 -1 -1 -1 -1 1 -1 -1 -1 0 -1 -1 -1
    expect(workload.jobs.at(-1)).toEqual({ ...unknownJob, id: 10000, submit: 7711701, runtime: 13929, allocatedProcs: 3, status: 1, queue: 0 });
  });

  it('falls back to allocated processors and actual run time, since the model leaves requests at -1', () => {
    const first = workload.jobs[0]!;
    expect(effectiveProcs(first)).toBe(16);
    expect(effectiveWalltime(first)).toBe(12072);
    // Total demand in processor-seconds, summed from the file's integers (exact).
    expect(workload.jobs.reduce((sum, job) => sum + effectiveProcs(job)! * effectiveWalltime(job)!, 0)).toBe(2_092_781_168);
  });

  it('every job fits the 256-processor machine and the header run-time bound, in submit order', () => {
    expect(Math.max(...workload.jobs.map((job) => effectiveProcs(job)!))).toBe(Number(workload.header.MaxNodes));
    expect(Math.max(...workload.jobs.map((job) => job.runtime!))).toBeLessThanOrEqual(Number(workload.header.MaxRuntime));
    expect(workload.jobs.every((job, i) => i === 0 || job.submit >= workload.jobs[i - 1]!.submit)).toBe(true);
  });
});

describe('fields, fallbacks and skipped jobs (fixtures/swf/fallbacks.swf)', () => {
  const workload = parseSwf(fixture('fallbacks.swf'), 'fallbacks.swf');
  const job = (id: number): SwfJob => {
    const found = workload.jobs.find((j) => j.id === id);
    if (found === undefined) throw new Error(`job ${id} not read`);
    return found;
  };

  it('reads "; Key: value" comments as the header; prose comments and blank lines are ignored', () => {
    expect(workload.header).toEqual({
      Version: '2.2',
      Computer: 'hand-made fixture for test/swf.test.ts',
      MaxProcs: '64',
      Information: 'http://www.cs.huji.ac.il/labs/parallel/workload/swf.html',
      // A repeated key (the archive repeats Note, Queue, Partition) keeps every value, in order.
      Note: 'requested fields of job 1 are unknown (-1), as in model-generated traces\njobs 4 and 5 have no processor count and can never run',
    });
    expect(workload.jobs.map((j) => j.id)).toEqual([1, 2, 3, 6, 7]);
  });

  it('requested -1 uses allocated; requested time -1 uses the run time', () => {
    expect(job(1)).toMatchObject({ requestedProcs: null, allocatedProcs: 8, requestedTime: null, runtime: 100 });
    expect(effectiveProcs(job(1))).toBe(8);
    expect(effectiveWalltime(job(1))).toBe(100);
  });

  it('a known request wins over the allocation and the run time', () => {
    expect(effectiveProcs(job(2))).toBe(4);
    expect(effectiveWalltime(job(2))).toBe(600);
  });

  it('a request of zero is no request: it falls back too', () => {
    expect(job(3)).toMatchObject({ requestedProcs: 0, requestedTime: 0 });
    expect(effectiveProcs(job(3))).toBe(2);
    expect(effectiveWalltime(job(3))).toBe(50);
  });

  it('a job with requested processors but no allocation or times keeps its request; its walltime is unknown', () => {
    expect(effectiveProcs(job(6))).toBe(16);
    expect(effectiveWalltime(job(6))).toBeNull();
  });

  it('jobs without any processor count are skipped with their line, not errors', () => {
    expect(workload.skipped).toEqual([
      { line: 14, reason: msg.noProcessors(4) },
      { line: 15, reason: msg.noProcessors(5) },
    ]);
  });

  it('keeps every field of a fully filled line, fractional times and memory included', () => {
    expect(job(7)).toEqual({
      id: 7,
      submit: 250.5,
      wait: 2.5,
      runtime: 12.25,
      allocatedProcs: 4,
      avgCpu: 11.5,
      usedMemory: 1024.5,
      requestedProcs: 4,
      requestedTime: 3600,
      requestedMemory: 2048,
      status: 1,
      user: 5,
      group: 2,
      executable: 9,
      queue: 1,
      partition: 1,
      precedingJob: null,
      thinkTime: null,
    });
    expect(job(3)).toMatchObject({ precedingJob: 2, thinkTime: 30, status: 0, queue: 0 });
  });
});

describe('-1 means unknown', () => {
  it('becomes null in every field that may be unknown', () => {
    // Both processor counts cannot be unknown on one runnable line, so two lines cover all 16 fields.
    const allUnknown = (procField: 'requested_processors' | 'allocated_processors', id: number) =>
      SWF_FIELDS.map((name) => (name === 'job_number' ? String(id) : name === 'submit_time' ? '7' : name === procField ? '2' : '-1')).join(' ');
    const { jobs } = parseSwf(`${allUnknown('requested_processors', 1)}\n${allUnknown('allocated_processors', 2)}\n`, 'unknown.swf');
    expect(jobs).toEqual([
      { ...unknownJob, id: 1, submit: 7, requestedProcs: 2 },
      { ...unknownJob, id: 2, submit: 7, allocatedProcs: 2 },
    ]);
  });

  it('whatever its spelling (-1.0), but is an error for the job number and the submit time', () => {
    expect(parseSwf(lineWith({ wait_time: '-1.0' }), 't.swf').jobs[0]!.wait).toBeNull();
    const err = parseError(`${lineWith({ job_number: '-1' })}\n${lineWith({ submit_time: '-1' })}\n`);
    expect(err.errors.map(where)).toEqual([
      { line: 1, column: 1, field: 'job_number', message: msg.required() },
      { line: 2, column: 3, field: 'submit_time', message: msg.required() },
    ]);
  });
});

describe('malformed lines', () => {
  it('a wrong field count names the first missing field, or points at the first extra one', () => {
    const short = lineWith().split(' ').slice(0, 17).join(' ');
    const long = `${lineWith({}, 2, 1)} 99`;
    const err = parseError(`; Version: 2.2\n${short}\n${long}\n`);
    expect(err.errors.map(where)).toEqual([
      { line: 2, column: short.length + 1, field: 'think_time', message: msg.fieldCount(17) },
      { line: 3, column: long.length - 1, field: '', message: msg.fieldCount(19) },
    ]);
    expect(msg.fieldCount(17)).toContain('think_time');
  });

  it('text in a numeric field, hexadecimal and NaN/Infinity are refused with the field name', () => {
    const lines = [
      lineWith({ run_time: 'abc' }, 1, 0),
      lineWith({ allocated_processors: '0x10' }, 2, 0),
      lineWith({ wait_time: 'NaN' }, 3, 0),
      lineWith({ requested_time: 'Infinity' }, 4, 0),
      lineWith({ average_cpu_time: '1e999' }, 5, 0),
    ];
    const err = parseError(lines.join('\n'));
    expect(err.errors.map((e) => [e.line, e.field, e.message])).toEqual([
      [1, 'run_time', msg.notANumber('abc')],
      [2, 'allocated_processors', msg.notANumber('0x10')],
      [3, 'wait_time', msg.notFinite('NaN')],
      [4, 'requested_time', msg.notFinite('Infinity')],
      [5, 'average_cpu_time', msg.notFinite('1e999')],
    ]);
  });

  it('negative values other than -1 are errors in every field; counts must be whole', () => {
    const err = parseError([lineWith({ submit_time: '-5' }), lineWith({ wait_time: '-3' }), lineWith({ think_time: '-2' }), lineWith({ allocated_processors: '2.5' })].join('\n'));
    expect(err.errors.map((e) => [e.line, e.column, e.field, e.message])).toEqual([
      [1, 3, 'submit_time', msg.negative('-5')],
      [2, 5, 'wait_time', msg.negative('-3')],
      [3, lineWith({ think_time: '-2' }).length - 1, 'think_time', msg.negative('-2')],
      [4, 12, 'allocated_processors', msg.notWhole('2.5')],
    ]);
  });

  it('several bad fields on one line are all reported', () => {
    const err = parseError(lineWith({ run_time: 'x', status: 'y' }));
    expect(err.errors.map((e) => e.field)).toEqual(['run_time', 'status']);
  });

  it('submit times that go backwards are an error (SWF lines are sorted by submit time); ties are fine', () => {
    const text = [lineWith({}, 1, 100), lineWith({}, 2, 100), lineWith({}, 3, 50), lineWith({}, 4, 120)].join('\n');
    const err = parseError(text);
    expect(err.errors.map(where)).toEqual([{ line: 3, column: 3, field: 'submit_time', message: msg.unsorted(50, 100, 2) }]);
  });
});

describe('all errors at once', () => {
  it('three bad lines are reported together, as file:line:column field: message (fixtures/swf/three-bad.swf)', () => {
    const text = fixture('three-bad.swf');
    const err = parseError(text, 'three-bad.swf');
    const shortLine = text.split('\n')[2]!;
    expect(err.errors.map(where)).toEqual([
      { line: 3, column: shortLine.length + 1, field: 'think_time', message: msg.fieldCount(17) },
      { line: 4, column: 8, field: 'run_time', message: msg.notANumber('abc') },
      { line: 5, column: 3, field: 'submit_time', message: msg.negative('-5') },
    ]);
    expect(err.omitted).toBe(0);
    expect(err.message.split('\n')).toEqual([
      `three-bad.swf:3:${shortLine.length + 1} think_time: ${msg.fieldCount(17)}`,
      `three-bad.swf:4:8 run_time: ${msg.notANumber('abc')}`,
      `three-bad.swf:5:3 submit_time: ${msg.negative('-5')}`,
    ]);
    // An input error like a scenario's, so the CLI reports it the same way.
    expect(err).toBeInstanceOf(InputError);
    expect(err.problems.map((p) => p.file)).toEqual(['three-bad.swf', 'three-bad.swf', 'three-bad.swf']);
  });

  it(`lists the first ${MAX_REPORTED_ERRORS} problems and counts the rest`, () => {
    const lines = Array.from({ length: MAX_REPORTED_ERRORS + 10 }, (_, i) => lineWith({ status: 'done' }, i + 1, i));
    const err = parseError(lines.join('\n'));
    expect(err.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(err.errors.at(-1)!.line).toBe(MAX_REPORTED_ERRORS);
    expect(err.omitted).toBe(10);
    expect(err.message.split('\n').at(-1)).toBe(msg.moreErrors(10));
  });
});

describe('layout', () => {
  it('accepts CRLF line ends, tabs, a byte-order mark, indented comments and a missing final newline', () => {
    const text = `\uFEFF; MaxProcs: 8\r\n  ; UnixStartTime: 1700000000\r\n\r\n1\t0\t-1 100 8 -1 -1 8 200 -1 1 1 1 -1 1 -1 -1 -1\r\n2 5 -1 100 8 -1 -1 8 200 -1 1 1 1 -1 1 -1 -1 -1`;
    const workload = parseSwf(text, 'crlf.swf');
    expect(workload.header).toEqual({ MaxProcs: '8', UnixStartTime: '1700000000' });
    expect(workload.jobs.map((j) => [j.id, j.submit, j.thinkTime])).toEqual([
      [1, 0, null],
      [2, 5, null],
    ]);
  });

  it('an empty file or one of comments only is an empty workload', () => {
    expect(parseSwf('', 'empty.swf')).toEqual({ header: {}, jobs: [], skipped: [] });
    expect(parseSwf('; just a comment\n\n', 'c.swf')).toEqual({ header: {}, jobs: [], skipped: [] });
  });
});
