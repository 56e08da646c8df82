// The emitter on fake time: what a beat carries, pacing and jitter, status from a health
// object, backoff, no pile-up, the leaving beat, and errors at construction.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHealth, defineCheck, isHealthzError } from '@healthz/core'
import { createMemoryTransport, startHeartbeat } from '@healthz/heartbeat'
import type { Heartbeat, HeartbeatTransport } from '@healthz/heartbeat'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

/** A transport that records what it is given and behaves as the test says. */
function recordingTransport(behave: (beat: Heartbeat, signal: AbortSignal) => Promise<void> = () => Promise.resolve()): HeartbeatTransport & {
  beats: Array<Heartbeat & { at: number }>
} {
  const beats: Array<Heartbeat & { at: number }> = []
  return {
    name: 'recording',
    beats,
    send(beat, { signal }) {
      beats.push({ ...beat, at: Date.now() })
      return behave(beat, signal)
    },
  }
}

describe('startHeartbeat', () => {
  it('beats at once, then every interval within the jitter, numbering each beat', async () => {
    const transport = recordingTransport()
    const start = Date.now()
    const emitter = startHeartbeat({ nodeId: 'w1', transport, interval: 1000, jitter: 0.1, metadata: { version: '1.2.3' } })
    await vi.advanceTimersByTimeAsync(100_000)
    await emitter.stop({ leave: false })
    const beats = transport.beats
    expect(beats[0]).toMatchObject({ nodeId: 'w1', incarnation: start, seq: 0, status: 'pass', metadata: { version: '1.2.3' }, at: start })
    expect(beats.map((beat) => beat.seq)).toEqual(beats.map((_, i) => i))
    const gaps = beats.slice(1).map((beat, i) => beat.at - beats[i]!.at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1100)
    expect(new Set(gaps).size).toBeGreaterThan(10) // spread, not lockstep
    expect(beats.length).toBeGreaterThan(90)
    expect(beats.length).toBeLessThan(112)
  })

  it('reads metadata and status functions before every beat; a throwing or hanging status sends fail', async () => {
    const transport = recordingTransport()
    let load = 0
    let behaviour: () => Promise<'pass' | 'warn'> = () => Promise.resolve('warn')
    const emitter = startHeartbeat({ nodeId: 'w1', transport, interval: 1000, jitter: 0, metadata: () => ({ load: (load += 1) }), status: () => behaviour() })
    await vi.advanceTimersByTimeAsync(1500)
    behaviour = () => Promise.reject(new Error('boom'))
    await vi.advanceTimersByTimeAsync(1000)
    behaviour = () => new Promise(() => undefined)
    await vi.advanceTimersByTimeAsync(2000)
    const stopped = emitter.stop({ leave: false })
    await vi.advanceTimersByTimeAsync(2000) // a beat may be waiting for its status: cut at the send timeout
    await stopped
    expect(transport.beats.map((beat) => [beat.status, beat.metadata])).toEqual([
      ['warn', { load: 1 }],
      ['warn', { load: 2 }],
      ['fail', { load: 3 }],
      ['fail', { load: 4 }], // sent when the status timed out, at the send timeout (1000 ms)
    ])
  })

  it("carries a health object's readiness, and says leaving when its shutdown starts", async () => {
    let dbUp = true
    const health = createHealth({
      readiness: [defineCheck({ name: 'db', cache: 0, run: () => { if (!dbUp) throw new Error('down') } })],
      runtime: false,
      shutdown: { signals: false, drainDelay: 0 },
    })
    health.markStarted()
    const transport = recordingTransport()
    startHeartbeat({ nodeId: 'w1', transport, health, jitter: 0 })
    await vi.advanceTimersByTimeAsync(1500)
    dbUp = false
    await vi.advanceTimersByTimeAsync(1000)
    void health.shutdown()
    await vi.advanceTimersByTimeAsync(100)
    expect(transport.beats.map((beat) => beat.status)).toEqual(['pass', 'pass', 'fail', 'leaving'])
    await vi.advanceTimersByTimeAsync(5000)
    expect(transport.beats).toHaveLength(4) // stopped
  })

  it('backs off on failures without stopping, and recovers its pace', async () => {
    let failing = true
    const transport = recordingTransport(() => (failing ? Promise.reject(new Error('bus down')) : Promise.resolve()))
    const errors: Error[] = []
    const emitter = startHeartbeat({ nodeId: 'w1', transport, interval: 1000, jitter: 0, maxBackoff: 8000, onError: (error) => errors.push(error) })
    await vi.advanceTimersByTimeAsync(30_000)
    const gaps = transport.beats.slice(1).map((beat, i) => beat.at - transport.beats[i]!.at)
    expect(gaps.slice(0, 5)).toEqual([2000, 4000, 8000, 8000, 8000])
    expect(emitter.stats()).toMatchObject({ sent: 0, consecutiveFailures: transport.beats.length })
    expect(errors[0]?.message).toBe('bus down')
    failing = false
    await vi.advanceTimersByTimeAsync(20_000)
    const after = transport.beats.slice(-4)
    expect(after.slice(1).map((beat, i) => beat.at - after[i]!.at)).toEqual([1000, 1000, 1000])
    expect(emitter.stats().consecutiveFailures).toBe(0)
    await emitter.stop({ leave: false })
  })

  it('never has two sends in flight: a hanging send times out and the next beats are skipped until it settles', async () => {
    const signals: AbortSignal[] = []
    let settle: (() => void) | undefined
    const transport = recordingTransport((_beat, signal) => {
      signals.push(signal)
      return new Promise<void>((resolve) => {
        settle = resolve // ignores its signal on purpose
      })
    })
    const emitter = startHeartbeat({ nodeId: 'w1', transport, interval: 1000, jitter: 0, sendTimeout: 500, onError: () => undefined })
    await vi.advanceTimersByTimeAsync(10_000)
    expect(transport.beats).toHaveLength(1)
    expect(signals[0]?.aborted).toBe(true)
    expect(emitter.stats()).toMatchObject({ failed: 1 })
    expect(emitter.stats().skipped).toBeGreaterThan(2)
    settle?.()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(transport.beats.length).toBeGreaterThan(1)
    await emitter.stop({ leave: false })
  })

  it('stop() sends one leaving beat, is idempotent, and stop({ leave: false }) sends none', async () => {
    const transport = recordingTransport()
    const a = startHeartbeat({ nodeId: 'a', transport, jitter: 0 })
    const b = startHeartbeat({ nodeId: 'b', transport, jitter: 0 })
    await vi.advanceTimersByTimeAsync(1500)
    await Promise.all([a.stop(), a.stop(), b.stop({ leave: false })])
    await vi.advanceTimersByTimeAsync(5000)
    expect(transport.beats.filter((beat) => beat.nodeId === 'a').map((beat) => [beat.seq, beat.status])).toEqual([
      [0, 'pass'],
      [1, 'pass'],
      [2, 'leaving'],
    ])
    expect(transport.beats.filter((beat) => beat.nodeId === 'b').map((beat) => beat.status)).toEqual(['pass', 'pass'])
  })

  it('works over the memory transport end to end', async () => {
    const transport = createMemoryTransport()
    const received: unknown[] = []
    await transport.listen({ deliver: (message) => received.push(message), connection: () => undefined })
    const emitter = startHeartbeat({ nodeId: 'a', transport, incarnation: 7 })
    await vi.advanceTimersByTimeAsync(0)
    expect(JSON.parse(received[0] as string)).toMatchObject({ nodeId: 'a', incarnation: 7, seq: 0 })
    await emitter.stop()
  })

  it('refuses bad options with INVALID_OPTION and a hint', () => {
    const transport = createMemoryTransport()
    const cases: Array<[unknown, RegExp]> = [
      [{ transport }, /nodeId must be a non-empty string/],
      [{ nodeId: 'a' }, /needs a transport that can send/],
      [{ nodeId: 'a', transport: { name: 'x', listen: () => Promise.resolve({ close: () => Promise.resolve() }) } }, /needs a transport that can send/],
      [{ nodeId: 'a', transport, interval: 0 }, /interval must be a number of milliseconds above 0/],
      [{ nodeId: 'a', transport, jitter: 1 }, /jitter must be a fraction/],
      [{ nodeId: 'a', transport, metadata: [] }, /metadata must be a plain object/],
      [{ nodeId: 'a', transport, status: 'ok' }, /status must be 'pass', 'warn', 'fail'/],
      [{ nodeId: 'a', transport, incarnation: Number.NaN }, /incarnation must be a whole number of at least 0/],
    ]
    for (const [options, message] of cases) {
      let caught: unknown
      try {
        startHeartbeat(options as Parameters<typeof startHeartbeat>[0])
      } catch (error) {
        caught = error
      }
      expect(isHealthzError(caught) && caught.code === 'INVALID_OPTION', String(message)).toBe(true)
      expect((caught as Error).message).toMatch(message)
    }
  })
})
