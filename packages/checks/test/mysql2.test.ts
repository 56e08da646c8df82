// mysqlCheck against the real MariaDB on 127.0.0.1:3306, callback and promise APIs, with outages
// simulated by the test's own TCP proxy. Connections are counted on the server: each test
// connects as a user of its own and counts that user's rows in the process list.
import mysql from 'mysql2'
import mysqlPromise from 'mysql2/promise'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { isHealthzError } from '@healthz/core'
import { mysqlCheck } from '@healthz/checks/mysql2'
import { eventually, expectFailsWithin, SLACK, sleep, suffix, timed } from './support/helpers.js'
import { blackHole, TcpProxy } from '../../../test-utils/tcp-proxy.mjs'

const user = `hz_${suffix()}`
let admin: mysqlPromise.Connection
const cleanup: Array<() => Promise<void> | void> = []

beforeAll(async () => {
  admin = await mysqlPromise.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' })
  await admin.query(`CREATE USER '${user}'@'%'`)
})
afterAll(async () => {
  await admin.query(`DROP USER IF EXISTS '${user}'@'%'`)
  await admin.end()
})
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function serverConnections(): Promise<number> {
  const [rows] = await admin.query('SELECT count(*) AS n FROM information_schema.processlist WHERE user = ?', [user])
  return Number((rows as Array<{ n: number }>)[0]?.n)
}

interface PoolInternals {
  _allConnections: { length: number }
  _freeConnections: { length: number }
  _connectionQueue: { length: number }
}
const internals = (pool: mysql.Pool): PoolInternals => pool as unknown as PoolInternals
const checkedOut = (pool: mysql.Pool): number => internals(pool)._allConnections.length - internals(pool)._freeConnections.length

function callbackPool(options: mysql.PoolOptions = {}): mysql.Pool {
  const pool = mysql.createPool({ host: '127.0.0.1', port: 3306, user, connectionLimit: 5, ...options })
  cleanup.push(() => Promise.race([new Promise<void>((resolve) => pool.end(() => resolve())), sleep(2000)]))
  return pool
}

describe('mysqlCheck over a pool', () => {
  test('passes (callback pool), reporting its response time in ms; one connection on the server for 20 runs', async () => {
    const pool = callbackPool()
    const check = mysqlCheck({ client: pool })
    expect(check).toMatchObject({ name: 'mysql', kind: 'dependency', componentType: 'datastore' })
    for (let i = 0; i < 20; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('pass')
      expect(result.observedUnit).toBe('ms')
      expect(typeof result.observedValue).toBe('number')
      expect(checkedOut(pool)).toBe(0)
    }
    expect(internals(pool)._allConnections.length).toBe(1)
    expect(await serverConnections()).toBe(1)
  })

  test('passes over a promise pool and its callback pool alike, without extra connections', async () => {
    const pool = mysqlPromise.createPool({ host: '127.0.0.1', port: 3306, user, connectionLimit: 5 })
    cleanup.push(() => pool.end())
    const check = mysqlCheck({ client: pool })
    for (let i = 0; i < 5; i += 1) expect((await timed(check)).status).toBe('pass')
    expect((await timed(mysqlCheck({ client: pool.pool }))).status).toBe('pass')
    expect(await serverConnections()).toBe(1)
  })

  test('leaves no listener behind on the pooled connection', async () => {
    const pool = callbackPool({ connectionLimit: 1 })
    const check = mysqlCheck({ client: pool })
    await timed(check)
    const connection = await pool.promise().getConnection()
    const before = connection.connection.listenerCount('error')
    connection.release()
    for (let i = 0; i < 5; i += 1) await timed(check)
    const again = await pool.promise().getConnection()
    expect(again.connection).toBe(connection.connection)
    expect(again.connection.listenerCount('error')).toBe(before)
    again.release()
  })

  test('server stopped: fails within its deadline, nothing checked out; recovers when it is back', async () => {
    const proxy = await TcpProxy.start({ port: 3306 })
    cleanup.push(() => proxy.stop())
    const pool = callbackPool({ port: proxy.port })
    const check = mysqlCheck({ client: pool, timeout: 400 })
    expect((await timed(check)).status).toBe('pass')
    await proxy.stop()
    const down = await timed(check)
    expect(down.status).toBe('fail')
    expect(down.elapsed).toBeLessThan(400 + SLACK)
    expect(checkedOut(pool)).toBe(0)
    await proxy.restart()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
    expect(checkedOut(pool)).toBe(0)
  })

  test('unreachable: refused fails fast; hanging connection attempts fail at the deadline without a second attempt', async () => {
    const closed = await TcpProxy.start({ port: 3306 })
    await closed.stop()
    const refused = await timed(mysqlCheck({ client: callbackPool({ port: closed.port }), timeout: 400 }))
    expect(refused.status).toBe('fail')
    expect(refused.output).toMatch(/ECONNREFUSED/)
    expect(refused.elapsed).toBeLessThan(400)

    const hole = await blackHole()
    const pool = callbackPool({ port: hole.port })
    cleanup.push(() => hole.close())
    const check = mysqlCheck({ client: pool, timeout: 300 })
    for (let i = 0; i < 3; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('fail')
      expect(result.elapsed).toBeLessThan(300 + SLACK)
      expect(internals(pool)._allConnections.length).toBe(1)
      expect(internals(pool)._connectionQueue.length).toBe(0)
    }
  })

  test('server stalled: fails at the deadline, destroys the unanswered connection, recovers; the server is left with one', async () => {
    const proxy = await TcpProxy.start({ port: 3306 })
    cleanup.push(() => proxy.stop())
    const pool = callbackPool({ port: proxy.port })
    const check = mysqlCheck({ client: pool, timeout: 300 })
    expect((await timed(check)).status).toBe('pass')
    proxy.stall()
    for (let i = 0; i < 3; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('fail')
      expect(result.elapsed).toBeLessThan(300 + SLACK)
      expect(checkedOut(pool)).toBeLessThanOrEqual(1) // at most the one connection being opened
    }
    proxy.resume()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
    expect(checkedOut(pool)).toBe(0)
    expect(await eventually(async () => (await serverConnections()) === internals(pool)._allConnections.length)).toBe(true)
    expect(internals(pool)._allConnections.length).toBeLessThanOrEqual(2)
  })

  test('an exhausted pool fails at the deadline and leaves its wait queue; passes once a connection is free', async () => {
    const pool = callbackPool({ connectionLimit: 1 })
    const held = await pool.promise().getConnection()
    const check = mysqlCheck({ client: pool, timeout: 250 })
    for (let i = 0; i < 3; i += 1) {
      const result = await timed(check)
      expect(result.status).toBe('fail')
      expect(result.output).toMatch(/exhausted/)
      expect(result.elapsed).toBeLessThan(250 + SLACK)
      expect(internals(pool)._connectionQueue.length).toBe(0)
    }
    held.release()
    expect((await timed(check)).status).toBe('pass')
    expect(checkedOut(pool)).toBe(0)
  })

  test('the failure message carries no credentials', async () => {
    const pool = mysql.createPool({ uri: `mysql://${user}:hunter2@127.0.0.1:3306/test` })
    cleanup.push(() => new Promise<void>((resolve) => pool.end(() => resolve())))
    const result = await timed(mysqlCheck({ client: pool }))
    expect(result.status).toBe('fail')
    expect(result.output).toMatch(/mysql connection failed: Access denied/)
    expect(result.output).not.toContain('hunter2')
  })
})

describe('mysqlCheck over a single connection', () => {
  test('callback and promise connections pass, one server connection each', async () => {
    const connection = mysql.createConnection({ host: '127.0.0.1', port: 3306, user })
    cleanup.push(() => new Promise<void>((resolve) => connection.end(() => resolve())))
    const promised = await mysqlPromise.createConnection({ host: '127.0.0.1', port: 3306, user })
    cleanup.push(() => promised.end())
    for (let i = 0; i < 5; i += 1) {
      expect((await timed(mysqlCheck({ client: connection }))).status).toBe('pass')
      expect((await timed(mysqlCheck({ client: promised }))).status).toBe('pass')
    }
    expect(await serverConnections()).toBe(2)
  })

  test('stalled: fails at the deadline and sends one ping however many runs time out; the connection survives', async () => {
    const proxy = await TcpProxy.start({ port: 3306 })
    cleanup.push(() => proxy.stop())
    const connection = await mysqlPromise.createConnection({ host: '127.0.0.1', port: proxy.port, user })
    cleanup.push(() => connection.end().catch(() => undefined))
    const check = mysqlCheck({ client: connection })
    expect((await timed(check)).status).toBe('pass')
    proxy.stall()
    await expectFailsWithin(check, 500)
    // COM_PING is one 5-byte packet: header (length 1, sequence 0) and command 0x0e.
    const held = [...proxy.pairs].flatMap((pair) => pair.held.filter(([to]) => to === pair.upstream).map(([, chunk]) => chunk))
    expect(Buffer.concat(held).toString('hex')).toBe('010000000e')
    proxy.resume()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
    const [rows] = await connection.query('SELECT 2 AS n')
    expect(rows).toEqual([{ n: 2 }])
  })
})

test('mysqlCheck refuses a wrong client at construction', () => {
  for (const bad of [undefined, {}, { client: {} }, { client: 'mysql://x' }]) {
    let thrown: unknown
    try {
      mysqlCheck(bad as never)
    } catch (error) {
      thrown = error
    }
    expect(isHealthzError(thrown) && thrown.code === 'INVALID_OPTION').toBe(true)
    expect((thrown as Error).message).toMatch(/mysqlCheck/)
  }
})
