// The lower end of each client's supported range (peerDependencies), installed under an alias:
// pg 8.11, mysql2 3.0, ioredis 5.0, redis 4.0, amqplib 0.10, nats 2.17, mqtt 5.0 (pg
// before 8.11 and nats before 2.17 were not tried; pg 8.0 and nats 2.0 do not run on Node 20). Each check passes
// against the real server, fails at its deadline while the server stalls with one request on the
// wire, and recovers; pooled ones also fail at the deadline on an exhausted pool, leaving no waiter.
import { once } from 'node:events'
import amqp from 'amqplib-lowest'
import IORedis from 'ioredis-lowest'
import mqtt from 'mqtt-lowest'
import mysql from 'mysql2-lowest'
import { connect as natsConnect } from 'nats-lowest'
import pg from 'pg-lowest'
import { createClient } from 'redis-lowest'
import { afterEach, describe, expect, test } from 'vitest'
import type { CheckDefinition } from '@healthz/core'
import { amqpCheck } from '@healthz/checks/amqplib'
import { ioredisCheck } from '@healthz/checks/ioredis'
import { mqttCheck } from '@healthz/checks/mqtt'
import { mysqlCheck } from '@healthz/checks/mysql2'
import { natsCheck } from '@healthz/checks/nats'
import { postgresCheck } from '@healthz/checks/pg'
import { redisCheck } from '@healthz/checks/redis'
import { eventually, expectFailsWithin, sleep, suffix, timed } from './support/helpers.js'
import { TcpProxy } from '../../../test-utils/tcp-proxy.mjs'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** Bytes the stalled proxy holds back on their way to the server. */
const heldUpstream = (proxy: TcpProxy): Buffer =>
  Buffer.concat([...proxy.pairs].flatMap((pair) => pair.held.filter(([to]) => to === pair.upstream).map(([, chunk]) => chunk)))

interface Case {
  port: number
  /** Connects through the proxy and returns the check (timeout 300 ms). */
  make(port: number): Promise<CheckDefinition>
  /** How many requests of this check the held-back bytes contain. */
  requests(held: Buffer): number
  /** A pool: the stalled connection is destroyed at the deadline, so nothing stays held. */
  pooled?: boolean
}

const cases: Record<string, Case> = {
  'pg 8.11.0 (Pool)': {
    port: 5432,
    pooled: true,
    async make(port) {
      const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'postgres', database: 'test', application_name: `hz-test-${suffix()}` })
      pool.on('error', () => undefined)
      cleanup.push(() => Promise.race([pool.end().catch(() => undefined), sleep(2000)]))
      return postgresCheck({ client: pool, timeout: 300 })
    },
    requests: (held) => held.toString('latin1').split('Q\u0000\u0000\u0000').length - 1,
  },
  'mysql2 3.0.0 (pool)': {
    port: 3306,
    pooled: true,
    async make(port) {
      const pool = mysql.createPool({ host: '127.0.0.1', port, user: 'root' })
      cleanup.push(() => Promise.race([new Promise<void>((resolve) => pool.end(() => resolve())), sleep(2000)]))
      return mysqlCheck({ client: pool, timeout: 300 })
    },
    requests: (held) => held.toString('hex').split('010000000e').length - 1,
  },
  'ioredis 5.0.0': {
    port: 6379,
    async make(port) {
      const client = new IORedis.default({ port, host: '127.0.0.1', retryStrategy: () => 50 }) // ioredis 5.0 has no named export
      client.on('error', () => undefined)
      cleanup.push(() => client.disconnect())
      await once(client, 'ready')
      return ioredisCheck({ client, timeout: 300 })
    },
    requests: (held) => held.toString('latin1').toUpperCase().split('\r\nPING\r\n').length - 1,
  },
  'redis 4.0.0': {
    port: 6379,
    async make(port) {
      const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: () => 50 } })
      client.on('error', () => undefined)
      await client.connect()
      cleanup.push(() => client.disconnect().catch(() => undefined))
      return redisCheck({ client, timeout: 300 })
    },
    requests: (held) => held.toString('latin1').toUpperCase().split('\r\nPING\r\n').length - 1,
  },
  'amqplib 0.10.0': {
    port: 5672,
    async make(port) {
      const connection = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`)
      connection.on('error', () => undefined)
      cleanup.push(() => connection.close().catch(() => undefined))
      return amqpCheck({ client: connection, timeout: 300 })
    },
    requests(held) {
      let declares = 0
      for (let at = 0; at + 11 <= held.length; at += 8 + held.readUInt32BE(at + 3)) {
        if (held[at] === 1 && held.readUInt16BE(at + 7) === 40 && held.readUInt16BE(at + 9) === 10) declares += 1
      }
      return declares
    },
  },
  'nats 2.17.0': {
    port: 4222,
    async make(port) {
      const nc = await natsConnect({ servers: `127.0.0.1:${port}`, reconnectTimeWait: 50, pingInterval: 60_000 })
      cleanup.push(() => nc.close().catch(() => undefined))
      return natsCheck({ client: nc, timeout: 300 })
    },
    requests: (held) => held.toString('latin1').split('PING\r\n').length - 1,
  },
  'mqtt 5.0.0': {
    port: 1883,
    async make(port) {
      const client = mqtt.connect({ host: '127.0.0.1', port, reconnectPeriod: 50 })
      client.on('error', () => undefined)
      cleanup.push(() => void client.end(true))
      await once(client as unknown as NodeJS.EventEmitter, 'connect')
      return mqttCheck({ client, timeout: 300 })
    },
    requests: (held) => held.toString('latin1').split('healthz/ping').length - 1, // the topic, once per PUBLISH
  },
}

describe.each(Object.entries(cases))('%s', (_label, subject) => {
  test('passes; fails at the deadline while stalled with at most one request on the wire; recovers', async () => {
    const proxy = await TcpProxy.start({ port: subject.port })
    cleanup.push(() => proxy.stop())
    const check = await subject.make(proxy.port)
    expect((await timed(check)).status).toBe('pass')
    proxy.stall()
    await expectFailsWithin(check, 300)
    // One request held back; none for the pools, whose pinged connection was destroyed.
    expect(subject.requests(heldUpstream(proxy))).toBe(subject.pooled === true ? 0 : 1)
    proxy.resume()
    expect(await eventually(async () => (await timed(check)).status === 'pass')).toBe(true)
    expect(proxy.accepted).toBeLessThanOrEqual(2)
  })
})

test('pg 8.11.0: an exhausted pool fails at the deadline and leaves its queue', async () => {
  const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 1 })
  cleanup.push(() => pool.end())
  const held = await pool.connect()
  const result = await timed(postgresCheck({ client: pool, timeout: 250 }))
  expect(result.status).toBe('fail')
  expect(result.output).toMatch(/pool exhausted/)
  expect(pool.waitingCount).toBe(0)
  held.release()
})

test('mysql2 3.0.0: an exhausted pool fails at the deadline and leaves its queue', async () => {
  const pool = mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'root', connectionLimit: 1 })
  cleanup.push(() => new Promise<void>((resolve) => pool.end(() => resolve())))
  const held = await pool.promise().getConnection()
  const result = await timed(mysqlCheck({ client: pool, timeout: 250 }))
  expect(result.status).toBe('fail')
  expect(result.output).toMatch(/pool exhausted/)
  expect((pool as unknown as { _connectionQueue: { length: number } })._connectionQueue.length).toBe(0)
  held.release()
})
