// natsCheck against the real NATS server on 127.0.0.1:4222, through the test's own TCP proxy,
// which also counts the connections the server is offered.
import { connect } from 'nats'
import type { NatsConnection } from 'nats'
import { afterEach, describe, expect, test } from 'vitest'
import { isHealthzError } from '@healthz/core'
import { natsCheck } from '@healthz/checks/nats'
import { eventually, expectFailsWithin, SLACK, timed } from './support/helpers.js'
import { TcpProxy } from '../../../test-utils/tcp-proxy.mjs'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function through(proxy: TcpProxy): Promise<NatsConnection> {
  const nc = await connect({ servers: `127.0.0.1:${proxy.port}`, reconnectTimeWait: 50, maxReconnectAttempts: -1, pingInterval: 60_000 })
  cleanup.push(() => nc.close().catch(() => undefined))
  return nc
}

/** PING protocol lines the stalled proxy holds back on their way to the server. */
function heldPings(proxy: TcpProxy): number {
  const text = [...proxy.pairs].flatMap((pair) => pair.held.filter(([to]) => to === pair.upstream).map(([, chunk]) => chunk.toString('latin1'))).join('')
  return text.split('PING\r\n').length - 1
}

describe('natsCheck', () => {
  test('passes, reporting its response time; 20 runs over the one connection the application has', async () => {
    const proxy = await TcpProxy.start({ port: 4222 })
    cleanup.push(() => proxy.stop())
    const nc = await through(proxy)
    const check = natsCheck({ client: nc })
    expect(check).toMatchObject({ name: 'nats', kind: 'dependency', componentType: 'component' })
    for (let i = 0; i < 20; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('pass')
      expect(result.observedUnit).toBe('ms')
    }
    expect(proxy.accepted).toBe(1)
    expect(proxy.open).toBe(1)
  })

  test('server stopped: fails within its deadline (at once while reconnecting), recovers when it is back', async () => {
    const proxy = await TcpProxy.start({ port: 4222 })
    cleanup.push(() => proxy.stop())
    const nc = await through(proxy)
    const check = natsCheck({ client: nc, timeout: 400 })
    expect((await timed(check)).status).toBe('pass')
    await proxy.stop()
    await expectFailsWithin(check, 400)
    await proxy.restart()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
  })

  test('unreachable (refused, or attempts hang): fails within the deadline while the client reconnects', async () => {
    const proxy = await TcpProxy.start({ port: 4222 })
    cleanup.push(() => proxy.stop())
    const nc = await through(proxy)
    const check = natsCheck({ client: nc, timeout: 400 })
    expect((await timed(check)).status).toBe('pass')
    await proxy.stop() // refused from now on
    await expectFailsWithin(check, 400)
    // The server's port accepts again but nothing answers: reconnection attempts hang.
    await proxy.restart()
    proxy.stall()
    await expectFailsWithin(check, 400)
    proxy.resume()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
  })

  test('a closed connection fails at once', async () => {
    const proxy = await TcpProxy.start({ port: 4222 })
    cleanup.push(() => proxy.stop())
    const nc = await through(proxy)
    await nc.close()
    const result = await timed(natsCheck({ client: nc }))
    expect(result.status).toBe('fail')
    expect(result.output).toMatch(/nats connection closed/)
    expect(result.elapsed).toBeLessThan(150) // at once: well inside the deadline
  })

  test('server stalled: fails at the deadline with one PING on the wire however many runs time out; recovers', async () => {
    const proxy = await TcpProxy.start({ port: 4222 })
    cleanup.push(() => proxy.stop())
    const nc = await through(proxy)
    const check = natsCheck({ client: nc, timeout: 300 })
    expect((await timed(check)).status).toBe('pass')
    proxy.stall()
    for (let i = 0; i < 3; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('fail')
      expect(result.output).toMatch(/no PONG yet/)
      expect(result.elapsed).toBeLessThan(300 + SLACK)
    }
    expect(heldPings(proxy)).toBe(1)
    proxy.resume()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
    expect(proxy.accepted).toBe(1)
  })

  test('refuses a wrong client at construction', () => {
    let thrown: unknown
    try {
      natsCheck({ client: { flush: async () => undefined } } as never)
    } catch (error) {
      thrown = error
    }
    expect(isHealthzError(thrown) && thrown.code === 'INVALID_OPTION').toBe(true)
  })
})
