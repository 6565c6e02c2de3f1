/**
 * Redundancy notation (SCENARIOS.md "Redundancy notation", DOMAIN.md §2.4).
 *
 * STUB: interface fixed, parser in progress.
 */

/** Returns null when `text` is a notation resim understands, else the reason it is not. */
export function checkRedundancy(text: string): string | null {
  return text.trim() === '' ? 'empty redundancy notation' : null;
}
