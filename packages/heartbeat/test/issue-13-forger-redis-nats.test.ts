// Issue 13, item 12, on the real buses (Redis on 127.0.0.1:6379, NATS on 127.0.0.1:4222): a
// forger publishes raw messages on the fleet's channel or subject next to a live emitter. The
// servers are shared: every run has its own random channel and subject, and cleans up.
import { createHmac } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { connect } from 'nats'
import { createHeartbeatMonitor, phiAccrual, startHeartbeat } from '@healthz/heartbeat'
import type { HeartbeatEmitter, HeartbeatMonitor, HeartbeatTransport } from '@healthz/heartbeat'
import { natsTransport } from '@healthz/heartbeat/nats'
import { redisTransport } from '@healthz/heartbeat/redis'
import { randomSuffix, recordChanges, sleep, waitFor } from './helpers.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

const KEY = 'fleet-key-0123456789abcdef'
// Beats every 100 ms; a silent node is suspected after about 1.6 s, dead 300 ms later.
const INTERVAL = 100
const detector = phiAccrual({ expectedInterval: INTERVAL, acceptableHeartbeatPause: 1000, minStdDeviation: 50 })

interface Bus {
  /** The transport of the emitter and of the monitor. */
  transport: HeartbeatTransport
  /** Publishes raw text on the fleet's channel or subject, as a forger with access to the bus would. */
  forge(message: string): Promise<void>
  /** Every message published on the channel or subject so far, raw, as a forger listening would see it. */
  captured: string[]
}

const buses: Record<string, () => Promise<Bus>> = {
  async redis() {
    const channel = `healthz:test:forger:${randomSuffix()}`
    const publisher = new Redis({ host: '127.0.0.1', port: 6379 })
    const subscriber = new Redis({ host: '127.0.0.1', port: 6379 })
    const forger = new Redis({ host: '127.0.0.1', port: 6379 })
    const eavesdropper = new Redis({ host: '127.0.0.1', port: 6379 })
    cleanup.push(() => publisher.quit(), () => subscriber.quit(), () => forger.quit(), () => eavesdropper.quit())
    const captured: string[] = []
    eavesdropper.on('message', (_channel: string, message: string) => captured.push(message))
    await eavesdropper.subscribe(channel)
    await waitFor(() => publisher.status === 'ready', 'the publisher')
    return {
      transport: redisTransport({ publisher, subscriber, channel }),
      forge: async (message) => void (await forger.publish(channel, message)),
      captured,
    }
  },
  async nats() {
    const subject = `healthz.test.forger.${randomSuffix()}`
    const connection = await connect({ servers: '127.0.0.1:4222' })
    const forger = await connect({ servers: '127.0.0.1:4222' })
    cleanup.push(() => connection.close(), () => forger.close())
    const captured: string[] = []
    const decoder = new TextDecoder()
    forger.subscribe(subject, { callback: (_error, message) => captured.push(decoder.decode(message.data)) })
    await forger.flush()
    return {
      transport: natsTransport({ connection, subject }),
      forge: async (message) => {
        forger.publish(subject, message)
        await forger.flush()
      },
      captured,
    }
  },
}

function start(bus: Bus, options: { signing?: { keys: string[] } }, emitterOptions: { signing?: { key: string } }): { monitor: HeartbeatMonitor; emitter: HeartbeatEmitter } {
  const monitor = createHeartbeatMonitor({ transport: bus.transport, detector, deadAfter: 300, checkInterval: 20, runtime: false, ...options })
  cleanup.push(() => monitor.close())
  const emitter = startHeartbeat({ nodeId: 'a', transport: bus.transport, interval: INTERVAL, ...emitterOptions })
  cleanup.push(() => emitter.stop({ leave: false }))
  return { monitor, emitter }
}

function beat(overrides: Record<string, unknown>): string {
  return JSON.stringify({ nodeId: 'a', incarnation: 1, seq: 0, sentAt: Date.now(), status: 'pass', metadata: {}, ...overrides })
}

describe.each(Object.keys(buses))('issue-13 item 12: a forger on the %s bus', (name) => {
  it(`issue-13 item 12 (${name}): a forged beat with a huge incarnation cannot convict a live node, even without signing`, async () => {
    const bus = await buses[name]!()
    const { monitor, emitter } = start(bus, {}, {})
    await monitor.ready()
    await waitFor(() => (monitor.member('a')?.beats ?? 0) >= 3, 'beats of a')
    const events = recordChanges(monitor)
    await bus.forge(beat({ incarnation: Number.MAX_SAFE_INTEGER }))
    await bus.forge(beat({ incarnation: 1e300 }))
    await bus.forge(beat({ incarnation: -1 }))
    await waitFor(() => monitor.stats().tooFarAhead + monitor.stats().malformed >= 3, 'the forged beats to be dropped')
    await sleep(2500) // longer than detection + deadAfter
    expect(events.filter((event) => event.nodeId === 'a')).toEqual([])
    expect(monitor.member('a')).toMatchObject({ state: 'alive', incarnation: emitter.incarnation })
    expect(monitor.stats()).toMatchObject({ tooFarAhead: 1, malformed: 2 })
  }, 20_000)

  it(`issue-13 item 12 (${name}): with signed beats, unsigned, badly signed and replayed forgeries are dropped and counted, and the live node stays alive`, async () => {
    const bus = await buses[name]!()
    const { monitor, emitter } = start(bus, { signing: { keys: [KEY] } }, { signing: { key: KEY } })
    await monitor.ready()
    await waitFor(() => (monitor.member('a')?.beats ?? 0) >= 5, 'signed beats of a')
    const events = recordChanges(monitor)
    const plausible = beat({ incarnation: emitter.incarnation + 1, status: 'leaving' })
    await bus.forge(plausible)
    await bus.forge(JSON.stringify({ beat: plausible, sig: createHmac('sha256', 'not-the-fleet-key-at-all').update(plausible).digest('base64url') }))
    const replays = bus.captured.slice(0, 5)
    expect(replays[0]).toMatch(/^\{"beat":/)
    for (const message of replays) await bus.forge(message)
    await waitFor(() => monitor.stats().unsigned >= 1 && monitor.stats().badSignature >= 1, 'the forgeries to be dropped')
    await sleep(2500)
    expect(events.filter((event) => event.nodeId === 'a')).toEqual([])
    expect(monitor.member('a')).toMatchObject({ state: 'alive', incarnation: emitter.incarnation, status: 'pass' })
    expect(monitor.stats()).toMatchObject({ unsigned: 1, badSignature: 1, malformed: 0 })
    expect(monitor.stats().stale).toBeGreaterThanOrEqual(5)
  }, 20_000)
})
