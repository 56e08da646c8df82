// httpCheck, tcpCheck and dnsCheck against real servers the test runs on 127.0.0.1 (node:http,
// node:net, and a small UDP DNS server), counting connections and queries on the server side.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { isHealthzError } from '@healthz/core'
import { dnsCheck, httpCheck, tcpCheck } from '@healthz/checks'
import { startDnsServer } from './support/dns-server.js'
import { eventually, expectFailsWithin, SLACK, sleep, timed } from './support/helpers.js'
import { blackHole } from '../../../test-utils/tcp-proxy.mjs'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

interface Counted {
  server: Server
  port: number
  connections: number
  open: Set<Socket>
  behaviour: 'ok' | 'error' | 'hang'
}

async function httpServer(): Promise<Counted> {
  const state: Counted = { server: createServer(), port: 0, connections: 0, open: new Set(), behaviour: 'ok' }
  state.server.on('connection', (socket) => {
    state.connections += 1
    state.open.add(socket)
    socket.on('close', () => state.open.delete(socket))
  })
  state.server.on('request', (req, res) => {
    if (state.behaviour === 'hang') return
    res.writeHead(state.behaviour === 'ok' ? 200 : 503, { 'content-type': 'text/plain' }).end(state.behaviour === 'ok' ? 'ok\n' : 'down\n')
  })
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', () => resolve()))
  state.port = (state.server.address() as AddressInfo).port
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        state.server.close(() => resolve())
        state.server.closeAllConnections()
      }),
  )
  return state
}

describe('httpCheck', () => {
  test('passes on 2xx over one keep-alive connection for 20 runs, reporting its response time', async () => {
    const s = await httpServer()
    const check = httpCheck({ url: `http://127.0.0.1:${s.port}/readyz` })
    expect(check).toMatchObject({ name: 'http', kind: 'dependency', componentType: 'component' })
    for (let i = 0; i < 20; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('pass')
      expect(result.observedUnit).toBe('ms')
      // Probes come seconds apart; fetch hands the connection back a tick after the body ends.
      await sleep(10)
    }
    expect(s.connections).toBe(1)
  })

  test('fails on an unexpected status, saying which; expectedStatus accepts a status, a list or a function', async () => {
    const s = await httpServer()
    s.behaviour = 'error'
    const url = `http://127.0.0.1:${s.port}/readyz`
    const result = await timed(httpCheck({ url }))
    expect(result.status).toBe('fail')
    expect(result.output).toContain('answered 503, expected 200–399')
    expect((await timed(httpCheck({ url, expectedStatus: 503 }))).status).toBe('pass')
    expect((await timed(httpCheck({ url, expectedStatus: [200, 503] }))).status).toBe('pass')
    expect((await timed(httpCheck({ url, expectedStatus: (status) => status >= 500 }))).status).toBe('pass')
    expect((await timed(httpCheck({ url, method: 'HEAD', expectedStatus: 200 }))).status).toBe('fail')
  })

  test('stalled server: fails at the deadline and closes its connection; passes again after', async () => {
    const s = await httpServer()
    const check = httpCheck({ url: `http://127.0.0.1:${s.port}/readyz`, timeout: 300 })
    s.behaviour = 'hang'
    await expectFailsWithin(check, 300)
    // Each aborted request's connection is closed (fetch then keeps at most one fresh idle
    // connection): connections do not pile up on the server.
    expect(s.connections).toBeGreaterThanOrEqual(3)
    expect(s.open.size).toBeLessThanOrEqual(2)
    s.behaviour = 'ok'
    expect((await timed(check)).status).toBe('pass')
  })

  test('stopped (refused) fails fast; unreachable (connection attempts hang) fails at the deadline', async () => {
    const s = await httpServer()
    const port = s.port
    await new Promise<void>((resolve) => s.server.close(() => resolve()))
    const refused = await timed(httpCheck({ url: `http://127.0.0.1:${port}/`, timeout: 400 }))
    expect(refused.status).toBe('fail')
    expect(refused.output).toMatch(/ECONNREFUSED/)
    expect(refused.elapsed).toBeLessThan(400)
    const hole = await blackHole()
    cleanup.push(() => hole.close())
    const hanging = await timed(httpCheck({ url: `http://127.0.0.1:${hole.port}/`, timeout: 300 }))
    expect(hanging.status).toBe('fail')
    expect(hanging.elapsed).toBeLessThan(300 + SLACK)
  })

  test('refuses credentials in the URL, other schemes and bad statuses at construction', () => {
    for (const options of [{ url: 'http://user:hunter2@127.0.0.1/' }, { url: 'ftp://x/' }, { url: 'not a url' }, { url: 'http://x/', expectedStatus: 99 }, { url: 'http://x/', expectedStatus: [] }]) {
      let thrown: unknown
      try {
        httpCheck(options as never)
      } catch (error) {
        thrown = error
      }
      expect(isHealthzError(thrown) && thrown.code === 'INVALID_OPTION').toBe(true)
      expect((thrown as Error).message).not.toContain('hunter2')
    }
  })
})

describe('tcpCheck', () => {
  test('passes when the port accepts, and closes each connection it opened', async () => {
    let accepted = 0
    const open = new Set<Socket>()
    const server = createTcpServer((socket) => {
      accepted += 1
      open.add(socket)
      socket.on('close', () => open.delete(socket))
      socket.on('error', () => undefined)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const check = tcpCheck({ port: (server.address() as AddressInfo).port })
    expect(check).toMatchObject({ name: 'tcp', kind: 'dependency' })
    for (let i = 0; i < 5; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('pass')
      expect(result.observedUnit).toBe('ms')
    }
    expect(await eventually(() => accepted === 5 && open.size === 0)).toBe(true)
  })

  test('refused fails fast; a port whose connection attempts hang fails at the deadline', async () => {
    const server = createTcpServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const port = (server.address() as AddressInfo).port
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const refused = await timed(tcpCheck({ port, timeout: 400 }))
    expect(refused.status).toBe('fail')
    expect(refused.output).toMatch(/ECONNREFUSED/)
    expect(refused.elapsed).toBeLessThan(400)
    const hole = await blackHole()
    cleanup.push(() => hole.close())
    const hanging = await timed(tcpCheck({ port: hole.port, timeout: 300 }))
    expect(hanging.status).toBe('fail')
    expect(hanging.output).toMatch(/connection attempt still pending; it was destroyed/)
    expect(hanging.elapsed).toBeLessThan(300 + SLACK)
  })

  test('refuses a bad port at construction', () => {
    for (const port of [0, 70_000, 1.5, Number.NaN]) expect(() => tcpCheck({ port })).toThrow(/port must be a whole number/)
  })
})

describe('dnsCheck', () => {
  test('passes when the name resolves, one query per run', async () => {
    const dns = await startDnsServer({ 'payments.test': '10.1.2.3' })
    cleanup.push(() => dns.close())
    const check = dnsCheck({ hostname: 'payments.test', servers: [`127.0.0.1:${dns.port}`] })
    expect(check).toMatchObject({ name: 'dns', kind: 'dependency' })
    for (let i = 0; i < 5; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('pass')
      expect(result.observedUnit).toBe('ms')
    }
    expect(dns.queries).toBe(5)
  })

  test('fails on an unknown name', async () => {
    const dns = await startDnsServer({})
    cleanup.push(() => dns.close())
    const result = await timed(dnsCheck({ hostname: 'missing.test', servers: [`127.0.0.1:${dns.port}`] }))
    expect(result.status).toBe('fail')
    expect(result.output).toMatch(/ENOTFOUND/)
  })

  test('stalled server: fails at the deadline with the query cancelled, one query per run; recovers', async () => {
    const dns = await startDnsServer({ 'payments.test': '10.1.2.3' })
    cleanup.push(() => dns.close())
    const check = dnsCheck({ hostname: 'payments.test', servers: [`127.0.0.1:${dns.port}`], timeout: 300 })
    dns.stalled = true
    for (let i = 0; i < 3; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('fail')
      expect(result.output).toMatch(/query was cancelled/)
      expect(result.elapsed).toBeLessThan(300 + SLACK)
    }
    expect(dns.queries).toBe(3)
    dns.stalled = false
    expect((await timed(check)).status).toBe('pass')
  })

  test('stopped server (nothing listens on the port): fails within the deadline', async () => {
    const dns = await startDnsServer({})
    const port = dns.port
    await dns.close()
    const result = await timed(dnsCheck({ hostname: 'payments.test', servers: [`127.0.0.1:${port}`], timeout: 300 }))
    expect(result.status).toBe('fail')
    expect(result.elapsed).toBeLessThan(300 + SLACK)
  })

  test('refuses a bad record type or server at construction', () => {
    expect(() => dnsCheck({ hostname: 'x', rrtype: 'PTR' as never })).toThrow(/rrtype must be one of/)
    expect(() => dnsCheck({ hostname: 'x', servers: ['not an address'] })).toThrow(/servers must be IP addresses/)
    expect(() => dnsCheck({ hostname: '' })).toThrow(/hostname/)
  })
})
