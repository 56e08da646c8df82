// Runs the quick-start demo as a real child process, the way the README tells people to, and
// checks what they are told they will see. Needs the workspace packages built (`pnpm build`).
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))

let child: ChildProcess
let base: string
let output = ''

beforeAll(async () => {
  child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BOOT_SECONDS: '1', DB_DOWN: '', DRAIN_SECONDS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.setEncoding('utf8')
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => (output += chunk))
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not print its address in time:\n${output}`)), 10_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the demo exited early with code ${String(code)}:\n${output}`))
    })
    child.stdout?.on('data', (chunk: string) => {
      output += chunk
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
  })
}, 15_000)

afterAll(() => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

async function get(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(base + path, init)
  return { status: response.status, headers: response.headers, body: await response.text() }
}

/** Polls `path` until it answers `status`, for at most `within` ms. */
async function until(path: string, status: number, within = 10_000): Promise<void> {
  const deadline = Date.now() + within
  let last = 0
  while (Date.now() < deadline) {
    last = (await get(path)).status
    if (last === status) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${path} still answered ${last}, not ${status}, after ${within} ms`)
}

describe('the quick-start demo', () => {
  test('while booting: /livez 200 at once, /startupz and /readyz 503', async () => {
    const [livez, startupz, readyz] = await Promise.all([get('/livez'), get('/startupz'), get('/readyz')])
    expect(livez.status).toBe(200)
    expect(startupz.status).toBe(503)
    expect(readyz.status).toBe(503)
    for (const probe of [livez, startupz, readyz]) {
      expect(probe.headers.get('content-type')).toBe('application/health+json')
      expect(probe.headers.get('cache-control')).toBe('no-store')
    }
    expect(JSON.parse(startupz.body)).toMatchObject({ status: 'fail', serviceId: 'orders-demo' })
    expect(JSON.parse(readyz.body)).toMatchObject({ status: 'fail', notes: ['starting'] })
  })

  test('after boot: /startupz and /readyz 200, /livez still 200', async () => {
    await until('/startupz', 200)
    const readyz = await get('/readyz')
    expect(readyz.status).toBe(200)
    expect(JSON.parse(readyz.body)).toMatchObject({
      status: 'pass',
      checks: { 'database:responseTime': [{ status: 'pass' }], 'heap:used': [{ status: 'pass', observedUnit: 'MiB' }] },
    })
    expect((await get('/livez')).status).toBe(200)
    expect(output).toContain('startup complete')
  }, 15_000)

  test('the app routes work behind the probes', async () => {
    const hello = await get('/')
    expect(hello.status).toBe(200)
    expect(JSON.parse(hello.body)).toMatchObject({ hello: 'world' })
    const orders = await get('/orders')
    expect(orders.status).toBe(200)
    expect(JSON.parse(orders.body).orders.length).toBeGreaterThan(0)
    expect((await get('/no-such-route')).status).toBe(404)
  })

  test('probes answer HEAD and refuse other methods with 405', async () => {
    const head = await get('/livez', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    const post = await get('/readyz', { method: 'POST' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  test('database down: readiness fails, liveness does not; details are redacted', async () => {
    expect(JSON.parse((await get('/toggle-db')).body)).toMatchObject({ database: 'down' })
    await until('/readyz', 503)
    expect((await get('/livez')).status).toBe(200)
    const withheld = JSON.parse((await get('/readyz')).body)
    expect(withheld.checks['database:responseTime'][0]).toMatchObject({ status: 'fail', output: 'reason withheld' })
    const detailed = await get('/readyz', { headers: { 'x-health-token': 'demo' } })
    const text = JSON.parse(detailed.body).checks['database:responseTime'][0].output as string
    expect(text).toContain('ECONNREFUSED')
    expect(text).toContain('[redacted]')
    expect(text).not.toContain('hunter2')
    expect((await get('/readyz?exclude=database')).status).toBe(200)

    expect(JSON.parse((await get('/toggle-db')).body)).toMatchObject({ database: 'up' })
    await until('/readyz', 200)
  }, 15_000)

  test('SIGTERM drains: readiness 503 while the app still serves, then exit 0', async () => {
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await until('/readyz', 503)
    expect((await get('/livez')).status).toBe(200)
    expect((await get('/orders')).status).toBe(200)
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null]
    expect(signal).toBeNull()
    expect(code).toBe(0)
    expect(output).toContain('shutdown: running -> draining')
    expect(output).toContain('shutdown hooks ran, bye')
  }, 10_000)
})
