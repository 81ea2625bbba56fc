import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importRules } from './scripts/lint/import-rules.js';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/__transpiled/**',
      'data/**',
      'docs/**',
      'scripts/codegen/asyncapi-template/**',
      'scripts/lint/test/fixtures/**',
    ],
  },
  {
    // generated/ is checked only for the import rules below, never for style
    ignores: ['generated/**'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Who may import whom (ARCHITECTURE.md), one block per area of the repository.
  ...importRules(tseslint.parser),
);
