// Issue 13, item 1: an answer evaluated across a change of phase or of the startup gate must
// describe the state after the change, and must never be remembered for the fast path.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import type { Health, HealthResponse } from '@healthz/core'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

const CHECK_MS = 300

/** A readiness check that takes CHECK_MS to pass, with the given cache window. */
function slowReadiness(cache: number, extra: Parameters<typeof createHealth>[0] = {}): Health {
  return createHealth({
    readiness: [defineCheck({ name: 'db', cache, run: () => new Promise<void>((resolve) => setTimeout(resolve, CHECK_MS)) })],
    shutdown: { signals: false, drainDelay: 10_000, gracePeriod: 1000 },
    runtime: false,
    ...extra,
  })
}

const status = (response: HealthResponse | undefined): number | undefined => response?.status

/** Lets `n` microtasks run, without moving the fake clock. */
async function microtasks(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await Promise.resolve()
}

describe('issue 13: readiness through a shutdown that starts while a check runs', () => {
  // Shorter than the drain delay, longer than it, and no cache at all.
  it.each([0, 1000, 60_000])('issue-13-readiness-503-when-drain-starts-mid-check (cache %i ms)', async (cache) => {
    const health = slowReadiness(cache)
    health.markStarted()
    const inFlight = health.handle({ path: '/readyz' })
    await vi.advanceTimersByTimeAsync(CHECK_MS / 2)
    const done = health.shutdown()
    expect(health.phase).toBe('draining')
    await vi.advanceTimersByTimeAsync(CHECK_MS)

    // The answer is written after draining began: it says so.
    const answer = await inFlight
    expect(status(answer)).toBe(503)
    expect(JSON.parse(answer?.body ?? '{}')).toMatchObject({ status: 'fail', notes: ['draining'] })
    // And nothing that passed is remembered for the fast path, for the whole drain delay.
    for (let elapsed = 0; elapsed < 10_000; elapsed += 250) {
      expect(status(health.handleCached({ path: '/readyz' })) ?? 503).toBe(503)
      expect(status(await health.handle({ path: '/readyz' }))).toBe(503)
      expect((await health.probe('readiness')).status).toBe('fail')
      await vi.advanceTimersByTimeAsync(250)
    }
    await vi.advanceTimersByTimeAsync(2000)
    await done
  })

  it('issue-13-readiness-never-remembers-a-pass-across-the-drain-start (every microtask after the check settles)', async () => {
    for (let offset = 0; offset < 30; offset += 1) {
      const health = slowReadiness(60_000)
      health.markStarted()
      const inFlight = health.handle({ path: '/readyz' })
      await vi.advanceTimersByTimeAsync(CHECK_MS - 1)
      vi.advanceTimersByTime(1) // the check settles; its continuations have not run yet
      await microtasks(offset)
      void health.shutdown()
      const answer = await inFlight
      // Started before the change, the caller may see either answer; the fast path never serves the pass.
      expect([200, 503]).toContain(status(answer))
      expect(status(health.handleCached({ path: '/readyz' })) ?? 503).toBe(503)
      expect(status(await health.handle({ path: '/readyz' }))).toBe(503)
      health.close()
    }
  })

  it('issue-13-readiness-never-remembers-starting-after-markStarted (every microtask of the evaluation)', async () => {
    for (let offset = 0; offset < 30; offset += 1) {
      const health = slowReadiness(60_000)
      const before = health.handle({ path: '/readyz' })
      const live = health.handle({ path: '/livez' })
      await microtasks(offset)
      health.markStarted()
      const settled = Promise.all([before, live])
      await vi.advanceTimersByTimeAsync(CHECK_MS)
      // Written after the gate opened, the first answer says so too (or was decided before it).
      expect([200, 503]).toContain(status(await before))
      await settled
      // Once started, readiness runs its check and passes; liveness no longer notes "starting".
      const ready = health.handle({ path: '/readyz' })
      await vi.advanceTimersByTimeAsync(CHECK_MS)
      expect(status(await ready)).toBe(200)
      expect(JSON.parse((await health.handle({ path: '/livez' }))?.body ?? '{}').notes ?? []).not.toContain('starting')
      health.close()
    }
  })
})
