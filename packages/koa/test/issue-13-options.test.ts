// Issue 13, items 4, 6 and 7 for @healthz/koa: the middleware and listen() refuse keys they
// do not declare (with a "did you mean") and wrong types, before anything listens.
import Koa from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { createHealthMiddleware, listen } from '@healthz/koa'

const healths: Health[] = []
afterEach(() => {
  for (const health of healths.splice(0)) health.close()
})

/** TCP servers this process holds open (listening or about to). */
const listeningServers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap').length

function make(): Health {
  const health = createHealth({ runtime: false, shutdown: { signals: false } })
  healths.push(health)
  return health
}

describe('issue-13 item 6: @healthz/koa refuses unknown option keys and wrong types', () => {
  it('issue-13 item 6: createHealthMiddleware refuses onEror with a did-you-mean', () => {
    expect(() => createHealthMiddleware(make(), { onEror: () => undefined } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/^createHealthMiddleware: unknown option "onEror"; did you mean "onError"\?/) }),
    )
  })

  it("issue-13 item 6: createHealthMiddleware refuses onError: 'log'", () => {
    expect(() => createHealthMiddleware(make(), { onError: 'log' as never })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/onError must be a function/) }))
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
    expect(() => listen(new Koa(), make(), options as never)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(message) }))
    expect(listeningServers()).toBe(before) // thrown before any server was created or bound
  })
})
