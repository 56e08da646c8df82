// The Fetch-API handler on its own, with real Request objects (Node 20's undici): what it
// answers, what it passes on, and what it does when the health object fails.
import { createHealth } from '@healthz/core'
import { createFetchHandler } from '@healthz/fetch'
import { describe, expect, it } from 'vitest'
import { pathOf } from '../src/handler.js'

const url = (path: string): string => `http://127.0.0.1:8080${path}`

describe('createFetchHandler', () => {
  it('answers the probes with health+json, HEAD without a body, 405 with Allow, per-check paths and ?exclude', async () => {
    const health = createHealth({
      readiness: [
        { name: 'db', run: () => undefined },
        { name: 'flaky', cache: 0, run: () => { throw new Error('flaky down') } },
      ],
      shutdown: { signals: false },
    })
    health.markStarted()
    const handle = createFetchHandler(health)
    const live = await handle(new Request(url('/livez')))
    expect(live?.status).toBe(200)
    expect(live?.headers.get('content-type')).toBe('application/health+json')
    expect(live?.headers.get('cache-control')).toBe('no-store')
    expect(await live?.json()).toMatchObject({ status: 'pass' })
    expect((await handle(new Request(url('/readyz'))))?.status).toBe(503)
    expect((await handle(new Request(url('/readyz/db'))))?.status).toBe(200)
    expect((await handle(new Request(url('/readyz/nope'))))?.status).toBe(404)
    const excluded = await handle(new Request(url('/readyz?exclude=flaky')))
    expect(excluded?.status).toBe(200)
    expect(await excluded?.text()).toContain('excluded: flaky')
    const head = await handle(new Request(url('/livez'), { method: 'HEAD' }))
    expect(head?.status).toBe(200)
    expect(head?.body).toBeNull()
    expect(Number(head?.headers.get('content-length'))).toBeGreaterThan(0)
    const post = await handle(new Request(url('/livez'), { method: 'POST' }))
    expect(post?.status).toBe(405)
    expect(post?.headers.get('allow')).toBe('GET, HEAD')
  })

  it('resolves undefined for every other request, and answers the fast path from memory', async () => {
    let runs = 0
    const health = createHealth({ readiness: [{ name: 'db', cache: 60_000, run: () => void (runs += 1) }], shutdown: { signals: false } })
    health.markStarted()
    const handle = createFetchHandler(health)
    for (const path of ['/', '/orders', '/livezz', '/health/livez']) expect(await handle(new Request(url(path))), path).toBeUndefined()
    const answers = await Promise.all(Array.from({ length: 20 }, () => handle(new Request(url('/readyz')))))
    expect(answers.map((answer) => answer?.status)).toEqual(answers.map(() => 200))
    const bodies = await Promise.all(answers.map((answer) => answer?.text()))
    expect(new Set(bodies).size).toBe(1)
    expect(runs).toBe(1)
  })

  it('passes the request headers to a details policy', async () => {
    const health = createHealth({
      readiness: [{ name: 'db', cache: 0, run: () => { throw new Error('connection refused') } }],
      details: (request) => request.headers?.['x-token'] === 'secret',
      shutdown: { signals: false },
    })
    health.markStarted()
    const handle = createFetchHandler(health)
    expect(await (await handle(new Request(url('/readyz'))))?.text()).not.toContain('connection refused')
    expect(await (await handle(new Request(url('/readyz'), { headers: { 'X-Token': 'secret' } })))?.text()).toContain('connection refused')
  })

  it('answers 500 and reports to onError when the health object throws', async () => {
    const health = createHealth({ shutdown: { signals: false } })
    const errors: Error[] = []
    const handle = createFetchHandler(health, { onError: (error) => void errors.push(error) })
    health.handle = () => Promise.reject(new Error('boom'))
    const answer = await handle(new Request(url('/readyz')))
    expect(answer?.status).toBe(500)
    expect(await answer?.text()).toBe('internal error while probing\n')
    expect(errors.map((error) => error.message)).toEqual(['boom'])
  })

  it('refuses a wrong health object and unknown options, saying how to fix it', () => {
    const health = createHealth({ shutdown: { signals: false } })
    expect(() => createFetchHandler({} as never)).toThrow(/createFetchHandler expects the object createHealth\(\) returns/)
    expect(() => createFetchHandler(health, { onEror: () => undefined } as never)).toThrow(/onEror/)
    expect(() => createFetchHandler(health, { onError: 'log' } as never)).toThrow(/onError/)
  })

  it('takes the path and query from an absolute URL', () => {
    expect(pathOf('http://a:1/readyz?exclude=x')).toBe('/readyz?exclude=x')
    expect(pathOf('http://a:1/livez#top')).toBe('/livez')
    expect(pathOf('https://a.example')).toBe('/')
    expect(pathOf('https://a.example?x=1')).toBe('/?x=1')
    expect(pathOf('/startupz')).toBe('/startupz')
  })
})
