// The one list of test projects. vitest 4 ignores this file on its own;
// the root vitest.config.ts imports it as `test.projects`.
//
// Every package under packages/ with a `test/` folder is a project named after its folder, and
// `@healthz/*` imports resolve to the packages' sources (tests run against the sources; the
// built dist is checked by the consumer fixture and the child-process tests).
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

const packages = readdirSync(root('./packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(root(`./packages/${entry.name}/src/index.ts`)))
  .map((entry) => entry.name)
  .sort()

// `@healthz/<name>` → packages/<name>/src/index.ts, `@healthz/<name>/<entry>` → packages/<name>/src/<entry>.ts.
export const alias = [
  { find: /^@healthz\/([^/]+)$/, replacement: `${root('./packages')}/$1/src/index.ts` },
  { find: /^@healthz\/([^/]+)\/(.+)$/, replacement: `${root('./packages')}/$1/src/$2.ts` },
]

export const projects = [
  ...packages
    .filter((name) => existsSync(root(`./packages/${name}/test`)))
    .map((name) => ({
      test: {
        name,
        root: root(`./packages/${name}`),
        include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
        // Type tests (`*.test-d.ts`, expectTypeOf): tsc checks them with the package's tsconfig
        // and each `test()` is reported like a test; nothing in them runs.
        typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: root(`./packages/${name}/tsconfig.json`) },
      },
      resolve: { alias },
    })),
  // The testing guide's sample (docs/examples/testing.ts) runs as written.
  { test: { name: 'docs', root: root('./docs'), include: ['examples/testing.ts'] }, resolve: { alias } },
  // Cross-package tests: the rolling restart on the built packages in child processes, and what the docs teach.
  { test: { name: 'repo', root: root('./tests'), include: ['**/*.test.ts'] }, resolve: { alias } },
  { test: { name: 'examples', root: root('./examples'), include: ['**/*.test.ts'], exclude: ['**/node_modules/**'] }, resolve: { alias } },
]

export default projects
