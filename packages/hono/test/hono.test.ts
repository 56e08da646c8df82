// The middleware on its own, with real Request objects through app.fetch: what it refuses, and
// that it answers probes ahead of every other middleware (logger, secure headers, auth) of both
// ends of the peer range.
import { Hono } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { logger } from 'hono/logger'
import { secureHeaders } from 'hono/secure-headers'
import { Hono as Hono4v0 } from 'hono4'
import { bearerAuth as bearerAuth4v0 } from 'hono4/bearer-auth'
import { logger as logger4v0 } from 'hono4/logger'
import { secureHeaders as secureHeaders4v0 } from 'hono4/secure-headers'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { createHealthMiddleware } from '@healthz/hono'
import { afterEach, describe, expect, it } from 'vitest'

const healths: Health[] = []
afterEach(() => {
  for (const health of healths.splice(0)) health.close()
})
function healthOf(): Health {
  const health = createHealth({ readiness: [{ name: 'db', run: () => undefined }], shutdown: { signals: false }, runtime: false })
  healths.push(health)
  return health
}
const request = (path: string, init?: RequestInit): Request => new Request(`http://127.0.0.1${path}`, init)

describe('createHealthMiddleware', () => {
  it('refuses unknown and wrong options, saying how to fix them', () => {
    const health = healthOf()
    expect(() => createHealthMiddleware(health, { onEror: () => undefined } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/^createHealthMiddleware: unknown option "onEror"; did you mean "onError"\?/) }),
    )
    expect(() => createHealthMiddleware(health, { onError: 'log' } as never)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/onError must be a function/) }))
    expect(() => createHealthMiddleware({} as never)).toThrow(/expects the object createHealth\(\) returns/)
  })

  // Each version with its own middleware: an HTTPException of one copy of hono is not the other's.
  const versions = [
    ['Hono 4.13', { Hono, logger, secureHeaders, bearerAuth }],
    ['Hono 4.0', { Hono: Hono4v0, logger: logger4v0, secureHeaders: secureHeaders4v0, bearerAuth: bearerAuth4v0 } as unknown as { Hono: typeof Hono; logger: typeof logger; secureHeaders: typeof secureHeaders; bearerAuth: typeof bearerAuth }],
  ] as const
  for (const [name, { Hono: HonoOf, logger, secureHeaders, bearerAuth }] of versions) {
    it(`${name}: probes pass no other middleware (logger, secure headers, bearer auth); the rest falls through`, async () => {
      const health = healthOf()
      health.markStarted()
      const logged: string[] = []
      const app = new HonoOf()
      app.use(createHealthMiddleware(health))
      app.use(logger((line) => void logged.push(line)))
      app.use(secureHeaders())
      app.use(bearerAuth({ token: 'secret' }))
      app.get('/orders', (c) => c.json({ orders: [] }))
      for (const path of ['/livez', '/readyz', '/readyz/db', '/startupz']) {
        const answer = await app.fetch(request(path))
        expect(answer.status, path).toBe(200)
        expect(answer.headers.get('content-type')).toBe('application/health+json')
        expect(answer.headers.get('x-content-type-options'), 'secureHeaders saw it').toBeNull()
      }
      expect((await app.fetch(request('/livez', { method: 'HEAD' }))).body).toBeNull()
      expect((await app.fetch(request('/livez', { method: 'DELETE' }))).headers.get('allow')).toBe('GET, HEAD')
      expect(logged).toEqual([])
      const denied = await app.fetch(request('/orders'))
      expect(denied.status).toBe(401)
      expect(denied.headers.get('x-content-type-options')).toBe('nosniff')
      const allowed = await app.fetch(request('/orders', { headers: { authorization: 'Bearer secret' } }))
      expect(await allowed.json()).toEqual({ orders: [] })
      expect((await app.fetch(request('/missing', { headers: { authorization: 'Bearer secret' } }))).status).toBe(404)
      expect(logged.length).toBe(6) // three requests, in and out
    })
  }

  it('answers 500 through onError when the health object fails', async () => {
    const health = healthOf()
    health.handle = () => Promise.reject(new Error('boom'))
    const errors: string[] = []
    const app = new Hono()
    app.use(createHealthMiddleware(health, { onError: (error) => void errors.push(error.message) }))
    const answer = await app.fetch(request('/readyz'))
    expect(answer.status).toBe(500)
    expect(errors).toEqual(['boom'])
  })
})
