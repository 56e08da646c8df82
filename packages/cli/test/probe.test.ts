// `healthz probe` against real node:http servers on listen(0): a healthz service answering 200
// and 503, a port nobody listens on, a server that never answers, and URLs that are not URLs.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import { createHealthListener } from '@healthz/http'
import { isCliError, parseExpect, probe } from '../src/index.js'
import { cli } from './helpers.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

async function listen(server: Server): Promise<number> {
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

/** A healthz service whose readiness check `postgres` fails. */
async function healthzService(): Promise<number> {
  const postgres = defineCheck({
    name: 'postgres',
    run: () => {
      throw new Error('connect ECONNREFUSED 10.0.0.5:5432')
    },
  })
  const health = createHealth({ readiness: [postgres], shutdown: { signals: false } })
  health.markStarted()
  return listen(createServer(createHealthListener(health)))
}

/** A server that accepts connections and never answers; counts the sockets that closed. */
async function silentServer(): Promise<{ port: number; closed: () => number; requests: () => number }> {
  let closed = 0
  let requests = 0
  const server = createServer(() => {
    requests += 1
  })
  server.on('connection', (socket: Socket) => socket.once('close', () => (closed += 1)))
  const port = await listen(server)
  return { port, closed: () => closed, requests: () => requests }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('probe()', () => {
  it('200: ok, with the status', async () => {
    const port = await healthzService()
    const result = await probe({ url: `http://127.0.0.1:${port}/livez` })
    expect(result).toMatchObject({ ok: true, status: 200 })
    expect(result.reason).toMatch(new RegExp(`^HTTP 200 OK from http://127.0.0.1:${port}/livez in \\d+ ms$`))
  })

  it('503: fails, and names the failing check from the health+json body', async () => {
    const port = await healthzService()
    const result = await probe({ url: `http://127.0.0.1:${port}/readyz` })
    expect(result).toMatchObject({ ok: false, status: 503 })
    expect(result.reason).toBe(`HTTP 503 Service Unavailable from http://127.0.0.1:${port}/readyz, expected 200-399 (status fail; failing: postgres)`)
  })

  it('503 counts as healthy when --expect says so; 200 fails when it is not expected', async () => {
    const port = await healthzService()
    expect((await probe({ url: `http://127.0.0.1:${port}/readyz`, expect: '503' })).ok).toBe(true)
    const result = await probe({ url: `http://127.0.0.1:${port}/livez`, expect: [{ min: 204, max: 204 }] })
    expect(result).toMatchObject({ ok: false, status: 200 })
    expect(result.reason).toContain('expected 204')
  })

  it('sends the given headers', async () => {
    let seen: string | undefined
    const port = await listen(
      createServer((req, res) => {
        seen = req.headers['x-probe'] as string | undefined
        res.end('ok')
      }),
    )
    expect((await probe({ url: `http://127.0.0.1:${port}/`, headers: { 'x-probe': 'yes' } })).ok).toBe(true)
    expect(seen).toBe('yes')
  })

  it('connection refused: fails with a reason, does not throw', async () => {
    const port = await freePort()
    const result = await probe({ url: `http://127.0.0.1:${port}/livez` })
    expect(result).toMatchObject({ ok: false, status: undefined })
    expect(result.reason).toBe(`connection refused by 127.0.0.1:${port}: nothing listens there (is the server up, and on this port?)`)
  })

  it('timeout: fails at the deadline and closes its connection', async () => {
    const silent = await silentServer()
    const result = await probe({ url: `http://127.0.0.1:${silent.port}/livez`, timeout: 200 })
    expect(result).toMatchObject({ ok: false, status: undefined })
    expect(result.reason).toBe(`no answer from http://127.0.0.1:${silent.port}/livez within 200ms (--timeout)`)
    expect(silent.requests()).toBe(1)
    await expect.poll(() => silent.closed()).toBe(1)
  })

  it('bad URLs are usage errors', async () => {
    for (const [url, message] of [
      ['not a url', '"not a url" is not a URL: give an absolute one, like http://127.0.0.1:8080/livez.'],
      ['127.0.0.1:8080/livez', '"127.0.0.1:8080/livez" has no scheme: use http://127.0.0.1:8080/livez.'],
      ['http://', 'is not a URL'],
      ['ftp://example.com/', 'uses ftp:'],
    ] as const) {
      const error = await probe({ url }).catch((caught: unknown) => caught)
      expect(isCliError(error) && error.code).toBe('USAGE')
      expect((error as Error).message).toContain(message)
    }
  })

  it('parses expect lists and refuses bad ones', () => {
    expect(parseExpect('200-299, 304')).toEqual([
      { min: 200, max: 299 },
      { min: 304, max: 304 },
    ])
    for (const bad of ['2xx', '399-200', '200-700', '']) expect(() => parseExpect(bad)).toThrow(/is not a list of status codes/)
  })
})

describe('healthz probe (command line)', () => {
  it('exit 0 and one line on stdout for 200; --quiet prints nothing', async () => {
    const port = await healthzService()
    const run = await cli(['probe', `http://127.0.0.1:${port}/livez`])
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/^healthz probe: ok, HTTP 200 OK from .* in \d+ ms\n$/)
    expect(await cli(['probe', `http://127.0.0.1:${port}/livez`, '-q'])).toEqual({ status: 0, stdout: '', stderr: '' })
  })

  it('exit 1 and one line on stderr for 503, refused and timeout', async () => {
    const port = await healthzService()
    const refused = await freePort()
    const silent = await silentServer()
    for (const [args, line] of [
      [[`http://127.0.0.1:${port}/readyz`], /^healthz probe: HTTP 503 Service Unavailable from .*\(status fail; failing: postgres\)\n$/],
      [[`http://127.0.0.1:${refused}/`], /^healthz probe: connection refused by 127\.0\.0\.1:\d+: /],
      [[`http://127.0.0.1:${silent.port}/`, '--timeout', '150ms'], /^healthz probe: no answer from .* within 150ms \(--timeout\)\n$/],
    ] as const) {
      const run = await cli(['probe', ...args])
      expect(run.status).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(line)
      expect(run.stderr.split('\n')).toHaveLength(2)
    }
  })

  it('exit 2 for usage errors: bad URL, no URL, bad timeout, bad expect, bad header', async () => {
    for (const [args, message] of [
      [['probe', 'localhost'], 'healthz probe: "localhost" has no scheme: use http://localhost.'],
      [['probe', 'http://[::1'], 'healthz probe: "http://[::1" is not a URL'],
      [['probe'], 'healthz probe: expects one URL'],
      [['probe', 'http://127.0.0.1/', '--timeout', '2'], 'healthz probe: --timeout "2" has no unit: add one, like 2s or 2ms.'],
      [['probe', 'http://127.0.0.1/', '--timeout', 'soon'], '--timeout "soon" is not a duration'],
      [['probe', 'http://127.0.0.1/', '--expect', 'ok'], '--expect "ok" is not a list of status codes'],
      [['probe', 'http://127.0.0.1/', '-H', 'novalue'], "--header \"novalue\" must look like 'name: value'."],
      [['nope'], 'healthz: unknown command "nope"'],
    ] as const) {
      const run = await cli(args)
      expect(run.status).toBe(2)
      expect(run.stderr).toContain(message)
    }
  })
})
