/**
 * The published JSON Schema: every key explained with its default, and the defaults it states
 * are the ones the loader applies.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioText, scenarioJsonSchema } from '../models/scenario/index.js';

type Json = { [key: string]: unknown };

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every property schema in the document, with where it is and whether its parent requires it. */
function properties(schema: unknown, where = '#'): Array<{ where: string; property: Json; required: boolean }> {
  const found: Array<{ where: string; property: Json; required: boolean }> = [];
  const visit = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${at}/${i}`));
      return;
    }
    if (!isObject(node)) return;
    const required = Array.isArray(node.required) ? (node.required as string[]) : [];
    if (isObject(node.properties)) {
      for (const [key, property] of Object.entries(node.properties)) {
        if (isObject(property)) found.push({ where: `${at}/properties/${key}`, property, required: required.includes(key) });
      }
    }
    for (const [key, child] of Object.entries(node)) visit(child, `${at}/${key}`);
  };
  visit(schema, where);
  return found;
}

describe('scenarioJsonSchema', () => {
  const schema = scenarioJsonSchema() as Json;
  const all = properties(schema);

  it('describes the top-level keys of SCENARIOS.md and nothing else', () => {
    expect(Object.keys(schema.properties as Json)).toEqual([
      'scenario', 'description', 'power_factor', 'simulation', 'components', 'maintenance', 'crews', 'common_cause', 'cluster', 'costs', 'sweep', 'expect',
    ]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['scenario']);
  });

  it('has a description on every property', () => {
    expect(all.length).toBeGreaterThan(150);
    const undescribed = all.filter(({ property }) => typeof property.description !== 'string' || property.description === '');
    expect(undescribed.map(({ where }) => where)).toEqual([]);
  });

  it('states the default of every optional property (a value, or in words when absence means something)', () => {
    const silent = all.filter(({ property, required }) => {
      const text = String(property.description);
      if (required) return !/Required\./.test(text);
      return !('default' in property) && !/Default: /.test(text);
    });
    expect(silent.map(({ where }) => where)).toEqual([]);
  });

  it('describes the input side: durations as numbers or unit strings', () => {
    const horizon = ((schema.properties as Json).simulation as Json).properties as Json;
    expect(horizon.horizon).toMatchObject({ default: '1y', $ref: '#/$defs/positive_duration' });
    const durationDef = (schema.$defs as Json).duration as Json;
    expect(durationDef.anyOf).toEqual([
      { type: 'number', minimum: 0 },
      { type: 'string', pattern: expect.stringContaining('min|h|d|w|mo|y') as unknown },
    ]);
  });

  it('states defaults that the loader applies', () => {
    const simulation = ((schema.properties as Json).simulation as Json).properties as Record<string, Json>;
    const written = ['horizon', 'warmup', 'seed', 'start'].map((key) => `  ${key}: ${JSON.stringify(simulation[key]?.default)}`).join('\n');
    const base = 'scenario: d\ncomponents:\n  g: {type: group, unit: {mtbf: 1h}}\n';
    const file = join(import.meta.dirname, 'fixtures', 'scenarios', 'inline.yaml');
    const explicit = loadScenarioText(`${base}simulation:\n${written}\n`, file);
    const implicit = loadScenarioText(base, file);
    expect(explicit.scenario.simulation).toEqual(implicit.scenario.simulation);
    expect(explicit.hash).toBe(implicit.hash);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});
