// postgresCheck against the real PostgreSQL on 127.0.0.1:5432, with outages simulated by a TCP
// proxy of the test's own. Connections are counted on the server (pg_stat_activity, by an
// application_name unique to each test) and on the pool.
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { isHealthzError } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'
import { eventually, expectFailsWithin, SLACK, sleep, suffix, timed } from './support/helpers.js'
import { blackHole, TcpProxy } from '../../../test-utils/tcp-proxy.mjs'

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' }

let admin: pg.Client
const cleanup: Array<() => Promise<void> | void> = []

beforeAll(async () => {
  admin = new pg.Client({ ...PG, application_name: `hz-admin-${suffix()}` })
  await admin.connect()
})
afterAll(async () => {
  await admin.end()
})
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function serverConnections(application: string, state?: string): Promise<number> {
  const result = await admin.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 ${state === undefined ? '' : 'AND state = $2'}`,
    state === undefined ? [application] : [application, state],
  )
  return Number(result.rows[0]?.n)
}

function pool(options: pg.PoolConfig = {}): { pool: pg.Pool; application: string } {
  const application = `hz-test-${suffix()}`
  const created = new pg.Pool({ ...PG, application_name: application, ...options })
  created.on('error', () => undefined) // a connection reset by the proxy while idle
  cleanup.push(() => Promise.race([created.end().catch(() => undefined), sleep(2000)]))
  return { pool: created, application }
}

const checkedOut = (p: pg.Pool): number => p.totalCount - p.idleCount

function listenerCounts(emitter: NodeJS.EventEmitter): Record<string, number> {
  return Object.fromEntries(emitter.eventNames().map((name) => [String(name), emitter.listenerCount(name)]))
}

describe('postgresCheck over a Pool', () => {
  test('passes against the server, reporting its response time in ms', async () => {
    const { pool: p } = pool()
    const check = postgresCheck({ client: p })
    expect(check).toMatchObject({ name: 'postgres', kind: 'dependency', componentType: 'datastore', measurement: 'responseTime', timeout: 500 })
    const result = await timed(check)
    expect(result.status).toBe('pass')
    expect(result.observedUnit).toBe('ms')
    expect(typeof result.observedValue).toBe('number')
    expect(result.observedValue as number).toBeGreaterThanOrEqual(0)
    expect(result.observedValue as number).toBeLessThan(result.elapsed + 1)
  })

  test('reuses the pool: 20 runs open one connection on the server and leave none checked out', async () => {
    const { pool: p, application } = pool()
    const check = postgresCheck({ client: p })
    for (let i = 0; i < 20; i += 1) {
      expect((await timed(check)).status).toBe('pass')
      expect(checkedOut(p)).toBe(0)
    }
    expect(p.totalCount).toBe(1)
    expect(await serverConnections(application)).toBe(1)
  })

  test('leaves no listener behind on the pool or its connection', async () => {
    const { pool: p } = pool()
    const check = postgresCheck({ client: p })
    await timed(check)
    const connection = await p.connect()
    const connectionBefore = listenerCounts(connection)
    connection.release()
    const poolBefore = listenerCounts(p)
    for (let i = 0; i < 5; i += 1) await timed(check)
    const again = await p.connect()
    expect(again).toBe(connection)
    expect(listenerCounts(again)).toEqual(connectionBefore)
    again.release()
    expect(listenerCounts(p)).toEqual(poolBefore)
  })

  test('server stopped: fails within its deadline, leaves nothing checked out, recovers when it is back', async () => {
    const proxy = await TcpProxy.start({ port: 5432 })
    cleanup.push(() => proxy.stop())
    const { pool: p } = pool({ port: proxy.port })
    const check = postgresCheck({ client: p, timeout: 400 })
    expect((await timed(check)).status).toBe('pass')
    await proxy.stop()
    const down = await timed(check)
    expect(down.status).toBe('fail')
    expect(down.elapsed).toBeLessThan(400 + SLACK)
    expect(down.output).toMatch(/postgres/)
    expect(checkedOut(p)).toBe(0)
    expect(p.waitingCount).toBe(0)
    await proxy.restart()
    expect((await timed(check)).status).toBe('pass')
    expect(checkedOut(p)).toBe(0)
  })

  test('unreachable (connection refused): fails fast', async () => {
    const proxy = await TcpProxy.start({ port: 5432 })
    await proxy.stop() // a port nobody listens on
    const { pool: p } = pool({ port: proxy.port })
    const result = await timed(postgresCheck({ client: p, timeout: 400 }))
    expect(result.status).toBe('fail')
    expect(result.output).toMatch(/ECONNREFUSED/)
    expect(result.elapsed).toBeLessThan(400)
    expect(p.totalCount).toBe(0)
  })

  test('unreachable (connection attempts hang): fails at the deadline and never opens a second connection', async () => {
    const hole = await blackHole()
    const { pool: p } = pool({ port: hole.port })
    cleanup.push(() => hole.close()) // first: the pending connection attempt fails, so the pool can end
    const check = postgresCheck({ client: p, timeout: 300 })
    for (let i = 0; i < 4; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('fail')
      expect(result.error?.message).toMatch(/timed out after 300 ms/)
      expect(result.elapsed).toBeLessThan(300 + SLACK)
      // One attempt to connect is still under way; later runs wait on it instead of adding more.
      expect(p.totalCount).toBe(1)
      expect(p.waitingCount).toBe(0)
    }
  })

  test('server stalled: fails at the deadline, destroys the stuck connection, at most one query in flight, recovers', async () => {
    const proxy = await TcpProxy.start({ port: 5432 })
    cleanup.push(() => proxy.stop())
    const { pool: p, application } = pool({ port: proxy.port })
    let inFlight = 0
    let maxInFlight = 0
    p.on('acquire', () => {
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
    })
    p.on('release', () => {
      inFlight -= 1
    })
    const check = postgresCheck({ client: p, timeout: 300 })
    expect((await timed(check)).status).toBe('pass')
    expect(await serverConnections(application)).toBe(1)
    proxy.stall()
    for (let i = 0; i < 3; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('fail')
      expect(result.elapsed).toBeLessThan(300 + SLACK)
      expect(inFlight).toBe(0) // the stuck connection was destroyed, not handed back
      expect(p.totalCount - p.idleCount).toBeLessThanOrEqual(1) // at most one connection being opened
    }
    expect(maxInFlight).toBe(1)
    expect(inFlight).toBe(0)
    proxy.resume()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
    expect(checkedOut(p)).toBe(0)
    // The destroyed connections are gone on the server too: one connection serves the pool again.
    expect(await eventually(async () => (await serverConnections(application)) === p.totalCount)).toBe(true)
    expect(p.totalCount).toBeLessThanOrEqual(2)
  })

  test('a query still running at the deadline has its connection destroyed, not returned to the pool', async () => {
    const { pool: p, application } = pool()
    const check = postgresCheck({ client: p, timeout: 300, query: 'SELECT pg_sleep(1.5)' })
    const result = await timed(check)
    expect(result.status).toBe('fail')
    expect(result.output).toMatch(/query still running; its connection was destroyed/)
    expect(result.elapsed).toBeLessThan(300 + SLACK)
    await eventually(() => p.totalCount === 0, 1000)
    expect(p.totalCount).toBe(0)
    // The server notices the closed connection once pg_sleep ends and its backend goes away.
    expect(await eventually(async () => (await serverConnections(application)) === 0, 4000)).toBe(true)
  })

  test('an exhausted pool fails at the deadline and leaves its wait queue; passes once a connection is free', async () => {
    const { pool: p } = pool({ max: 2 })
    const held = [await p.connect(), await p.connect()]
    const check = postgresCheck({ client: p, timeout: 250 })
    for (let i = 0; i < 3; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('fail')
      expect(result.output).toMatch(/timed out after 250 ms.*pool exhausted: no connection free \(2 open, 0 idle, 0 other waiting\)/)
      expect(result.elapsed).toBeLessThan(250 + SLACK)
      expect(p.waitingCount).toBe(0)
    }
    // The application's own waiter is served normally.
    const waiting = p.connect()
    expect(p.waitingCount).toBe(1)
    held[0]?.release()
    const served = await waiting
    served.release()
    expect((await timed(check)).status).toBe('pass')
    held[1]?.release()
    expect(checkedOut(p)).toBe(0)
    expect(p.waitingCount).toBe(0)
  })

  test('the failure message names what failed and carries no credentials', async () => {
    const p = new pg.Pool({ connectionString: 'postgres://app:hunter2@127.0.0.1:5432/test', application_name: `hz-test-${suffix()}` })
    cleanup.push(() => p.end())
    const result = await timed(postgresCheck({ client: p }))
    expect(result.status).toBe('fail')
    expect(result.output).toMatch(/postgres connection failed: .*app/)
    expect(result.output).not.toContain('hunter2')
  })
})

describe('postgresCheck over a Client', () => {
  test('passes over a connected client, one connection on the server', async () => {
    const application = `hz-test-${suffix()}`
    const client = new pg.Client({ ...PG, application_name: application })
    await client.connect()
    cleanup.push(() => client.end())
    const check = postgresCheck({ client })
    for (let i = 0; i < 5; i += 1) expect((await timed(check)).status).toBe('pass')
    expect(await serverConnections(application)).toBe(1)
  })

  test('stalled: fails at the deadline, puts one query on the wire however many runs time out, and never destroys the client', async () => {
    const proxy = await TcpProxy.start({ port: 5432 })
    cleanup.push(() => proxy.stop())
    const client = new pg.Client({ ...PG, port: proxy.port, application_name: `hz-test-${suffix()}` })
    client.on('error', () => undefined)
    await client.connect()
    cleanup.push(() => client.end().catch(() => undefined))
    const check = postgresCheck({ client, timeout: 250 })
    expect((await timed(check)).status).toBe('pass')
    proxy.stall()
    await expectFailsWithin(check, 250)
    // On the wire, held back by the stalled proxy: the one query of the first timed-out run.
    // Later runs' queries waited in the client's queue and left it at their deadline.
    expect(heldPgQueries(proxy)).toBe(1)
    proxy.resume()
    await sleep(50)
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
    expect(await client.query('SELECT 2 AS n')).toMatchObject({ rows: [{ n: 2 }] })
  })
})

/** Counts PostgreSQL simple-query messages ('Q') the stalled proxy holds back on their way to the server. */
function heldPgQueries(proxy: TcpProxy): number {
  let count = 0
  for (const pair of proxy.pairs) {
    const data = Buffer.concat(pair.held.filter(([to]) => to === pair.upstream).map(([, chunk]) => chunk))
    for (let at = 0; at + 5 <= data.length; at += 1 + data.readInt32BE(at + 1)) if (data[at] === 0x51) count += 1
  }
  return count
}

describe('postgresCheck options', () => {
  test('refuses a missing or wrong client at construction, with what to pass', () => {
    for (const bad of [undefined, null, {}, { client: {} }, { client: 'postgres://x' }]) {
      let thrown: unknown
      try {
        postgresCheck(bad as never)
      } catch (error) {
        thrown = error
      }
      expect(isHealthzError(thrown)).toBe(true)
      expect((thrown as { code: string }).code).toBe('INVALID_OPTION')
      expect((thrown as Error).message).toMatch(/postgresCheck/)
    }
  })

  test('takes the shared options', () => {
    const { pool: p } = pool()
    const check = postgresCheck({ client: p, name: 'orders-db', timeout: 200, cache: 0, critical: false })
    expect(check).toMatchObject({ name: 'orders-db', timeout: 200, cache: 0, critical: false, kind: 'dependency' })
  })
})
