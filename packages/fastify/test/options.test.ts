// The plugin's options, checked when it is registered (Fastify's construction time), on Fastify 5
// and 4.19: `fastify.register()` rejects with a HealthzError (INVALID_OPTION) that says what is
// wrong and how to fix it, and nothing listens.
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { healthz } from '@healthz/fastify'
import type { FastifyHealthOptions } from '@healthz/fastify'
import { versions } from './app.js'

const healths: Health[] = []
afterEach(() => {
  for (const health of healths.splice(0)) health.close()
})
const health = (): Health => {
  const created = createHealth({ runtime: false, shutdown: { signals: false } })
  healths.push(created)
  return created
}

/** TCP servers this process holds open. */
const listeningServers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap').length

const cases: Array<[string, () => unknown, RegExp]> = [
  ['no options', () => undefined, /^@healthz\/fastify: options\.health must be the object createHealth\(\) returns, as in fastify\.register\(healthz, \{ health: createHealth/],
  ['no health', () => ({ serve: 'server' }), /options\.health must be the object createHealth\(\) returns.*got undefined\.$/],
  ['a health that is not one', () => ({ health: { status: 'ok' } }), /options\.health must be the object createHealth\(\) returns.*got \{"status":"ok"\}\.$/],
  ['helth', () => ({ health: health(), helth: true }), /^@healthz\/fastify: unknown option "helth"; did you mean "health"\?/],
  ['serv', () => ({ health: health(), serv: 'route' }), /^@healthz\/fastify: unknown option "serv"; did you mean "serve"\?/],
  ["serve: 'routes'", () => ({ health: health(), serve: 'routes' }), /^@healthz\/fastify: serve must be one of 'server', 'route', got "routes"\. Did you mean 'route'\?$/],
  ["drain: 'no'", () => ({ health: health(), drain: 'no' }), /^@healthz\/fastify: drain must be true or false, got "no"\.$/],
  ["onError: 'log'", () => ({ health: health(), onError: 'log' }), /^@healthz\/fastify: onError must be a function \(error\) => void, got "log"\.$/],
  ["the register option prefix", () => ({ health: health(), prefix: '/health' }), /prefix does not apply to this plugin.*Set the prefix on the health object instead: createHealth\(\{ prefix: "\/health" \}\)\.$/],
]

describe.each(versions)('%s', (_name, Fastify) => {
  it.each(cases)('register() rejects %s with INVALID_OPTION before anything listens', async (_case, options, message) => {
    const before = listeningServers()
    const app = Fastify()
    let error: (Error & { code?: string; name: string }) | undefined
    try {
      await app.register(healthz, options() as FastifyHealthOptions)
      await app.listen({ port: 0, host: '127.0.0.1' })
    } catch (thrown) {
      error = thrown as Error & { code?: string }
    }
    expect(error?.name).toBe('HealthzError')
    expect(error?.code).toBe('INVALID_OPTION')
    expect(error?.message).toMatch(message)
    expect(listeningServers()).toBe(before)
    await app.close()
  })
})

describe('Fastify 5 over HTTP/2', () => {
  it('register() rejects Fastify({ http2: true }) with INVALID_OPTION and points at a health server of its own', async () => {
    const Fastify = versions[0]?.[1]
    if (Fastify === undefined) throw new Error('no Fastify 5')
    const app = Fastify({ http2: true } as never)
    const error = await Promise.resolve(app.register(healthz, { health: health() })).then(
      () => undefined,
      (thrown: unknown) => thrown as Error & { code?: string },
    )
    expect(error?.code).toBe('INVALID_OPTION')
    expect(error?.message).toMatch(/Fastify\(\{ http2: true \}\) is not supported.*createHealthServer of @healthz\/http/)
    await app.close()
  })
})
