// Issue 13, items 4, 6 and 7, for @healthz/heartbeat: every factory refuses unknown option keys
// with a "did you mean", every duration follows one rule capped at 2^31 − 1 ms, and a bad
// value is echoed cut short.
import { describe, expect, it } from 'vitest'
import { isHealthzError, MAX_DURATION_MS } from '@healthz/core'
import { createHeartbeatMonitor, createMemoryTransport, deadline, phiAccrual, startHeartbeat } from '@healthz/heartbeat'
import { httpReceiver, httpTransport } from '@healthz/heartbeat/http'
import { natsTransport } from '@healthz/heartbeat/nats'
import { redisTransport } from '@healthz/heartbeat/redis'

const transport = createMemoryTransport()
const connection = { publish() {}, subscribe: () => ({ unsubscribe() {} }), status: () => ({ async *[Symbol.asyncIterator]() {} }), isClosed: () => false }
const publisher = { publish: () => Promise.resolve(1) }

/** Runs `make` and returns the INVALID_OPTION error it throws (fails the test otherwise). */
function refusal(make: () => unknown): Error {
  let caught: unknown
  try {
    const made = make() as { stop?: (options: object) => unknown; close?: () => unknown } | undefined
    void made?.stop?.({ leave: false })
    void made?.close?.()
  } catch (error) {
    caught = error
  }
  expect(isHealthzError(caught) && caught.code === 'INVALID_OPTION', `expected INVALID_OPTION, got ${String(caught)}`).toBe(true)
  return caught as Error
}

describe('issue-13 items 4/6/7: @healthz/heartbeat options', () => {
  it('issue-13 item 6: every factory refuses an unknown option key, naming the nearest known one', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => startHeartbeat({ nodeId: 'a', transport, intervall: 1000 } as never), /startHeartbeat: unknown option "intervall"; did you mean "interval"\?/],
      [() => startHeartbeat({ nodeId: 'a', transport, signing: { key: 'k'.repeat(32), kid: '1' } } as never), /signing: unknown option "kid"/],
      [() => createHeartbeatMonitor({ transport, runtime: false, deadafter: 5000 } as never), /createHeartbeatMonitor: unknown option "deadafter"; did you mean "deadAfter"\?/],
      [() => createHeartbeatMonitor({ transport, runtime: false, signing: { keys: ['k'.repeat(32)], acceptUnsiged: true } } as never), /did you mean "acceptUnsigned"\?/],
      [() => phiAccrual({ treshold: 8 } as never), /phiAccrual: unknown option "treshold"; did you mean "threshold"\?/],
      [() => deadline({ timeoutMs: 5000 } as never), /deadline: unknown option "timeoutMs"; did you mean "timeout"\?/],
      [() => createMemoryTransport({ serialise: false } as never), /createMemoryTransport: unknown option "serialise"; did you mean "serialize"\?/],
      [() => redisTransport({ publisher, chanel: 'x' } as never), /redisTransport: unknown option "chanel"; did you mean "channel"\?/],
      [() => natsTransport({ connection, subjet: 'x' } as never), /natsTransport: unknown option "subjet"; did you mean "subject"\?/],
      [() => httpTransport({ url: 'http://x/heartbeat', header: {} } as never), /httpTransport: unknown option "header"; did you mean "headers"\?/],
      [() => httpReceiver({ paht: '/beats' } as never), /httpReceiver: unknown option "paht"; did you mean "path"\?/],
    ]
    for (const [make, message] of cases) expect(refusal(make).message).toMatch(message)
  })

  it('issue-13 item 4: every duration is a number of ms above 0 (or from 0 where 0 means something) up to 2^31 − 1', () => {
    const tooLong = MAX_DURATION_MS + 1
    const cases: Array<[() => unknown, RegExp]> = [
      [() => startHeartbeat({ nodeId: 'a', transport, interval: tooLong }), /interval must be a number of milliseconds above 0 up to 2147483647/],
      [() => startHeartbeat({ nodeId: 'a', transport, sendTimeout: tooLong }), /sendTimeout must be .* up to 2147483647/],
      [() => startHeartbeat({ nodeId: 'a', transport, maxBackoff: Number.POSITIVE_INFINITY }), /maxBackoff must be .* up to 2147483647/],
      [() => createHeartbeatMonitor({ transport, runtime: false, deadAfter: tooLong }), /deadAfter must be a number of milliseconds from 0 up to 2147483647/],
      [() => createHeartbeatMonitor({ transport, runtime: false, checkInterval: tooLong }), /checkInterval must be .* above 0 up to 2147483647/],
      [() => createHeartbeatMonitor({ transport, runtime: false, pauseBound: tooLong }), /pauseBound must be .* up to 2147483647/],
      [() => createHeartbeatMonitor({ transport, runtime: false, forgetAfter: Number.POSITIVE_INFINITY }), /forgetAfter must be .* up to 2147483647/],
      [() => phiAccrual({ acceptableHeartbeatPause: tooLong }), /acceptableHeartbeatPause must be a number of milliseconds from 0 up to 2147483647/],
      [() => phiAccrual({ expectedInterval: 0 }), /expectedInterval must be a number of milliseconds above 0/],
      [() => phiAccrual({ minStdDeviation: tooLong }), /minStdDeviation must be .* up to 2147483647/],
      [() => deadline({ timeout: tooLong }), /deadline\.timeout must be .* up to 2147483647/],
      [() => deadline({ expectedInterval: -1 }), /deadline\.expectedInterval must be .* above 0/],
    ]
    for (const [make, message] of cases) expect(refusal(make).message).toMatch(message)
    // The longest a Node timer holds is accepted.
    const monitor = createHeartbeatMonitor({ transport, runtime: false, forgetAfter: MAX_DURATION_MS, deadAfter: 0 })
    void monitor.close()
  })

  it('issue-13 item 4: counts are whole numbers: maxSampleSize, maxMembers, maxIncarnationLead, incarnation', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => phiAccrual({ maxSampleSize: 1.5 }), /maxSampleSize must be a whole number of at least 1, got 1\.5/],
      [() => createHeartbeatMonitor({ transport, runtime: false, maxMembers: 0 }), /maxMembers must be a whole number of at least 1, got 0/],
      [() => createHeartbeatMonitor({ transport, runtime: false, maxIncarnationLead: -5 }), /maxIncarnationLead must be a whole number/],
      [() => startHeartbeat({ nodeId: 'a', transport, incarnation: 1.5 }), /incarnation must be a whole number of at least 0/],
      [() => startHeartbeat({ nodeId: 'a', transport, incarnation: -1 }), /incarnation must be a whole number of at least 0/],
    ]
    for (const [make, message] of cases) expect(refusal(make).message).toMatch(message)
  })

  it('issue-13 item 7: a huge bad value is echoed cut short, never whole', () => {
    const huge = 'x'.repeat(100_000)
    const cases: Array<() => unknown> = [
      () => startHeartbeat({ nodeId: huge, transport }),
      () => startHeartbeat({ nodeId: 'a', transport, status: huge as never }),
      () => startHeartbeat({ nodeId: 'a', transport, interval: huge as never }),
      () => startHeartbeat({ nodeId: 'a', transport, jitter: huge as never }),
      () => startHeartbeat({ nodeId: 'a', transport, [huge]: 1 } as never),
      () => createHeartbeatMonitor({ transport, runtime: false, deadAfter: huge as never }),
      () => phiAccrual({ threshold: huge as never }),
      () => httpTransport({ url: huge }),
      () => httpReceiver({ path: huge }),
      () => natsTransport({ connection, subject: `${huge} x` }),
    ]
    for (const make of cases) {
      const message = refusal(make).message
      expect(message.length, message.slice(0, 200)).toBeLessThan(600)
    }
  })
})
