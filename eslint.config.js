// Type-aware lint for every workspace; environments kept apart (models has no Node or DOM globals).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

/** Drivers stay behind their adapters: each may be imported only by the files listed in `driverHomes`. */
const drivers = {
  kafkajs: 'kafkajs stays behind backend/src/transport/ (the consumer, producer and partitioner adapters).',
  pg: 'pg stays behind backend/src/database/ (the repositories).',
  'socket.io':
    'socket.io stays in the gateways and the socket adapters (*.gateway.ts, *.adapter.ts, the access guard).',
  '@socket.io/redis-adapter': 'the Redis adapter stays in backend/src/live/redis-adapter.gateway.ts.',
  redis: 'the Redis client stays in backend/src/live/redis-adapter.gateway.ts.',
};
const driverHomes = [
  { files: ['backend/src/transport/**'], allow: ['kafkajs'] },
  // The benches measure the drivers themselves (a bare consumer loop, a bare producer, raw SQL).
  { files: ['backend/src/bench/**'], allow: ['kafkajs', 'pg', 'socket.io'] },
  { files: ['backend/src/database/**'], allow: ['pg'] },
  {
    files: [
      'backend/src/**/*.gateway.ts',
      'backend/src/**/*.gateway.spec.ts',
      'backend/src/**/*.adapter.ts',
      'backend/src/**/*.adapter.spec.ts',
      'backend/src/auth/access.guard.ts',
    ],
    allow: ['socket.io'],
  },
  {
    files: ['backend/src/live/redis-adapter.gateway.ts'],
    allow: ['socket.io', '@socket.io/redis-adapter', 'redis'],
  },
];
/** A workspace is reached through its package name and exports, never by a path into its src/ or dist/. */
const deepPaths = [
  {
    regex: String.raw`^(\.\./)+(streams|models|data|backend|frontend)/(src|dist)(/|$)`,
    message:
      'Import the workspace by its package name (@district-monitor/...), not by a relative path into it.',
  },
  {
    regex: String.raw`^@district-monitor/[^/]+/(src|dist)(/|$)`,
    message: 'Import the package through its exports, not its src/ or dist/ folders.',
  },
];
/** The backend serves; the data package's evaluation and benches are not part of it (benches excepted). */
const evaluationPackage = (allowed) => ({
  regex: String.raw`^@district-monitor/data(?!/(${allowed.join('|')})$)(/.*)?$`,
  message: `The backend takes only @district-monitor/data/{${allowed.join(',')}} (the runtime entries), never the evaluation package.`,
});
const restrictedImports = ({ allow = [], evaluation = ['runtime', 'history-analysis'] } = {}) => [
  'error',
  {
    paths: Object.entries(drivers)
      .filter(([name]) => !allow.includes(name))
      .map(([name, message]) => ({ name, message })),
    patterns: [...deepPaths, evaluationPackage(evaluation)],
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'artifacts/**',
      '.local/**',
      'deploy/**',
      'coverage/**',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...pluginVue.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-extraneous-class': [
        'error',
        { allowWithDecorator: true, allowStaticOnly: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // query<Row>() mirrors pg's and PGlite's typed rows: the row type is the caller's statement about its SQL.
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      // NestJS declares plain option bags as classes (NestApplicationOptions); literals are how Nest is used.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
    },
  },
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: {
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    files: ['backend/**', 'streams/**', 'data/**', 'scripts/**', 'test/**', 'deploy/**', '*.js', '*.ts'],
    languageOptions: { globals: globals.node },
  },
  { files: ['frontend/src/**'], languageOptions: { globals: globals.browser } },
  {
    files: ['streams/src/**', 'models/src/**', 'data/src/**', 'frontend/src/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: deepPaths }] },
  },
  {
    // What the backend loads from the data package (its runtime entries) stays clear of the evaluation.
    files: [
      'data/src/runtime/**',
      'data/src/history-analysis/**',
      'data/src/tier/**',
      'data/src/{registry,rate-table-file,geo,history,accidents,ncrb,categories,coverage,csv,paths,rows}.ts',
    ],
    ignores: ['**/*.spec.ts'],
    rules: {
      // Types are erased: a type shared with the evaluation loads none of its modules.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...deepPaths,
            {
              regex: String.raw`(^|/)(eval|bench|cli)/`,
              message:
                'The runtime entries of the data package import nothing of its evaluation, benches or CLIs.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  { files: ['backend/src/**'], rules: { 'no-restricted-imports': restrictedImports() } },
  ...driverHomes.map(({ files, allow }) => ({
    files,
    rules: {
      'no-restricted-imports': restrictedImports({
        allow,
        evaluation: files.includes('backend/src/bench/**')
          ? ['runtime', 'history-analysis', 'bench', 'chicago-format']
          : undefined,
      }),
    },
  })),
  { files: ['**/scripts/**/*.mjs', '*.js'], ...tseslint.configs.disableTypeChecked },
);
