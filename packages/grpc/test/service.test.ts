// grpc.health.v1 Check, Watch and List over a real grpc-js 1.14 server and client on 127.0.0.1:0.
import * as grpc from '@grpc/grpc-js'
import { createHealth, defineCheck, isHealthzError } from '@healthz/core'
import type { Health } from '@healthz/core'
import { addHealthService } from '@healthz/grpc'
import { afterEach, describe, expect, it } from 'vitest'
import type { HealthClient, Started } from './helpers.js'
import { connect, startServer } from './helpers.js'

const open: Array<{ server: Started['server']; client: HealthClient; health: Health }> = []
afterEach(() => {
  for (const { server, client, health } of open.splice(0)) {
    client.close()
    server.forceShutdown()
    health.close()
  }
})

function setup(options: Parameters<typeof addHealthService>[2] = {}) {
  const state = { db: true, cache: true, calls: 0 }
  const db = defineCheck({
    name: 'db',
    kind: 'dependency',
    cache: 0,
    run: () => {
      state.calls += 1
      if (!state.db) throw new Error('db down')
    },
  })
  const cache = defineCheck({ name: 'cache', kind: 'dependency', cache: 0, critical: false, run: () => {
      if (!state.cache) throw new Error('cache down')
    },
  })
  const health = createHealth({ readiness: [db, cache], startup: [], shutdown: { signals: false }, runtime: false })
  return { state, health, options }
}

async function serve(health: Health, options: Parameters<typeof addHealthService>[2] = {}) {
  const started = await startServer(grpc, health, options)
  const client = connect(grpc, started.address)
  open.push({ server: started.server, client, health })
  return { ...started, client }
}

describe('Check', () => {
  it('answers readiness for "" and the probe names, and one check for "<probe>/<check>"', async () => {
    const { health, state } = setup()
    const { client } = await serve(health)
    // Not started: readiness and startup fail, liveness passes (a booting process is alive).
    expect(await client.check('')).toBe('NOT_SERVING')
    expect(await client.check('readiness')).toBe('NOT_SERVING')
    expect(await client.check('startup')).toBe('NOT_SERVING')
    expect(await client.check('liveness')).toBe('SERVING')
    health.markStarted()
    expect(await client.check('')).toBe('SERVING')
    expect(await client.check('readiness')).toBe('SERVING')
    expect(await client.check('startup')).toBe('SERVING')
    expect(await client.check('readiness/db')).toBe('SERVING')
    state.db = false
    expect(await client.check('')).toBe('NOT_SERVING')
    expect(await client.check('readiness/db')).toBe('NOT_SERVING')
    expect(await client.check('liveness')).toBe('SERVING')
    // A non-critical failure is warn: SERVING, as HTTP answers 200.
    state.db = true
    state.cache = false
    expect(await client.check('readiness/cache')).toBe('SERVING')
    expect(await client.check('')).toBe('SERVING')
  })

  it('fails an unknown service with NOT_FOUND, naming the services it has', async () => {
    const { health } = setup()
    const { client } = await serve(health)
    const error = await client.checkError('orders.v1.Orders')
    expect(error.code).toBe(grpc.status.NOT_FOUND)
    expect(error.details).toMatch(/unknown service "orders\.v1\.Orders": this server answers "", "liveness", "readiness", "startup", "readiness\/db", "readiness\/cache"/)
    expect((await client.checkError('readiness/nope')).code).toBe(grpc.status.NOT_FOUND)
  })

  it('answers your own service names as the probe or check they map to', async () => {
    const { health, state } = setup()
    const { client } = await serve(health, { services: { 'orders.v1.Orders': 'readiness', 'orders.v1.Db': 'readiness/db' } })
    health.markStarted()
    expect(await client.check('orders.v1.Orders')).toBe('SERVING')
    state.db = false
    expect(await client.check('orders.v1.Orders')).toBe('NOT_SERVING')
    expect(await client.check('orders.v1.Db')).toBe('NOT_SERVING')
  })

  it('answers a watchdog added after the service, as liveness/<name>', async () => {
    const { health } = setup()
    const { client } = await serve(health)
    expect((await client.checkError('liveness/consumer')).code).toBe(grpc.status.NOT_FOUND)
    health.watchdog('consumer', { timeout: 60_000 }).tick()
    expect(await client.check('liveness/consumer')).toBe('SERVING')
  })
})

describe('Watch', () => {
  it('sends the current status at once, then every transition, one message per change', async () => {
    const { health, state } = setup()
    const { client, service } = await serve(health, { watchInterval: 50 })
    health.markStarted()
    const watch = client.watch('')
    await watch.next('SERVING')
    expect(service.watchers).toBe(1)
    // Nothing probes: the watch's own evaluation notices the failure and pushes it.
    state.db = false
    await watch.next('NOT_SERVING')
    state.db = true
    await watch.next('SERVING', 2)
    expect(watch.seen).toEqual(['SERVING', 'NOT_SERVING', 'SERVING'])
    watch.cancel()
    await expect.poll(() => service.watchers).toBe(0)
  })

  it('pushes a transition seen by an HTTP-style probe at once, without waiting for its interval', async () => {
    const { health, state } = setup()
    const { client } = await serve(health, { watchInterval: 600_000 })
    health.markStarted()
    const watch = client.watch('readiness')
    await watch.next('SERVING')
    state.db = false
    await health.probe('readiness') // a kubelet probe over HTTP, say: the check transitions
    await watch.next('NOT_SERVING')
    expect(watch.seen).toEqual(['SERVING', 'NOT_SERVING'])
    watch.cancel()
  })

  it('answers an unknown service with SERVICE_UNKNOWN and keeps the call open; the status follows once it is known', async () => {
    const { health } = setup()
    const { client, service } = await serve(health, { watchInterval: 50 })
    const watch = client.watch('liveness/consumer')
    await watch.next('SERVICE_UNKNOWN')
    expect(service.watchers).toBe(1)
    health.watchdog('consumer', { timeout: 60_000 }).tick()
    await watch.next('SERVING')
    expect(watch.seen).toEqual(['SERVICE_UNKNOWN', 'SERVING'])
    watch.cancel()
  })

  it('evaluates once per round for many watchers of one name', async () => {
    const { health, state } = setup()
    const { client } = await serve(health, { watchInterval: 600_000 })
    health.markStarted()
    const watches = Array.from({ length: 50 }, () => client.watch('readiness/db'))
    await Promise.all(watches.map((watch) => watch.next('SERVING')))
    const before = state.calls
    state.db = false
    await health.probe('readiness', { check: 'db' }) // one transition
    await Promise.all(watches.map((watch) => watch.next('NOT_SERVING')))
    // The probe above ran db once; the 50 streams were fed by one round (at most one more run, never 50).
    expect(state.calls - before).toBeLessThanOrEqual(3)
    for (const watch of watches) watch.cancel()
  })
})

describe('List', () => {
  it('lists every name with its status', async () => {
    const { health, state } = setup()
    const { client, service } = await serve(health, { services: { 'orders.v1.Orders': 'readiness' } })
    health.markStarted()
    state.db = false
    expect(await client.list()).toEqual({
      '': 'NOT_SERVING',
      liveness: 'SERVING',
      readiness: 'NOT_SERVING',
      startup: 'SERVING',
      'readiness/db': 'NOT_SERVING',
      'readiness/cache': 'SERVING',
      'orders.v1.Orders': 'NOT_SERVING',
    })
    expect(service.names).toEqual(['', 'liveness', 'readiness', 'startup', 'readiness/db', 'readiness/cache', 'orders.v1.Orders'])
  })

  it('answers RESOURCE_EXHAUSTED past 100 services', async () => {
    const checks = Array.from({ length: 101 }, (_, index) => defineCheck({ name: `c${index}`, kind: 'dependency', run: () => {} }))
    const health = createHealth({ readiness: checks, shutdown: { signals: false }, runtime: false })
    const { client } = await serve(health)
    await expect(client.list()).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED })
  })
})

describe('options', () => {
  const health = createHealth({ readiness: [defineCheck({ name: 'db', kind: 'dependency', run: () => {} })], shutdown: { signals: false }, runtime: false })
  const server = new grpc.Server()
  const invalid = (run: () => unknown, message: RegExp): void => {
    let thrown: unknown
    try {
      run()
    } catch (error) {
      thrown = error
    }
    expect(isHealthzError(thrown) && thrown.code).toBe('INVALID_OPTION')
    expect((thrown as Error).message).toMatch(message)
  }

  it('refuses unknown and misspelled options, bad values and unknown targets with INVALID_OPTION', () => {
    invalid(() => addHealthService(server, health, { watchIntervall: 5 } as never), /watchIntervall.*did you mean "watchInterval"/)
    invalid(() => addHealthService(server, health, { watchInterval: -1 }), /watchInterval/)
    invalid(() => addHealthService(server, health, { drain: 'yes' as never }), /drain must be true or false/)
    invalid(() => addHealthService(server, health, { services: { 'orders.v1.Orders': 'readiness/nope' as never } }), /services\["orders.v1.Orders"\] is "readiness\/nope", which names no probe or check/)
    invalid(() => addHealthService(server, health, { services: { liveness: 'readiness' } }), /cannot be remapped/)
    invalid(() => addHealthService(server, health, { services: [] as never }), /services must be an object/)
    invalid(() => addHealthService(server, health, { onError: 'log' as never }), /onError must be a function/)
    invalid(() => addHealthService({} as never, health), /expects a grpc-js Server/)
    invalid(() => addHealthService(server, {} as never), /expects the object createHealth\(\) returns/)
  })
})
