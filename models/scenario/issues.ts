/**
 * Zod issues -> located problems. Zod's own wording never reaches the user: `errorMap` words
 * every built-in issue from the catalogue (it sees the schema that raised it, so an unknown key
 * can list the keys allowed there), and `toProblems` places each issue on its node.
 */
import type { z } from 'zod';
import type { Locator, PathKey } from './locate.js';
import * as m from './messages.js';
import type { Problem } from './problems.js';
import { closest } from './suggest.js';

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  record: 'a mapping (key: value)',
  tuple: 'a list',
};

/** Keys people write by habit where resim wants another one (generators fail while running). */
function suggestKey(key: string, allowed: readonly string[]): string | undefined {
  if ((key === 'mtbf' || key === 'failure') && allowed.includes('fail_to_run')) return 'fail_to_run';
  return closest(key, allowed);
}

function shapeKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
  return shape === undefined ? [] : Object.keys(shape);
}

/**
 * Per-parse error map: the message of every issue zod raises itself. Unknown keys get one
 * message per key, separated by newlines, which `toProblems` splits again.
 */
export function errorMap(iss: z.core.$ZodRawIssue): string | undefined {
  const path = iss.path ?? [];
  const last = path[path.length - 1];
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined && last !== undefined) return m.missingKey(String(last));
      if (path.length === 0 && iss.expected === 'object') return m.notAMapping(iss.input);
      return m.expectedType(EXPECTED[iss.expected] ?? iss.expected, iss.input);
    case 'unrecognized_keys': {
      const allowed = shapeKeys(iss.inst);
      return iss.keys.map((key) => m.unknownKey(key, suggestKey(key, allowed), allowed)).join('\n');
    }
    case 'invalid_union': {
      if (iss.note === 'No matching discriminator') {
        const options = ((iss as { options?: unknown[] }).options ?? []).map(String);
        const discriminator = iss.discriminator ?? 'type';
        const got = (iss.input as Record<string, unknown> | undefined)?.[discriminator];
        if (got === undefined) return `${m.missingKey(discriminator)}: ${m.expectedOneOf(options, got, undefined)}`;
        return m.expectedOneOf(options, got, typeof got === 'string' ? closest(got, options) : undefined);
      }
      return m.expectedType('one of the forms described in the schema', iss.input);
    }
    case 'too_small': {
      const minimum = Number(iss.minimum);
      if (iss.origin === 'array' || iss.origin === 'set') return m.tooFewItems(minimum);
      if (iss.origin === 'string') return m.emptyText();
      return iss.inclusive ? m.atLeast(minimum, iss.input) : m.greaterThan(minimum, iss.input);
    }
    case 'too_big': {
      const maximum = Number(iss.maximum);
      if (iss.origin === 'int' && maximum === Number.MAX_SAFE_INTEGER) return m.unsafeInteger(iss.input);
      if (iss.origin === 'array' || iss.origin === 'set') return m.tooManyItems(maximum);
      return iss.inclusive ? m.atMost(maximum, iss.input) : m.lessThan(maximum, iss.input);
    }
    case 'invalid_value': {
      const options = iss.values.map(String);
      return m.expectedOneOf(options, iss.input, typeof iss.input === 'string' ? closest(iss.input, options) : undefined);
    }
    case 'invalid_format':
      return m.expectedType(`text matching ${iss.pattern ?? iss.format}`, iss.input);
    case 'invalid_key':
      return iss.issues.map((inner) => inner.message).join('; ');
    default:
      return undefined;
  }
}

/**
 * Does this union branch have the right shape (a mapping for a mapping, a list for a list)?
 * Then its issues are the ones that explain the mistake; otherwise the union speaks for itself.
 */
function shapeMatches(issues: readonly z.core.$ZodIssue[]): boolean {
  return !issues.some((issue) => issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_union'));
}

function keyPath(path: readonly PropertyKey[]): PathKey[] {
  return path.filter((key): key is PathKey => typeof key === 'string' || typeof key === 'number');
}

/**
 * A required key that is absent. Schemas with their own wording for a wrong value would
 * otherwise say "got nothing"; needs issues parsed with `reportInput` (a written but empty
 * value is null, never undefined).
 */
function isMissing(issue: z.core.$ZodIssue, path: readonly PathKey[]): boolean {
  return (issue.code === 'invalid_type' || issue.code === 'invalid_union') && path.length > 0 && 'input' in issue && issue.input === undefined;
}

/** Locates every issue; `prefix` is where a union's branch issues are relative to. */
export function toProblems(issues: readonly z.core.$ZodIssue[], locator: Locator, prefix: readonly PathKey[] = []): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...keyPath(issue.path)];
    if (isMissing(issue, path)) {
      problems.push(locator.problem(path, m.missingKey(String(path[path.length - 1]))));
      continue;
    }
    switch (issue.code) {
      case 'unrecognized_keys': {
        const messages = issue.message.split('\n');
        issue.keys.forEach((key, i) => problems.push(locator.problem([...path, key], messages[i] ?? issue.message, { at: 'key' })));
        break;
      }
      case 'invalid_key':
        problems.push(locator.problem(path, issue.message, { at: 'key' }));
        break;
      case 'invalid_union': {
        const branch = issue.errors.find(shapeMatches);
        if (branch !== undefined && branch.length > 0) problems.push(...toProblems(branch, locator, path));
        else problems.push(locator.problem(path, issue.message));
        break;
      }
      default:
        problems.push(locator.problem(path, issue.message));
    }
  }
  return problems;
}
