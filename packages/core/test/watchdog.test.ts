import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'

let health: Health | undefined
beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  health?.close()
  health = undefined
  vi.useRealTimers()
})

function started(options: Parameters<typeof createHealth>[0] = {}): Health {
  health = createHealth({ shutdown: { signals: false }, ...options })
  health.markStarted()
  return health
}

const liveness = async (h: Health) => (await h.handle({ path: '/livez' }))?.status

describe('watchdog', () => {
  it('fails liveness when it stops ticking past its timeout and recovers on the next tick', async () => {
    const h = started()
    const consumer = h.watchdog('consumer', { timeout: 30_000 })
    expect(await liveness(h)).toBe(200)
    await vi.advanceTimersByTimeAsync(20_000)
    consumer.tick()
    await vi.advanceTimersByTimeAsync(30_000)
    expect(await liveness(h)).toBe(200) // exactly at the timeout: still fine
    await vi.advanceTimersByTimeAsync(1)
    expect(await liveness(h)).toBe(503)
    const report = await h.probe('liveness')
    expect(report.checks[0]).toMatchObject({ name: 'consumer', status: 'fail', output: 'not ticked for 30001 ms (timeout 30000 ms)' })
    consumer.tick()
    expect(await liveness(h)).toBe(200)
  })

  it('is removed from liveness by stop(), and refuses a duplicate name or a missing timeout', async () => {
    const h = started()
    const loop = h.watchdog('loop', { timeout: 1000 })
    await vi.advanceTimersByTimeAsync(5000)
    expect(await liveness(h)).toBe(503)
    loop.stop()
    expect(await liveness(h)).toBe(200)
    h.watchdog('again', { timeout: 1000 })
    expect(() => h.watchdog('again', { timeout: 1000 })).toThrowError(/already exists/)
    expect(() => h.watchdog('x', {} as never)).toThrowError(/needs \{ timeout \}/)
  })
})

describe('event-loop stall check', () => {
  /** What a blocked event loop looks like from inside: time jumps, and the timers run late. */
  async function block(ms: number): Promise<void> {
    vi.setSystemTime(Date.now() + ms)
    await vi.advanceTimersByTimeAsync(0)
  }

  it('is off unless asked for', async () => {
    const h = started()
    expect((await h.probe('liveness')).checks).toHaveLength(0)
  })

  it('never fails liveness on one slow tick, however long', async () => {
    const h = started({ runtime: { stall: { threshold: 1000, window: 10_000, sampleInterval: 500 } } })
    await vi.advanceTimersByTimeAsync(2000)
    await block(15_000)
    await vi.advanceTimersByTimeAsync(500) // the late sample arrives
    expect(await liveness(h)).toBe(200)
    await block(1100) // and one more late sample right after: still not a sustained stall
    await vi.advanceTimersByTimeAsync(500)
    expect(await liveness(h)).toBe(200)
    await vi.advanceTimersByTimeAsync(500)
    expect(await liveness(h)).toBe(200)
  })

  it('fails liveness on a sustained stall, and recovers when the loop does', async () => {
    const h = started({ runtime: { stall: { threshold: 1000, window: 10_000, sampleInterval: 500 } } })
    await vi.advanceTimersByTimeAsync(1000)
    // Every sample comes 1.5 s late, for 6 s of samples: not yet the 10 s window.
    for (let i = 0; i < 3; i += 1) {
      await block(1500)
      await vi.advanceTimersByTimeAsync(500)
    }
    expect(await liveness(h)).toBe(200)
    for (let i = 0; i < 3; i += 1) {
      await block(1500)
      await vi.advanceTimersByTimeAsync(500)
    }
    expect(await liveness(h)).toBe(503)
    const report = await h.probe('liveness')
    expect(report.checks[0]?.name).toBe('event-loop')
    expect(report.checks[0]?.output).toMatch(/event loop lagging over 1000 ms for \d+ ms \(window 10000 ms\)/)
    await vi.advanceTimersByTimeAsync(500) // an on-time sample
    expect(await liveness(h)).toBe(200)
  })

  it('reports the worst pause it saw', async () => {
    const h = started({ runtime: { stall: true } })
    await vi.advanceTimersByTimeAsync(500)
    await block(2500)
    await vi.advanceTimersByTimeAsync(500) // the late sample sees the lag
    expect(h.runtime?.stats().worstPause).toBeGreaterThanOrEqual(2500)
  })
})

describe('runtime monitor', () => {
  it('measures real event-loop delay and GC pauses, and stops cleanly', async () => {
    vi.useRealTimers()
    const h = started()
    await new Promise((resolve) => setTimeout(resolve, 30)) // let the histogram take its first samples
    const until = Date.now() + 60
    while (Date.now() < until) {
      // a deliberately slow tick
    }
    await new Promise((resolve) => setTimeout(resolve, 30))
    const stats = h.runtime?.stats()
    expect(stats?.eventLoopDelay.max).toBeGreaterThanOrEqual(40)
    expect(stats?.worstPause).toBeGreaterThanOrEqual(stats?.eventLoopDelay.max ?? Infinity)
    expect(stats?.gc.count).toBeGreaterThanOrEqual(0)
    h.close()
    expect(h.runtime?.stats().worstPause).toBeGreaterThanOrEqual(40)
  })

  it('shows its figures in verbose liveness output only', async () => {
    const h = started()
    const plain = JSON.parse((await h.handle({ path: '/livez' }))?.body ?? '') as { checks?: object }
    expect(plain.checks).toBeUndefined()
    const off = JSON.parse((await h.handle({ path: '/livez?verbose=false' }))?.body ?? '') as { checks?: object }
    expect(off.checks).toBeUndefined()
    const verbose = JSON.parse((await h.handle({ path: '/livez?verbose' }))?.body ?? '') as { checks: Record<string, unknown> }
    expect(Object.keys(verbose.checks)).toEqual([
      'event-loop:delayP50',
      'event-loop:delayP99',
      'event-loop:delayMax',
      'gc:pauseP99',
      'gc:pauseMax',
      'runtime:worstPause',
    ])
    expect(verbose.checks['runtime:worstPause']).toEqual([expect.objectContaining({ observedUnit: 'ms', status: 'pass' })])
    const readiness = JSON.parse((await h.handle({ path: '/readyz?verbose' }))?.body ?? '') as { checks?: object }
    expect(readiness.checks).toBeUndefined()
  })

  it('is absent with runtime: false, and refuses bad options', () => {
    expect(started({ runtime: false }).runtime).toBeUndefined()
    expect(() => createHealth({ shutdown: { signals: false }, runtime: { stall: { window: -1 } } })).toThrowError(/runtime.stall.window must be/)
  })
})
