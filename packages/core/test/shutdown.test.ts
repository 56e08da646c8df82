import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import type { Health, HealthChangeEvent, HealthJson } from '@healthz/core'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllEnvs()
})

function started(shutdown: NonNullable<Parameters<typeof createHealth>[0]>['shutdown'] = {}, onError = vi.fn()): Health {
  const health = createHealth({
    readiness: [defineCheck({ name: 'db', run: () => undefined })],
    shutdown: { signals: false, ...shutdown },
    onError,
  })
  health.markStarted()
  return health
}

describe('shutdown sequence', () => {
  it('fails readiness at once with draining, keeps liveness passing, and moves running → draining → closing → stopped', async () => {
    const health = started({ drainDelay: 10_000, gracePeriod: 5000 })
    const phases: string[] = []
    health.on('change', (event: HealthChangeEvent) => {
      if (event.type === 'phase') phases.push(`${event.previous}->${event.current}`)
    })
    const closing = vi.fn()
    health.onClosing(closing)
    expect((await health.handle({ path: '/readyz' }))?.status).toBe(200)

    const done = health.shutdown()
    expect(health.phase).toBe('draining')
    const readiness = await health.handle({ path: '/readyz' })
    expect(readiness?.status).toBe(503)
    expect(JSON.parse(readiness?.body ?? '') as HealthJson).toMatchObject({ status: 'fail', notes: ['draining'], output: 'draining: shutting down' })
    expect((await health.handle({ path: '/livez' }))?.status).toBe(200)
    expect((await health.handle({ path: '/startupz' }))?.status).toBe(200)

    await vi.advanceTimersByTimeAsync(9999)
    expect(closing).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(closing).toHaveBeenCalledWith({ gracePeriod: 5000 })
    expect(await done).toEqual({ reason: 'shutdown()', failedHooks: [], closeFailures: 0, exitCode: 0 })
    expect(health.phase).toBe('stopped')
    expect(phases).toEqual(['running->draining', 'draining->closing', 'closing->stopped'])
    expect((await health.handle({ path: '/livez' }))?.status).toBe(200)
    expect((await health.handle({ path: '/readyz' }))?.status).toBe(503)
  })

  it('is idempotent', async () => {
    const health = started()
    const first = health.shutdown()
    expect(health.shutdown()).toBe(first)
    await first
  })

  it('waits for closers (servers draining) before the hooks, and bounds a closer that never ends', async () => {
    const health = started({ drainDelay: 0, gracePeriod: 2000 })
    const order: string[] = []
    health.onClosing(() => new Promise(() => undefined)) // a closer that ignores its grace period
    health.onShutdown(() => void order.push('pool'))
    const done = health.shutdown()
    await vi.advanceTimersByTimeAsync(2999)
    expect(order).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    await done
    expect(order).toEqual(['pool'])
  })

  it('runs hooks in reverse order of registration, cuts a hanging one at its timeout, logs failures and goes on', async () => {
    const onError = vi.fn()
    const health = started({ hookTimeout: 1000 }, onError)
    const order: string[] = []
    health.onShutdown(() => void order.push('logger'), { name: 'logger' })
    health.onShutdown(() => Promise.reject('pool exploded'), { name: 'pool' })
    health.onShutdown(() => new Promise(() => order.push('hangs')), { name: 'hangs', timeout: 300 })
    health.onShutdown(() => {
      throw new Error('sync boom')
    }, { name: 'throws' })
    const removed = health.onShutdown(() => void order.push('removed'))
    removed()

    const done = health.shutdown()
    await vi.advanceTimersByTimeAsync(300)
    const result = await done
    expect(order).toEqual(['hangs', 'logger'])
    expect(result).toEqual({ reason: 'shutdown()', failedHooks: ['throws', 'hangs', 'pool'], closeFailures: 0, exitCode: 1 })
    const messages = onError.mock.calls.map(([error]) => (error as Error).message)
    expect(messages).toEqual([
      'onShutdown hook "throws" failed: sync boom; continuing',
      'onShutdown hook "hangs" failed: timed out after 300 ms; continuing',
      'onShutdown hook "pool" failed: pool exploded; continuing',
    ])
    expect(onError.mock.calls.every(([error]) => (error as { code: string }).code === 'SHUTDOWN_HOOK_FAILED')).toBe(true)
  })

  it('stops background check loops once stopped', async () => {
    let runs = 0
    const health = createHealth({
      readiness: [defineCheck({ name: 'bg', interval: 1000, jitter: 0, run: () => void runs++ })],
      shutdown: { signals: false },
    })
    await vi.advanceTimersByTimeAsync(0)
    await health.shutdown()
    const after = runs
    await vi.advanceTimersByTimeAsync(10_000)
    expect(runs).toBe(after)
  })
})

describe('signals', () => {
  it('a signal during a shutdown the application started joins it; only a second signal forces the exit', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never)
    try {
      const health = createHealth({ shutdown: { signals: ['SIGUSR2'], exit: false, drainDelay: 5000 }, onError: () => undefined })
      const done = health.shutdown()
      process.emit('SIGUSR2')
      expect(exit).not.toHaveBeenCalled()
      await vi.advanceTimersByTimeAsync(500)
      process.emit('SIGUSR2')
      expect(exit).toHaveBeenCalledWith(128 + 12)
      await vi.advanceTimersByTimeAsync(4500)
      await done
    } finally {
      exit.mockRestore()
    }
  })

  it('the same signal twice within 500 ms is one signal delivered twice (Ctrl-C under npm or pnpm), not a second one', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never)
    const onError = vi.fn()
    try {
      const health = createHealth({ shutdown: { signals: ['SIGUSR2', 'SIGHUP'], exit: false, drainDelay: 5000 }, onError })
      const phases: string[] = []
      health.on('change', (event) => {
        if (event.type === 'phase') phases.push(event.current)
      })
      process.emit('SIGUSR2') // to the process group
      process.emit('SIGUSR2') // forwarded by the package manager
      await vi.advanceTimersByTimeAsync(499)
      process.emit('SIGUSR2')
      expect(exit).not.toHaveBeenCalled()
      expect(onError).not.toHaveBeenCalled()
      // Another signal, however soon, is a second signal.
      process.emit('SIGHUP')
      expect(exit).toHaveBeenCalledWith(128 + 1)
      expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'SHUTDOWN_FORCED' }))
      await vi.advanceTimersByTimeAsync(5000)
      expect(phases).toEqual(['draining', 'closing', 'stopped'])
    } finally {
      exit.mockRestore()
    }
  })

  it('a failing closer (a server that destroyed busy connections) makes the exit code 1', async () => {
    const onError = vi.fn()
    const health = started({}, onError)
    health.onClosing(() => Promise.reject(new Error('2 connection(s) destroyed')))
    expect(await health.shutdown()).toMatchObject({ closeFailures: 1, exitCode: 1 })
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'SERVER_CLOSE_FAILED' }))
  })
})

describe('shutdown configuration', () => {
  it('defaults drainDelay to 10 s on Kubernetes and 0 elsewhere', async () => {
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '')
    const local = started()
    const closing = vi.fn()
    local.onClosing(closing)
    void local.shutdown()
    await vi.advanceTimersByTimeAsync(0)
    expect(closing).toHaveBeenCalled()

    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.96.0.1')
    const pod = started()
    const podClosing = vi.fn()
    pod.onClosing(podClosing)
    void pod.shutdown()
    await vi.advanceTimersByTimeAsync(9999)
    expect(podClosing).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(podClosing).toHaveBeenCalled()
  })

  it('warns once at start-up when the phases exceed terminationGracePeriodSeconds, naming what to change', () => {
    const warnings: Error[] = []
    const onWarning = (warning: Error): void => void warnings.push(warning)
    process.on('warning', onWarning)
    const emit = vi.spyOn(process, 'emitWarning')
    try {
      const health = started({ drainDelay: 15_000, gracePeriod: 10_000, hookTimeout: 5000 })
      expect(emit).not.toHaveBeenCalled() // 25 s fits in 30 s
      health.onShutdown(() => undefined)
      health.onShutdown(() => undefined)
      expect(emit).toHaveBeenCalledTimes(1)
      const [message, options] = emit.mock.calls[0] as [string, { code: string }]
      expect(options.code).toBe('HEALTHZ_SHUTDOWN_BUDGET')
      expect(message).toContain('35000 ms')
      expect(message).toContain('terminationGracePeriodSeconds')
      health.onShutdown(() => undefined)
      expect(emit).toHaveBeenCalledTimes(1)
    } finally {
      emit.mockRestore()
      process.off('warning', onWarning)
    }
  })

  it('refuses bad options at construction', () => {
    expect(() => started({ drainDelay: -1 })).toThrowError(/shutdown.drainDelay must be/)
    expect(() => started({ signals: ['SIGNOPE' as NodeJS.Signals] })).toThrowError(/shutdown.signals must be/)
    expect(() => started({ signals: ['SIGKILL'] })).toThrowError(/shutdown.signals must be/)
    expect(() => started({ terminationGracePeriodSeconds: 0 })).toThrowError(/terminationGracePeriodSeconds must be/)
    expect(() => started().onShutdown('close' as never)).toThrowError(/onShutdown expects a function/)
  })

  it('shares one process listener per signal however many health objects exist', () => {
    const before = process.listenerCount('SIGTERM')
    const healths = Array.from({ length: 20 }, () => createHealth({}))
    expect(process.listenerCount('SIGTERM')).toBe(Math.max(before, 1))
    for (const health of healths) health.close()
    expect(process.listenerCount('SIGTERM')).toBe(before)
  })
})
