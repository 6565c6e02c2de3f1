/** Number formatting shared by the writers: deterministic, round-trip exact, empty for "not defined". */
export function csvNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : '';
}

/** For people: a few significant digits, fixed notation where reasonable. */
export function shortNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(digits - 1);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
  return x.toFixed(Math.min(decimals, 8));
}
