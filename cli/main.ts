#!/usr/bin/env node
/**
 * resim command line (CLI.md is the contract). Exit codes: 0 success, 1 a gate failed,
 * 2 bad input (or a model over its event or time budget), 3 inconclusive gate, 4 internal error,
 * 130/143 interrupted by SIGINT/SIGTERM (cli/interrupt.ts).
 */
import { exactCommand } from './exact.js';
import { compareCommand } from './compare.js';
import { CHECK_HELP, checkCommand, type CheckArgs } from './check.js';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ReplicationError } from '../sim/replication.js';
import { InputError } from '../models/scenario/index.js';
import { messages, ReportedError, UsageError } from './messages.js';
import { expandCommand, runCommand, schemaCommand, timeLimitOf, validateCommand, type RunArgs } from './commands.js';
import { guarded } from './interrupt.js';
import { VERSION } from './version.js';
import { mergeCommand } from './merge.js';

export const EXIT = { ok: 0, gateFailed: 1, badInput: 2, inconclusive: 3, internal: 4, sigint: 130, sigterm: 143 } as const;

const TIME_LIMIT_HELP =
  'wall-clock limit for the whole command, a duration in scenario units (30s, 5min, 2h): at the limit no more replications start, one still running stops at its next check, and the replications completed by then are written as partial results (resumable with --resume); exit 2';
const MAX_EVENTS_HELP = 'event budget per replication (default 1000000000); exceeding it stops the run (exit 2)';

async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const parser = yargs(argv)
    .scriptName('resim')
    .version(VERSION)
    .strict()
    .demandCommand(1, 'say what to do: run, compare, check, exact, merge, validate, expand or schema (resim --help)')
    .fail((msg, err) => {
      // yargs' own usage errors (unknown flag, missing argument) are bad input, not crashes.
      throw err ?? new UsageError(msg);
    })
    .command(
      'run [files..]',
      'simulate each scenario, write its results folder and print a summary',
      (y) =>
        y
          .positional('files', { type: 'string', array: true, default: [], describe: 'scenario files (YAML or JSON); with --resume, optional (default: the file the interrupted run was given)' })
          .option('out', { type: 'string', describe: 'results folder (default results/<scenario>; with several files DIR/<scenario>)' })
          .option('replications', { type: 'number', describe: 'fixed replication count (overrides the scenario, including a precision target)' })
          .option('replication', { type: 'number', describe: 'rerun only replication I and print its incident log' })
          .option('seed', { type: 'string', describe: 'seed (overrides simulation.seed)' })
          .option('workers', { type: 'number', describe: 'worker threads (default: available cores); results do not depend on it' })
          .option('horizon', { type: 'string', describe: 'simulated time per replication, e.g. 10y (scenario units)' })
          .option('max-events', { type: 'number', describe: MAX_EVENTS_HELP })
          .option('time-limit', { type: 'string', describe: TIME_LIMIT_HELP })
          .option('resume', {
            type: 'string',
            describe:
              'continue the interrupted run whose results folder is DIR (run.json "partial": true) to its replication count, writing into DIR exactly what an uninterrupted run writes; same scenario file (checked by hash), seed and horizon',
          })
          .option('shard', {
            type: 'string',
            describe:
              'K/N: run shard K of N (1 <= K <= N) of one scenario: replications K-1, K-1+N, K-1+2N, ... of the fixed count R, with the same streams as an unsharded run; writes shard.json to --out (default results/<scenario>/shard-K-of-N) for resim merge. Needs a fixed count (--replications R with a precision target); no sweeps',
          })
          .option('json', { type: 'boolean', default: false, describe: 'print the results as JSON on stdout' })
          .option('quiet', { type: 'boolean', default: false, describe: 'no progress bar and no summary table' }),
      async (args) => {
        code = await runCommand(args as unknown as RunArgs);
      },
    )
    .command(
      'merge <dirs..>',
      'merge the shard folders of one study (resim run FILE --shard K/N, K = 1..N) into the results folder an unsharded run with the same seed and replications writes; refuses shards of different scenarios, seeds, counts or horizons, and missing or duplicate shards (exit 2)',
      (y) =>
        y
          .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'shard folders, each holding a shard.json' })
          .option('out', { type: 'string', demandOption: true, describe: 'results folder to write' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing on success' }),
      async (args) => {
        code = await mergeCommand({ dirs: args.dirs as string[], out: args.out, quiet: args.quiet });
      },
    )
    .command(
      'compare <files..>',
      'run several scenarios with common random numbers and write a side-by-side comparison (comparison.csv): each metric per scenario, and the paired difference against the first with its interval and the variance reduction',
      (y) =>
        y
          .positional('files', { type: 'string', array: true, demandOption: true, describe: 'two or more scenario files (no sweeps)' })
          .option('out', { type: 'string', describe: 'comparison folder (default results/compare): comparison.csv and a results folder per scenario' })
          .option('replications', { type: 'number', describe: 'replications of every scenario (default: the largest fixed count among them)' })
          .option('seed', { type: 'string', describe: 'the common seed (default: the first scenario\'s)' })
          .option('workers', { type: 'number', describe: 'worker threads (default: available cores); results do not depend on it' })
          .option('horizon', { type: 'string', describe: 'simulated time per replication, e.g. 10y (scenario units)' })
          .option('max-events', { type: 'number', describe: MAX_EVENTS_HELP })
          .option('time-limit', { type: 'string', describe: TIME_LIMIT_HELP.replace(' are written as partial results (resumable with --resume)', ' are not written') })
          .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON on stdout' })
          .option('quiet', { type: 'boolean', default: false, describe: 'no progress bar and no table' }),
      async (args) => {
        code = await guarded(timeLimitOf(args as RunArgs), () => compareCommand({ ...(args as unknown as RunArgs), commandName: 'compare' }));
      },
    )
    .command(
      'check <files..>',
      'run each scenario as run does, then judge its expect: gates (exit 0 all pass, 1 a gate fails or a regression, 3 none fails but some are inconclusive)',
      (y) =>
        y
          .positional('files', { type: 'string', array: true, demandOption: true, describe: 'scenario files with expect: gates; the worst verdict of all wins (fail > inconclusive > pass)' })
          .option('out', { type: 'string', describe: 'results folder (default results/<scenario>; with several files DIR/<scenario>)' })
          .option('replications', { type: 'number', describe: 'fixed replication count (overrides the scenario, including a precision target)' })
          .option('seed', { type: 'string', describe: 'seed (overrides simulation.seed)' })
          .option('workers', { type: 'number', describe: 'worker threads (default: available cores); results do not depend on it' })
          .option('horizon', { type: 'string', describe: 'simulated time per replication, e.g. 10y (scenario units)' })
          .option('max-events', { type: 'number', describe: MAX_EVENTS_HELP })
          .option('time-limit', { type: 'string', describe: TIME_LIMIT_HELP.replace(' are written as partial results (resumable with --resume)', ' are not written') })
          .option('junit', { type: 'string', describe: 'also write JUnit XML: a <testsuite> per scenario, a <testcase> per gate (classname = scenario, name = the gate); FAIL -> <failure>, INCONCLUSIVE -> <skipped>; with --baseline a case per compared metric' })
          .option('baseline', { type: 'string', describe: 'an earlier results folder of the same scenario (with several files DIR/<scenario>): fail on a significant regression of any metric' })
          .option('json', { type: 'boolean', default: false, describe: 'print the verdicts as JSON on stdout' })
          .option('quiet', { type: 'boolean', default: false, describe: 'no progress bar and no results-folder line (the gate lines and the verdict are always printed)' })
          .epilog(CHECK_HELP),
      async (args) => {
        code = await guarded(timeLimitOf(args as RunArgs), () => checkCommand({ ...(args as unknown as CheckArgs), commandName: 'check' }));
      },
    )
    .command(
      'exact <file>',
      'exact steady state of an all-exponential facility (Markov chain): unavailability, downtime h/yr, incidents/yr',
      (y) => y.positional('file', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }),
      (args) => {
        code = exactCommand(args.file as string, { json: args.json as boolean });
      },
    )
    .command(
      'validate <files..>',
      'parse and validate only; report every problem with file:line:col and key path',
      (y) => y.positional('files', { type: 'string', array: true, demandOption: true }),
      (args) => {
        code = validateCommand(args.files as string[]);
      },
    )
    .command(
      'expand <file>',
      'print the concrete component graph (YAML) after the redundancy notation is expanded',
      (y) => y.positional('file', { type: 'string', demandOption: true }),
      (args) => {
        code = expandCommand(args.file as string);
      },
    )
    .command('schema', 'print the JSON Schema of scenario files', {}, () => {
      code = schemaCommand();
    })
    .help();
  await parser.parseAsync();
  return code;
}

// A reader that stops early (`resim run x.yaml | head`) closes the pipe: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

try {
  process.exitCode = await main(hideBin(process.argv));
} catch (err) {
  process.exitCode = report(err);
}

function report(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\nsee: resim --help\n`);
    return EXIT.badInput;
  }
  if (err instanceof ReportedError) {
    process.stderr.write(err.message + '\n');
    return err.exitCode;
  }
  if (err instanceof InputError) {
    process.stderr.write(err.message.endsWith('\n') ? err.message : `${err.message}\n`);
    return EXIT.badInput;
  }
  if (err instanceof ReplicationError) {
    // Handled in commands with the scenario's seed; reaching here means it escaped that path.
    process.stderr.write(`error: ${err.message}\n`);
    return err.kind === 'budget' || err.kind === 'time' ? EXIT.badInput : EXIT.internal;
  }
  const detail = err instanceof Error ? err.message : String(err);
  process.stderr.write(messages.internalError(detail) + '\n');
  if (process.env.RESIM_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  return EXIT.internal;
}
