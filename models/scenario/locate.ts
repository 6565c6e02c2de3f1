/**
 * From a key path (what the schema reports) back to a line and column in the file (what the
 * user needs). Works on the parsed YAML document, whose nodes keep their source ranges.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Problem } from './problems.js';

export type PathKey = string | number;

export interface Position {
  line: number;
  col: number;
}

interface Found {
  /** The deepest node reached along the path (null: a key written without a value). */
  node: Node | null;
  /** The key under which `node` sits, when it sits in a mapping. */
  key: Node | undefined;
  /** How many path elements were matched. */
  depth: number;
}

/** Dotted form of a key path: `components.ups.unit.mtbf`, `maintenance.0.every`. */
export function dotted(path: readonly PathKey[]): string {
  return path.map(String).join('.');
}

export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly file: string,
  ) {}

  /**
   * Where to point for the value at `path`: a scalar itself; a mapping or list by the key that
   * holds it (its block form starts on the next line, the key is what the user reads as "it");
   * when the path goes further than the file, the nearest existing ancestor.
   */
  value(path: readonly PathKey[]): Position {
    const found = this.walk(path);
    const { node, key } = found;
    if (node && isScalar(node)) return this.position(node);
    return this.position(key ?? node);
  }

  /** Where the key of the last path element is written (unknown keys, invalid names). */
  key(path: readonly PathKey[]): Position {
    const found = this.walk(path);
    if (found.depth === path.length && found.key) return this.position(found.key);
    return this.value(path);
  }

  /** True when the file itself has a node at `path`. */
  has(path: readonly PathKey[]): boolean {
    return this.walk(path).depth === path.length;
  }

  problem(path: readonly PathKey[], message: string, options: { severity?: Problem['severity']; at?: 'value' | 'key' } = {}): Problem {
    const { line, col } = options.at === 'key' ? this.key(path) : this.value(path);
    return { file: this.file, line, col, path: dotted(path), message, severity: options.severity ?? 'error' };
  }

  private walk(path: readonly PathKey[]): Found {
    let node = this.resolve(this.doc.contents as Node | null);
    let key: Node | undefined;
    let depth = 0;
    for (const element of path) {
      let next: { node: Node | null; key: Node | undefined } | undefined;
      if (node && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(element));
        if (pair) next = { node: this.resolve(pair.value as Node | null), key: pair.key as Node };
      } else if (node && isSeq(node) && /^\d+$/.test(String(element))) {
        const item = node.items[Number(element)];
        if (item !== undefined) next = { node: this.resolve(item as Node | null), key: undefined };
      }
      if (next === undefined) break;
      ({ node, key } = next);
      depth++;
    }
    return { node, key, depth };
  }

  private resolve(node: Node | null): Node | null {
    if (node && isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? node;
    return node;
  }

  private position(node: Node | null | undefined): Position {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, col: 1 };
    return this.at(offset);
  }

  /** Line and column of a character offset in the file. */
  at(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }
}
