/**
 * Loading a scenario: the first phase of the pipeline.
 *
 *   text --parse (YAML 1.2; JSON is YAML)--> document with node ranges
 *        --toJS--> raw --schema (units, defaults, DistSpecs)--> scenario
 *                      \--crossCheck (references, cycles, names)--/
 *
 * Every problem of every phase is collected, located and thrown together as one InputError.
 */
import { createHash } from 'node:crypto';
import { MAX_SCENARIO_BYTES, readDataFile } from './datafile.js';
import { dirname, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { errorMap, toProblems } from './issues.js';
import { Locator, type PathKey } from './locate.js';
import * as m from './messages.js';
import { InputError, sortProblems, type Problem } from './problems.js';
import { DEFAULT_POWER_FACTOR, scenarioSchema, type Scenario } from './schema.js';
import { advise, crossCheck, sizeProblems } from './semantics.js';

export interface LoadedScenario {
  /** The file as the user named it. */
  file: string;
  /** Its text, unchanged (problems are located in it). */
  text: string;
  /** The document as plain data, before normalisation (with any override applied). */
  raw: unknown;
  scenario: Scenario;
  /** sha256 (hex) of the canonical JSON of `scenario`. */
  hash: string;
  warnings: Problem[];
}

interface Parsed {
  locator: Locator;
  raw: unknown;
  /** YAML warnings (unknown tags and the like): worth showing, not worth stopping for. */
  notes: Problem[];
}

/**
 * Limits on what a document may make the parser and validator do: aliases may not expand past
 * MAX_ALIAS_COUNT nodes (the yaml package's check against "billion laughs"), and nothing may nest
 * deeper than MAX_DEPTH (no scenario needs a tenth of it; beyond a few hundred levels the
 * recursive parser would run out of stack).
 */
export const MAX_ALIAS_COUNT = 100;
export const MAX_DEPTH = 64;

function parse(text: string, file: string): Parsed {
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, version: '1.2', uniqueKeys: true });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new InputError([{ file, line: 1, col: 1, path: '', message: m.nestedTooDeeply(MAX_DEPTH), severity: 'error' }]);
  }
  const locator = new Locator(doc, lineCounter, file);
  const at = (offset: number, message: string): Problem => ({ file, ...locator.at(offset), path: '', message, severity: 'error' });
  const syntax = (offset: number, message: string): Problem => at(offset, m.yamlSyntax(message));
  if (doc.errors.length > 0) {
    // The parser recurses per level: a stack overflow is a document nested too deeply, not a crash.
    throw new InputError(doc.errors.map((error) => (/call stack/i.test(error.message) ? at(error.pos[0], m.nestedTooDeeply(MAX_DEPTH)) : syntax(error.pos[0], error.message))));
  }
  const notes = doc.warnings.map((warning): Problem => ({ ...syntax(warning.pos[0], ''), message: m.yamlWarning(warning.message), severity: 'warning' }));
  const odd = structureProblem(doc.contents as Node | null, MAX_DEPTH);
  if (odd) throw new InputError([{ ...locator.problem(odd.path, odd.message), ...locator.at(odd.node.range?.[0] ?? 0) }]);
  try {
    return { locator, raw: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), notes };
  } catch (error) {
    // toJS refuses documents whose aliases would expand without bound: point at the first alias.
    const alias = firstAlias(doc.contents as Node | null);
    const message = error instanceof ReferenceError && /alias/i.test(error.message) ? m.aliasExpansion(MAX_ALIAS_COUNT) : m.yamlSyntax(String((error as Error).message));
    throw new InputError([alias ? { ...locator.problem(alias.path, message), ...locator.at(alias.node.range?.[0] ?? 0) } : at(0, message)]);
  }
}

interface Located {
  node: Node;
  path: PathKey[];
}

/** Children of a collection node with the key path element of each (aliases are not followed). */
function children(node: Node): Array<[PathKey, Node | null]> {
  if (isMap(node)) return node.items.map((pair) => [isScalar(pair.key) ? String(pair.key.value) : '?', (pair.value as Node | null) ?? null]);
  if (isSeq(node)) return node.items.map((item, i) => [i, (item as Node | null) ?? null]);
  return [];
}

/**
 * The first node (depth first, walked without recursion) nested deeper than `max` collections,
 * or the first mapping key that is itself a list, mapping or alias, or a scalar that reads as data
 * (`? [a, b]: 1`, `!!binary k: 1`): no scenario key is.
 */
function structureProblem(root: Node | null, max: number): (Located & { message: string }) | null {
  const stack: Array<{ node: Node; path: PathKey[] }> = root ? [{ node: root, path: [] }] : [];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (path.length > max) return { node, path: path.slice(0, max), message: m.nestedTooDeeply(max) };
    if (isMap(node)) {
      const complex = node.items.find(
        (pair) => pair.key !== null && typeof pair.key === 'object' && (!isScalar(pair.key) || (typeof pair.key.value === 'object' && pair.key.value !== null)),
      );
      if (complex) return { node: complex.key as Node, path, message: m.complexKey() };
    }
    const kids = children(node);
    for (let i = kids.length - 1; i >= 0; i--) {
      const [key, child] = kids[i]!;
      if (child) stack.push({ node: child, path: [...path, key] });
    }
  }
  return null;
}

/** The first alias node of the document, with its key path. */
function firstAlias(root: Node | null): Located | null {
  const stack: Array<{ node: Node; path: PathKey[] }> = root ? [{ node: root, path: [] }] : [];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (isAlias(node)) return { node, path };
    const kids = children(node);
    for (let i = kids.length - 1; i >= 0; i--) {
      const [key, child] = kids[i]!;
      if (child) stack.push({ node: child, path: [...path, key] });
    }
  }
  return null;
}

const schemas = new Map<string, ReturnType<typeof scenarioSchema>>();

/** The schema for one power factor and folder; kept, because sweeps validate many variants. */
function schemaFor(powerFactor: number, baseDir: string): ReturnType<typeof scenarioSchema> {
  const key = `${powerFactor}\0${baseDir}`;
  let schema = schemas.get(key);
  if (schema === undefined) {
    if (schemas.size >= 16) schemas.clear();
    schema = scenarioSchema({ powerFactor, baseDir });
    schemas.set(key, schema);
  }
  return schema;
}

/** power_factor must be known before any kVA can be read; a bad one is reported by the schema. */
function powerFactorOf(raw: unknown): number {
  const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).power_factor : undefined;
  return typeof value === 'number' && value > 0 && value <= 1 ? value : DEFAULT_POWER_FACTOR;
}

/** JSON with keys sorted at every level, so equal scenarios hash equally. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return inner;
    const record = inner as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
  });
}

function validate(text: string, file: string, parsed: Parsed, checkSweep: boolean): LoadedScenario {
  const { raw, locator } = parsed;
  const schema = schemaFor(powerFactorOf(raw), dirname(resolve(file)));
  const result = schema.safeParse(raw, { error: errorMap, reportInput: true });
  const problems = [...parsed.notes, ...crossCheck(raw, locator)];
  if (!result.success) problems.push(...toProblems(result.error.issues, locator));
  if (!result.success || problems.some((p) => p.severity === 'error')) throw new InputError(problems);
  const scenario = result.data;
  problems.push(...sizeProblems(scenario, locator), ...advise(scenario, locator));
  const loaded: LoadedScenario = {
    file,
    text,
    raw,
    scenario,
    hash: createHash('sha256').update(canonicalJson(scenario)).digest('hex'),
    warnings: [],
  };
  if (checkSweep) problems.push(...sweepPoints(loaded, parsed));
  if (problems.some((p) => p.severity === 'error')) throw new InputError(problems);
  loaded.warnings = sortProblems(problems);
  return loaded;
}

/**
 * Validates the scenario at every sweep point, so a bad value fails now, not hours into a
 * sweep. Each distinct problem is reported once, at the value that first shows it.
 */
function sweepPoints(loaded: LoadedScenario, parsed: Parsed): Problem[] {
  const { locator } = parsed;
  const sweep = loaded.scenario.sweep;
  if (sweep === undefined) return [];
  const listed = Array.isArray((loaded.raw as { sweep?: { values?: unknown } }).sweep?.values);
  const problems: Problem[] = [];
  const seen = new Set<string>();
  sweep.values.forEach((value, i) => {
    try {
      override(loaded, parsed, sweep.parameter, value);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      for (const problem of error.problems) {
        const key = `${problem.path}\0${problem.message}`;
        if (problem.severity !== 'error' || seen.has(key)) continue;
        seen.add(key);
        const path: PathKey[] = listed ? ['sweep', 'values', i] : ['sweep', 'values'];
        const detail = problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
        problems.push(locator.problem(path, m.sweepPoint(sweep.parameter, value, detail)));
      }
    }
  });
  return problems;
}

/** Sets `value` at `keys` in `raw` (a copy), creating missing mappings on the way. */
function setPath(raw: unknown, keys: readonly string[], value: unknown, locator: Locator, dottedPath: string): unknown {
  const root: unknown = raw === null || raw === undefined ? {} : raw;
  let node: unknown = root;
  keys.forEach((key, depth) => {
    if (typeof node !== 'object' || node === null) {
      throw new InputError([locator.problem(keys.slice(0, depth), m.overrideThroughScalar(dottedPath))]);
    }
    const container = node as Record<string, unknown>;
    const index: string | number = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
    if (depth === keys.length - 1) {
      container[index] = value;
    } else {
      if (container[index] === undefined || container[index] === null) container[index] = {};
      node = container[index];
    }
  });
  return root;
}

function override(loaded: LoadedScenario, parsed: Parsed, dottedPath: string, value: unknown): LoadedScenario {
  const { locator } = parsed;
  const keys = dottedPath.split('.');
  if (dottedPath.trim() === '' || keys.some((key) => key === '')) {
    throw new InputError([locator.problem([], m.emptyOverridePath())]);
  }
  const raw = setPath(structuredClone(loaded.raw), keys, structuredClone(value), locator, dottedPath);
  return validate(loaded.text, loaded.file, { ...parsed, raw }, false);
}

/** Loads and validates a scenario file; throws InputError with every problem found. */
export function loadScenarioFile(path: string): LoadedScenario {
  const read = readDataFile(path, MAX_SCENARIO_BYTES);
  if (!read.ok) throw new InputError([{ file: path, line: 1, col: 1, path: '', message: m.cannotReadFile(read.reason), severity: 'error' }]);
  return loadScenarioText(read.text, path);
}

/** Validates scenario text; `file` names it in problems and anchors relative data paths. */
export function loadScenarioText(text: string, file: string): LoadedScenario {
  return validate(text, file, parse(text, file), true);
}

/**
 * The scenario with one value replaced (sweeps, command-line flags): `dottedPath` into the raw
 * document (`components.modules.redundancy`, `maintenance.0.every`), revalidated. Problems
 * point at the original node of that path, or its nearest parent in the file.
 */
export function withOverride(loaded: LoadedScenario, dottedPath: string, value: unknown): LoadedScenario {
  return override(loaded, parse(loaded.text, loaded.file), dottedPath, value);
}

/**
 * A problem found after validation (e.g. while expanding the facility), located at the dotted
 * key path in the scenario's file, or at the nearest part of that path the file has.
 */
export function problemAt(loaded: LoadedScenario, dottedPath: string, message: string, severity: Problem['severity'] = 'error'): Problem {
  const { locator } = parse(loaded.text, loaded.file);
  const path = dottedPath === '' ? [] : dottedPath.split('.');
  return locator.problem(path, message, { severity });
}
