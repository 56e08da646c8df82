// ioredisCheck and redisCheck against the real Redis on 127.0.0.1:6379, with outages simulated by
// the test's own TCP proxy. Connections are counted on the server (CLIENT LIST, by a client name
// unique to each test) and listeners on the client.
import { once } from 'node:events'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { CheckDefinition } from '@healthz/core'
import { isHealthzError } from '@healthz/core'
import { ioredisCheck } from '@healthz/checks/ioredis'
import { redisCheck } from '@healthz/checks/redis'
import { eventually, expectFailsWithin, SLACK, suffix, timed } from './support/helpers.js'
import { blackHole, TcpProxy } from '../../../test-utils/tcp-proxy.mjs'

let admin: Redis
const cleanup: Array<() => Promise<void> | void> = []

beforeAll(async () => {
  admin = new Redis({ port: 6379, host: '127.0.0.1', connectionName: `hz-admin-${suffix()}` })
  await once(admin, 'ready')
})
afterAll(async () => {
  await admin.quit()
})
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function serverConnections(name: string): Promise<number> {
  const list = (await admin.call('CLIENT', 'LIST')) as string
  return list.split('\n').filter((line) => line.includes(` name=${name} `)).length
}

interface Subject {
  /** A connected client (or one still trying to connect, when `connected` is false). */
  client(port: number, name: string, connected?: boolean): Promise<{ check: (timeout?: number) => CheckDefinition; listeners: () => Record<string, number> }>
}

function listenerCounts(emitter: NodeJS.EventEmitter): Record<string, number> {
  return Object.fromEntries(emitter.eventNames().map((event) => [String(event), emitter.listenerCount(event)]))
}

const subjects: Record<string, Subject> = {
  ioredis: {
    async client(port, name, connected = true) {
      const client = new Redis({ port, host: '127.0.0.1', connectionName: name, retryStrategy: () => 50, maxRetriesPerRequest: 1 })
      client.on('error', () => undefined)
      cleanup.push(() => client.disconnect())
      if (connected) await once(client, 'ready')
      return { check: (timeout = 300) => ioredisCheck({ client, timeout }), listeners: () => listenerCounts(client) }
    },
  },
  'node-redis': {
    async client(port, name, connected = true) {
      const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: () => 50 }, name })
      client.on('error', () => undefined)
      cleanup.push(async () => {
        if (client.isOpen) client.destroy()
      })
      const connecting = client.connect()
      if (connected) await connecting
      else connecting.catch(() => undefined)
      return { check: (timeout = 300) => redisCheck({ client, timeout }), listeners: () => listenerCounts(client) }
    },
  },
}

/** Counts RESP PING commands the stalled proxy holds back on their way to the server. */
function heldPings(proxy: TcpProxy): number {
  const text = [...proxy.pairs]
    .flatMap((pair) => pair.held.filter(([to]) => to === pair.upstream).map(([, chunk]) => chunk.toString('latin1')))
    .join('')
  return text.toUpperCase().split('\r\nPING\r\n').length - 1
}

describe.each(Object.entries(subjects))('%s', (_label, subject) => {
  test('passes, reporting its response time; 20 runs use the one connection the client has', async () => {
    const name = `hz-test-${suffix()}`
    const { check, listeners } = await subject.client(6379, name)
    const definition = check()
    expect(definition).toMatchObject({ name: 'redis', kind: 'dependency', componentType: 'datastore' })
    const before = listeners()
    for (let i = 0; i < 20; i += 1) {
      const result = await timed(definition)
      expect(result.status).toBe('pass')
      expect(result.observedUnit).toBe('ms')
      expect(typeof result.observedValue).toBe('number')
    }
    expect(await serverConnections(name)).toBe(1)
    expect(listeners()).toEqual(before)
  })

  test('server stopped: fails within its deadline, recovers when it is back', async () => {
    const proxy = await TcpProxy.start({ port: 6379 })
    cleanup.push(() => proxy.stop())
    const { check } = await subject.client(proxy.port, `hz-test-${suffix()}`)
    const definition = check(400)
    expect((await timed(definition)).status).toBe('pass')
    await proxy.stop()
    await expectFailsWithin(definition, 400)
    await proxy.restart()
    expect(await eventually(async () => (await timed(definition)).status === 'pass')).toBe(true)
  })

  test('unreachable: refused or hanging, fails at once without queueing a command', async () => {
    const closed = await TcpProxy.start({ port: 6379 })
    await closed.stop()
    const refused = await subject.client(closed.port, `hz-test-${suffix()}`, false)
    const first = await timed(refused.check(400))
    expect(first.status).toBe('fail')
    expect(first.output).toMatch(/redis not connected/)
    expect(first.elapsed).toBeLessThan(150) // at once: well inside the deadline

    const hole = await blackHole()
    cleanup.push(() => hole.close())
    const hanging = await subject.client(hole.port, `hz-test-${suffix()}`, false)
    const second = await timed(hanging.check(400))
    expect(second.status).toBe('fail')
    expect(second.output).toMatch(/redis not connected/)
    expect(second.elapsed).toBeLessThan(150) // at once: well inside the deadline
  })

  test('server stalled: fails at the deadline with one PING on the wire however many runs time out; recovers', async () => {
    const proxy = await TcpProxy.start({ port: 6379 })
    cleanup.push(() => proxy.stop())
    const name = `hz-test-${suffix()}`
    const { check, listeners } = await subject.client(proxy.port, name)
    const definition = check(300)
    expect((await timed(definition)).status).toBe('pass')
    const before = listeners()
    proxy.stall()
    for (let i = 0; i < 3; i += 1) {
      const result = await timed(definition)
      expect(result.status).toBe('fail')
      expect(result.output).toMatch(/timed out after 300 ms.*no PONG yet/)
      expect(result.elapsed).toBeLessThan(300 + SLACK)
    }
    expect(heldPings(proxy)).toBe(1)
    proxy.resume()
    expect(await eventually(async () => (await timed(definition)).status === 'pass')).toBe(true)
    expect(listeners()).toEqual(before)
    expect(await serverConnections(name)).toBe(1)
  })
})

test('the factories refuse a client of the other library or none, at construction', () => {
  const cases: Array<() => unknown> = [
    () => ioredisCheck({ client: { isReady: true, ping: async () => 'PONG' } } as never),
    () => redisCheck({ client: { status: 'ready', ping: async () => 'PONG' } } as never),
    () => ioredisCheck(undefined as never),
    () => redisCheck({} as never),
  ]
  for (const make of cases) {
    let thrown: unknown
    try {
      make()
    } catch (error) {
      thrown = error
    }
    expect(isHealthzError(thrown) && thrown.code === 'INVALID_OPTION').toBe(true)
  }
})
