// issue 13 item 5: a deadline that someone awaits holds the process open; background work
// does not. Real child processes running a plain ESM script with top-level await, against the
// built package (run `pnpm build` first).
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createHealth, defineCheck, runCheck } from '@healthz/core'
import type { Clock } from '@healthz/core'

const FIXTURE = fileURLToPath(new URL('./fixtures/awaited-deadline.mjs', import.meta.url))
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url))

interface Exit {
  code: number | null
  stdout: string
  stderr: string
  wall: number
}

function runScript(mode: string): Promise<Exit> {
  const started = Date.now()
  return new Promise((resolve) => {
    execFile(process.execPath, [FIXTURE], { env: { ...process.env, MODE: mode }, timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
      resolve({ code, stdout, stderr, wall: Date.now() - started })
    })
  })
}

function line(exit: Exit): Record<string, unknown> {
  expect(exit.stdout.trim(), `no report; exit ${exit.code}; stderr: ${exit.stderr}`).not.toBe('')
  return JSON.parse(exit.stdout.trim()) as Record<string, unknown>
}

describe('issue-13 item 5: an awaited deadline holds the process open', () => {
  it('the built package exists', () => {
    expect(existsSync(DIST), 'build the package first (pnpm --filter @healthz/core build)').toBe(true)
  })

  it('issue-13 item 5: top-level await of runCheck on a hung check exits 0 with a fail report at the deadline', async () => {
    const exit = await runScript('runCheck')
    expect(exit.code, exit.stderr).toBe(0) // before the fix: 13, unsettled top-level await, no report
    const report = line(exit)
    expect(report).toMatchObject({ status: 'fail', code: 'CHECK_TIMEOUT' })
    expect(report.elapsed).toBeGreaterThanOrEqual(290)
  })

  it('issue-13 item 5: top-level await of health.probe on a hung check exits 0 with a fail report at the deadline', async () => {
    const exit = await runScript('probe')
    expect(exit.code, exit.stderr).toBe(0)
    expect(line(exit)).toMatchObject({ status: 'fail', code: 'CHECK_TIMEOUT' })
  })

  it('issue-13 item 5: a probe that joins a background run holds the process open until that run\'s deadline', async () => {
    const exit = await runScript('probe-joins-background')
    expect(exit.code, exit.stderr).toBe(0)
    expect(line(exit)).toMatchObject({ status: 'fail', code: 'CHECK_TIMEOUT' })
  })

  it('issue-13 item 5: a health object with background loops, watchdogs and a runtime monitor, not closed, does not keep the process alive', async () => {
    const exit = await runScript('idle')
    expect(exit.code, exit.stderr).toBe(0)
    expect(line(exit)).toMatchObject({ status: 'pass' })
    expect(exit.wall).toBeLessThan(10_000) // the interval is 60 s and the watchdog's timeout 60 s
  })

  it('issue-13 item 5: a hung background run nobody awaits does not hold the process open to its deadline', async () => {
    const exit = await runScript('background-only')
    expect(exit.code, exit.stderr).toBe(0)
    expect(line(exit)).toHaveProperty('elapsed')
    expect(exit.wall).toBeLessThan(10_000)
  })
})

describe('issue-13 item 5: which deadlines ask the clock to keep the process alive', () => {
  /** A clock that records each schedule call's keepAlive option and runs nothing. */
  function recordingClock(): { clock: Clock; calls: Array<{ ms: number; keepAlive: boolean; cancelled: boolean }> } {
    const calls: Array<{ ms: number; keepAlive: boolean; cancelled: boolean }> = []
    const clock: Clock = {
      now: () => 1_000,
      schedule(_callback, ms, options) {
        const call = { ms, keepAlive: options?.keepAlive === true, cancelled: false }
        calls.push(call)
        return () => {
          call.cancelled = true
        }
      },
    }
    return { clock, calls }
  }
  const hung = { name: 'hung', timeout: 300, run: () => new Promise<void>(() => undefined) }

  it('issue-13 item 5: runCheck and a probe schedule their deadline with keepAlive', () => {
    const { clock, calls } = recordingClock()
    void runCheck(hung, { clock })
    const health = createHealth({ clock, readiness: [defineCheck(hung)], runtime: false })
    health.markStarted()
    void health.probe('readiness')
    expect(calls.filter((call) => call.ms === 300)).toEqual([
      { ms: 300, keepAlive: true, cancelled: false },
      { ms: 300, keepAlive: true, cancelled: false },
    ])
  })

  it('issue-13 item 5: a background run schedules its deadline without keepAlive, and a probe joining it upgrades it', () => {
    const { clock, calls } = recordingClock()
    let firstTick: (() => void) | undefined
    const capture: Clock = {
      now: clock.now,
      schedule(callback, ms, options) {
        if (ms === 0) firstTick ??= callback
        return clock.schedule(callback, ms, options)
      },
    }
    const health = createHealth({ clock: capture, readiness: [defineCheck({ ...hung, interval: 60_000 })], runtime: false })
    health.markStarted()
    expect(calls).toEqual([{ ms: 0, keepAlive: false, cancelled: false }]) // the background loop's first tick
    calls.length = 0
    firstTick?.() // the recording clock runs nothing by itself
    expect(calls).toEqual([{ ms: 300, keepAlive: false, cancelled: false }])
    void health.probe('readiness')
    expect(calls).toEqual([
      { ms: 300, keepAlive: false, cancelled: true },
      { ms: 300, keepAlive: true, cancelled: false },
    ])
    health.close()
  })
})
