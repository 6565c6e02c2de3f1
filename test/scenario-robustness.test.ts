/**
 * Whatever the file says, loading ends in a scenario or an InputError, never in a crash:
 * every value of the full fixture is replaced in turn by values of every wrong kind.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, loadScenarioFile, loadScenarioText, withOverride } from '../models/scenario/index.js';
import * as m from '../models/scenario/messages.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'scenarios');

/** Dotted paths of every value in a plain-data document. */
function paths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries = Array.isArray(value) ? value.map((item, i) => [String(i), item] as const) : Object.entries(value);
  return entries.flatMap(([key, inner]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return [path, ...paths(inner, path)];
  });
}

describe('malformed values', () => {
  it.each(['facility.yaml', 'cluster.yaml'])('in %s give InputErrors located in the file', (name) => {
    const loaded = loadScenarioFile(join(FIXTURES, name));
    const wrong: unknown[] = [null, -1, 'x', [], {}, true];
    let rejected = 0;
    for (const path of paths(loaded.raw)) {
      for (const value of wrong) {
        try {
          withOverride(loaded, path, value);
        } catch (error) {
          if (!(error instanceof InputError)) throw new Error(`${path} = ${JSON.stringify(value)}: ${String(error)}`);
          expect(error.problems.length).toBeGreaterThan(0);
          for (const p of error.problems) expect(p.line).toBeGreaterThanOrEqual(1);
          rejected++;
        }
      }
    }
    expect(rejected).toBeGreaterThan(100);
  });

  it.each([
    ['an empty file', ''],
    ['a list', '- 1\n- 2\n'],
    ['a scalar', 'hello\n'],
  ])('%s is not a scenario', (_what, text) => {
    try {
      loadScenarioText(text, 'odd.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      const problems = (error as InputError).problems;
      expect(problems.map((p) => [p.line, p.col, p.path])).toEqual([[1, 1, '']]);
      expect(problems[0]?.message).toBe(m.notAMapping(text === '' ? null : text.startsWith('-') ? [1, 2] : 'hello'));
    }
  });
});
