import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHealth, defineCheck, runCheck } from '@healthz/core'
import type { HealthChangeEvent } from '@healthz/core'
import { countedCheck, deferred } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

function started(options: Parameters<typeof createHealth>[0]) {
  const health = createHealth(options)
  health.markStarted()
  return health
}

describe('single flight', () => {
  it('1,000 concurrent readiness probes against a 200 ms check cause exactly one run', async () => {
    const slow = countedCheck('slow', () => new Promise<void>((resolve) => setTimeout(resolve, 200)))
    const health = started({ readiness: [slow] })
    const probes = Array.from({ length: 1000 }, () => health.probe('readiness'))
    await vi.advanceTimersByTimeAsync(200)
    const reports = await Promise.all(probes)
    expect(slow.calls).toBe(1)
    expect(reports.every((report) => report.status === 'pass')).toBe(true)
  })

  it('shares the in-flight run even with cache: 0, and runs again once it settled', async () => {
    const slow = countedCheck('slow', () => new Promise<void>((resolve) => setTimeout(resolve, 100)), { cache: 0 })
    const health = started({ readiness: [slow] })
    const first = [health.probe('readiness'), health.probe('readiness')]
    await vi.advanceTimersByTimeAsync(100)
    await Promise.all(first)
    expect(slow.calls).toBe(1)
    const second = health.probe('readiness')
    await vi.advanceTimersByTimeAsync(100)
    await second
    expect(slow.calls).toBe(2)
  })
})

describe('deadline', () => {
  it('a check that never settles fails at its deadline, with its signal aborted, and is not started again while pending', async () => {
    let signal: AbortSignal | undefined
    const never = countedCheck('never', (context) => {
      signal = context.signal
      return new Promise<void>(() => undefined)
    }, { timeout: 300, cache: 0 })
    const health = started({ readiness: [never] })

    const pending = health.probe('readiness')
    let settled = false
    void pending.then(() => {
      settled = true
    })
    await vi.advanceTimersByTimeAsync(299)
    expect(settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    const report = await pending
    expect(report.status).toBe('fail')
    expect(report.checks[0]?.output).toBe('timed out after 300 ms (the check did not settle before its deadline)')
    expect(report.checks[0]?.error).toMatchObject({ code: 'CHECK_TIMEOUT' })
    expect(signal?.aborted).toBe(true)

    for (let i = 0; i < 10; i += 1) {
      await vi.advanceTimersByTimeAsync(1000)
      const again = await health.probe('readiness')
      expect(again.status).toBe('fail')
      expect(again.checks[0]?.error).toMatchObject({ code: 'CHECK_STALLED' })
      expect(again.checks[0]?.output).toMatch(/still running \d+ ms after it started \(deadline 300 ms\); not started again until it settles/)
    }
    expect(never.calls).toBe(1)
  })

  it('starts the check again once the overdue run finally settles', async () => {
    const late = deferred()
    const check = countedCheck('late', () => late.promise, { timeout: 100, cache: 0 })
    const health = started({ readiness: [check] })
    const first = health.probe('readiness')
    await vi.advanceTimersByTimeAsync(100)
    expect((await first).status).toBe('fail')
    late.resolve()
    await vi.advanceTimersByTimeAsync(0)
    check.behave(() => undefined)
    expect((await health.probe('readiness')).status).toBe('pass')
    expect(check.calls).toBe(2)
  })

  it('an answer that arrives after the deadline does not overwrite the deadline failure', async () => {
    const late = deferred()
    const check = countedCheck('late', () => late.promise, { timeout: 100 })
    const health = started({ readiness: [check] })
    const first = health.probe('readiness')
    await vi.advanceTimersByTimeAsync(100)
    late.resolve()
    await vi.advanceTimersByTimeAsync(0)
    expect((await first).status).toBe('fail')
    expect((await health.probe('readiness')).status).toBe('fail') // still cached from the deadline
  })
})

describe('bad checks never crash the process', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['throws synchronously', () => { throw new Error('boom') }, /^boom$/],
    ['rejects with a string', () => Promise.reject('database is down'), /^database is down$/],
    ['rejects with undefined', () => Promise.reject(undefined), /rejected with undefined/],
    ['rejects with null', () => Promise.reject(null), /rejected with null/],
    ['rejects with a plain object', () => Promise.reject({ reason: 'nope', errno: 3 }), /rejected with a non-Error value: \{"reason":"nope","errno":3\}/],
    ['throws a number', () => { throw 42 }, /rejected with a non-Error value: 42/],
    ['returns false', () => false, /returned boolean false; return nothing to pass, throw to fail/],
    ['returns a string', () => 'ok', /returned string "ok"/],
    ['returns an unknown key', () => ({ ok: true }), /unknown key "ok"/],
    ['returns a bad status', () => Promise.resolve({ status: 'down' }), /status "down" \(expected 'pass', 'warn' or 'fail'\)/],
    ['returns an object as observedValue', () => ({ observedValue: { a: 1 } }), /observedValue of type object/],
  ]

  it.each(cases)('a check that %s is reported as fail with a readable output', async (_what, behaviour, output) => {
    const unhandled = vi.fn()
    process.on('unhandledRejection', unhandled)
    try {
      const health = started({ readiness: [defineCheck({ name: 'bad', run: behaviour as never })] })
      const report = await health.probe('readiness')
      expect(report.status).toBe('fail')
      expect(report.checks[0]?.output).toMatch(output)
      expect(report.checks[0]?.error).toBeInstanceOf(Error)
      await vi.advanceTimersByTimeAsync(1000)
      expect(unhandled).not.toHaveBeenCalled()
    } finally {
      process.off('unhandledRejection', unhandled)
    }
  })

  it('a check may return a warn or fail outcome with its own observed value', async () => {
    const disk = defineCheck({
      name: 'disk',
      kind: 'process',
      measurement: 'utilization',
      run: () => ({ status: 'warn', observedValue: 91, observedUnit: 'percent', output: 'disk 91% full' }),
    })
    const result = await runCheck(disk)
    expect(result).toMatchObject({ status: 'warn', observedValue: 91, observedUnit: 'percent', output: 'disk 91% full' })
  })
})

describe('cache', () => {
  it('reuses a result for `cache` ms, then runs again', async () => {
    const check = countedCheck('db', () => undefined, { cache: 1000 })
    const health = started({ readiness: [check] })
    await health.probe('readiness')
    await vi.advanceTimersByTimeAsync(999)
    await health.probe('readiness')
    expect(check.calls).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    await health.probe('readiness')
    expect(check.calls).toBe(2)
  })

  it('runs a process check (cache 0) on every probe', async () => {
    const check = countedCheck('heap', () => undefined, { kind: 'process' })
    const health = started({ liveness: [check] })
    await health.probe('liveness')
    await health.probe('liveness')
    expect(check.calls).toBe(2)
  })
})

describe('background interval', () => {
  it('runs on a timer so probes only read memory, and fails a result older than maxAge', async () => {
    const check = countedCheck('queue', () => undefined, { interval: 1000, jitter: 0, maxAge: 2500 })
    const health = started({ readiness: [check] })
    await vi.advanceTimersByTimeAsync(0)
    expect(check.calls).toBe(1)
    await vi.advanceTimersByTimeAsync(3000)
    expect(check.calls).toBe(4)
    for (let i = 0; i < 5; i += 1) await health.probe('readiness')
    expect(check.calls).toBe(4)
    expect((await health.probe('readiness')).status).toBe('pass')

    health.close() // the loop stops; the last result ages past maxAge
    await vi.advanceTimersByTimeAsync(2501)
    const report = await health.probe('readiness')
    expect(report.status).toBe('fail')
    expect(report.checks[0]?.error).toMatchObject({ code: 'STALE_RESULT' })
    expect(check.calls).toBe(4)
  })

  it('jitters the wait within ±jitter of the interval', async () => {
    const check = countedCheck('queue', () => undefined, { interval: 1000, jitter: 0.5 })
    const random = vi.spyOn(Math, 'random').mockReturnValue(0) // shortest wait: 500 ms
    try {
      started({ readiness: [check] })
      await vi.advanceTimersByTimeAsync(0)
      await vi.advanceTimersByTimeAsync(500)
      expect(check.calls).toBe(2)
    } finally {
      random.mockRestore()
    }
  })
})

describe('flap thresholds and change events', () => {
  it('needs failureThreshold consecutive failures to report fail and successThreshold passes to recover', async () => {
    const check = countedCheck('db', () => undefined, { cache: 0, failureThreshold: 3, successThreshold: 2 })
    const health = started({ readiness: [check] })
    const events: HealthChangeEvent[] = []
    health.on('change', (event) => events.push(event))
    const status = async () => (await health.probe('readiness')).status

    expect(await status()).toBe('pass')
    check.behave(() => {
      throw new Error('down')
    })
    expect(await status()).toBe('pass')
    expect(await status()).toBe('pass')
    expect(await status()).toBe('fail')
    check.behave(() => undefined)
    expect(await status()).toBe('fail')
    expect(await status()).toBe('pass')

    const transitions = events.filter((event) => event.type === 'check').map((event) => `${event.previous}->${event.current}`)
    expect(transitions).toEqual(['undefined->pass', 'pass->fail', 'fail->pass'])
    const probes = events.filter((event) => event.type === 'probe').map((event) => `${event.previous}->${event.current}`)
    expect(probes).toEqual(['undefined->pass', 'pass->fail', 'fail->pass'])
  })

  it('fires listeners on transitions only, and a throwing listener goes to onError', async () => {
    const onError = vi.fn()
    const check = countedCheck('db', () => undefined, { cache: 0 })
    const health = started({ readiness: [check], onError })
    const listener = vi.fn(() => {
      throw new Error('listener bug')
    })
    const off = health.on('change', listener)
    for (let i = 0; i < 5; i += 1) await health.probe('readiness')
    expect(listener).toHaveBeenCalledTimes(2) // check undefined->pass, probe undefined->pass
    expect(onError).toHaveBeenCalledTimes(2)
    off()
    check.behave(() => Promise.reject(new Error('x')))
    await health.probe('readiness')
    expect(listener).toHaveBeenCalledTimes(2)
  })
})

describe('runCheck', () => {
  it('runs a definition once with its deadline, for users testing their own checks', async () => {
    const check = defineCheck({ name: 'hangs', timeout: 50, run: () => new Promise<void>(() => undefined) })
    const result = runCheck(check)
    await vi.advanceTimersByTimeAsync(50)
    expect(await result).toMatchObject({ name: 'hangs', status: 'fail', duration: 50, error: { code: 'CHECK_TIMEOUT' } })
    expect(await runCheck({ name: 'ok', run: () => undefined })).toMatchObject({ status: 'pass', observedUnit: 'ms' })
  })
})
