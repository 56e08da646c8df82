// The one list of test projects. vitest 4 ignores this file on its own;
// the root vitest.config.ts imports it as `test.projects`.
import { fileURLToPath } from 'node:url'

const root = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export const alias = {
  '@healthz/core': root('./packages/core/src/index.ts'),
  '@healthz/http': root('./packages/http/src/index.ts'),
  '@healthz/express': root('./packages/express/src/index.ts'),
  '@healthz/koa': root('./packages/koa/src/index.ts'),
}

export const projects = [
  { test: { name: 'core', root: root('./packages/core'), include: ['test/**/*.test.ts', 'src/**/*.test.ts'] }, resolve: { alias } },
  { test: { name: 'http', root: root('./packages/http'), include: ['test/**/*.test.ts', 'src/**/*.test.ts'] }, resolve: { alias } },
  { test: { name: 'express', root: root('./packages/express'), include: ['test/**/*.test.ts'] }, resolve: { alias } },
  { test: { name: 'koa', root: root('./packages/koa'), include: ['test/**/*.test.ts'] }, resolve: { alias } },
  // The testing guide's sample (docs/examples/testing.ts) runs as written.
  { test: { name: 'docs', root: root('./docs'), include: ['examples/testing.ts'] }, resolve: { alias } },
  { test: { name: 'examples', root: root('./examples'), include: ['**/*.test.ts'], exclude: ['**/node_modules/**'] }, resolve: { alias } },
]

export default projects
