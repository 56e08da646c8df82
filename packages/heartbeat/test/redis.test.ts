// The Redis transport against the real server on 127.0.0.1:6379, with ioredis and node-redis.
// The server is shared and never stopped: outages go through the shared TCP proxy (test-utils/tcp-proxy.mjs).
import { afterEach, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { isHealthzError } from '@healthz/core'
import { redisTransport } from '@healthz/heartbeat/redis'
import { TcpProxy } from '../../../test-utils/tcp-proxy.mjs'
import { randomSuffix, sleep, waitFor } from './helpers.js'
import { runTransportScenario } from './scenario.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

async function proxy(): Promise<TcpProxy> {
  const started = await TcpProxy.start({ port: 6379 })
  cleanup.push(() => started.stop())
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

  it('a beat fails at once while the publisher is disconnected, and is not published late when it reconnects', async () => {
    const cutter = await proxy()
    const channel = `healthz:test:${randomSuffix()}`
    const ioredis = new Redis({ host: '127.0.0.1', port: cutter.port, retryStrategy: () => 50 })
    ioredis.on('error', () => undefined)
    const nodeRedis = createClient({ url: `redis://127.0.0.1:${cutter.port}`, socket: { reconnectStrategy: () => 50 } })
    nodeRedis.on('error', () => undefined)
    await nodeRedis.connect()
    const listener = new Redis({ host: '127.0.0.1', port: 6379 })
    cleanup.push(() => Promise.resolve(ioredis.disconnect()), () => nodeRedis.disconnect(), () => Promise.resolve(listener.disconnect()))
    const received: string[] = []
    listener.on('message', (_channel: string, message: string) => received.push(JSON.parse(message).nodeId))
    await listener.subscribe(channel)
    await waitFor(() => ioredis.status === 'ready', 'ioredis ready')
    const beat = (nodeId: string) => ({ nodeId, incarnation: 1, seq: 0, sentAt: Date.now(), status: 'pass' as const, metadata: {} })
    const signal = new AbortController().signal
    const senders = { ioredis: redisTransport({ publisher: ioredis, channel }), nodeRedis: redisTransport({ publisher: nodeRedis, channel }) }

    cutter.cut()
    await waitFor(() => ioredis.status !== 'ready' && !nodeRedis.isReady, 'both publishers disconnected')
    for (const [name, sender] of Object.entries(senders)) {
      await expect(sender.send!(beat(`${name}-offline`), { signal })).rejects.toThrow(/redis publisher not connected/)
    }
    cutter.restore()
    await waitFor(() => ioredis.status === 'ready' && nodeRedis.isReady, 'both publishers back')
    for (const [name, sender] of Object.entries(senders)) await sender.send!(beat(`${name}-online`), { signal })
    await waitFor(() => received.length >= 2, 'the online beats')
    await sleep(100)
    expect(received.sort()).toEqual(['ioredis-online', 'nodeRedis-online'])
  }, 20_000)

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
