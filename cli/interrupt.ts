/**
 * Ctrl-C, SIGTERM and --time-limit for the commands that simulate (run, check, compare, shards).
 *
 * While a guard is active, the first SIGINT or SIGTERM does not kill the process: it aborts the
 * guard's signal, the runner stops its workers and returns the replications completed so far
 * (a prefix 0..k-1), and the command writes what it may and exits 130 (SIGINT) or 143 (SIGTERM).
 * A second signal exits at once, writing nothing more (files already written stay whole: every
 * file is written atomically). `--time-limit` is a deadline for the whole command, counted from
 * its start.
 */
import { messages } from './messages.js';

export type CaughtSignal = 'SIGINT' | 'SIGTERM';

export const SIGNAL_EXIT: Record<CaughtSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface Guard {
  /** Aborted by the first signal. */
  readonly signal: AbortSignal;
  /** `Date.now()` after which no more work is started, or undefined without --time-limit. */
  readonly deadline: number | undefined;
  /** The limit as the user wrote it (for messages). */
  readonly timeLimitText: string | undefined;
  /** The signal caught, or null. */
  caught(): CaughtSignal | null;
  /** Removes the handlers (the default behaviour of the signals returns). */
  release(): void;
}

let active: Guard | null = null;

/** The guard of the command running now (a fresh, inactive one when none was started). */
export function currentGuard(): Guard {
  return active ?? idleGuard;
}

const idleGuard: Guard = {
  signal: new AbortController().signal,
  deadline: undefined,
  timeLimitText: undefined,
  caught: () => null,
  release: () => {},
};

/**
 * Catches SIGINT and SIGTERM until `release`; `timeLimit` (milliseconds, as written in
 * `timeLimitText`) starts counting now.
 */
export function startGuard(timeLimit?: { ms: number; text: string }): Guard {
  active?.release();
  const controller = new AbortController();
  let caught: CaughtSignal | null = null;
  const on = (sig: CaughtSignal) => () => {
    if (caught !== null) {
      process.stderr.write(messages.interruptedAgain(sig) + '\n');
      process.exit(SIGNAL_EXIT[sig]);
    }
    caught = sig;
    process.stderr.write(messages.interrupting(sig) + '\n');
    controller.abort();
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const guard: Guard = {
    signal: controller.signal,
    deadline: timeLimit ? Date.now() + timeLimit.ms : undefined,
    timeLimitText: timeLimit?.text,
    caught: () => caught,
    release: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (active === guard) active = null;
    },
  };
  active = guard;
  return guard;
}

/** Runs `body` under a guard and releases it afterwards, whatever happens. */
export async function guarded<T>(timeLimit: { ms: number; text: string } | undefined, body: (guard: Guard) => Promise<T>): Promise<T> {
  const guard = startGuard(timeLimit);
  try {
    return await body(guard);
  } finally {
    guard.release();
  }
}

/**
 * Test hook, not a user setting: RESIM_TEST_INTERRUPT="<n>[:SIGINT|SIGTERM]" makes the process
 * send itself that signal (default SIGTERM) once n replications of a run have completed, so tests
 * can interrupt a run at a known point through the real signal path.
 */
export function testInterrupt(): ((done: number) => void) | null {
  const m = /^(\d+)(?::(SIGINT|SIGTERM))?$/.exec(process.env.RESIM_TEST_INTERRUPT ?? '');
  if (!m) return null;
  const after = Number(m[1]);
  const sig = (m[2] ?? 'SIGTERM') as CaughtSignal;
  let sent = false;
  return (done) => {
    if (!sent && done >= after) {
      sent = true;
      process.kill(process.pid, sig);
    }
  };
}
