import { builtinModules } from 'node:module';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// Every Node built-in that module.builtinModules lists (as Temporal's workflow bundler reads it), as `x` and `node:x`.
const nodeBuiltins = [...new Set(builtinModules.flatMap((name) => (name.startsWith('node:') ? [name] : [name, `node:${name}`])))];

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
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Off: each would need a rewrite rather than a fix. `async` functions without `await` implement
      // Promise-returning interfaces; `any` comes from pg rows, JSON and Temporal histories, checked by zod
      // where it crosses a boundary; kafkajs payloads and RunningRole declare plain closures as methods; protobuf enums are
      // compared as the numbers they are on the wire.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    // Outside tsconfig: linted without type information.
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
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
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'no Node built-ins in workflow code: I/O, clocks and randomness belong in activities',
          })),
          patterns: [
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
