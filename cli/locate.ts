/**
 * Locates a dotted key path in a scenario's text (line and column of the value, or of the
 * nearest parent that exists), for problems found after validation (e.g. while expanding).
 */
import { LineCounter, parseDocument, type Node } from 'yaml';

export function locate(text: string, dottedPath: string): { line: number; col: number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const segments = dottedPath === '' ? [] : dottedPath.split('.');
  for (let n = segments.length; n >= 0; n--) {
    const key = segments.slice(0, n).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const node = (n === 0 ? doc.contents : doc.getIn(key, true)) as Node | null | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, col: pos.col };
    }
  }
  return { line: 1, col: 1 };
}
