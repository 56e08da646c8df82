// Issue 13, item 12, on fake time and the in-memory transport: what a forger on the bus can no
// longer do. Values a real emitter never sends are dropped and counted; a monitor with keys
// drops what is unsigned or badly signed; replays of signed beats are stale; the view is bounded.
import { createHmac } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHeartbeatMonitor, createMemoryTransport, startHeartbeat } from '@healthz/heartbeat'
import type { Heartbeat, HeartbeatEmitter, HeartbeatMonitor, MemoryTransport } from '@healthz/heartbeat'
import { recordChanges } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
})
const running: Array<HeartbeatMonitor | HeartbeatEmitter> = []
afterEach(async () => {
  for (const item of running.splice(0)) {
    if ('close' in item) await item.close()
    else await item.stop({ leave: false })
  }
  vi.useRealTimers()
})

const OLD_KEY = 'old-key-0123456789abcdef'
const NEW_KEY = 'new-key-0123456789abcdef'
const DAY = 86_400_000

function monitorOn(transport: MemoryTransport, options: Partial<Parameters<typeof createHeartbeatMonitor>[0]> = {}): HeartbeatMonitor {
  const monitor = createHeartbeatMonitor({ transport, runtime: false, checkInterval: 10, deadAfter: 1000, ...options })
  running.push(monitor)
  return monitor
}

function emitterOn(transport: MemoryTransport, options: Partial<Parameters<typeof startHeartbeat>[0]> = {}): HeartbeatEmitter {
  const emitter = startHeartbeat({ nodeId: 'a', transport, interval: 1000, jitter: 0, ...options })
  running.push(emitter)
  return emitter
}

/** The memory transport with a tap: a test can put raw messages on the bus, as a forger would. */
const taps = new WeakMap<MemoryTransport, Array<(message: unknown) => void>>()
function tapped(): MemoryTransport {
  const transport = createMemoryTransport()
  const listen = transport.listen.bind(transport)
  const delivers: Array<(message: unknown) => void> = []
  taps.set(transport, delivers)
  transport.listen = (receiver) => {
    delivers.push((message) => receiver.deliver(message))
    return listen(receiver)
  }
  return transport
}

/** Puts a raw message (text, as it travels) on the bus, to every listener. */
async function forge(transport: MemoryTransport, message: unknown): Promise<void> {
  for (const deliver of taps.get(transport) ?? []) deliver(message)
  await Promise.resolve()
}

function beat(overrides: Partial<Record<keyof Heartbeat, unknown>>): string {
  return JSON.stringify({ nodeId: 'a', incarnation: 1, seq: 0, sentAt: Date.now(), status: 'pass', metadata: {}, ...overrides })
}

/** A signed envelope as the emitter builds it: the beat's JSON text and its HMAC-SHA256. */
function signed(text: string, key: string): string {
  return JSON.stringify({ beat: text, sig: createHmac('sha256', key).update(text).digest('base64url') })
}

describe('issue-13 item 12: incarnation, seq and the rest of a beat are bounded', () => {
  it('issue-13 item 12: a forged beat with a huge, negative or fractional incarnation is dropped and cannot convict a live node', async () => {
    const transport = tapped()
    const monitor = monitorOn(transport)
    const events = recordChanges(monitor)
    const emitter = emitterOn(transport)
    await vi.advanceTimersByTimeAsync(3000)
    expect(monitor.member('a')?.state).toBe('alive')
    for (const incarnation of [Number.MAX_SAFE_INTEGER, Date.now() + 30 * DAY, -1, 1.5, 2 ** 60, '99']) {
      await forge(transport, beat({ incarnation, seq: 1_000_000 }))
    }
    await vi.advanceTimersByTimeAsync(30_000)
    expect(events.filter((event) => event.nodeId === 'a').map((event) => event.reason)).toEqual(['joined'])
    expect(monitor.member('a')).toMatchObject({ state: 'alive', incarnation: emitter.incarnation })
    expect(monitor.stats()).toMatchObject({ tooFarAhead: 2, malformed: 4, stale: 0 })
  })

  it('issue-13 item 12: real restarts are never too far ahead: a start time after 40 days of uptime, a clock an hour fast, a restart counter', async () => {
    const transport = tapped()
    const monitor = monitorOn(transport)
    const events = recordChanges(monitor)
    const first = emitterOn(transport)
    await vi.advanceTimersByTimeAsync(2000)
    await first.stop({ leave: true })
    vi.setSystemTime(Date.now() + 40 * DAY) // the next start is 40 days of incarnation ahead
    emitterOn(transport)
    await vi.advanceTimersByTimeAsync(2000)
    emitterOn(transport, { nodeId: 'fast-clock', incarnation: Date.now() + 3_600_000 })
    const counted = emitterOn(transport, { nodeId: 'counted', incarnation: 1 })
    await vi.advanceTimersByTimeAsync(2000)
    await counted.stop({ leave: false })
    emitterOn(transport, { nodeId: 'counted', incarnation: 2 })
    await vi.advanceTimersByTimeAsync(2000)
    expect(events.map((event) => [event.nodeId, event.reason])).toEqual([
      ['a', 'joined'],
      ['a', 'left'],
      ['a', 'restarted'],
      ['fast-clock', 'joined'],
      ['counted', 'joined'],
      ['counted', 'restarted'],
    ])
    expect(monitor.stats()).toMatchObject({ tooFarAhead: 0, malformed: 0 })
  })

  it('issue-13 item 12: how far ahead of the monitor clock an incarnation may be is maxIncarnationLead', async () => {
    const transport = tapped()
    const monitor = monitorOn(transport, { maxIncarnationLead: 60_000 })
    await forge(transport, beat({ nodeId: 'ahead', incarnation: Date.now() + 120_000 }))
    await forge(transport, beat({ nodeId: 'near', incarnation: Date.now() + 30_000 }))
    await vi.advanceTimersByTimeAsync(0)
    expect(monitor.member('ahead')).toBeUndefined()
    expect(monitor.member('near')?.state).toBe('alive')
    expect(monitor.stats().tooFarAhead).toBe(1)
  })

  it('issue-13 item 12: a bad seq, sentAt or status, a node id over 256 characters and metadata over 8 KB are dropped as malformed', async () => {
    const transport = tapped()
    const monitor = monitorOn(transport)
    for (const bad of [
      beat({ seq: 2 ** 60 }),
      beat({ seq: 0.5 }),
      beat({ sentAt: 'yesterday' }),
      beat({ sentAt: -1 }),
      beat({ status: 'PASS' }),
      beat({ nodeId: 'n'.repeat(257) }),
      beat({ metadata: { blob: 'x'.repeat(9000) } }),
      beat({ metadata: { list: Array.from({ length: 3000 }, (_, i) => i) } }),
    ]) {
      await forge(transport, bad)
    }
    await forge(transport, beat({ nodeId: 'n'.repeat(256), metadata: { blob: 'x'.repeat(8000) } }))
    await vi.advanceTimersByTimeAsync(0)
    expect(monitor.stats()).toMatchObject({ received: 1, malformed: 8 })
    expect(monitor.members().map((member) => member.nodeId.length)).toEqual([256])
  })

  it('issue-13 item 12: the view holds at most maxMembers: beats of further new nodes are dropped and counted, known members keep beating', async () => {
    const transport = tapped()
    const errors: Error[] = []
    const monitor = monitorOn(transport, { maxMembers: 2, onError: (error) => errors.push(error) })
    emitterOn(transport, { nodeId: 'a' })
    emitterOn(transport, { nodeId: 'b' })
    await vi.advanceTimersByTimeAsync(0)
    for (let i = 0; i < 100; i += 1) await forge(transport, beat({ nodeId: `fake-${i}` }))
    await vi.advanceTimersByTimeAsync(5000)
    expect(monitor.members().map((member) => [member.nodeId, member.state])).toEqual([
      ['a', 'alive'],
      ['b', 'alive'],
    ])
    expect(monitor.stats().overCapacity).toBe(100)
    expect(errors.map((error) => error.message)).toEqual([expect.stringMatching(/holds maxMembers \(2\) members/)])
  })

  it('issue-13 item 12: a forged beat the bounds allow is believed on an unsigned bus: that is what signing is for', async () => {
    const transport = tapped()
    const monitor = monitorOn(transport)
    const emitter = emitterOn(transport)
    await vi.advanceTimersByTimeAsync(1000)
    await forge(transport, beat({ incarnation: emitter.incarnation + 1 }))
    await vi.advanceTimersByTimeAsync(30_000)
    expect(monitor.member('a')?.state).toBe('dead') // its real beats are now of an older incarnation
    expect(monitor.stats().stale).toBeGreaterThan(20)
  })
})

describe('issue-13 item 12: signed beats', () => {
  it('issue-13 item 12: a monitor with keys drops unsigned and badly signed beats and counts each, so a forger cannot convict a live node', async () => {
    const transport = tapped()
    const monitor = monitorOn(transport, { signing: { keys: [NEW_KEY] } })
    const events = recordChanges(monitor)
    const emitter = emitterOn(transport, { signing: { key: NEW_KEY } })
    await vi.advanceTimersByTimeAsync(1000)
    expect(monitor.member('a')?.state).toBe('alive')
    const next = beat({ incarnation: emitter.incarnation + 1 })
    await forge(transport, next) // unsigned
    await forge(transport, signed(next, 'a-key-the-forger-made-up')) // signed with the wrong key
    const envelope = JSON.parse(signed(next, NEW_KEY)) as { beat: string; sig: string }
    await forge(transport, JSON.stringify({ ...envelope, beat: envelope.beat.replace('"pass"', '"fail"') })) // tampered
    await forge(transport, JSON.stringify({ ...envelope, sig: envelope.sig.slice(0, 10) })) // truncated signature
    await forge(transport, JSON.stringify({ beat: next, sig: 42 })) // not even a signature
    await vi.advanceTimersByTimeAsync(30_000)
    expect(events.filter((event) => event.nodeId === 'a').map((event) => event.reason)).toEqual(['joined'])
    expect(monitor.member('a')).toMatchObject({ state: 'alive', incarnation: emitter.incarnation, status: 'pass' })
    expect(monitor.stats()).toMatchObject({ unsigned: 1, badSignature: 3, malformed: 1 })
  })

  it('issue-13 item 12: keys rotate without a fleet-wide restart: a monitor accepts every key of its list', async () => {
    const transport = tapped()
    const rotating = monitorOn(transport, { signing: { keys: [NEW_KEY, OLD_KEY] } })
    const rotated = monitorOn(transport, { signing: { keys: [NEW_KEY] } })
    emitterOn(transport, { nodeId: 'not-yet-rotated', signing: { key: OLD_KEY } })
    emitterOn(transport, { nodeId: 'rotated', signing: { key: Buffer.from(NEW_KEY) } })
    await vi.advanceTimersByTimeAsync(3000)
    expect(rotating.members().map((member) => [member.nodeId, member.state]).sort()).toEqual([
      ['not-yet-rotated', 'alive'],
      ['rotated', 'alive'],
    ])
    expect(rotated.members().map((member) => member.nodeId)).toEqual(['rotated'])
    expect(rotated.stats().badSignature).toBeGreaterThan(0)
  })

  it('issue-13 item 12: a replayed signed beat is stale and cannot convict, restart or change a live node', async () => {
    const transport = tapped()
    const captured: string[] = []
    await transport.listen({ deliver: (message) => captured.push(message as string), connection: () => undefined })
    const monitor = monitorOn(transport, { signing: { keys: [NEW_KEY] } })
    const events = recordChanges(monitor)
    const before = emitterOn(transport, { signing: { key: NEW_KEY }, status: 'fail' })
    await vi.advanceTimersByTimeAsync(3000)
    await before.stop({ leave: false })
    emitterOn(transport, { signing: { key: NEW_KEY }, incarnation: before.incarnation + 1 })
    await vi.advanceTimersByTimeAsync(3000)
    expect(captured[0]).toMatch(/^\{"beat":"\{/) // what travels is the signed envelope
    const stale = monitor.stats().stale
    for (const message of captured.splice(0)) await forge(transport, message) // every beat seen so far, again
    await vi.advanceTimersByTimeAsync(30_000)
    expect(events.map((event) => event.reason)).toEqual(['joined', 'restarted'])
    expect(monitor.member('a')).toMatchObject({ state: 'alive', incarnation: before.incarnation + 1, status: 'pass' })
    expect(monitor.stats().stale - stale).toBeGreaterThanOrEqual(6)
    expect(monitor.stats()).toMatchObject({ unsigned: 0, badSignature: 0 })
  })

  it('issue-13 item 12: without keys a monitor accepts signed and unsigned beats; with acceptUnsigned it accepts unsigned ones and counts them', async () => {
    const transport = tapped()
    const open = monitorOn(transport)
    const migrating = monitorOn(transport, { signing: { keys: [NEW_KEY], acceptUnsigned: true } })
    emitterOn(transport, { nodeId: 'signs', signing: { key: NEW_KEY } })
    emitterOn(transport, { nodeId: 'plain' })
    await vi.advanceTimersByTimeAsync(2500)
    for (const monitor of [open, migrating]) {
      expect(monitor.members().map((member) => [member.nodeId, member.state]).sort()).toEqual([
        ['plain', 'alive'],
        ['signs', 'alive'],
      ])
    }
    expect(open.stats()).toMatchObject({ unsigned: 0, badSignature: 0, malformed: 0 })
    expect(migrating.stats()).toMatchObject({ unsigned: 3, badSignature: 0, malformed: 0 })
  })

  it('issue-13 item 12: keys that are missing or too short are refused at construction', () => {
    const transport = createMemoryTransport()
    const cases: Array<[() => unknown, RegExp]> = [
      [() => startHeartbeat({ nodeId: 'a', transport, signing: { key: '' } }), /signing\.key must be/],
      [() => startHeartbeat({ nodeId: 'a', transport, signing: { key: process.env.UNSET_HEARTBEAT_KEY as string } }), /signing\.key must be/],
      [() => startHeartbeat({ nodeId: 'a', transport, signing: { key: 'short' } }), /at least 16 bytes/],
      [() => createHeartbeatMonitor({ transport, runtime: false, signing: { keys: [] } }), /signing\.keys must be/],
      [() => createHeartbeatMonitor({ transport, runtime: false, signing: { keys: [NEW_KEY, 'short'] } }), /at least 16 bytes/],
      [() => createHeartbeatMonitor({ transport, runtime: false, signing: { key: NEW_KEY } as never }), /did you mean "keys"/],
    ]
    for (const [make, message] of cases) expect(make, String(message)).toThrow(message)
  })
})
