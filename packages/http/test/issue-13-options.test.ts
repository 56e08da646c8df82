// Issue 13, items 4, 6 and 7 for @healthz/http: every options object refuses keys it does not
// declare (with a "did you mean"), option types are checked when the function is called, the
// grace period is capped where a Node timer can hold it, and an onError that throws never
// leaves a probe unanswered.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { attachHealth, createHealthListener, createHealthServer, trackConnections } from '@healthz/http'
import { call } from '../../../test-utils/client.js'

const healths: Health[] = []
const servers: Server[] = []
afterEach(async () => {
  for (const health of healths.splice(0)) health.close()
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

function make(): Health {
  const health = createHealth({ runtime: false, shutdown: { signals: false } })
  healths.push(health)
  return health
}

function server(): Server {
  const created = createServer()
  servers.push(created)
  return created
}

describe('issue-13 item 6: @healthz/http refuses unknown option keys with a did-you-mean', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['createHealthListener', () => createHealthListener(make(), { nxt: () => undefined } as never), /createHealthListener: unknown option "nxt"; did you mean "next"\?/],
    ['createHealthServer', () => createHealthServer(make(), { prot: 9000 } as never), /createHealthServer: unknown option "prot"; did you mean "port"\?/],
    ['attachHealth', () => attachHealth(server(), make(), { drian: false } as never), /attachHealth: unknown option "drian"; did you mean "drain"\?/],
  ]
  it.each(cases)('issue-13 item 6: %s refuses an unknown key with INVALID_OPTION', (_name, run, message) => {
    expect(run).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(message) }))
  })

  it('issue-13 item 6: ServerDrainer.close refuses an unknown key with INVALID_OPTION', async () => {
    await expect(trackConnections(server()).close({ gracePeriodMs: 5 } as never)).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/close: unknown option "gracePeriodMs"; did you mean "gracePeriod"\?/),
    })
  })
})

describe('issue-13 item 6: @healthz/http checks option types', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["createHealthListener onError: 'log'", () => createHealthListener(make(), { onError: 'log' as never }), /onError must be a function \(error\) => void, got "log"/],
    ["createHealthListener next: 'app'", () => createHealthListener(make(), { next: 'app' as never }), /next must be a function \(req, res\) => void, got "app"/],
    ["createHealthServer onError: 'log'", () => createHealthServer(make(), { onError: 'log' as never }), /onError must be a function/],
    ['createHealthServer host: 8080', () => createHealthServer(make(), { host: 8080 as never }), /host must be a host name or address, got 8080/],
    ["attachHealth onError: 'log'", () => attachHealth(server(), make(), { onError: 'log' as never }), /onError must be a function/],
    ["attachHealth drain: 'no'", () => attachHealth(server(), make(), { drain: 'no' as never }), /drain must be true or false, got "no"/],
  ]
  it.each(cases)('issue-13 item 6: %s is refused with INVALID_OPTION', (_name, run, message) => {
    expect(run).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(message) }))
  })

  it('issue-13 item 6: a probe still gets its 500 when onError itself throws', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const broken = { ...make(), matches: () => true, handleCached: () => undefined, handle: () => Promise.reject(new Error('probe bug')) } as Health
      const listening = createServer(
        createHealthListener(broken, {
          onError: () => {
            throw new Error('the logger is down')
          },
        }),
      )
      servers.push(listening)
      listening.listen(0, '127.0.0.1')
      await once(listening, 'listening')
      const reply = await call((listening.address() as AddressInfo).port, '/readyz')
      expect(reply.status).toBe(500)
      expect(log).toHaveBeenCalled()
    } finally {
      log.mockRestore()
    }
  })
})

describe('issue-13 item 4 and 7: @healthz/http durations and echoed values', () => {
  it('issue-13 item 4: ServerDrainer.close refuses a gracePeriod of 3e9 ms with the one message', async () => {
    await expect(trackConnections(server()).close({ gracePeriod: 3e9 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: 'gracePeriod must be a number of milliseconds from 0 up to 2147483647 (about 24.8 days, the longest a Node timer holds), got 3000000000.',
    })
  })

  it('issue-13 item 7: a 10 kB port is echoed in under 300 characters', () => {
    let message = ''
    try {
      createHealthServer(make(), { port: 'x'.repeat(10_000) as never })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/^port must be a whole number from 0 to 65535, got "x+…" \(10002 characters\)\.$/)
    expect(message.length).toBeLessThan(300)
  })
})
