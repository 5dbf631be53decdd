import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// Imports run one way, from the entry points (main.ts, cli/) down: the product never imports the commands, the
// tooling or the tests, and the tooling never imports the commands or the tests.
const TOWARDS_ENTRY = [
  { group: ['**/cli', '**/cli/**'], message: 'only the entry point (main.ts, cli/) imports the commands' },
  { group: ['**/test/**'], message: 'product and tooling code never imports tests' },
];
const TOOLING = { group: ['**/tools/**'], message: 'the product never imports the tooling (tools/)' };

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.stack/', 'tools/bench/results/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', console: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['main.ts', 'cli/**', 'tools/**', 'test/**', 'workflows/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...TOWARDS_ENTRY, TOOLING] }] },
  },
  {
    files: ['tools/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: TOWARDS_ENTRY }] },
  },
  {
    // Workflow code is replayed: it must stay deterministic (DESIGN.md §4, STYLE.md).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'workflows get settings through their input' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process'],
              message: 'no I/O in workflow code',
            },
            { group: ['../activities', '../activities/*'], message: 'import only types from activities', allowTypeImports: true },
            { group: ['pg', 'kafkajs', 'express', '../config', '../config/*', '../db/*'], message: 'no I/O in workflow code' },
            ...TOWARDS_ENTRY,
            TOOLING,
          ],
        },
      ],
    },
  },
);
