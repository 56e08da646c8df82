// The linter that holds the boundaries STYLE.md names (issue 14): a package reaches another one
// only through its public entry or a subpath its package.json `exports` declares; no promise is
// left floating; nothing unused is kept. `pnpm run lint` runs it, and `.ci/run` runs that.
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

const root = fileURLToPath(new URL('.', import.meta.url))

// Every workspace package's public specifiers, read from its `exports`: `@healthz/core`,
// `@healthz/checks/pg`, `@healthz/heartbeat/redis`, … — the only `@healthz/…` imports allowed.
const packageDirs = readdirSync(`${root}packages`).filter((dir) => existsSync(`${root}packages/${dir}/package.json`))
const publicSpecifiers = packageDirs.flatMap((dir) => {
  const { name, exports } = JSON.parse(readFileSync(`${root}packages/${dir}/package.json`, 'utf8'))
  return Object.keys(exports ?? { '.': null }).map((key) => (key === '.' ? name : `${name}/${key.slice(2)}`))
})
// Slashes are written `\x2F`: esquery (no-restricted-syntax below) ends a regex at any `/`.
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('/', '\\x2F')
const boundaryMessage =
  'Import another package only through its public entry (`@healthz/<name>`) or a subpath its package.json `exports` declares — never its src/, dist/ or test/ (STYLE.md habit 2).'
const names = packageDirs.map(escape).join('|')
const publicOnly = `^@healthz\\x2F(?=(?:${names})(?:\\x2F|$))(?!(?:${publicSpecifiers.map((s) => escape(s.slice('@healthz/'.length))).join('|')})$)`
// A relative path that walks up into a package's folder: `../../core/src/…`, `../packages/http/dist/…`.
const intoPackage = (folders) => `^(?:\\.\\.?\\x2F)*\\.\\.\\x2F(?:packages\\x2F)?(?:${names})\\x2F(?:${folders})(?:\\x2F|$)`

/** no-restricted-imports and no-restricted-syntax (for `import()` and `require()`) over these patterns. */
const boundaries = (patterns) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((regex) => ({ regex, message: boundaryMessage })) }],
  'no-restricted-syntax': [
    'error',
    ...['ImportExpression > Literal.source', 'CallExpression[callee.name="require"] > Literal.arguments'].flatMap((selector) =>
      patterns.map((regex) => ({ selector: `${selector}[value=/${regex}/]`, message: boundaryMessage })),
    ),
  ],
})

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.nx/**',
      'coverage/**',
      'docs/site/.vitepress/**',
      'docs/site/api/**',
      // Next.js build output and the type references `next build` writes.
      '**/.next/**',
      '**/next-env.d.ts',
      // Files that break the rules on purpose; tests/lint/ lints them and expects the errors.
      'fixtures/lint/**',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  // Everything we write: package boundaries, and nothing unused.
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 2023,
      sourceType: 'module',
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      ...boundaries([publicOnly, intoPackage('src|dist|test')]),
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', ignoreRestSiblings: true, caughtErrors: 'none', argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-unused-private-class-members': 'error',
      'no-unused-labels': 'error',
      '@typescript-eslint/no-unused-expressions': 'error',
    },
  },
  // The benchmarks are not a workspace package (`@healthz/*` does not resolve there): they load
  // the packages' built entries by path, as a user's bundle would. Their sources stay out of reach.
  {
    files: ['bench/**'],
    rules: boundaries([publicOnly, intoPackage('src|test')]),
  },
  // TypeScript inside a tsconfig: type-aware rules, where the type checker pays — a promise that is
  // neither awaited, returned, caught nor marked `void` (fire-and-forget on purpose) is an error.
  {
    files: ['packages/*/{src,test}/**/*.{ts,mts,cts}', 'docs/examples/**/*.ts', 'examples/nestjs/**/*.ts', 'examples/nextjs/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
)
