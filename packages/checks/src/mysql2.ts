// @healthz/checks/mysql2: a MySQL/MariaDB readiness check over the application's own mysql2
// pool or connection, callback or promise API. Never imports `mysql2`.
import type { CheckDefinition } from '@healthz/core'
import { optionKeys } from '@healthz/core'
import type { Attempt, Flight, SharedCheckOptions } from './internal.js'
import { buildCheck, checkFailed, deadlineRun, hasMethod, invalidOption, optionsObject, SHARED_KEYS } from './internal.js'

type Callback = (error: Error | null, ...rest: unknown[]) => void

/** The part of a mysql2 connection (callback API) the check uses. */
export interface Mysql2ConnectionLike {
  ping(callback: Callback): void
}

/** The part of a mysql2 pooled connection (callback API) the check uses. */
export interface Mysql2PoolConnectionLike extends Mysql2ConnectionLike {
  release(): void
  destroy(): void
  on(event: 'error', listener: (error: Error) => void): unknown
  removeListener(event: 'error', listener: (error: Error) => void): unknown
}

/** The part of a mysql2 pool (callback API, `mysql.createPool`) the check uses. */
export interface Mysql2PoolLike {
  getConnection(callback: (error: Error | null, connection: Mysql2PoolConnectionLike) => void): void
}

/** A mysql2 promise pool (`mysql2/promise` `createPool`, or `pool.promise()`): its callback pool is used. */
export interface Mysql2PromisePoolLike {
  readonly pool: Mysql2PoolLike
}

/** A mysql2 promise connection (`mysql2/promise` `createConnection`): its callback connection is used. */
export interface Mysql2PromiseConnectionLike {
  readonly connection: Mysql2ConnectionLike
}

/** Options of {@link mysqlCheck}. */
export interface MysqlCheckOptions extends SharedCheckOptions {
  /**
   * The application's mysql2 pool (recommended) or connection, from the callback API
   * (`mysql2`) or the promise API (`mysql2/promise`). The check borrows one pooled connection
   * per run and never opens one of its own.
   */
  client: Mysql2PoolLike | Mysql2PromisePoolLike | Mysql2ConnectionLike | Mysql2PromiseConnectionLike
}

const OWN = ['client'] as const
const KEYS = optionKeys<MysqlCheckOptions>({ ...SHARED_KEYS, client: true })

/**
 * A MySQL/MariaDB check (`kind: 'dependency'`, `componentType: 'datastore'`, reported as
 * `mysql:responseTime` in ms): a protocol-level `COM_PING` over the application's mysql2 pool
 * or connection.
 *
 * With a pool, waiting for a connection counts against the deadline, an exhausted pool fails
 * at the deadline (the check leaves the pool's wait queue then), and a ping still unanswered at
 * the deadline has its connection destroyed, so the pool replaces it. With a single connection
 * (the application's, never destroyed by the check) the next run waits on an unanswered ping
 * instead of sending another: at most one ping from this check is in flight.
 *
 * @throws {HealthzError} `INVALID_OPTION` when `client` is not a mysql2 pool or connection.
 * @example
 * ```ts
 * import mysql from 'mysql2/promise'
 * import { mysqlCheck } from '@healthz/checks/mysql2'
 *
 * const pool = mysql.createPool({ uri: process.env.MYSQL_URL })
 * createHealth({ readiness: [mysqlCheck({ client: pool })] })
 * ```
 */
export function mysqlCheck(options: MysqlCheckOptions): CheckDefinition {
  const { client } = optionsObject(options, 'mysqlCheck', '{ client: pool }', KEYS)
  const target = resolve(client)
  const defaults = { name: 'mysql', kind: 'dependency', componentType: 'datastore' } as const
  return buildCheck(
    defaults,
    options,
    deadlineRun<void>((flight) => ('getConnection' in target ? poolAttempt(target, flight) : connectionAttempt(target))),
    OWN,
  )
}

function resolve(client: unknown): Mysql2PoolLike | Mysql2ConnectionLike {
  const inner = (client as { pool?: unknown; connection?: unknown } | null | undefined)
  if (hasMethod(inner?.pool, 'getConnection')) return inner?.pool as Mysql2PoolLike
  if (hasMethod(client, 'getConnection')) return client as Mysql2PoolLike
  if (hasMethod(inner?.connection, 'ping')) return inner?.connection as Mysql2ConnectionLike
  if (hasMethod(client, 'ping')) return client as Mysql2ConnectionLike
  throw invalidOption('mysqlCheck: client must be a mysql2 pool or connection, callback or promise API (pass { client: pool }, where pool = mysql.createPool(...)).')
}

/** mysql2 keeps its waiters in `_connectionQueue` (a queue with toArray/removeOne); leaving it is best effort. */
interface PoolInternals {
  _connectionQueue?: { toArray?: () => unknown[]; removeOne?: (index: number) => unknown }
}

function poolAttempt(pool: Mysql2PoolLike, flight: Flight): Attempt<void> {
  let phase: 'waiting' | 'pinging' | 'done' = 'waiting'
  let held: Mysql2PoolConnectionLike | undefined
  let fail: (error: Error) => void = () => undefined
  // A pooled connection emits 'error' on a fatal socket error when no command is pending; the
  // ping's callback reports failures, this only keeps such an event from crashing the process.
  const onError = (): void => undefined
  const letGo = (destroy: boolean): void => {
    const connection = held
    held = undefined
    if (connection === undefined) return
    try {
      if (destroy) connection.destroy()
      else connection.release()
    } catch {
      // Already gone: nothing more to hand back.
    } finally {
      connection.removeListener('error', onError)
    }
  }
  let waiter: ((error: Error | null, connection: Mysql2PoolConnectionLike) => void) | undefined
  const promise = new Promise<void>((resolve, reject) => {
    fail = reject
    waiter = (error, connection) => {
      waiter = undefined
      if (error !== null && error !== undefined) {
        phase = 'done'
        reject(checkFailed('mysql connection failed', error))
        return
      }
      held = connection
      connection.on('error', onError)
      if (phase === 'done' || !flight.watched) {
        phase = 'done'
        letGo(false)
        reject(checkFailed('mysql ping', 'abandoned at the deadline before a connection was free'))
        return
      }
      phase = 'pinging'
      // Shown only if the deadline passes first, and abandon() destroys the connection then.
      flight.progress('no answer to the ping; its connection was destroyed')
      connection.ping((pingError) => {
        const wasDone = phase === 'done'
        phase = 'done'
        if (pingError !== null && pingError !== undefined) {
          letGo(true)
          if (!wasDone) reject(checkFailed('mysql ping failed', pingError))
          return
        }
        letGo(false)
        resolve()
      })
    }
    pool.getConnection(waiter)
    if (phase !== 'waiting' || waiter === undefined) return // answered at once
    const waiting = queued(pool, waiter)
    flight.progress(
      waiting === undefined
        ? 'still waiting for a connection (being opened, or the pool is exhausted)'
        : `pool exhausted: no connection free (${waiting.items.length - 1} other waiting)`,
    )
  })
  return {
    promise,
    abandon() {
      if (phase === 'pinging') {
        phase = 'done'
        letGo(true)
        fail(checkFailed('mysql ping', 'no answer to the ping; its connection was destroyed'))
        return
      }
      const waiting = phase === 'waiting' && waiter !== undefined ? queued(pool, waiter) : undefined
      if (waiting !== undefined) {
        // Exhausted pool: stop waiting in its queue, so probes never pile up waiters.
        waiting.remove()
        waiter = undefined
        phase = 'done'
        fail(checkFailed('mysql ping', 'pool exhausted: left the wait queue at the deadline'))
      }
    },
  }
}

/** Where `waiter` sits in the pool's wait queue, if it is there and can be taken out. */
function queued(pool: Mysql2PoolLike, waiter: unknown): { items: unknown[]; remove: () => void } | undefined {
  const queue = (pool as PoolInternals)._connectionQueue
  const items = typeof queue?.toArray === 'function' ? queue.toArray() : []
  const index = items.indexOf(waiter)
  if (index === -1 || typeof queue?.removeOne !== 'function') return undefined
  return { items, remove: () => queue.removeOne?.(index) }
}

function connectionAttempt(connection: Mysql2ConnectionLike): Attempt<void> {
  return {
    promise: new Promise<void>((resolve, reject) => {
      connection.ping((error) => (error === null || error === undefined ? resolve() : reject(checkFailed('mysql ping failed', error))))
    }),
    // The application's own connection is never destroyed by a health check.
    waitingOn: 'no answer yet; the next run waits on this one instead of sending another',
  }
}
