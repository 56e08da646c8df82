// issue 13 item 5, for the emitter: a deadline that someone awaits holds the process open.
// `await emitter.stop()` in a plain script with a hung transport must end with the send
// timed out, not with Node's exit 13 ("unsettled top-level await") and nothing reported.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const FIXTURE = fileURLToPath(new URL('./fixtures/awaited-stop.mjs', import.meta.url))
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url))

function run(mode: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [FIXTURE], { env: { ...process.env, MODE: mode }, timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr })
    })
  })
}

describe('issue-13 item 5: await emitter.stop() holds the process open until its sends settle or time out', () => {
  it('the built package exists', () => {
    expect(existsSync(DIST), 'build the package first (pnpm --filter @healthz/heartbeat build)').toBe(true)
  })

  for (const [mode, what] of [
    ['in-flight', 'a beat in flight on a hung transport'],
    ['leave', 'the leaving beat on a hung transport'],
  ] as const) {
    it(`with ${what}: exits 0 with the send counted as failed, not 13`, async () => {
      const exit = await run(mode)
      expect(exit.code, exit.stderr).toBe(0)
      const report = JSON.parse(exit.stdout.trim()) as { stats: { failed: number } }
      expect(report.stats.failed).toBeGreaterThanOrEqual(1)
    })
  }
})
