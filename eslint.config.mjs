import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

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
          ],
        },
      ],
    },
  },
);
