/** The program version, read once from package.json (so run.json and --version agree). */
import { existsSync, readFileSync } from 'node:fs';

// dist/cli/version.js when built, cli/version.ts under the test runner.
const candidates = ['../../package.json', '../package.json'].map((p) => new URL(p, import.meta.url));
const found = candidates.find((u) => {
  if (!existsSync(u)) return false;
  return (JSON.parse(readFileSync(u, 'utf8')) as { name?: string }).name === 'resim';
});
export const VERSION: string = found ? (JSON.parse(readFileSync(found, 'utf8')) as { version: string }).version : '0.0.0';
