// Lint policy, and the layers: imports flow one way, entry points (scripts/, workers/, inbox/,
// the sandbox's main.ts and cli.ts) → workflows/ and activities/ → connectors/ (and the site
// configuration, temporal.config.ts) → domain/. Each layer below names what it may not import;
// test/ may import anything. Workflow code also runs in Temporal's deterministic sandbox: no Node
// built-ins, and activity or connector code for its types only (it would land in the bundle).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noNodeBuiltins = (message) => nodeBuiltins.map((name) => ({ name, message }));

/** Import patterns for files in these top-level folders (the sandbox's main.ts and cli.ts included). */
const folders = (...names) => names.map((name) => `**/${name}/**`);
const configuration = '**/temporal.config*';
const entryPoints = folders('scripts', 'workers', 'inbox');

/** Packages that do I/O or need a Temporal worker, client or activity context. */
const ioPackages = [
  'pino',
  'better-sqlite3',
  'kysely',
  'kysely-oracledb',
  'oracledb',
  'ibmmq',
  'ssh2',
  'nodemailer',
  'write-file-atomic',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/testing',
];

const direction = 'entry points → workflows/activities → connectors → domain';

/** What workflow code may not import, the activity proxies aside. */
const workflowImports = [
  {
    group: [...folders('activities', 'connectors'), configuration],
    allowTypeImports: true,
    message: 'Workflows may import activity, connector and configuration code for its types only.',
  },
  {
    group: [...folders('sandbox', 'test'), ...entryPoints],
    message: `Workflows import no entry points, sandbox or tests (${direction}).`,
  },
  { group: ioPackages, message: 'Not in workflow code.' },
];

const failureType = 'Failure types come from the ErrorKind enum (domain/errors.ts), never a string literal';
/** Selectors of a failure type written as a string instead of taken from ErrorKind. */
const failureTypeRules = [
  {
    selector:
      "CallExpression[callee.object.name='ApplicationFailure'] > ObjectExpression > Property[key.name='type'][value.type=/^(Literal|TemplateLiteral)$/]",
    message: `${failureType}.`,
  },
  {
    selector:
      "CallExpression[callee.object.name='ApplicationFailure'][callee.property.name='create'] > ObjectExpression:not(:has(> Property[key.name='type']))",
    message: `${failureType}: give the failure its type.`,
  },
  {
    selector:
      "CallExpression[callee.object.name='ApplicationFailure'][callee.property.name=/^(retryable|nonRetryable)$/], NewExpression[callee.name='ApplicationFailure']",
    message: `${failureType}: use ApplicationFailure.create({ type: ErrorKind.… }).`,
  },
  {
    selector: "Property[key.name='nonRetryableErrorTypes'] > ArrayExpression > Literal",
    message: `${failureType}.`,
  },
  {
    // A failure's type compared with a kind's name written out (kinds are PascalCase words).
    selector:
      "BinaryExpression[operator=/^[!=]==?$/][left.property.name='type'][right.type='Literal'][right.value=/^[A-Z][a-z]+[A-Z][A-Za-z]*$/]",
    message: `${failureType}: compare with ErrorKind.…`,
  },
];

/** The layer's rule: `patterns` it may not import (types included unless a pattern allows them). */
const layer = (files, patterns, paths = []) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] },
});

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
  layer(
    ['domain/**/*.ts'],
    [
      {
        group: [
          ...folders('workflows', 'activities', 'connectors', 'sandbox', 'test'),
          ...entryPoints,
          configuration,
        ],
        message: `Domain code imports no other layer (${direction}).`,
      },
      {
        group: [...ioPackages, '@temporalio/workflow'],
        message:
          'Domain code is pure: no I/O, no Temporal runtime, no workflow APIs (they belong in workflows/).',
      },
    ],
    noNodeBuiltins('Domain code imports no Node built-ins: workflows import it, and run without them.'),
  ),
  layer(
    ['connectors/**/*.ts'],
    [
      {
        group: [...folders('workflows', 'activities', 'sandbox', 'test'), ...entryPoints],
        message: `Connectors import connectors, the configuration and domain code only (${direction}).`,
      },
    ],
  ),
  layer(
    ['temporal.config.ts'],
    [
      {
        group: [...folders('workflows', 'activities', 'connectors', 'sandbox', 'test'), ...entryPoints],
        message: `The site configuration imports only domain code (${direction}).`,
      },
    ],
  ),
  layer(
    ['activities/**/*.ts'],
    [
      {
        group: [...folders('workflows', 'sandbox', 'test'), ...entryPoints],
        message: `Activities import connectors, domain code and other activities only (${direction}).`,
      },
    ],
  ),
  layer(['workflows/**/*.ts'], workflowImports, [
    ...noNodeBuiltins('Workflows must not use Node built-ins.'),
    {
      name: '@temporalio/workflow',
      importNames: ['proxyActivities', 'proxyLocalActivities'],
      message:
        'Reach activities through readActivities, writeActivities or recordActivities (workflows/shared/retry-profiles.ts): the retry profile goes with the kind of activity.',
    },
  ]),
  // The one place activity proxies are made, each kind with its own profile.
  layer(
    ['workflows/shared/retry-profiles.ts'],
    workflowImports,
    noNodeBuiltins('Workflows must not use Node built-ins.'),
  ),
  {
    // Every failure type comes from the one enum (domain/errors.ts).
    files: [
      '{domain,workflows,activities,connectors,inbox,scripts,workers,sandbox}/**/*.ts',
      'temporal.config.ts',
    ],
    rules: { 'no-restricted-syntax': ['error', ...failureTypeRules] },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflows must not read the process environment.' },
        { name: 'setInterval', message: 'Use workflow timers (sleep, condition).' },
      ],
    },
  },
  {
    // The sandbox stands in for the bureau's systems: it reaches them as production does, through
    // connectors and domain code, and no production code imports it.
    ...layer(
      ['sandbox/**/*.ts'],
      [
        {
          group: [...folders('workflows', 'activities', 'test'), ...entryPoints],
          message: 'The sandbox imports connectors, domain code and the configuration only.',
        },
      ],
    ),
    ignores: ['sandbox/main.ts', 'sandbox/cli.ts'],
  },
  {
    ...layer(
      ['scripts/**/*.ts', 'workers/**/*.ts', 'inbox/**/*.ts'],
      [
        {
          group: folders('sandbox', 'test'),
          message: 'Entry points import neither the sandbox (they reach it as a process) nor tests.',
        },
      ],
    ),
    // Benchmarks drive the sandbox in-process and reuse the tests' support code, as tests do; they
    // are no part of the built engine (tsconfig.build.json).
    ignores: ['scripts/bench.ts', 'scripts/bench/**'],
  },
  layer(
    ['sandbox/main.ts', 'sandbox/cli.ts'],
    [{ group: folders('test'), message: 'Only tests import test code.' }],
  ),
);
