import { describe, expect, it } from 'vitest'
import { assertKnownOptions, countOption, describeValue, durationOption, functionOption, MAX_DURATION_MS, optionKeys } from '../src/index.js'

describe('the one option validator', () => {
  it('refuses an unknown key with the nearest known one as a suggestion', () => {
    expect(() => assertKnownOptions({ readyness: [] }, ['liveness', 'readiness', 'startup'], 'createHealth')).toThrow(
      /createHealth: unknown option "readyness"; did you mean "readiness"\?/,
    )
    expect(() => assertKnownOptions({ drainDelayMs: 1 }, ['drainDelay', 'gracePeriod'], 'shutdown')).toThrow(/did you mean "drainDelay"/)
    expect(() => assertKnownOptions({ timout: 1 }, ['timeout', 'cache'], 'defineCheck')).toThrow(/did you mean "timeout"/)
    expect(() => assertKnownOptions({ ready: '/ready' }, ['liveness', 'readiness', 'startup'], 'paths')).toThrow(/did you mean "readiness"/)
    expect(() => assertKnownOptions({ serv: 'controller' }, ['service', 'serve'], 'forRoot')).toThrow(/did you mean "serve"/)
  })

  it('lists the known keys when nothing is near', () => {
    expect(() => assertKnownOptions({ zzzzzzzz: 1 }, ['a', 'b'], 'x')).toThrow(/known options: a, b/)
  })

  it('accepts known keys and refuses what is not an options object', () => {
    expect(assertKnownOptions({ a: 1 }, ['a'], 'x')).toEqual({ a: 1 })
    expect(() => assertKnownOptions([], ['a'], 'x')).toThrow(/expects an options object, got an array/)
    expect(() => assertKnownOptions('yes', ['a'], 'x')).toThrow(/got "yes"/)
  })

  it('caps durations at the longest a Node timer holds', () => {
    expect(durationOption(MAX_DURATION_MS, 0, 'd')).toBe(MAX_DURATION_MS)
    expect(() => durationOption(3e9, 0, 'shutdown.drainDelay', { zero: true })).toThrow(/shutdown.drainDelay must be a number of milliseconds from 0 up to 2147483647/)
    expect(() => durationOption(0, 0, 'timeout')).toThrow(/above 0/)
    expect(durationOption(0, 5, 'cache', { zero: true })).toBe(0)
    expect(durationOption(undefined, 5, 'cache')).toBe(5)
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, '100', null]) expect(() => durationOption(bad, 0, 'd', { zero: true })).toThrow()
  })

  it('takes whole numbers in range', () => {
    expect(countOption(3, 1, 'n')).toBe(3)
    expect(() => countOption(1.5, 1, 'n')).toThrow(/whole number of at least 1, got 1.5/)
    expect(() => countOption(11, 1, 'n', { min: 0, max: 10 })).toThrow(/from 0 to 10/)
  })

  it('echoes at most a short piece of a bad value', () => {
    const message = (() => {
      try {
        durationOption('x'.repeat(10_000), 0, 'd')
      } catch (error) {
        return (error as Error).message
      }
      return ''
    })()
    expect(message.length).toBeLessThan(300)
    expect(message).toContain('(10002 characters)')
    expect(describeValue({ toJSON() { throw new Error('no') } })).toBe('[object Object]')
    expect(describeValue(() => 1)).toMatch(/^function/)
  })

  it('takes a function or nothing, and names the expected signature otherwise', () => {
    const log = (): void => undefined
    expect(functionOption(log, 'onError', '(error) => void')).toBe(log)
    expect(functionOption(undefined, 'onError', '(error) => void')).toBeUndefined()
    expect(() => functionOption('log' as never, 'onError', '(error) => void')).toThrow(/onError must be a function \(error\) => void, got "log"/)
  })

  it('lists the keys of an OptionKeys record', () => {
    expect(optionKeys<{ a?: number; b: string }>({ a: true, b: true })).toEqual(['a', 'b'])
  })
})
