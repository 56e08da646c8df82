// Helpers for the check tests: random names so parallel runs never collide, and timing of runs.
import { randomBytes } from 'node:crypto'
import type { CheckDefinition, CheckResult } from '@healthz/core'
import { runCheck } from '@healthz/core'
import { expect } from 'vitest'

export const suffix = (): string => randomBytes(4).toString('hex')

/** ms of scheduling slack allowed past a deadline on a busy 2-core machine. */
export const SLACK = 150

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs a check once and says how long the run took in wall time. */
export async function timed(check: CheckDefinition): Promise<CheckResult & { elapsed: number }> {
  const started = performance.now()
  const result = await runCheck(check)
  return { ...result, elapsed: performance.now() - started }
}

/** Polls `probe` until it returns true or `ms` pass; returns the last value. */
export async function eventually(probe: () => boolean | Promise<boolean>, ms = 3000, step = 25): Promise<boolean> {
  const until = Date.now() + ms
  for (;;) {
    if (await probe()) return true
    if (Date.now() > until) return false
    await sleep(step)
  }
}

/** Runs a check `times` times in a row; each run must fail, within `deadline` ms (+ SLACK). */
export async function expectFailsWithin(check: CheckDefinition, deadline: number, times = 3): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    const result = await timed(check)
    expect(result.status).toBe('fail')
    expect(result.elapsed).toBeLessThan(deadline + SLACK)
  }
}
