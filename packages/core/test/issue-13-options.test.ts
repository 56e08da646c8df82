// Issue 13, items 4, 6 and 7 for @healthz/core: every duration is capped where a Node timer can
// hold it, every options object refuses keys it does not declare (with a "did you mean"), option
// types are checked at construction, and a bad value is echoed short.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHealth, createRuntimeMonitor, defineCheck, isHealthzError, runCheck, toHealthJson } from '@healthz/core'
import type { Health, HealthOptions } from '@healthz/core'

const healths: Health[] = []
function make(options: HealthOptions): Health {
  const shutdown = typeof options.shutdown === 'object' || options.shutdown === undefined ? { signals: false as const, ...options.shutdown } : options.shutdown
  const health = createHealth({ runtime: false, ...options, shutdown })
  healths.push(health)
  return health
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  for (const health of healths.splice(0)) health.close()
  vi.useRealTimers()
})

/** The error `run` throws (or the rejection of what it returns), for matching its code and message. */
function thrown(run: () => unknown): { code: string; message: string } {
  try {
    run()
  } catch (error) {
    expect(isHealthzError(error)).toBe(true)
    return error as { code: string; message: string }
  }
  throw new Error('expected a throw')
}

const check = defineCheck({ name: 'db', run: () => undefined })

describe('issue-13 item 6: unknown option keys are refused with a did-you-mean', () => {
  it('issue-13 item 6: createHealth refuses readyness with a did-you-mean', () => {
    const error = thrown(() => createHealth({ readyness: [check] } as HealthOptions))
    expect(error.code).toBe('INVALID_OPTION')
    expect(error.message).toMatch(/createHealth: unknown option "readyness"; did you mean "readiness"\?/)
  })

  const cases: Array<[string, () => unknown, RegExp]> = [
    ['createHealth paths', () => make({ paths: { ready: '/ready' } as never }), /paths: unknown option "ready"; did you mean "readiness"/],
    ['createHealth service', () => make({ service: { nmae: 'orders' } as never }), /service: unknown option "nmae"; did you mean "name"/],
    ['createHealth shutdown', () => make({ shutdown: { drainDelayMs: 5 } as never }), /shutdown: unknown option "drainDelayMs"; did you mean "drainDelay"/],
    ['createHealth runtime', () => make({ runtime: { windw: 1000 } as never }), /runtime: unknown option "windw"; did you mean "window"/],
    ['createHealth runtime.stall', () => make({ runtime: { stall: { treshold: 5 } } as never }), /runtime.stall: unknown option "treshold"; did you mean "threshold"/],
    ['runCheck', () => runCheck(check, { clok: undefined } as never), /runCheck: unknown option "clok"; did you mean "clock"/],
    ['createRuntimeMonitor', () => createRuntimeMonitor({ stal: true } as never), /createRuntimeMonitor: unknown option "stal"; did you mean "stall"/],
    ['health.watchdog', () => make({}).watchdog('loop', { timeout: 10, timout: 5 } as never), /watchdog "loop": unknown option "timout"; did you mean "timeout"/],
    ['health.onShutdown', () => make({}).onShutdown(() => undefined, { nmae: 'pool' } as never), /onShutdown: unknown option "nmae"; did you mean "name"/],
    ['toHealthJson', () => toHealthJson({ probe: 'liveness', status: 'pass', started: true, output: undefined, notes: [], checks: [], time: 0 }, { disclosure: true } as never), /toHealthJson: unknown option "disclosure"; did you mean "disclose"/],
  ]
  it.each(cases)('issue-13 item 6: %s refuses an unknown key with INVALID_OPTION and a suggestion', (_name, run, message) => {
    let error: unknown
    try {
      const result = run()
      // runCheck never throws: it reports; its options are checked before it starts.
      if (result instanceof Promise) return expect(result).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(message) })
    } catch (caught) {
      error = caught
    }
    expect(error).toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(message) })
  })

  it('issue-13 item 6: health.probe refuses an unknown option key', async () => {
    await expect(make({}).probe('liveness', { exlude: ['x'] } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/did you mean "exclude"/) })
  })

  it('issue-13 item 6: defineCheck refuses timout with a did-you-mean, keeping its code INVALID_CHECK, also for checks given as options', () => {
    expect(thrown(() => defineCheck({ name: 'x', run: () => undefined, timout: 5 } as never))).toMatchObject({
      code: 'INVALID_CHECK',
      message: expect.stringMatching(/^defineCheck: unknown option "timout"; did you mean "timeout"\?/),
    })
    expect(thrown(() => make({ readiness: [{ name: 'x', run: () => undefined, critcal: false } as never] }))).toMatchObject({
      code: 'INVALID_CHECK',
      message: expect.stringMatching(/^readiness\[0\]: defineCheck: unknown option "critcal"; did you mean "critical"\?/),
    })
  })

  it('issue-13 item 6: defineCheck still takes a defined check, or a spread of one', () => {
    expect(defineCheck(check)).toBe(check)
    const renamed = defineCheck({ ...check, name: 'db-2' })
    expect(renamed).toMatchObject({ name: 'db-2', timeout: check.timeout })
    expect(() => make({ readiness: [check, { ...check, name: 'db-3' }] })).not.toThrow()
  })
})

describe('issue-13 item 6: option types are checked at construction', () => {
  const cases: Array<[string, HealthOptions, RegExp]> = [
    ["service: 'orders'", { service: 'orders' as never }, /service must be an object like \{ name: 'orders', version: '2.14.0' \}/],
    ['service.version: 2', { service: { name: 'orders', version: 2 as never } }, /service.version must be a string, got 2/],
    ["onError: 'log'", { onError: 'log' as never }, /onError must be a function \(error\) => void, got "log"/],
    ["runtime: 'yes'", { runtime: 'yes' as never }, /runtime must be false or an options object/],
    ['runtime: true', { runtime: true as never }, /runtime must be false or an options object/],
    ["runtime.stall: 'on'", { runtime: { stall: 'on' as never } }, /runtime.stall must be true, false or an options object/],
    ['clock: {}', { clock: {} as never }, /clock must be an object with now\(\) and schedule\(callback, ms\) methods/],
    ["shutdown.exit: 'no'", { shutdown: { exit: 'no' as never } }, /shutdown.exit must be true or false/],
    ['shutdown: 5', { shutdown: 5 as never }, /shutdown expects an options object, got 5/],
  ]
  it.each(cases)('issue-13 item 6: createHealth refuses %s with INVALID_OPTION', (_name, options, message) => {
    expect(() => make(options)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(message) }))
  })

  it('issue-13 item 6: createRuntimeMonitor and runCheck refuse a clock without its methods', async () => {
    expect(() => createRuntimeMonitor({ clock: {} as never })).toThrow(/clock must be an object with now\(\) and schedule/)
    await expect(runCheck(check, { clock: { now: () => 0 } as never })).rejects.toMatchObject({ code: 'INVALID_OPTION' })
  })
})

describe('issue-13 item 6: an onError that throws never breaks the health object', () => {
  const throwingOnError = (): never => {
    throw new Error('the logger is down')
  }

  it('issue-13 item 6: markStarted() does not throw when a change listener and onError both throw', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const health = make({ onError: throwingOnError })
      health.on('change', () => {
        throw new Error('listener bug')
      })
      expect(() => health.markStarted()).not.toThrow()
      expect(health.started).toBe(true)
      expect(log).toHaveBeenCalled()
    } finally {
      log.mockRestore()
    }
  })

  it('issue-13 item 6: a signal still drains and exits 0 when a change listener and onError both throw', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never)
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const health = createHealth({ runtime: false, onError: throwingOnError, shutdown: { signals: ['SIGUSR2'], drainDelay: 100 } })
      healths.push(health)
      const phases: string[] = []
      health.on('change', (event) => {
        if (event.type === 'phase') phases.push(event.current)
        throw new Error('listener bug')
      })
      process.emit('SIGUSR2')
      await vi.advanceTimersByTimeAsync(200)
      expect(phases).toEqual(['draining', 'closing', 'stopped'])
      expect(exit).toHaveBeenCalledWith(0)
    } finally {
      exit.mockRestore()
      log.mockRestore()
    }
  })
})

describe('issue-13 item 4: durations beyond 2^31-1 ms are refused', () => {
  const cases: Array<[string, () => unknown]> = [
    ['shutdown.drainDelay', () => make({ shutdown: { drainDelay: 3e9 } })],
    ['shutdown.gracePeriod', () => make({ shutdown: { gracePeriod: 3e9 } })],
    ['shutdown.hookTimeout', () => make({ shutdown: { hookTimeout: 3e9 } })],
    ['onShutdown timeout', () => make({}).onShutdown(() => undefined, { timeout: 3e9 })],
    ['watchdog "loop": timeout', () => make({}).watchdog('loop', { timeout: 3e9 })],
    ['runtime.window', () => make({ runtime: { window: 3e9 } })],
    ['runtime.stall.threshold', () => make({ runtime: { stall: { threshold: 3e9 } } })],
    ['runtime.stall.window', () => make({ runtime: { stall: { window: 3e9 } } })],
    ['runtime.stall.sampleInterval', () => make({ runtime: { stall: { sampleInterval: 3e9 } } })],
    ['createRuntimeMonitor window', () => createRuntimeMonitor({ window: 3e9 })],
  ]
  it.each(cases)('issue-13 item 4: %s of 3e9 ms is refused with INVALID_OPTION and the one message', (what, run) => {
    const error = thrown(run)
    expect(error.code).toBe('INVALID_OPTION')
    expect(error.message).toContain(`must be a number of milliseconds`)
    expect(error.message).toContain('up to 2147483647 (about 24.8 days, the longest a Node timer holds), got 3000000000.')
    expect(error.message).toContain(what.replace('createRuntimeMonitor ', ''))
  })

  it.each(['timeout', 'cache', 'interval', 'maxAge'])('issue-13 item 4: check %s of 3e9 ms is refused with INVALID_CHECK and the one message', (key) => {
    const options = { name: 'x', run: () => undefined, ...(key === 'maxAge' ? { interval: 1000 } : {}), [key]: 3e9 }
    const error = thrown(() => defineCheck(options))
    expect(error.code).toBe('INVALID_CHECK')
    expect(error.message).toContain(`Check "x": ${key} must be a number of milliseconds`)
    expect(error.message).toContain('(about 24.8 days, the longest a Node timer holds), got 3000000000.')
  })

  it('issue-13 item 4: the longest timer Node holds is accepted', () => {
    expect(() => make({ shutdown: { drainDelay: 2_147_483_647, terminationGracePeriodSeconds: 3e6 } })).not.toThrow()
  })
})

describe('issue-13 item 7: values echoed in messages are cut short', () => {
  const huge = 'x'.repeat(10_000)
  const cases: Array<[string, () => unknown]> = [
    ['a check name', () => defineCheck({ name: huge, run: () => undefined })],
    ['a check kind', () => defineCheck({ name: 'x', kind: huge as never, run: () => undefined })],
    ['a componentType', () => defineCheck({ name: 'x', componentType: { huge } as never, run: () => undefined })],
    ['a prefix', () => make({ prefix: `/${huge}?` })],
    ['a probe path', () => make({ paths: { readiness: `/${huge} x` } })],
    ['details', () => make({ details: huge as never })],
    ['a watchdog name', () => make({}).watchdog(huge, { timeout: -1 })],
    ['a watchdog name in its check', () => make({}).watchdog(`Bad ${huge}`, { timeout: 1000 })],
    ['an unknown key', () => make({ [huge]: 1 } as never)],
    ['shutdown.signals', () => make({ shutdown: { signals: [huge as never] } })],
    ['shutdown.terminationGracePeriodSeconds', () => make({ shutdown: { terminationGracePeriodSeconds: huge as never } })],
  ]
  it.each(cases)('issue-13 item 7: %s of 10 kB is echoed in under 400 characters', (_name, run) => {
    const error = thrown(run)
    expect(error.message.length).toBeLessThan(400)
    expect(error.message).toMatch(/characters\)/)
  })
})
