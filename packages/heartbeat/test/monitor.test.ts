// The monitor on fake time, over the in-memory transport: detection times, the long run
// without false suspicion, the local-pause guard, outages, and membership semantics.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { isHealthzError, runCheck } from '@healthz/core'
import { createHeartbeatMonitor, createMemoryTransport, deadline, phiAccrual, phiDelay, startHeartbeat } from '@healthz/heartbeat'
import type { Heartbeat, HeartbeatMonitor, MemoryTransport } from '@healthz/heartbeat'
import { recordChanges } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

const monitors: HeartbeatMonitor[] = []
afterEach(async () => {
  for (const monitor of monitors.splice(0)) await monitor.close()
})

function monitorOn(transport: MemoryTransport, options: Partial<Parameters<typeof createHeartbeatMonitor>[0]> = {}): HeartbeatMonitor {
  const monitor = createHeartbeatMonitor({ transport, runtime: false, checkInterval: 10, ...options })
  monitors.push(monitor)
  return monitor
}

/** Sends one beat by hand, as a node in another process would. */
function send(transport: MemoryTransport, nodeId: string, seq: number, extra: Partial<Heartbeat> = {}): void {
  void transport.send({ nodeId, incarnation: 1, seq, sentAt: Date.now(), status: 'pass', metadata: {}, ...extra }, { signal: new AbortController().signal })
}

describe('detection time', () => {
  it('a node whose beats stop is suspected after the delay the threshold implies, then dead after deadAfter', async () => {
    const transport = createMemoryTransport()
    const monitor = monitorOn(transport, { deadAfter: 2000 })
    const events = recordChanges(monitor)
    const emitter = startHeartbeat({ nodeId: 'a', transport, interval: 1000, jitter: 0 })
    await vi.advanceTimersByTimeAsync(60_500)
    await emitter.stop({ leave: false })
    const last = monitor.member('a')?.lastBeatAt ?? Number.NaN
    // 61 beats 1000 ms apart plus the bootstrap samples 750 and 1250: mean 1000 ms, deviation
    // 45 ms, floored at 100 ms; the acceptable pause of 3000 ms adds to the mean.
    const expected = phiDelay(8, 1000 + 3000, 100)
    expect(expected).toBeGreaterThan(4500)
    expect(monitor.member('a')?.suspectAfter).toBeCloseTo(expected, 6)
    await vi.advanceTimersByTimeAsync(last + expected - Date.now() - 20)
    expect(monitor.member('a')?.state).toBe('alive')
    expect(monitor.phi('a')).toBeLessThan(8)
    await vi.advanceTimersByTimeAsync(40)
    const suspected = events.find((event) => event.reason === 'suspected')
    expect(suspected?.nodeId).toBe('a')
    expect(suspected!.at - last).toBeGreaterThanOrEqual(expected)
    expect(suspected!.at - last).toBeLessThanOrEqual(expected + 10) // one checkInterval
    expect(suspected!.phi).toBeGreaterThanOrEqual(8)
    await vi.advanceTimersByTimeAsync(2000)
    const convicted = events.find((event) => event.reason === 'convicted')
    expect(convicted?.at).toBe(suspected!.at + 2000)
    expect(monitor.member('a')?.state).toBe('dead')
  })

  it('with a fixed deadline, after exactly the timeout', async () => {
    const transport = createMemoryTransport()
    const monitor = monitorOn(transport, { detector: deadline({ timeout: 3000 }) })
    const events = recordChanges(monitor)
    const emitter = startHeartbeat({ nodeId: 'a', transport, interval: 1000, jitter: 0 })
    await vi.advanceTimersByTimeAsync(5_500)
    await emitter.stop({ leave: false })
    const last = monitor.member('a')!.lastBeatAt
    await vi.advanceTimersByTimeAsync(4000)
    const suspected = events.find((event) => event.reason === 'suspected')
    expect(suspected!.at - last).toBeGreaterThanOrEqual(3000)
    expect(suspected!.at - last).toBeLessThanOrEqual(3010)
  })

  it('jittered but regular beats of 20 nodes never cross the threshold over 30 minutes', async () => {
    const transport = createMemoryTransport()
    const monitor = monitorOn(transport, { checkInterval: 100 })
    const events = recordChanges(monitor)
    const emitters = Array.from({ length: 20 }, (_, i) => startHeartbeat({ nodeId: `n${i}`, transport, jitter: 0.2 }))
    let maxPhi = 0
    for (let minute = 0; minute < 30; minute += 1) {
      for (let step = 0; step < 60; step += 1) {
        await vi.advanceTimersByTimeAsync(1000)
        for (const member of monitor.members()) maxPhi = Math.max(maxPhi, member.phi)
      }
    }
    expect(monitor.stats().members.alive).toBe(20)
    expect(monitor.stats().received).toBeGreaterThan(20 * 1700)
    expect(events.filter((event) => event.reason !== 'joined')).toEqual([])
    expect(maxPhi).toBeLessThan(1)
    for (const emitter of emitters) await emitter.stop()
  }, 60_000) // 30 simulated minutes of 20 emitters: seconds of real time on a busy machine
})

describe('local-pause guard', () => {
  /** Two nodes beat every second for 20 s; then the monitor's own process stalls for 10 s. */
  async function pauseScenario(pauseBound: number, survivors: string[]): Promise<{ events: ReturnType<typeof recordChanges>; start: number }> {
    const start = Date.now()
    const transport = createMemoryTransport()
    const monitor = monitorOn(transport, { checkInterval: 100, pauseBound, deadAfter: 1000 })
    const events = recordChanges(monitor)
    for (let seq = 0; seq < 20; seq += 1) {
      send(transport, 'a', seq)
      send(transport, 'b', seq)
      await vi.advanceTimersByTimeAsync(1000)
    }
    // A stop-the-world stall: the clock moves 10 s while no timer and no I/O runs.
    vi.setSystemTime(Date.now() + 10_000)
    // As in Node, the overdue timer runs before the I/O that queued up meanwhile; and the
    // survivors' next beats come half a second later (they were backing off, or in flight).
    await vi.advanceTimersByTimeAsync(100)
    await vi.advanceTimersByTimeAsync(500)
    for (const node of survivors) send(transport, node, 30)
    for (let seq = 31; seq < 40; seq += 1) {
      await vi.advanceTimersByTimeAsync(1000)
      for (const node of survivors) send(transport, node, seq)
    }
    await vi.advanceTimersByTimeAsync(10)
    expect(monitor.stats().localPauses).toBe(pauseBound < 10_000 ? 1 : 0)
    return { events, start }
  }

  it('a pause of the monitor longer than the bound convicts nobody', async () => {
    const { events } = await pauseScenario(1000, ['a', 'b'])
    expect(events.filter((event) => event.reason !== 'joined')).toEqual([])
  })

  it('without the guard the same pause convicts both nodes (the scenario can fail)', async () => {
    const { events } = await pauseScenario(60_000, ['a', 'b'])
    expect(events.filter((event) => event.reason === 'suspected').map((event) => event.nodeId).sort()).toEqual(['a', 'b'])
  })

  it('a node that died during the pause is suspected once fresh beats had their chance', async () => {
    const { events, start } = await pauseScenario(1000, ['a'])
    const suspected = events.filter((event) => event.reason === 'suspected')
    expect(suspected.map((event) => event.nodeId)).toEqual(['b'])
    // The pause ended 20 s + 10 s after the start; b's silence counts from there.
    expect(suspected[0]!.at - start).toBeGreaterThanOrEqual(30_000 + phiDelay(8, 4000, 100))
    expect(suspected[0]!.at - start).toBeLessThanOrEqual(30_200 + phiDelay(8, 4000, 100))
  })

  it('emits a pause event with the stall', async () => {
    const transport = createMemoryTransport()
    const monitor = monitorOn(transport, { checkInterval: 100, pauseBound: 1000 })
    const pauses: number[] = []
    monitor.on('pause', (event) => pauses.push(event.duration))
    await vi.advanceTimersByTimeAsync(500)
    vi.setSystemTime(Date.now() + 5000)
    await vi.advanceTimersByTimeAsync(100)
    expect(pauses).toHaveLength(1)
    expect(pauses[0]).toBeGreaterThanOrEqual(4900)
  })
})

describe('transport outage', () => {
  it('convicts nobody while the transport is down, fails readiness, and keeps the view', async () => {
    const transport = createMemoryTransport()
    const monitor = monitorOn(transport, { checkInterval: 100, deadAfter: 1000 })
    await monitor.ready()
    const events = recordChanges(monitor)
    const a = startHeartbeat({ nodeId: 'a', transport, jitter: 0, maxBackoff: 1000 })
    const b = startHeartbeat({ nodeId: 'b', transport, jitter: 0, maxBackoff: 1000 })
    await vi.advanceTimersByTimeAsync(10_000)
    expect((await runCheck(monitor.check)).status).toBe('pass')
    transport.disconnect()
    await vi.advanceTimersByTimeAsync(20_000)
    expect(events.filter((event) => event.reason !== 'joined')).toEqual([])
    const down = await runCheck(monitor.check)
    expect(down.status).toBe('fail')
    expect(down.output).toMatch(/memory transport disconnected for 20000 ms/)
    expect(a.stats().failed).toBeGreaterThan(0)
    await b.stop({ leave: false }) // b does not come back
    transport.reconnect()
    await vi.advanceTimersByTimeAsync(8000)
    expect(monitor.member('a')?.state).toBe('alive')
    expect(monitor.member('a')?.beats).toBeGreaterThan(15)
    const suspected = events.filter((event) => event.reason === 'suspected')
    expect(suspected.map((event) => event.nodeId)).toEqual(['b'])
    expect((await runCheck(monitor.check)).status).toBe('pass')
    await a.stop()
  })
})

describe('membership', () => {
  it('joins, leaves at once on a leaving beat, and ignores late beats of the incarnation that left', async () => {
    const transport = createMemoryTransport()
    const monitor = monitorOn(transport)
    const events = recordChanges(monitor)
    const emitter = startHeartbeat({ nodeId: 'a', transport, interval: 1000, jitter: 0, metadata: { zone: 'z1' } })
    await vi.advanceTimersByTimeAsync(2500)
    expect(monitor.member('a')).toMatchObject({ state: 'alive', seq: 2, beats: 3, metadata: { zone: 'z1' } })
    await emitter.stop()
    await vi.advanceTimersByTimeAsync(0)
    expect(monitor.member('a')?.state).toBe('left')
    expect(events.map((event) => [event.previous, event.current, event.reason])).toEqual([
      [undefined, 'alive', 'joined'],
      ['alive', 'left', 'left'],
    ])
    send(transport, 'a', 99, { incarnation: emitter.incarnation })
    await vi.advanceTimersByTimeAsync(10)
    expect(monitor.member('a')?.state).toBe('left')
    expect(monitor.stats().stale).toBe(1)
  })

  it('a node that comes back with a new incarnation is a restart, and a dead one too', async () => {
    const transport = createMemoryTransport()
    const monitor = monitorOn(transport, { deadAfter: 1000 })
    const events = recordChanges(monitor)
    const first = startHeartbeat({ nodeId: 'a', transport, jitter: 0, incarnation: 100 })
    await vi.advanceTimersByTimeAsync(3000)
    await first.stop({ leave: false })
    await vi.advanceTimersByTimeAsync(10_000)
    expect(monitor.member('a')?.state).toBe('dead')
    const second = startHeartbeat({ nodeId: 'a', transport, jitter: 0, incarnation: 200 })
    await vi.advanceTimersByTimeAsync(10)
    expect(monitor.member('a')).toMatchObject({ state: 'alive', incarnation: 200, restarts: 1 })
    expect(events.at(-1)).toMatchObject({ previous: 'dead', current: 'alive', reason: 'restarted', incarnation: 200 })
    // A late beat of the old incarnation changes nothing.
    send(transport, 'a', 50, { incarnation: 100 })
    await vi.advanceTimersByTimeAsync(10)
    expect(monitor.member('a')?.incarnation).toBe(200)
    // A restart before anyone noticed is reported too.
    await second.stop({ leave: false })
    startHeartbeat({ nodeId: 'a', transport, jitter: 0, incarnation: 300 })
    await vi.advanceTimersByTimeAsync(10)
    expect(events.at(-1)).toMatchObject({ previous: 'alive', current: 'alive', reason: 'restarted', incarnation: 300 })
  })

  it('a suspected node of the same incarnation that beats again has recovered', async () => {
    const transport = createMemoryTransport()
    const monitor = monitorOn(transport, { deadAfter: 60_000 })
    const events = recordChanges(monitor)
    for (let seq = 0; seq < 5; seq += 1) {
      send(transport, 'a', seq)
      await vi.advanceTimersByTimeAsync(1000)
    }
    await vi.advanceTimersByTimeAsync(6000)
    expect(monitor.member('a')?.state).toBe('suspect')
    send(transport, 'a', 12)
    await vi.advanceTimersByTimeAsync(0)
    expect(events.map((event) => event.reason)).toEqual(['joined', 'suspected', 'recovered'])
    expect(monitor.member('a')).toMatchObject({ state: 'alive', lost: 7 })
  })

  it('reports status changes, drops duplicates and counts malformed messages', async () => {
    const transport = createMemoryTransport({ serialize: false })
    const monitor = monitorOn(transport)
    const events = recordChanges(monitor)
    send(transport, 'a', 0)
    send(transport, 'a', 1, { status: 'fail' })
    send(transport, 'a', 1, { status: 'pass' })
    for (const bad of [null, 'not json', '{"nodeId":""}', { nodeId: 'x', incarnation: 1, seq: -1, status: 'pass' }, { nodeId: 'x', incarnation: 1, seq: 0, status: 'odd' }]) {
      void transport.send(bad as unknown as Heartbeat, { signal: new AbortController().signal })
    }
    await vi.advanceTimersByTimeAsync(0)
    expect(events.map((event) => [event.reason, event.status])).toEqual([
      ['joined', 'pass'],
      ['status', 'fail'],
    ])
    expect(monitor.stats()).toMatchObject({ received: 2, stale: 1, malformed: 5 })
  })

  it('forgets dead and left members after forgetAfter', async () => {
    const transport = createMemoryTransport()
    const monitor = monitorOn(transport, { forgetAfter: 5000 })
    send(transport, 'a', 0, { status: 'leaving' })
    await vi.advanceTimersByTimeAsync(4000)
    expect(monitor.member('a')?.state).toBe('left')
    await vi.advanceTimersByTimeAsync(1100)
    expect(monitor.member('a')).toBeUndefined()
  })

  it('a listener that throws is reported to onError and breaks nothing', async () => {
    const transport = createMemoryTransport()
    const errors: Error[] = []
    const monitor = monitorOn(transport, { onError: (error) => errors.push(error) })
    monitor.on('change', () => {
      throw new Error('listener bug')
    })
    const events = recordChanges(monitor)
    send(transport, 'a', 0)
    send(transport, 'b', 0)
    await vi.advanceTimersByTimeAsync(0)
    expect(events).toHaveLength(2)
    expect(errors.map((error) => error.message)).toEqual(['listener bug', 'listener bug'])
  })
})

describe('readiness check and construction', () => {
  it('fails before subscribing, passes with the alive count, fails after close', async () => {
    const transport = createMemoryTransport()
    const monitor = monitorOn(transport)
    expect((await runCheck(monitor.check)).status).toBe('fail')
    await monitor.ready()
    send(transport, 'a', 0)
    await vi.advanceTimersByTimeAsync(0)
    const ready = await runCheck(monitor.check)
    expect(ready).toMatchObject({ status: 'pass', observedValue: 1 })
    expect(monitor.check.kind).toBe('dependency')
    await monitor.close()
    const closed = await runCheck(monitor.check)
    expect(closed.status).toBe('fail')
    expect(closed.output).toMatch(/closed/)
  })

  it('fails readiness and rejects ready() when subscribing fails', async () => {
    const errors: Error[] = []
    const monitor = createHeartbeatMonitor({
      transport: { name: 'broken', listen: () => Promise.reject(new Error('no route to bus')) },
      runtime: false,
      onError: (error) => errors.push(error),
    })
    monitors.push(monitor)
    await expect(monitor.ready()).rejects.toThrow('no route to bus')
    expect((await runCheck(monitor.check)).output).toMatch(/no route to bus/)
    expect(errors).toHaveLength(1)
  })

  it('refuses bad options with INVALID_OPTION at construction', () => {
    const transport = createMemoryTransport()
    const cases: Array<[unknown, RegExp]> = [
      [{}, /needs a transport that can listen/],
      [{ transport: { name: 'x', send: () => Promise.resolve() } }, /needs a transport that can listen/],
      [{ transport, detector: {} }, /detector must be/],
      [{ transport, deadAfter: -1 }, /deadAfter must be/],
      [{ transport, checkInterval: 0 }, /checkInterval must be/],
      [{ transport, checkInterval: 500, pauseBound: 400 }, /pauseBound \(400 ms\) must be longer than checkInterval/],
      [{ transport, runtime: {} }, /runtime must be/],
    ]
    for (const [options, message] of cases) {
      let caught: unknown
      try {
        createHeartbeatMonitor({ runtime: false, ...(options as object) } as Parameters<typeof createHeartbeatMonitor>[0])
      } catch (error) {
        caught = error
      }
      expect(isHealthzError(caught) && caught.code === 'INVALID_OPTION', String(message)).toBe(true)
      expect((caught as Error).message).toMatch(message)
    }
  })

  it('uses phi accrual with Akka defaults unless told otherwise', () => {
    const factory = phiAccrual()
    expect([factory.threshold, factory.acceptablePause, factory.expectedInterval]).toEqual([8, 3000, 1000])
  })
})
