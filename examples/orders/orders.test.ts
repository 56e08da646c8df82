// Runs the Express and the Koa example each as a real child process against the local Postgres,
// in a schema of its own (PGOPTIONS search_path) that is dropped afterwards, and checks what
// their comments promise. Needs the workspace packages built (`pnpm build`).
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { userInfo } from 'node:os'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runExample } from '../run-example.ts'
import type { RunningExample } from '../run-example.ts'

describe.each(['express', 'koa'])('the %s example', (framework) => {
  const SERVER = fileURLToPath(new URL(`../${framework}/server.mjs`, import.meta.url))
  const SCHEMA = `healthz_example_${framework}_${randomBytes(4).toString('hex')}`
  const TOKEN = randomBytes(16).toString('hex')
  const service = `orders-${framework}`

  const admin = new pg.Client(
    process.env.DATABASE_URL
      ? { connectionString: process.env.DATABASE_URL }
      : { host: process.env.PGHOST || '127.0.0.1', database: process.env.PGDATABASE || 'test', user: process.env.PGUSER || userInfo().username },
  )
  let example: RunningExample
  const get: RunningExample['get'] = (path, init) => example.get(path, init)
  const until: RunningExample['until'] = (path, status, within) => example.until(path, status, within)

  beforeAll(async () => {
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${SCHEMA}`)
    example = await runExample(SERVER, { PORT: '0', HOST: '127.0.0.1', API_TOKEN: TOKEN, PGOPTIONS: `-c search_path=${SCHEMA}` })
  }, 15_000)

  afterAll(async () => {
    example?.kill()
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await admin.end()
  })

  const auth = { authorization: `Bearer ${TOKEN}` }

  test('/livez answers 200 from the start', async () => {
    const livez = await get('/livez')
    expect(livez.status).toBe(200)
    expect(livez.headers.get('content-type')).toBe('application/health+json')
  })

  test('/startupz and /readyz answer 200 once the pool has connected, with the postgres check passing', async () => {
    await until('/readyz', 200)
    expect((await get('/startupz')).status).toBe(200)
    const readyz = JSON.parse((await get('/readyz')).body)
    expect(readyz).toMatchObject({ status: 'pass', serviceId: service, checks: { 'postgres:responseTime': [{ status: 'pass' }] } })
  }, 15_000)

  test('/orders answers 401 without the token, and creates and lists orders with it', async () => {
    const anonymous = await get('/orders')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')
    expect((await get('/orders', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)

    const created = await get('/orders', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'coffee beans', quantity: 2 }),
    })
    expect(created.status).toBe(201)
    const order = JSON.parse(created.body)
    expect(order).toMatchObject({ id: expect.any(Number), item: 'coffee beans', quantity: 2 })

    const list = await get('/orders', { headers: auth })
    expect(list.status).toBe(200)
    expect(JSON.parse(list.body).orders).toEqual([order])
    // Written to this run's schema, not to anyone else's table.
    expect((await admin.query(`SELECT item FROM ${SCHEMA}.orders`)).rows).toEqual([{ item: 'coffee beans' }])

    const invalid = await get('/orders', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"item":""}' })
    expect(invalid.status).toBe(400)
    const malformed = await get('/orders', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{' })
    expect(malformed.status).toBe(400)
  })

  test('the probes reach neither the auth middleware nor the request log', async () => {
    for (const path of ['/livez', '/readyz', '/startupz', '/readyz/postgres']) expect((await get(path)).status).toBe(200)
    expect(example.output()).toContain('GET /orders 401')
    expect(example.output()).not.toMatch(/(GET|HEAD) \/(livez|readyz|startupz)/)
  })

  test('SIGTERM: readiness 503 while the app still serves during the drain, then the pool closes and the process exits 0', async () => {
    const exited = once(example.child, 'exit')
    example.child.kill('SIGTERM')
    await until('/readyz', 503, 1500)
    expect(JSON.parse((await get('/readyz')).body)).toMatchObject({ status: 'fail', notes: ['draining'] })
    expect((await get('/livez')).status).toBe(200)
    expect((await get('/orders', { headers: auth })).status).toBe(200)
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null]
    expect(signal).toBeNull()
    expect(code).toBe(0)
    expect(example.output()).toContain('shutdown: running -> draining')
    expect(example.output()).toContain('postgres pool closed')
  }, 15_000)
})
