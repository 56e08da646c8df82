// The Redis transport against the real server on 127.0.0.1:6379, with ioredis and node-redis.
// The server is shared and never stopped: outages go through a TCP proxy of the test's own.
import { afterEach, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { isHealthzError } from '@healthz/core'
import { redisTransport } from '@healthz/heartbeat/redis'
import type { CuttableProxy } from './helpers.js'
import { randomSuffix, startProxy } from './helpers.js'
import { runTransportScenario } from './scenario.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

async function proxy(): Promise<CuttableProxy> {
  const started = await startProxy(6379)
  cleanup.push(() => started.close())
  return started
}

describe('redisTransport', () => {
  it('ioredis: beats, death, leaving, restart, and a monitor that reconnects through an outage', async () => {
    const channel = `healthz:test:${randomSuffix()}`
    const through = await proxy()
    const publisher = new Redis({ host: '127.0.0.1', port: 6379 })
    const subscriber = new Redis({ host: '127.0.0.1', port: through.port, retryStrategy: () => 50 })
    subscriber.on('error', () => undefined) // the cut shows up as EPIPE/ECONNRESET errors
    cleanup.push(() => publisher.quit(), () => Promise.resolve(subscriber.disconnect()))
    await runTransportScenario({
      sender: redisTransport({ publisher, channel }),
      listener: redisTransport({ subscriber, channel }),
      proxy: through,
      cut: 'monitor',
    })
  }, 30_000)

  it('node-redis: the same scenario', async () => {
    const channel = `healthz:test:${randomSuffix()}`
    const through = await proxy()
    const publisher = createClient({ url: 'redis://127.0.0.1:6379' })
    const subscriber = createClient({ socket: { host: '127.0.0.1', port: through.port, reconnectStrategy: () => 50 } })
    publisher.on('error', () => undefined)
    subscriber.on('error', () => undefined) // node-redis throws on an unhandled 'error' (the cut)
    await publisher.connect()
    await subscriber.connect()
    cleanup.push(() => publisher.quit(), () => subscriber.disconnect())
    await runTransportScenario({
      sender: redisTransport({ publisher, channel }),
      listener: redisTransport({ subscriber, channel }),
      proxy: through,
      cut: 'monitor',
    })
  }, 30_000)

  it('refuses a missing client, and a subscriber that is the publisher', () => {
    const client = new Redis({ lazyConnect: true })
    for (const [options, message] of [
      [{}, /needs a publisher/],
      [{ publisher: {} }, /publisher must be a Redis client/],
      [{ publisher: client, subscriber: client }, /connection of its own/],
      [{ publisher: client, channel: '' }, /channel must be a non-empty string/],
    ] as const) {
      let caught: unknown
      try {
        redisTransport(options as Parameters<typeof redisTransport>[0])
      } catch (error) {
        caught = error
      }
      expect(isHealthzError(caught) && caught.code === 'INVALID_OPTION').toBe(true)
      expect((caught as Error).message).toMatch(message)
    }
    client.disconnect()
  })
})
