import { describe, expect, it } from 'vitest'
import { createHealth, defineCheck, isHealthzError } from '@healthz/core'

const run = (): void => undefined

describe('defineCheck', () => {
  it('fills in the documented defaults, by kind', () => {
    const dependency = defineCheck({ name: 'postgres', run })
    expect(dependency).toMatchObject({
      kind: 'dependency',
      componentType: 'component',
      measurement: 'responseTime',
      timeout: 500,
      cache: 1000,
      critical: true,
      failureThreshold: 1,
      successThreshold: 1,
      interval: undefined,
      maxAge: undefined,
    })
    expect(defineCheck({ name: 'heap', kind: 'process', run }).cache).toBe(0)
    expect(defineCheck({ name: 'bg', interval: 5000, timeout: 300, run }).maxAge).toBe(10_300)
    expect(Object.isFrozen(dependency)).toBe(true)
  })

  it.each([
    ['', 'is invalid'],
    ['Postgres', 'is invalid'],
    ['orders db', 'is invalid'],
    ['db:primary', 'is invalid'],
    ['-db', 'is invalid'],
    ['x'.repeat(64), 'is invalid'],
  ])('refuses the name %j', (name, message) => {
    expect(() => defineCheck({ name, run })).toThrowError(message)
  })

  it('accepts names made of lower-case letters, digits, dash, underscore and dot', () => {
    for (const name of ['postgres', 'orders-db', 'redis_2', 'api.v1', '0']) {
      expect(defineCheck({ name, run }).name).toBe(name)
    }
  })

  it.each([
    [{ run: undefined }, 'has no run function'],
    [{ kind: 'database' }, "has kind \"database\""],
    [{ timeout: 0 }, 'timeout must be a number of milliseconds above 0'],
    [{ timeout: Number.NaN }, 'timeout must be'],
    [{ cache: -1 }, 'cache must be'],
    [{ interval: 0 }, 'interval must be'],
    [{ maxAge: 1000 }, 'maxAge applies to background checks only'],
    [{ jitter: 1 }, 'jitter must be a fraction'],
    [{ critical: 'yes' }, 'critical must be true or false'],
    [{ failureThreshold: 0 }, 'failureThreshold must be a whole number'],
    [{ successThreshold: 1.5 }, 'successThreshold must be a whole number'],
    [{ measurement: 'a:b' }, "must not contain ':'"],
    [{ componentType: '' }, 'componentType must be a non-empty string'],
  ])('refuses %j with a message that says what to change', (bad, message) => {
    let caught: unknown
    try {
      defineCheck({ name: 'db', run, ...(bad as object) } as Parameters<typeof defineCheck>[0])
    } catch (error) {
      caught = error
    }
    expect(isHealthzError(caught)).toBe(true)
    expect((caught as Error).message).toContain(message)
    expect((caught as { code: string }).code).toBe('INVALID_CHECK')
  })

  it('is idempotent: a definition passes through unchanged', () => {
    const check = defineCheck({ name: 'postgres', run })
    expect(defineCheck(check)).toBe(check)
  })
})

describe('createHealth construction', () => {
  it('refuses a dependency check in liveness, explaining the cascading restart and pointing at readiness', () => {
    const postgres = defineCheck({ name: 'postgres', run })
    let caught: unknown
    try {
      createHealth({ liveness: [postgres] })
    } catch (error) {
      caught = error
    }
    expect(isHealthzError(caught) && caught.code).toBe('DEPENDENCY_IN_LIVENESS')
    const message = (caught as Error).message
    expect(message).toContain('"postgres"')
    expect(message).toMatch(/restart/)
    expect(message).toMatch(/every replica/)
    expect(message).toContain('readiness')
    expect(message).toContain("kind: 'process'")
  })

  it('accepts process checks in liveness and the same definition in several probes', () => {
    const heap = defineCheck({ name: 'heap', kind: 'process', run })
    expect(() => createHealth({ liveness: [heap], readiness: [heap], startup: [heap] })).not.toThrow()
  })

  it('refuses two different checks with one name', () => {
    const a = defineCheck({ name: 'db', run })
    const b = defineCheck({ name: 'db', run })
    expect(() => createHealth({ readiness: [a], startup: [b] })).toThrowError(/Two different checks are named "db"/)
  })

  it('says which entry is wrong when a list holds something that is not a check', () => {
    expect(() => createHealth({ readiness: [defineCheck({ name: 'a', run }), null as never] })).toThrowError(/readiness\[1\] is not a check/)
    expect(() => createHealth({ readiness: [{ name: 'Bad Name', run }] })).toThrowError(/readiness\[0\]: Check name "Bad Name" is invalid/)
    expect(() => createHealth({ readiness: 'postgres' as never })).toThrowError(/readiness must be an array/)
  })

  it('refuses clashing or malformed paths and prefixes', () => {
    expect(() => createHealth({ paths: { liveness: '/health', readiness: '/health' } })).toThrowError(/separate paths/)
    expect(() => createHealth({ paths: { readiness: 'readyz' } })).toThrowError(/paths.readiness must be a path/)
    expect(() => createHealth({ prefix: 'health' })).toThrowError(/prefix must be/)
    expect(() => createHealth({ details: 'sometimes' as never })).toThrowError(/details must be/)
  })
})
