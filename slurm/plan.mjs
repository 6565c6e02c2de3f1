// The units of work of a Slurm submission (slurm/submit.sh), written to OUT/plan.tsv before any
// job is queued: one line "<name>\t<scenario file>" per study to shard.
//
//   node slurm/plan.mjs SCENARIO OUT [REPLICATIONS]
//
// A single scenario is one unit named "." (its shards merge into OUT/merged). A sweep is one unit
// per sweep point: the point is written as a scenario file of its own, OUT/points/<value>.yaml
// (the scenario with the swept value set and `sweep:` removed), named as `resim run` names the
// point's folder, so its shards merge into OUT/merged/<value>, the folder an unsharded run of the
// sweep writes for that point. Each point file is read back and must validate to exactly the
// scenario the sweep simulates at that point (same normalised content, hence the same seed and
// streams); otherwise nothing is written and the submission stops.
//
// Prints the number of units on stdout. Exit 2 on bad input (the problems on stderr).
// Uses the built program (dist/), so run `npm run build` in the checkout first.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { formatProblem, InputError, loadScenarioFile } from '../dist/models/scenario/index.js';
import { prepare } from '../dist/cli/pipeline.js';
import { safeName } from '../dist/reports/files.js';

function fail(message) {
  process.stderr.write(`slurm/plan.mjs: ${message}\n`);
  process.exit(2);
}

/** The normalised scenario without its sweep: what a point's own file must validate to. */
function withoutSweep(scenario) {
  const copy = { ...scenario };
  delete copy.sweep;
  return copy;
}

function plan(file, out, replications) {
  const loaded = loadScenarioFile(file);
  const prepared = prepare(loaded, replications === undefined ? {} : { replications });
  const studies = prepared.kind === 'study' ? [prepared.study] : prepared.sweep.points;
  for (const study of studies) {
    if (study.replications === undefined) {
      fail(`${file} has a precision target, and shards need a fixed replication count (no shard sees all the values): set RESIM_REPLICATIONS`);
    }
  }
  if (prepared.kind === 'study') return [['.', resolve(file)]];

  const { parameter, points } = prepared.sweep;
  const names = points.map((point) => safeName(String(point.point.value)));
  const seen = new Set();
  for (const name of names) {
    if (seen.has(name)) fail(`two values of the sweep over ${parameter} give the same folder name "${name}"`);
    seen.add(name);
  }
  const dir = join(out, 'points');
  mkdirSync(dir, { recursive: true });
  return points.map((point, i) => {
    const path = resolve(dir, `${names[i]}.yaml`);
    const raw = { ...point.loaded.raw };
    delete raw.sweep;
    const header = `# Point ${parameter} = ${JSON.stringify(point.point.value)} of the sweep in ${resolve(file)}, written by slurm/plan.mjs.\n`;
    writeFileSync(path, header + stringify(raw));
    const relative = 'a data file given by a relative path (an SWF trace, an empirical CSV) resolves from the points folder: give such paths as absolute paths';
    let back;
    try {
      back = loadScenarioFile(path);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      fail(`${path}: the point file of ${JSON.stringify(point.point.value)} does not validate (${relative}):\n${err.problems.map(formatProblem).join('\n')}`);
    }
    if (!isDeepStrictEqual(withoutSweep(back.scenario), withoutSweep(point.loaded.scenario))) {
      fail(`${path}: the point file does not read back as the sweep's point ${JSON.stringify(point.point.value)} (${relative})`);
    }
    return [names[i], path];
  });
}

const [file, out, replicationsText] = process.argv.slice(2);
if (file === undefined || out === undefined) fail('usage: node slurm/plan.mjs SCENARIO OUT [REPLICATIONS]');
let replications;
if (replicationsText !== undefined && replicationsText !== '') {
  replications = Number(replicationsText);
  if (!Number.isSafeInteger(replications) || replications < 1) fail(`replications: expected a whole number >= 1, got "${replicationsText}"`);
}
try {
  const units = plan(file, resolve(out), replications);
  mkdirSync(resolve(out), { recursive: true });
  writeFileSync(join(resolve(out), 'plan.tsv'), units.map(([name, path]) => `${name}\t${path}\n`).join(''));
  process.stdout.write(`${units.length}\n`);
} catch (err) {
  if (err instanceof InputError) fail(`${file} is not a valid scenario:\n${err.problems.map(formatProblem).join('\n')}`);
  throw err;
}
