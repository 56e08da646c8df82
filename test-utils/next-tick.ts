// The state of V8's feedback for the object literal process.nextTick builds its queue entries
// with, after a full GC that ran while no entry was queued (test-utils/next-tick-feedback.mjs).
// MEGAMORPHIC there is the slow path keepNextTickFast() of @healthz/core prevents.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const SCRIPT = fileURLToPath(new URL('./next-tick-feedback.mjs', import.meta.url))

/**
 * Runs the script in a child process, after importing `setup` (a module path) if given, with
 * `env` added to the environment (a set-up's `MODE`), and returns the states of nextTick's DefineKeyedOwnPropertyInLiteral feedback slots,
 * one per property after the first computed key (`MONOMORPHIC`, `MEGAMORPHIC`).
 */
export function nextTickLiteralFeedback(setup?: string, env: Record<string, string> = {}): Promise<string[]> {
  const args = ['--allow-natives-syntax', '--expose-gc', SCRIPT, ...(setup === undefined ? [] : [setup])]
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env: { ...process.env, ...env }, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`next-tick-feedback.mjs failed: ${error.message}\n${stderr}`))
        return
      }
      resolve([...stdout.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((match) => match[1] as string))
    })
  })
}
