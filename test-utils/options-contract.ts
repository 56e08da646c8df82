// The options contract of a framework adapter (issue 13, items 4, 6 and 7): its middleware
// factory and its listen() refuse keys they do not declare (with a "did you mean") and wrong
// types, and listen() refuses them before anything listens. One suite, run by every adapter
// that has these two entry points.
import { afterEach, describe, expect, it } from 'vitest'

/** What the suite needs of a health object (test-utils does not resolve @healthz/core itself). */
interface Health {
  close(): void
}

/** What an adapter hands the suite. */
export interface OptionsContract {
  /** The package, for test names. */
  name: string
  createHealthMiddleware: (health: never, options?: never) => unknown
  listen: (app: never, health: never, options?: never) => unknown
  /** A fresh application of the framework. */
  app: () => unknown
  /** A fresh health object: no runtime monitor, no signal handlers. */
  health: () => Health
}

/** TCP servers this process holds open (listening or about to). */
const listeningServers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap').length

export function describeOptionsContract(adapter: OptionsContract): void {
  const healths: Health[] = []
  afterEach(() => {
    for (const health of healths.splice(0)) health.close()
  })
  const make = (): Health => {
    const health = adapter.health()
    healths.push(health)
    return health
  }

  describe(`issue-13 item 6: ${adapter.name} refuses unknown option keys and wrong types`, () => {
    it('issue-13 item 6: createHealthMiddleware refuses onEror with a did-you-mean', () => {
      expect(() => adapter.createHealthMiddleware(make() as never, { onEror: () => undefined } as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/^createHealthMiddleware: unknown option "onEror"; did you mean "onError"\?/) }),
      )
    })

    it("issue-13 item 6: createHealthMiddleware refuses onError: 'log'", () => {
      expect(() => adapter.createHealthMiddleware(make() as never, { onError: 'log' } as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/onError must be a function/) }),
      )
    })

    const cases: Array<[string, object, RegExp]> = [
      ['prot', { prot: 8080 }, /^listen: unknown option "prot"; did you mean "port"\?/],
      ['drian', { drian: false }, /^listen: unknown option "drian"; did you mean "drain"\?/],
      ['port: 70000', { port: 70_000 }, /^listen port must be a whole number from 0 to 65535, got 70000\.$/],
      ['host: 8080', { host: 8080 }, /host must be a host name or address, got 8080/],
      ["onError: 'log'", { onError: 'log' }, /onError must be a function/],
      ["drain: 'no'", { drain: 'no' }, /drain must be true or false/],
    ]
    it.each(cases)('issue-13 item 6: listen refuses %s before the app listens', (_name, options, message) => {
      const before = listeningServers()
      expect(() => adapter.listen(adapter.app() as never, make() as never, options as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(message) }),
      )
      expect(listeningServers()).toBe(before) // thrown before any server was created or bound
    })
  })
}

/**
 * Asserts that `run` throws healthz's misconfiguration error (`code: 'INVALID_OPTION'`, a
 * `HealthzError`) with a message matching `message`.
 */
export function expectInvalidOption(run: () => unknown, message: RegExp): void {
  let thrown: unknown
  try {
    run()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(Error)
  expect((thrown as Error).name).toBe('HealthzError')
  expect((thrown as { code?: unknown }).code).toBe('INVALID_OPTION')
  expect((thrown as Error).message).toMatch(message)
}
