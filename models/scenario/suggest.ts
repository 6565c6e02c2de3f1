/**
 * "Did you mean ...?" for keys, component names, units and metrics: a typo in a reliability
 * study silently changes the answer, so every unknown word is met with the nearest known one.
 */

/** Levenshtein distance (insertions, deletions, substitutions each cost 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known word closest to `word`: within edit distance 2 (1 for words of up to 3 letters,
 * where 2 would match almost anything), or one that starts with `word` or that `word` starts
 * with. Case is ignored. Returns undefined when nothing is close.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const typed = word.toLowerCase();
  const limit = typed.length <= 3 ? 1 : 2;
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const known = candidate.toLowerCase();
    if (known === typed) return candidate;
    const distance = editDistance(typed, known);
    const prefix = typed.length >= 2 && (known.startsWith(typed) || typed.startsWith(known));
    if (distance > limit && !prefix) continue;
    if (distance < bestScore) {
      best = candidate;
      bestScore = distance;
    }
  }
  return best;
}
