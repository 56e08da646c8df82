// Runs the quick-start demo as a real child process, the way the README tells people to, and
// checks what they are told they will see. Needs the workspace packages built (`pnpm build`).
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runExample } from '../run-example.ts'
import type { RunningExample } from '../run-example.ts'

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))

let demo: RunningExample
const get: RunningExample['get'] = (path, init) => demo.get(path, init)
const until: RunningExample['until'] = (path, status, within) => demo.until(path, status, within)

beforeAll(async () => {
  demo = await runExample(SERVER, { PORT: '0', HOST: '127.0.0.1', BOOT_SECONDS: '1', DB_DOWN: '', DRAIN_SECONDS: '1' })
}, 15_000)

afterAll(() => demo?.kill())

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
    expect(demo.output()).toContain('startup complete')
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
    const exited = once(demo.child, 'exit')
    demo.child.kill('SIGTERM')
    await until('/readyz', 503)
    expect((await get('/livez')).status).toBe(200)
    expect((await get('/orders')).status).toBe(200)
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null]
    expect(signal).toBeNull()
    expect(code).toBe(0)
    expect(demo.output()).toContain('shutdown: running -> draining')
    expect(demo.output()).toContain('shutdown hooks ran, bye')
  }, 10_000)
})
