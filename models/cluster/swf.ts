/**
 * Standard Workload Format (SWF) reader: trace text in, plain job records out; no simulation.
 *
 * The format is defined by the Parallel Workloads Archive
 * (https://www.cs.huji.ac.il/labs/parallel/workload/swf.html, version 2.2):
 * - one job per line, 18 whitespace-separated fields, "mostly integers"; time fields may be
 *   floating point ("it is permissable to use floating point values for time fields");
 * - a field that is irrelevant or unknown for a log or model holds -1;
 * - lines starting with ';' are comments, and files start with header comments of the form
 *   `; Key: value` (Version, Computer, MaxJobs, MaxNodes, MaxProcs, UnixStartTime, Note, ...);
 * - "the lines in the log are sorted by ascending submittal times".
 *
 * Choices where the definition leaves room (each also noted where it is made):
 * - Submit times that go backwards are an error, not silently sorted: the definition requires
 *   ascending order, `jobs` keeps file order, and a disordered file usually means traces were
 *   concatenated or edited by hand, which the user should see. Equal times are allowed.
 * - No field may be negative except -1 (unknown): every SWF field is an id, a count, a size or
 *   a span of seconds. Job number and submit time are required, so -1 is an error there.
 * - Counts and ids (processors, status, user, group, executable, queue, partition, job
 *   numbers) must be whole numbers; times and memory sizes (averages per processor) may not be.
 * - Job numbers are not required to be unique or consecutive: with checkpointing or swapping the
 *   definition allows several lines (status values beyond 0, 1 and 5) for one job.
 * - A job with no usable processor count (requested and allocated both unknown or zero) can
 *   never be placed, so it is listed in `skipped`, not in `jobs`, and is not an error.
 */
import { InputError } from '../scenario/problems.js';

/** The 18 fields in file order, under their SWF names (used in every error message). */
export const SWF_FIELDS = [
  'job_number',
  'submit_time',
  'wait_time',
  'run_time',
  'allocated_processors',
  'average_cpu_time',
  'used_memory',
  'requested_processors',
  'requested_time',
  'requested_memory',
  'status',
  'user_id',
  'group_id',
  'executable_number',
  'queue_number',
  'partition_number',
  'preceding_job_number',
  'think_time',
] as const;
export type SwfFieldName = (typeof SWF_FIELDS)[number];

/** One SWF line. Times in seconds, memory in kilobytes per processor; null where the file says -1. */
export interface SwfJob {
  id: number;
  /** Seconds from the start of the log. */
  submit: number;
  wait: number | null;
  runtime: number | null;
  allocatedProcs: number | null;
  /** Average CPU time per processor, user plus system. */
  avgCpu: number | null;
  usedMemory: number | null;
  requestedProcs: number | null;
  /** Wall-clock limit or CPU time per processor: a header comment says which. */
  requestedTime: number | null;
  requestedMemory: number | null;
  /** 1 completed, 0 failed, 5 cancelled; other values for checkpoint/swap records. */
  status: number | null;
  user: number | null;
  group: number | null;
  executable: number | null;
  /** By convention 0 marks interactive jobs. */
  queue: number | null;
  partition: number | null;
  precedingJob: number | null;
  /** Seconds between the end of `precedingJob` and this submission. */
  thinkTime: number | null;
}

export interface SwfWorkload {
  /** `; Key: value` comment lines (MaxProcs, UnixStartTime, ...); a repeated key keeps every value, one per line. */
  header: Record<string, string>;
  /** In file order. */
  jobs: SwfJob[];
  /** Lines that are valid SWF but describe a job that can never run. */
  skipped: Array<{ line: number; reason: string }>;
}

/** One problem in one field of one line. `field` is the SWF field name, or '' for the line as a whole. */
export class SwfError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'SwfError';
  }
}

/** At most this many problems are listed; the rest are counted, so a wrong file still reads at a glance. */
export const MAX_REPORTED_ERRORS = 50;

/**
 * Every problem of one trace, thrown once after the whole file was read. It is an InputError,
 * so the CLI reports it like a scenario problem: `trace.swf:12:9 submit_time: ...`.
 */
export class SwfParseError extends InputError {
  constructor(
    readonly file: string,
    readonly errors: readonly SwfError[],
    /** Problems found beyond MAX_REPORTED_ERRORS, counted but not listed. */
    readonly omitted: number,
  ) {
    super(errors.map((e) => ({ file, line: e.line, col: e.column, path: e.field, message: e.message, severity: 'error' as const })));
    this.name = 'SwfParseError';
    if (omitted > 0) this.message += `\n${swfMessages.moreErrors(omitted)}`;
  }
}

/** Every user-facing text of the reader, in one place; tests compare against these functions. */
export const swfMessages = {
  fieldCount: (found: number): string =>
    found < SWF_FIELDS.length
      ? `expected ${SWF_FIELDS.length} whitespace-separated fields, found ${found}: ${SWF_FIELDS[found]} and the fields after it are missing`
      : `expected ${SWF_FIELDS.length} whitespace-separated fields, found ${found}: this is field ${SWF_FIELDS.length + 1}`,
  notANumber: (got: string): string => `expected a number, got ${JSON.stringify(got)}`,
  notFinite: (got: string): string => `expected a finite number, got ${got}`,
  notWhole: (got: string): string => `expected a whole number, got ${got}`,
  tooLarge: (got: string): string => `${got} is too large to hold exactly`,
  negative: (got: string): string => `must not be negative (only -1, meaning unknown, is allowed), got ${got}`,
  required: (): string => 'is required: -1 (unknown) is not allowed here',
  unsorted: (got: number, previous: number, previousLine: number): string =>
    `submit times must not decrease (SWF lines are sorted by submit time): ${got} is earlier than ${previous} on line ${previousLine}`,
  noProcessors: (id: number): string =>
    `job ${id} can never run: requested_processors and allocated_processors are both unknown (-1) or zero`,
  moreErrors: (count: number): string => `... and ${count} more ${count === 1 ? 'error' : 'errors'}`,
} as const;

/**
 * Effective demand in processors (GPU slots): the request, else what was allocated. Model-generated
 * traces such as Lublin's leave the request at -1 and fill only the allocation. Zero counts as no
 * count, since no job runs on zero processors. Null: the job can never be placed.
 */
export function effectiveProcs(job: SwfJob): number | null {
  if (job.requestedProcs !== null && job.requestedProcs > 0) return job.requestedProcs;
  if (job.allocatedProcs !== null && job.allocatedProcs > 0) return job.allocatedProcs;
  return null;
}

/**
 * Effective walltime (seconds): the requested time (the user's estimate, used for backfilling),
 * else the actual run time, as a simulator with perfect estimates would see it. A request of 0 is
 * no limit at all and falls back too; a run time of 0 is real ("ran for less than 0.5 seconds").
 */
export function effectiveWalltime(job: SwfJob): number | null {
  if (job.requestedTime !== null && job.requestedTime > 0) return job.requestedTime;
  return job.runtime;
}

interface FieldRule {
  /** Counts and ids are integers; times and per-processor memory averages may be fractional. */
  whole: boolean;
  /** -1 (unknown) is an error: a job must have a number and a submit time. */
  required: boolean;
}

const RULES: Readonly<Record<SwfFieldName, FieldRule>> = {
  job_number: { whole: true, required: true },
  submit_time: { whole: false, required: true },
  wait_time: { whole: false, required: false },
  run_time: { whole: false, required: false },
  allocated_processors: { whole: true, required: false },
  average_cpu_time: { whole: false, required: false },
  used_memory: { whole: false, required: false },
  requested_processors: { whole: true, required: false },
  requested_time: { whole: false, required: false },
  requested_memory: { whole: false, required: false },
  status: { whole: true, required: false },
  user_id: { whole: true, required: false },
  group_id: { whole: true, required: false },
  executable_number: { whole: true, required: false },
  queue_number: { whole: true, required: false },
  partition_number: { whole: true, required: false },
  preceding_job_number: { whole: true, required: false },
  think_time: { whole: false, required: false },
};
const FIELD_RULES: readonly FieldRule[] = SWF_FIELDS.map((name) => RULES[name]);
const FIELD_COUNT = SWF_FIELDS.length;

const SEMICOLON = 0x3b;
const BYTE_ORDER_MARK = 0xfeff;
/** A `; Key: value` header comment; keys are single words as in the archive's files. */
const HEADER_LINE = /^\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$/;

function isSpace(code: number): boolean {
  // Space, tab, CR (CRLF files), vertical tab, form feed.
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0b || code === 0x0c;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * The decimal number text[start, end) spells, or NaN when it is not one. Plain integers, which is
 * nearly every SWF field, are read from the character codes without allocating; anything else
 * must be `[sign]digits[.digits][e[sign]digits]` before Number() converts it, so the hex, binary,
 * "Infinity" and empty forms Number() would also accept are refused.
 */
function decimal(text: string, start: number, end: number): number {
  let i = start;
  let code = text.charCodeAt(i);
  const negative = code === 0x2d;
  if (negative || code === 0x2b) i++;
  let value = 0;
  let digits = 0;
  while (i < end && isDigit((code = text.charCodeAt(i)))) {
    value = value * 10 + (code - 0x30);
    digits++;
    i++;
  }
  // 15 digits always fit a double exactly; longer integers take the general path for correct rounding.
  if (i === end && digits > 0 && digits <= 15) return negative && value !== 0 ? -value : value;
  if (i < end && text.charCodeAt(i) === 0x2e) {
    i++;
    while (i < end && isDigit(text.charCodeAt(i))) {
      digits++;
      i++;
    }
  }
  if (digits === 0) return NaN;
  if (i < end && (text.charCodeAt(i) | 0x20) === 0x65) {
    i++;
    if (i < end && (text.charCodeAt(i) === 0x2d || text.charCodeAt(i) === 0x2b)) i++;
    const exponentStart = i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    if (i === exponentStart) return NaN;
  }
  return i === end ? Number(text.slice(start, end)) : NaN;
}

const NON_FINITE_WORDS = /^[+-]?(nan|inf|infinity)$/i;

/** Collects problems in file order, keeping the first MAX_REPORTED_ERRORS and counting the rest. */
class Problems {
  readonly listed: SwfError[] = [];
  omitted = 0;

  add(line: number, column: number, field: string, message: string): void {
    if (this.listed.length < MAX_REPORTED_ERRORS) this.listed.push(new SwfError(line, column, field, message));
    else this.omitted++;
  }
}

/**
 * Reads an SWF trace. `file` only names the trace in error messages. Throws one SwfParseError
 * listing every malformed line (up to MAX_REPORTED_ERRORS, then a count), after reading it all.
 */
export function parseSwf(text: string, file: string): SwfWorkload {
  // No prototype: a header key such as `__proto__` or `constructor` is just a key.
  const header = Object.create(null) as Record<string, string>;
  const jobs: SwfJob[] = [];
  const skipped: Array<{ line: number; reason: string }> = [];
  const problems = new Problems();

  // Field boundaries of the current line, reused for every line (one slot more to locate an extra field).
  const starts = new Int32Array(FIELD_COUNT + 1);
  const ends = new Int32Array(FIELD_COUNT + 1);
  const values = new Float64Array(FIELD_COUNT);

  let previousSubmit = -Infinity;
  let previousSubmitLine = 0;
  let line = 0;
  let lineStart = text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0;

  while (lineStart < text.length) {
    line++;
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const nextLine = lineEnd + 1;

    let i = lineStart;
    while (i < lineEnd && isSpace(text.charCodeAt(i))) i++;
    if (i === lineEnd) {
      lineStart = nextLine;
      continue;
    }
    if (text.charCodeAt(i) === SEMICOLON) {
      readHeaderComment(text.slice(i + 1, lineEnd), header);
      lineStart = nextLine;
      continue;
    }

    // Split on whitespace, remembering where each field starts for error columns.
    let count = 0;
    while (i < lineEnd) {
      const start = i;
      while (i < lineEnd && !isSpace(text.charCodeAt(i))) i++;
      if (count <= FIELD_COUNT) {
        starts[count] = start;
        ends[count] = i;
      }
      count++;
      while (i < lineEnd && isSpace(text.charCodeAt(i))) i++;
    }
    const toColumn = 1 - lineStart; // toColumn + index: the 1-based column of that character

    if (count !== FIELD_COUNT) {
      // Fields cannot be matched to names on such a line, so its values are not checked. The
      // column points at the first extra field, or just after the last one when some are missing.
      const at = count > FIELD_COUNT ? starts[FIELD_COUNT]! : ends[count - 1]!;
      problems.add(line, toColumn + at, count < FIELD_COUNT ? SWF_FIELDS[count]! : '', swfMessages.fieldCount(count));
      lineStart = nextLine;
      continue;
    }

    let valid = true;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const start = starts[f]!;
      const end = ends[f]!;
      const rule = FIELD_RULES[f]!;
      const value = decimal(text, start, end);
      let message: string | undefined;
      if (value === -1) {
        if (rule.required) message = swfMessages.required();
      } else if (Number.isNaN(value)) {
        const got = text.slice(start, end);
        message = NON_FINITE_WORDS.test(got) ? swfMessages.notFinite(got) : swfMessages.notANumber(got);
      } else if (!Number.isFinite(value)) {
        message = swfMessages.notFinite(text.slice(start, end));
      } else if (value < 0) {
        message = swfMessages.negative(text.slice(start, end));
      } else if (rule.whole && !Number.isInteger(value)) {
        message = swfMessages.notWhole(text.slice(start, end));
      } else if (rule.whole && value > Number.MAX_SAFE_INTEGER) {
        message = swfMessages.tooLarge(text.slice(start, end));
      }
      if (message === undefined) {
        values[f] = value;
      } else {
        valid = false;
        values[f] = NaN;
        problems.add(line, toColumn + start, SWF_FIELDS[f]!, message);
      }
    }

    // The definition sorts lines by submit time; out-of-order lines are reported, not sorted,
    // so `jobs` stays in file order and a spliced or hand-edited trace does not pass unnoticed.
    const submit = values[1]!;
    if (!Number.isNaN(submit)) {
      if (submit < previousSubmit) {
        valid = false;
        problems.add(line, toColumn + starts[1]!, 'submit_time', swfMessages.unsorted(submit, previousSubmit, previousSubmitLine));
      } else {
        previousSubmit = submit;
        previousSubmitLine = line;
      }
    }

    if (valid) {
      const job = toJob(values);
      if (effectiveProcs(job) === null) skipped.push({ line, reason: swfMessages.noProcessors(job.id) });
      else jobs.push(job);
    }
    lineStart = nextLine;
  }

  if (problems.listed.length > 0) throw new SwfParseError(file, problems.listed, problems.omitted);
  return { header, jobs, skipped };
}

/** `; Key: value` into the header; other comments are prose. A repeated key (Note, Queue) keeps all values. */
function readHeaderComment(comment: string, header: Record<string, string>): void {
  const match = HEADER_LINE.exec(comment);
  if (match === null) return;
  const key = match[1]!;
  const value = match[2]!;
  header[key] = Object.hasOwn(header, key) ? `${header[key]}\n${value}` : value;
}

function known(value: number): number | null {
  return value === -1 ? null : value;
}

function toJob(v: Float64Array): SwfJob {
  return {
    id: v[0]!,
    submit: v[1]!,
    wait: known(v[2]!),
    runtime: known(v[3]!),
    allocatedProcs: known(v[4]!),
    avgCpu: known(v[5]!),
    usedMemory: known(v[6]!),
    requestedProcs: known(v[7]!),
    requestedTime: known(v[8]!),
    requestedMemory: known(v[9]!),
    status: known(v[10]!),
    user: known(v[11]!),
    group: known(v[12]!),
    executable: known(v[13]!),
    queue: known(v[14]!),
    partition: known(v[15]!),
    precedingJob: known(v[16]!),
    thinkTime: known(v[17]!),
  };
}
