// Lint configuration: typescript-eslint's recommended rules plus the project's own bans.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Every random draw must come from a seeded, named stream (STYLE.md).
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use a named stream from sim/rng.ts.' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The engine layer must not depend on the domain or the writers (STYLE.md).
    files: ['sim/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../models/*', '../reports/*', '../cli/*', '**/models/**', '**/reports/**', '**/cli/**'] }],
    },
  },
  {
    files: ['models/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/reports/**', '**/cli/**'] }],
    },
  },
);
