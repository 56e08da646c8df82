// checks.test.ts: testing check definitions and probe rules with vitest.
import { afterEach, expect, test, vi } from 'vitest'
import { createHealth, defineCheck, runCheck } from '@healthz/core'
import type { Clock } from '@healthz/core'

afterEach(() => {
  vi.useRealTimers()
})

test('a check passes and reports what it measured', async () => {
  const queue = defineCheck({
    name: 'queue-depth',
    kind: 'process',
    run: () => ({ observedValue: 12, observedUnit: 'jobs' }),
  })
  const result = await runCheck(queue)
  expect(result).toMatchObject({ status: 'pass', observedValue: 12, observedUnit: 'jobs' })
})

test('a hung check fails at its deadline, with its signal aborted', async () => {
  vi.useFakeTimers() // systemClock reads Date.now and setTimeout at call time
  let aborted = false
  const hung = defineCheck({
    name: 'hung',
    timeout: 500,
    run: ({ signal }) =>
      new Promise<void>(() => {
        signal.addEventListener('abort', () => (aborted = true))
      }),
  })
  const pending = runCheck(hung)
  await vi.advanceTimersByTimeAsync(500)
  const result = await pending
  expect(result.status).toBe('fail')
  expect(result.error).toMatchObject({ code: 'CHECK_TIMEOUT' })
  expect(aborted).toBe(true)
})

/** A clock that moves only when the test says so. */
function manualClock(): { clock: Clock; advance: (ms: number) => void } {
  let now = 0
  const timers = new Set<{ at: number; callback: () => void }>()
  const clock: Clock = {
    now: () => now,
    schedule(callback, ms) {
      const timer = { at: now + ms, callback }
      timers.add(timer)
      return () => timers.delete(timer)
    },
  }
  const advance = (ms: number): void => {
    now += ms
    for (const timer of [...timers]) {
      if (timer.at <= now) {
        timers.delete(timer)
        timer.callback()
      }
    }
  }
  return { clock, advance }
}

test('a probe storm costs one run per cache window', async () => {
  const { clock, advance } = manualClock()
  let runs = 0
  const db = defineCheck({ name: 'db', cache: 1000, run: () => void runs++ })
  const health = createHealth({ clock, readiness: [db] })
  health.markStarted()

  await Promise.all(Array.from({ length: 100 }, () => health.probe('readiness')))
  expect(runs).toBe(1)
  advance(999)
  await health.probe('readiness')
  expect(runs).toBe(1)
  advance(1)
  await health.probe('readiness')
  expect(runs).toBe(2)
})

test('readiness answers 503 until started, liveness 200', async () => {
  const health = createHealth({ readiness: [defineCheck({ name: 'db', run: () => {} })] })
  expect((await health.handle({ path: '/livez' }))?.status).toBe(200)
  expect((await health.handle({ path: '/readyz' }))?.status).toBe(503)
  health.markStarted()
  expect((await health.handle({ path: '/readyz' }))?.status).toBe(200)
})
