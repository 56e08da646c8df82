// The NATS transport against the real server on 127.0.0.1:4222. The server is shared and never
// stopped: outages go through the shared TCP proxy (test-utils/tcp-proxy.mjs).
import { afterEach, describe, expect, it } from 'vitest'
import { connect } from 'nats'
import { isHealthzError } from '@healthz/core'
import { natsTransport } from '@healthz/heartbeat/nats'
import { TcpProxy } from '../../../test-utils/tcp-proxy.mjs'
import { randomSuffix, sleep, waitFor } from './helpers.js'
import { runTransportScenario } from './scenario.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

describe('natsTransport', () => {
  it('beats, death, leaving, restart, and a monitor that reconnects through an outage', async () => {
    const subject = `healthz.test.${randomSuffix()}`
    const through = await TcpProxy.start({ port: 4222 })
    cleanup.push(() => through.stop())
    const publisher = await connect({ servers: '127.0.0.1:4222' })
    const subscriber = await connect({ servers: `127.0.0.1:${through.port}`, reconnectTimeWait: 50, maxReconnectAttempts: -1, ignoreClusterUpdates: true })
    cleanup.push(() => publisher.close(), () => subscriber.close())
    await runTransportScenario({
      sender: natsTransport({ connection: publisher, subject }),
      listener: natsTransport({ connection: subscriber, subject }),
      proxy: through,
      cut: 'monitor',
    })
  }, 30_000)

  it('a beat fails at once while the connection is disconnected, and is not published late when it reconnects', async () => {
    const subject = `healthz.test.${randomSuffix()}`
    const through = await TcpProxy.start({ port: 4222 })
    cleanup.push(() => through.stop())
    const emitting = await connect({ servers: `127.0.0.1:${through.port}`, reconnectTimeWait: 50, maxReconnectAttempts: -1, ignoreClusterUpdates: true })
    const listening = await connect({ servers: '127.0.0.1:4222' })
    cleanup.push(() => emitting.close(), () => listening.close())
    const received: string[] = []
    listening.subscribe(subject, { callback: (_error, message) => received.push(JSON.parse(new TextDecoder().decode(message.data)).nodeId) })
    await listening.flush()
    const sender = natsTransport({ connection: emitting, subject })
    const beat = (nodeId: string) => ({ nodeId, incarnation: 1, seq: 0, sentAt: Date.now(), status: 'pass' as const, metadata: {} })
    const signal = new AbortController().signal
    const events: string[] = []
    void (async () => {
      for await (const status of emitting.status()) events.push(status.type)
    })()

    through.cut()
    await waitFor(() => events.includes('disconnect'), 'the disconnect')
    await expect(sender.send!(beat('offline'), { signal })).rejects.toThrow(/nats connection is down/)
    through.restore()
    await waitFor(() => events.includes('reconnect'), 'the reconnect')
    await sender.send!(beat('online'), { signal })
    await emitting.flush()
    await waitFor(() => received.length >= 1, 'the online beat')
    await sleep(100)
    expect(received).toEqual(['online'])
  }, 20_000)

  it('refuses a missing connection and a wildcard subject', () => {
    for (const [options, message] of [
      [{}, /connection must be a NATS connection/],
      [{ connection: { publish() {}, subscribe() {} }, subject: 'beats.>' }, /without spaces or wildcards/],
    ] as const) {
      let caught: unknown
      try {
        natsTransport(options as unknown as Parameters<typeof natsTransport>[0])
      } catch (error) {
        caught = error
      }
      expect(isHealthzError(caught) && caught.code === 'INVALID_OPTION').toBe(true)
      expect((caught as Error).message).toMatch(message)
    }
  })
})
