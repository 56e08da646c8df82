// issue 13 items 8, 9 and 10: whatever a check returns or throws stays inside its own result.
// runCheck never rejects, a probe never rejects, and every output is a bounded string.
import { runInNewContext } from 'node:vm'
import { describe, expect, it, vi } from 'vitest'
import { createHealth, defineCheck, runCheck } from '@healthz/core'
import type { CheckOptions, CheckResult } from '@healthz/core'

type Run = () => unknown

/** Answers /readyz once through handle(), with details shown, and returns status and body. */
async function readyz(run: Run, options: Partial<CheckOptions> = {}) {
  const onError = vi.fn()
  const health = createHealth({
    readiness: [defineCheck({ name: 'db', ...options, run: run as CheckOptions['run'] })],
    details: 'always',
    runtime: false,
    onError,
  })
  health.markStarted()
  const response = await health.handle({ path: '/readyz' })
  health.close()
  expect(response).toBeDefined()
  const body = JSON.parse(response?.body ?? '') as { status: string; checks: Record<string, Array<{ status: string; output?: unknown }>> }
  return { status: response?.status, body, entry: body.checks['db:responseTime']?.[0], onError }
}

/** The result is a proper CheckResult: a fail with a bounded string output and an Error. */
function expectCleanFail(result: CheckResult): void {
  expect(result.status).toBe('fail')
  expect(result.error).not.toMatchObject({ code: 'CHECK_TIMEOUT' }) // failed at once, not at the deadline
  expect(typeof result.output).toBe('string')
  expect(result.error).toBeInstanceOf(Error)
  expect(typeof result.error?.message).toBe('string')
  expect(() => JSON.stringify(result.output)).not.toThrow()
}

describe('issue-13 item 8: a check that returns an Error instead of throwing it fails', () => {
  it('issue-13 item 8: a returned Error fails with MALFORMED_RESULT, and the output says it was returned rather than thrown', async () => {
    const result = await runCheck({ name: 'db', run: async () => new Error('database is down') as never })
    expect(result.status).toBe('fail')
    expect(result.error).toMatchObject({ code: 'MALFORMED_RESULT' })
    expect(result.output).toMatch(/returned an Error instead of throwing it: database is down/)
    expect((result.error as Error & { cause?: unknown }).cause).toBeInstanceOf(Error)
  })

  it.each([
    ['a TypeError returned synchronously', () => new TypeError('bad input')],
    ['an Error from another realm', () => runInNewContext('new Error("from a vm")')],
    ['an Error with enumerable properties (as drivers build them)', () => Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED', errno: -111 })],
    ['an AggregateError', () => new AggregateError([new Error('a')], 'all failed')],
  ])('issue-13 item 8: %s fails with MALFORMED_RESULT', async (_what, run) => {
    const result = await runCheck({ name: 'db', run: run as never })
    expectCleanFail(result)
    expect(result.error).toMatchObject({ code: 'MALFORMED_RESULT' })
    expect(result.output).toMatch(/returned an Error instead of throwing it/)
  })

  it('issue-13 item 8: /readyz answers 503 and shows the returned error with details: always', async () => {
    const { status, entry } = await readyz(async () => new Error('database is down'))
    expect(status).toBe(503)
    expect(entry).toMatchObject({ status: 'fail' })
    expect(entry?.output).toMatch(/returned an Error instead of throwing it: database is down/)
  })
})

describe('issue-13 item 9: nothing a check returns escapes its own result', () => {
  const throwing = (): never => {
    throw new Error('lazy')
  }
  const cases: Array<[string, Run]> = [
    ['a throwing observedValue getter', () => ({ get observedValue() { return throwing() } })],
    ['a throwing status getter', () => ({ get status() { return throwing() } })],
    ['a throwing output getter', () => ({ get output() { return throwing() } })],
    ['a throwing observedUnit getter', () => ({ get observedUnit() { return throwing() } })],
    ['a throwing getter, returned through a promise', async () => ({ get observedValue() { return throwing() } })],
    ['a Proxy whose ownKeys trap throws', () => new Proxy({}, { ownKeys: throwing })],
    ['a Proxy whose get trap throws', () => new Proxy({ status: 'pass' }, { get: throwing })],
    ['a Proxy whose getPrototypeOf trap throws', () => new Proxy({}, { getPrototypeOf: throwing })],
    ['a revoked Proxy', () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy }],
    ['an object whose then getter throws', () => ({ get then() { return throwing() } })],
    ['a BigInt observedValue', () => ({ observedValue: 10n })],
    ['a circular observedValue', () => { const value: Record<string, unknown> = {}; value.self = value; return { observedValue: value } }],
    ['a Symbol observedValue', () => ({ observedValue: Symbol('x') })],
    ['a getter that throws a non-Error', () => ({ get output() { throw Symbol('weird') } })],
  ]

  it.each(cases)('issue-13 item 9: %s makes runCheck resolve with fail (never reject)', async (_what, run) => {
    const result = await runCheck({ name: 'db', run: run as never })
    expectCleanFail(result)
  })

  it.each(cases)('issue-13 item 9: %s in a critical: false check reads warn with 200', async (_what, run) => {
    const { status, body, entry } = await readyz(run, { critical: false })
    expect(status).toBe(200)
    expect(body.status).toBe('warn')
    expect(entry?.status).toBe('warn')
    expect(typeof entry?.output).toBe('string')
    expect(entry?.output).not.toMatch(/timed out/) // at once, not at the deadline
  })

  it('issue-13 item 9: a throwing observedValue getter is named in the output', async () => {
    const result = await runCheck({ name: 'db', run: (() => ({ get observedValue() { return throwing() } })) as never })
    expect(result.error).toMatchObject({ code: 'MALFORMED_RESULT' })
    expect(result.output).toMatch(/threw while it was read: lazy/)
  })

  it('issue-13 item 9: each field of a returned object is read once, so what was checked is what is reported', async () => {
    let reads = 0
    const result = await runCheck({
      name: 'db',
      run: (() => ({
        get status() {
          reads += 1
          return reads === 1 ? 'warn' : 'bogus'
        },
      })) as never,
    })
    expect(result.status).toBe('warn')
    expect(reads).toBe(1)
  })

  it('issue-13 item 9: a huge output, observedValue or thrown message is cut to a bounded length', async () => {
    const huge = 'x'.repeat(5_000_000)
    for (const run of [() => ({ status: 'warn', output: huge }), () => ({ observedValue: huge }), () => { throw new Error(huge) }, () => ({ observedUnit: huge })]) {
      const result = await runCheck({ name: 'db', run: run as never })
      expect(String(result.output ?? '').length).toBeLessThanOrEqual(4096)
      expect(String(result.observedValue).length).toBeLessThanOrEqual(4096)
      expect(String(result.observedUnit ?? '').length).toBeLessThanOrEqual(4096)
    }
    const { entry } = await readyz(() => ({ status: 'warn', output: huge }))
    expect(String(entry?.output).length).toBeLessThanOrEqual(4096)
    expect(entry?.output).toMatch(/… \(\d+ more characters\)$/)
  })
})

describe('issue-13 item 10: any thrown value becomes a string output', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['an Error whose message is a number', () => Object.assign(new Error(), { message: 42 }), /42/],
    ['an Error whose message is an object', () => Object.assign(new Error(), { message: { code: 7 } }), /\{"code":7\}/],
    ['an Error whose message getter throws', () => Object.defineProperty(new Error(), 'message', { get: () => { throw new Error('inner') } }), /unreadable/],
    ['an Error whose name is not a string and message empty', () => Object.assign(new Error(''), { name: 12 }), /Error/],
    ['null', () => null, /rejected with null/],
    ['undefined', () => undefined, /rejected with undefined/],
    ['a number', () => 42, /rejected with a non-Error value: 42/],
    ['a Symbol', () => Symbol('boom'), /Symbol\(boom\)/],
    ['a BigInt', () => 10n, /10/],
    ['an object with a throwing toString', () => ({ toString: () => { throw new Error('no') }, reason: 'x' }), /reason/],
    ['an object with a throwing toJSON and toString', () => ({ toJSON: () => { throw new Error('no') }, toString: () => { throw new Error('no') } }), /non-Error value/],
    ['an object whose message getter throws', () => ({ get message() { throw new Error('no') } }), /non-Error value/],
    ['an object with a numeric message', () => ({ message: 5 }), /5/],
    ['a circular object', () => { const value: Record<string, unknown> = {}; value.self = value; return value }, /non-Error value/],
    ['a Proxy that throws on every trap', () => new Proxy({}, new Proxy({}, { get: () => () => { throw new Error('trap') } })), /non-Error value/],
    ['a function', () => function named() {}, /non-Error value/],
  ]

  it.each(cases)('issue-13 item 10: a check rejecting with %s fails with a string output', async (_what, value, output) => {
    const result = await runCheck({ name: 'db', run: () => Promise.reject(value()) })
    expectCleanFail(result)
    expect(result.output).toMatch(output)
  })

  it.each(cases)('issue-13 item 10: a check throwing %s answers 503 with details: always, without reaching onError', async (_what, value) => {
    const { status, entry, onError } = await readyz(() => {
      throw value()
    })
    expect(status).toBe(503)
    expect(typeof entry?.output).toBe('string')
    expect(onError).not.toHaveBeenCalled()
  })
})
