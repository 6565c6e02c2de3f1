/** Shared by the scenario-loader tests: catching located problems and pointing at them in a text. */
import { InputError, type Problem } from '../../models/scenario/index.js';

/** The problems of the InputError `action` throws (any other outcome fails the test). */
export function problemsOf(action: () => unknown): Problem[] {
  try {
    action();
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InputError');
}

/** Line and 1-based column where `needle` first occurs on line `line` of `text`. */
export function at(text: string, line: number, needle: string): { line: number; col: number } {
  const col = (text.split('\n')[line - 1] ?? '').indexOf(needle);
  if (col < 0) throw new Error(`"${needle}" is not on line ${line}`);
  return { line, col: col + 1 };
}

/** The fields a test compares: where, which key, what. */
export const brief = (p: Problem) => ({ line: p.line, col: p.col, path: p.path, message: p.message });
