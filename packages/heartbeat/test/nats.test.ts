// The NATS transport against the real server on 127.0.0.1:4222. The server is shared and never
// stopped: outages go through a TCP proxy of the test's own.
import { afterEach, describe, expect, it } from 'vitest'
import { connect } from 'nats'
import { isHealthzError } from '@healthz/core'
import { natsTransport } from '@healthz/heartbeat/nats'
import { randomSuffix, startProxy } from './helpers.js'
import { runTransportScenario } from './scenario.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

describe('natsTransport', () => {
  it('beats, death, leaving, restart, and a monitor that reconnects through an outage', async () => {
    const subject = `healthz.test.${randomSuffix()}`
    const through = await startProxy(4222)
    cleanup.push(() => through.close())
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
