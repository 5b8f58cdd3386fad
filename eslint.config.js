// Lint policy. Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, and
// activity or connector code may be imported for its types only (it would land in the bundle).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '.temporal/', 'reports/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Shared code at the bottom: every other layer may import it, it imports none of them. (What a
    // workflow imports from here must also pass the workflow bundle, which refuses Node built-ins.)
    files: ['domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/workflows/**',
                '**/activities/**',
                '**/connectors/**',
                '**/sandbox/**',
                '**/workers/**',
                '**/scripts/**',
                '**/inbox/**',
                '**/temporal.config*',
              ],
              message:
                'Domain code imports no other layer (entry points → workflows/activities → connectors → domain).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflows must not use Node built-ins.' })),
          patterns: [
            {
              group: [
                '**/activities/**',
                '**/connectors/**',
                '**/sandbox/**',
                '**/workers/**',
                '**/scripts/**',
              ],
              allowTypeImports: true,
              message: 'Workflows may import activity and connector code for its types only.',
            },
            {
              group: ['pino', 'better-sqlite3', 'kysely', 'oracledb', 'ibmmq'],
              message: 'Not in workflow code.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflows must not read the process environment.' },
        { name: 'setInterval', message: 'Use workflow timers (sleep, condition).' },
      ],
    },
  },
);
