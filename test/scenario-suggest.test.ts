/** "Did you mean": the nearest known word, and nothing when nothing is near. */
import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../models/scenario/suggest.js';

describe('closest', () => {
  const keys = ['capacity', 'mtbf', 'failure', 'mttr', 'repair'];

  it('finds typos within two edits', () => {
    expect(closest('mtbff', keys)).toBe('mtbf');
    expect(closest('capactiy', keys)).toBe('capacity');
    expect(closest('MTTR', keys)).toBe('mttr');
  });

  it('finds a key the word starts, or a word that starts with a key', () => {
    expect(closest('cap', keys)).toBe('capacity');
    expect(closest('repairs_h', keys)).toBe('repair');
  });

  it('stays silent when nothing is near', () => {
    expect(closest('colour', keys)).toBeUndefined();
    expect(closest('x', keys)).toBeUndefined();
  });

  it('measures Levenshtein distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('mtbf', 'mttr')).toBe(2);
  });
});
