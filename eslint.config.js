import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * Lint keeps the house rules (README "A short tour of the code", docs/ARCHITECTURE.md): no `any`, no floating promises, and a pure core.
 * A file is a shell when its name says so (-object, -store, -routes, -schemas, -consumer, -client, -adapters…) or it
 * lives in src/http, src/db, src/platform or src/web, or is src/index.ts or src/app.ts. Every
 * other file under src/ is core and may not touch the platform, the clock or randomness.
 */
const shells = [
  'src/**/*-object.ts',
  'src/**/*-store.ts',
  'src/**/*-routes.ts',
  'src/**/*-routes.tsx',
  'src/**/*-schemas.ts',
  'src/**/*-consumer.ts',
  'src/**/*-checks.ts',
  'src/**/*-job.ts',
  'src/**/*-problems.ts',
  'src/**/*-middleware.ts',
  'src/**/*-client.ts',
  'src/**/*-adapters.ts',
  'src/http/**',
  'src/db/**',
  'src/platform/**',
  'src/web/**',
  'src/index.ts',
  'src/app.ts',
]

const impureCalls = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'The core takes `now` as a value.' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The core takes `now` as a value.' },
  { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'The core takes randomness as a value.' },
  { selector: "CallExpression[callee.property.name='randomUUID']", message: 'The core takes ids as values.' },
  { selector: "CallExpression[callee.property.name='getRandomValues']", message: 'The core takes random bytes as values.' },
  { selector: "CallExpression[callee.name='fetch']", message: 'The core does no I/O.' },
  { selector: "MemberExpression[object.name='console']", message: 'The core logs through an injected Logger.' },
]

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.wrangler/', 'worker-configuration.d.ts', 'migrations/', 'coverage/', 'public/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './tsconfig.node.json', './tsconfig.browser.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: shells,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['cloudflare:*'], message: 'The core has no Cloudflare imports.' },
            { group: ['hono', 'hono/*', '@hono/*'], message: 'The core has no HTTP framework.' },
            { group: ['drizzle-orm', 'drizzle-orm/*'], message: 'The core has no database.' },
            {
              group: ['**/*-object', '**/*-store', '**/*-routes', '**/*-consumer', '**/*-checks', '**/*-job', '**/*-problems', '**/*-middleware', '**/*-client', '**/*-adapters', '**/db/*', '**/http/*', '**/platform/*', '**/web/*'],
              message: 'The core does not reach into shells; pass it values instead.',
            },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...impureCalls],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', '*.config.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Vitest's asymmetric matchers (expect.objectContaining, …) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
)
