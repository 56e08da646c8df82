// Issue 13, items 4, 6 and 7 for @healthz/checks: every factory refuses keys its options do not
// declare (with a "did you mean"), before it looks at the client; durations follow core's one
// rule; echoed values are cut short. No server is needed: the refusals come first.
import { describe, expect, it } from 'vitest'
import type { CheckDefinition } from '@healthz/core'
import { diskSpaceCheck, dnsCheck, heapCheck, httpCheck, rssCheck, tcpCheck } from '@healthz/checks'
import { amqpCheck } from '@healthz/checks/amqplib'
import { ioredisCheck } from '@healthz/checks/ioredis'
import { mqttCheck } from '@healthz/checks/mqtt'
import { mysqlCheck } from '@healthz/checks/mysql2'
import { natsCheck } from '@healthz/checks/nats'
import { postgresCheck } from '@healthz/checks/pg'
import { redisCheck } from '@healthz/checks/redis'

type Factory = (options: never) => CheckDefinition

// Each factory with options it accepts (fake clients: nothing here connects).
const factories: Array<[string, Factory, Record<string, unknown>]> = [
  ['postgresCheck', postgresCheck as Factory, { client: { query: async () => undefined } }],
  ['mysqlCheck', mysqlCheck as Factory, { client: { ping: () => undefined } }],
  ['ioredisCheck', ioredisCheck as Factory, { client: { status: 'ready', ping: async () => 'PONG' } }],
  ['redisCheck', redisCheck as Factory, { client: { isOpen: true, ping: async () => 'PONG' } }],
  ['amqpCheck', amqpCheck as Factory, { client: { checkExchange: async () => undefined } }],
  ['natsCheck', natsCheck as Factory, { client: { rtt: async () => 1, isClosed: () => false } }],
  ['mqttCheck', mqttCheck as Factory, { client: { connected: true, publish: () => undefined } }],
  ['httpCheck', httpCheck as Factory, { url: 'http://127.0.0.1:1/readyz' }],
  ['tcpCheck', tcpCheck as Factory, { port: 1 }],
  ['dnsCheck', dnsCheck as Factory, { hostname: 'localhost' }],
  ['heapCheck', heapCheck as Factory, { failAboveBytes: 2 ** 30 }],
  ['rssCheck', rssCheck as Factory, { failAboveBytes: 2 ** 30 }],
  ['diskSpaceCheck', diskSpaceCheck as Factory, { path: '/', failBelowRatio: 0.01 }],
]

describe('issue-13 item 6: every @healthz/checks factory refuses unknown keys', () => {
  it.each(factories)('issue-13 item 6: %s refuses timout with a did-you-mean', (name, factory, options) => {
    expect(() => factory({ ...options, timout: 100 } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(new RegExp(`^${name}: unknown option "timout"; did you mean "timeout"\\?`)) }),
    )
  })

  it.each(factories)('issue-13 item 6: %s still takes its own and the shared options', (_name, factory, options) => {
    expect(factory({ ...options, name: 'x', timeout: 100, critical: false } as never)).toMatchObject({ name: 'x', timeout: 100, critical: false })
  })

  it('issue-13 item 6: a factory own key misspelt gets its suggestion too', () => {
    expect(() => postgresCheck({ client: { query: async () => undefined }, qeury: 'SELECT 2' } as never)).toThrow(/postgresCheck: unknown option "qeury"; did you mean "query"\?/)
    expect(() => diskSpaceCheck({ path: '/', failBelowRatio: 0.01, warnBelowRatioo: 0.1 } as never)).toThrow(/did you mean "warnBelowRatio"\?/)
  })
})

describe('issue-13 item 4: durations of every factory follow the one rule', () => {
  it.each(factories)('issue-13 item 4: %s refuses a timeout of 3e9 ms', (_name, factory, options) => {
    expect(() => factory({ ...options, timeout: 3e9 } as never)).toThrow(/timeout must be a number of milliseconds above 0 up to 2147483647 \(about 24.8 days, the longest a Node timer holds\), got 3000000000\./)
  })
})

describe('issue-13 item 7: @healthz/checks echoes values short', () => {
  const huge = 'x'.repeat(10_000)
  const cases: Array<[string, () => unknown]> = [
    ['postgresCheck query', () => postgresCheck({ client: { query: async () => undefined }, query: { huge } as never })],
    ['amqpCheck exchange', () => amqpCheck({ client: { checkExchange: async () => undefined }, exchange: { huge } as never })],
    ['mqttCheck topic', () => mqttCheck({ client: { connected: true, publish: () => undefined }, topic: `${huge}#` })],
    ['httpCheck url', () => httpCheck({ url: huge })],
    ['httpCheck method', () => httpCheck({ url: 'http://x', method: huge as never })],
    ['httpCheck expectedStatus', () => httpCheck({ url: 'http://x', expectedStatus: [huge] as never })],
    ['tcpCheck port', () => tcpCheck({ port: huge as never })],
    ['dnsCheck rrtype', () => dnsCheck({ hostname: 'x', rrtype: huge as never })],
    ['heapCheck failAboveBytes', () => heapCheck({ failAboveBytes: huge as never })],
    ['diskSpaceCheck failBelowRatio', () => diskSpaceCheck({ path: '/', failBelowRatio: huge as never })],
    ['a check name', () => tcpCheck({ port: 1, name: huge })],
  ]
  it.each(cases)('issue-13 item 7: %s of 10 kB is echoed in under 300 characters', (_name, run) => {
    let message = ''
    try {
      run()
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/characters\)/)
    expect(message.length).toBeLessThan(300)
  })
})
