// The Bun and Deno binaries the `bun` and `deno` npm packages (root devDependencies) install,
// for tests that run a child process under those runtimes (`forEachRuntime`). A runtime is
// skipped only when the registry has no binary for this platform, and the test output says why.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, it } from 'vitest'

export type RuntimeName = 'bun' | 'deno'

const require = createRequire(import.meta.url)

/** The runtime's binary, or why there is none: `installable: false` when the registry has no binary for this platform. */
export type RuntimeBinary = { path: string } | { reason: string; installable: boolean }

/**
 * The runtime's binary as its npm package installs it (`bun`: bin/bun.exe, `deno`: deno, both
 * put in place by the package's postinstall from a per-platform optional dependency), or why
 * it cannot run here.
 */
export function runtimeBinary(runtime: RuntimeName): RuntimeBinary {
  let dir: string
  try {
    dir = dirname(require.resolve(`${runtime}/package.json`))
  } catch (error) {
    // A root devDependency: missing means the install is incomplete, not that the registry lacks it.
    return { reason: `the ${runtime} npm package is not installed (${(error as Error).message.split('\n')[0]})`, installable: true }
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> }
  const platform = process.platform === 'win32' ? /win(32|dows)/ : new RegExp(process.platform)
  const arch = process.arch === 'arm64' ? /arm64|aarch64/ : new RegExp(process.arch)
  const builds = Object.keys(manifest.optionalDependencies ?? {}).filter((name) => platform.test(name) && arch.test(name))
  if (builds.length === 0) return { reason: `the ${runtime} npm package has no binary for ${process.platform}-${process.arch}`, installable: false }
  const path = runtime === 'bun' ? join(dir, 'bin', 'bun.exe') : join(dir, 'deno')
  if (!existsSync(path)) return { reason: `${path} is missing: the ${runtime} package's postinstall did not run (is it in onlyBuiltDependencies of pnpm-workspace.yaml?)`, installable: true }
  const version = spawnSync(path, ['--version'], { encoding: 'utf8' })
  if (version.status !== 0) return { reason: `${path} --version failed: ${version.error?.message ?? version.stderr}`, installable: true }
  return { path }
}

/**
 * Runs `body` for Bun and for Deno with each one's binary. A runtime for which the registry has
 * no binary for this platform is skipped, and the reason is printed to the test output as well
 * as put in the name of the skipped suite; a binary that could be installed but is missing or
 * broken fails a test instead.
 */
export function forEachRuntime(what: string, body: (runtime: RuntimeName, binary: string) => void): void {
  for (const runtime of ['bun', 'deno'] as const) {
    const binary = runtimeBinary(runtime)
    if ('path' in binary) {
      body(runtime, binary.path)
      continue
    }
    if (binary.installable) {
      describe(`${what} under ${runtime}`, () => {
        it(`has the ${runtime} binary`, () => {
          throw new Error(binary.reason)
        })
      })
      continue
    }
    console.warn(`[healthz tests] SKIPPING ${what} under ${runtime}: ${binary.reason}`)
    describe.skip(`${what} under ${runtime}: skipped, ${binary.reason}`, () => {
      it('runs when the binary is installed', () => undefined)
    })
  }
}
