// Issue 13, item 15: what healthz prints from the network (and from a manifest) reaches a terminal
// or a log. A check name with a newline must not forge a second line, an escape sequence must not
// reach the terminal, and nothing a server sends can make the output unbounded. Real servers on
// 127.0.0.1 serve hostile answers; the built bin prints them.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { probe } from '../src/index.js'
import { BIN, runBin } from './helpers.js'

/** Control characters a terminal acts on (C0 but the line feed, DEL, C1) and the line and bidi overrides. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/
const FORGED = 'healthz probe: ok, HTTP 200 OK from http://127.0.0.1/livez in 1 ms'

const servers: Array<{ close: (callback: () => void) => unknown }> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
})
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run pnpm --filter @healthz/cli build first`)
})

/** A server that answers every request with `status` and this JSON body. */
async function jsonServer(status: number, body: unknown): Promise<string> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/health+json' })
    res.end(JSON.stringify(body))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`
}

/** A TCP server that answers with a raw status line: node:http refuses to send these reason phrases, a hostile server does not. */
async function rawServer(statusLine: Buffer): Promise<string> {
  const server = createTcpServer((socket) => {
    socket.once('data', () => socket.end(Buffer.concat([statusLine, Buffer.from('\r\ncontent-length: 0\r\nconnection: close\r\n\r\n')])))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/livez`
}

const failing = (names: readonly string[], status: unknown = 'fail'): unknown => ({
  status,
  checks: Object.fromEntries(names.map((name) => [`${name}:responseTime`, [{ status: 'fail' }]])),
})

describe('issue-13 item 15: healthz probe escapes what the server sends', () => {
  it('issue-13 item 15: probe escapes a forged newline in a check name (one line on stderr, no forged ok line)', async () => {
    const url = await jsonServer(503, failing([`db\n${FORGED}`]))
    const run = await runBin(['probe', url])
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr.split('\n')).toHaveLength(2)
    expect(run.stderr).not.toMatch(/\nhealthz probe: ok/)
    // A key is `name:measurement`: the name ends at the first colon, escaped newline and all.
    expect(run.stderr).toContain('failing: db\\nhealthz probe)')
  })

  it('issue-13 item 15: probe escapes ANSI escapes and C1 controls in check names and the body status', async () => {
    const url = await jsonServer(503, failing(['\u001b[2J\u001b[31mredis', 'pg\u009b31m', 'rtl\u202eevil', 'bell\u0007\r'], 'fail\u001b]0;pwned\u0007'))
    const run = await runBin(['probe', url])
    expect(run.status).toBe(1)
    expect(run.stderr).not.toMatch(CONTROL)
    expect(run.stderr).toContain('\\x1b[2J\\x1b[31mredis')
    expect(run.stderr).toContain('pg\\x9b31m')
    expect(run.stderr).toContain('rtl\\u202eevil')
    expect(run.stderr).toContain('bell\\x07\\r')
    expect(run.stderr).toContain('status fail\\x1b]0;pwned\\x07')
  })

  it('issue-13 item 15: probe escapes the status text of a raw HTTP answer, on the ok line too', async () => {
    const ok = await runBin(['probe', await rawServer(Buffer.from('HTTP/1.1 200 OK\u001b[2K\u001b[1Ghealthz probe: forged', 'latin1'))])
    expect(ok.status).toBe(0)
    expect(ok.stdout).not.toMatch(CONTROL)
    expect(ok.stdout.split('\n')).toHaveLength(2)
    expect(ok.stdout).toContain('OK\\x1b[2K\\x1b[1Ghealthz probe: forged')
    // Bytes 0x80-0xff arrive as latin1: 0x9b is the C1 control sequence introducer.
    const bad = await runBin(['probe', await rawServer(Buffer.from([...Buffer.from('HTTP/1.1 503 Down'), 0x9b, ...Buffer.from('31m')]))])
    expect(bad.status).toBe(1)
    expect(bad.stderr).not.toMatch(CONTROL)
    expect(bad.stderr).toContain('Down\\x9b31m')
  })

  it('issue-13 item 15: probe bounds what it echoes: a huge check name, many checks, a huge status text', async () => {
    // healthz reads the first 64 KiB of a body: these bodies fit in it.
    const huge = await runBin(['probe', await jsonServer(503, failing(['x'.repeat(30_000)], 'y'.repeat(30_000)))])
    expect(huge.status).toBe(1)
    expect(huge.stderr.length).toBeLessThan(600)
    expect(huge.stderr).toContain('(30000 characters)')
    const many = await runBin(['probe', await jsonServer(503, failing(Array.from({ length: 1000 }, (_, i) => `check-${i}`)))])
    expect(many.stderr.length).toBeLessThan(600)
    expect(many.stderr).toContain('check-0, check-1')
    expect(many.stderr).toMatch(/and 990 more/)
    const long = await runBin(['probe', await rawServer(Buffer.from(`HTTP/1.1 503 ${'z'.repeat(50_000)}`))])
    expect(long.stderr.length).toBeLessThan(600)
  })

  it('issue-13 item 15: probe() resolves with a reason that is one safe line, for API users too', async () => {
    const url = await jsonServer(503, failing([`a\nb\u001b[0m`]))
    const result = await probe({ url })
    expect(result.reason).not.toMatch(/[\n\r]/)
    expect(result.reason).not.toMatch(CONTROL)
  })
})

describe('issue-13 item 15: lint and manifest escape what a YAML file carries', () => {
  const hostile = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata: { name: "p\\e[31m", namespace: "ns\\nhealthz lint: no findings in 1 workload in 1 file." }',
    'spec:',
    '  containers:',
    '    - name: "app\\e]0;pwned\\a"',
    '      image: "node:20-slim\\x9b2J"',
    `      livenessProbe: { httpGet: { path: "/readyz/\\n\\e[2J${'r'.repeat(5000)}", port: 8080 } }`,
    '      readinessProbe: { exec: { command: [curl, "-f", "http://127.0.0.1/\\e[31m"] } }',
    '',
  ].join('\n')

  it('issue-13 item 15: lint text output escapes control characters from names, paths and images, and bounds them', async () => {
    const run = await runBin(['lint', '-'], hostile)
    expect(run.status).toBe(1)
    expect(run.stdout).not.toMatch(CONTROL)
    expect(run.stdout).not.toMatch(/^healthz lint: no findings/m)
    expect(run.stdout).toContain('p\\x1b[31m')
    expect(run.stdout).toContain('container app\\x1b]0;pwned\\x07')
    // Every finding is a block of four lines and a blank one, then the summary.
    const lines = run.stdout.trimEnd().split('\n')
    expect((lines.length - 1) % 5).toBe(0)
    for (const line of lines) expect(line.length).toBeLessThan(1200)
  })

  it('issue-13 item 15: lint JSON and SARIF escape C1 and bidi controls, and still parse to the values', async () => {
    for (const format of ['json', 'sarif']) {
      const run = await runBin(['lint', '-', '--format', format], hostile)
      expect(run.stdout).not.toMatch(CONTROL)
      expect(() => JSON.parse(run.stdout) as unknown).not.toThrow()
    }
    const json = JSON.parse((await runBin(['lint', '-', '--format', 'json'], hostile)).stdout) as { findings: Array<{ container: string }> }
    expect(json.findings[0]?.container).toBe('app\u001b]0;pwned\u0007')
  })

  it('issue-13 item 15: errors about a manifest escape and bound the keys and text they echo', async () => {
    const run = await runBin(['lint', '-'], `"key\\e[2J${'k'.repeat(1000)}": 1\n"b\\nhealthz lint: no findings": 2\n`)
    expect(run.status).toBe(2)
    expect(run.stderr).not.toMatch(CONTROL)
    expect(run.stderr.split('\n')).toHaveLength(2)
    expect(run.stderr.length).toBeLessThan(800)
  })

  it('issue-13 item 15: manifest refuses control characters in --image and --prefix, and escapes them in the message', async () => {
    for (const args of [['--image', 'node:20\u001b[2J'], ['--prefix', '/health\u001b[31m']]) {
      const run = await runBin(['manifest', ...args])
      expect(run.status).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr).not.toMatch(CONTROL)
      expect(run.stderr).toContain('\\u001b[')
    }
  })
})
