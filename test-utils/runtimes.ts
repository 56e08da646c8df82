// The Bun and Deno binaries the `bun` and `deno` npm packages (root devDependencies) install,
// for tests that run a child process under those runtimes. A test skips a runtime only when its
// binary cannot be installed here, and prints why (`skipNotice`).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, it } from 'vitest'

export type RuntimeName = 'bun' | 'deno'

const require = createRequire(import.meta.url)

/**
 * The runtime's binary as its npm package installs it (`bun`: bin/bun.exe, `deno`: deno, both
 * put in place by the package's postinstall), or why it cannot run here.
 */
export function runtimeBinary(runtime: RuntimeName): { path: string } | { reason: string } {
  let dir: string
  try {
    dir = dirname(require.resolve(`${runtime}/package.json`))
  } catch (error) {
    return { reason: `the ${runtime} npm package is not installed (${(error as Error).message.split('\n')[0]})` }
  }
  const path = runtime === 'bun' ? join(dir, 'bin', 'bun.exe') : join(dir, 'deno')
  if (!existsSync(path)) return { reason: `${path} is missing: the ${runtime} package's postinstall did not run (is it in onlyBuiltDependencies?) or no binary exists for ${process.platform}-${process.arch}` }
  const version = spawnSync(path, ['--version'], { encoding: 'utf8' })
  if (version.status !== 0) return { reason: `${path} --version failed: ${version.error?.message ?? version.stderr}` }
  return { path }
}

/**
 * Runs `body` for Bun and for Deno with each one's binary. A runtime whose binary cannot be
 * installed here is skipped, and the reason is printed to the test output as well as put in
 * the name of the skipped suite.
 */
export function forEachRuntime(what: string, body: (runtime: RuntimeName, binary: string) => void): void {
  for (const runtime of ['bun', 'deno'] as const) {
    const binary = runtimeBinary(runtime)
    if ('path' in binary) {
      body(runtime, binary.path)
      continue
    }
    console.warn(`[healthz tests] SKIPPING ${what} under ${runtime}: ${binary.reason}`)
    describe.skip(`${what} under ${runtime}: skipped, ${binary.reason}`, () => {
      it('runs when the binary is installed', () => undefined)
    })
  }
}
