// @healthz/checks/pg: a PostgreSQL readiness check over the application's own node-postgres
// Pool or Client. Never imports `pg`: it works on the object it is given.
import type { CheckDefinition } from '@healthz/core'
import { describeValue, optionKeys } from '@healthz/core'
import type { Attempt, Flight, SharedCheckOptions } from './internal.js'
import { buildCheck, checkFailed, deadlineRun, hasMethod, invalidOption, optionsObject, SHARED_KEYS } from './internal.js'

/** The part of a node-postgres `PoolClient` the check uses. */
export interface PgPoolClientLike {
  query(config: { text: string }): Promise<unknown>
  /** `release(true)` (or an Error) destroys the connection instead of returning it to the pool. */
  release(destroy?: boolean | Error): void
  on(event: 'error', listener: (error: Error) => void): unknown
  removeListener(event: 'error', listener: (error: Error) => void): unknown
}

/** The part of a node-postgres `Pool` the check uses. */
export interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>
  readonly totalCount: number
  readonly idleCount: number
  readonly waitingCount: number
}

/** The part of a node-postgres `Client` the check uses. */
export interface PgClientLike {
  query(config: { text: string; query_timeout?: number }): Promise<unknown>
}

/** Options of {@link postgresCheck}. */
export interface PostgresCheckOptions extends SharedCheckOptions {
  /**
   * The application's `pg.Pool` (recommended) or a connected `pg.Client`. The check borrows
   * one pooled connection per run and never opens one of its own.
   */
  client: PgPoolLike | PgClientLike
  /** The statement to run. Keep it cheap and lock-free. @default 'SELECT 1' */
  query?: string
}

const OWN = ['client', 'query'] as const
const KEYS = optionKeys<PostgresCheckOptions>({ ...SHARED_KEYS, client: true, query: true })

/**
 * A PostgreSQL check (`kind: 'dependency'`, `componentType: 'datastore'`, reported as
 * `postgres:responseTime` in ms) over a node-postgres `Pool` or `Client`.
 *
 * The deadline holds end to end. With a Pool: waiting for a connection counts against it, and
 * an exhausted pool fails at the deadline (the check leaves the pool's wait queue then); a
 * query still running at the deadline has its connection destroyed (`release(true)`), so
 * nothing stuck goes back to the pool. With a Client (the application's only connection, never
 * destroyed by the check): the query is sent with `query_timeout`, so if the client is busy it is
 * dropped from the client's queue at the deadline. Either way, while one ping is unsettled the
 * next run waits on it instead of sending another: at most one query from this check is in flight.
 *
 * @throws {HealthzError} `INVALID_OPTION` when `client` is not a Pool or Client.
 * @example
 * ```ts
 * import pg from 'pg'
 * import { postgresCheck } from '@healthz/checks/pg'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const postgres = postgresCheck({ client: pool, timeout: 500 })
 * createHealth({ readiness: [postgres] })
 * ```
 */
export function postgresCheck(options: PostgresCheckOptions): CheckDefinition {
  const { client, query = 'SELECT 1' } = optionsObject(options, 'postgresCheck', '{ client: pool }', KEYS)
  if (!hasMethod(client, 'query')) {
    throw invalidOption('postgresCheck: client must be a node-postgres Pool or connected Client (pass { client: pool }, where pool = new pg.Pool(...)).')
  }
  if (typeof query !== 'string' || query.trim() === '') throw invalidOption(`postgresCheck: query must be a non-empty SQL string, got ${describeValue(query)}.`)
  const pool = isPool(client) ? client : undefined
  const defaults = { name: 'postgres', kind: 'dependency', componentType: 'datastore' } as const
  return buildCheck(
    defaults,
    options,
    // The Client's query_timeout is the run's own budget, handed down in its context.
    deadlineRun<void>((flight, { timeout }) => (pool !== undefined ? poolAttempt(pool, query, flight) : clientAttempt(client as PgClientLike, query, timeout))),
    OWN,
  )
}

function isPool(client: unknown): client is PgPoolLike {
  return hasMethod(client, 'connect') && typeof (client as { totalCount?: unknown }).totalCount === 'number'
}

/** node-postgres keeps its waiters in `_pendingQueue` (pg-pool 3); leaving it is best effort. */
interface PoolInternals {
  _pendingQueue?: unknown[]
}

function poolAttempt(pool: PgPoolLike, text: string, flight: Flight): Attempt<void> {
  let phase: 'waiting' | 'querying' | 'done' = 'waiting'
  let held: PgPoolClientLike | undefined
  let queued: unknown
  let fail: (error: Error) => void = () => undefined
  // A checked-out node-postgres client emits 'error' when its socket fails (the pool listens only
  // while it is idle): without a listener of ours meanwhile, a reset would crash the process.
  // The query rejects too, which is where the failure is reported.
  const onError = (): void => undefined
  const release = (destroy: boolean): void => {
    const connection = held
    held = undefined
    if (connection === undefined) return
    try {
      connection.release(destroy ? new Error('healthz: ping passed its deadline; connection destroyed') : undefined)
    } catch {
      // Already released: nothing more to hand back.
    } finally {
      // After release(): the pool has attached its own idle listener by then.
      connection.removeListener('error', onError)
    }
  }
  const promise = new Promise<void>((resolve, reject) => {
    fail = reject
    const queue = (pool as PoolInternals)._pendingQueue
    const before = Array.isArray(queue) ? queue.length : -1
    const checkout = pool.connect()
    if (Array.isArray(queue) && queue.length === before + 1) queued = queue[before]
    flight.progress(
      queued !== undefined
        ? `pool exhausted: no connection free (${pool.totalCount} open, ${pool.idleCount} idle, ${pool.waitingCount - 1} other waiting)`
        : 'still opening a connection to the server',
    )
    checkout.then(
      (connection) => {
        queued = undefined
        held = connection
        connection.on('error', onError)
        if (phase === 'done' || !flight.watched) {
          // Nobody waits for this ping any more: hand the connection straight back.
          phase = 'done'
          release(false)
          reject(checkFailed('postgres ping', 'abandoned at the deadline before a connection was free'))
          return
        }
        phase = 'querying'
        // Shown only if the deadline passes first, and abandon() destroys the connection then.
        flight.progress('query still running; its connection was destroyed')
        connection.query({ text }).then(
          () => {
            phase = 'done'
            release(false)
            resolve()
          },
          (error: unknown) => {
            const wasDone = phase === 'done'
            phase = 'done'
            // A connection whose query failed may be broken: let the pool replace it.
            release(true)
            if (!wasDone) reject(checkFailed('postgres query failed', error))
          },
        )
      },
      (error: unknown) => {
        queued = undefined
        phase = 'done'
        reject(checkFailed('postgres connection failed', error))
      },
    )
  })
  return {
    promise,
    abandon() {
      if (phase === 'querying') {
        // The query overstayed the deadline: destroy its connection rather than return a
        // connection with a stuck query to the pool.
        phase = 'done'
        release(true)
        fail(checkFailed('postgres ping', 'query still running; its connection was destroyed'))
        return
      }
      if (phase === 'waiting' && queued !== undefined) {
        // Exhausted pool: stop waiting in its queue, so probes never pile up waiters.
        const queue = (pool as PoolInternals)._pendingQueue
        const index = Array.isArray(queue) ? queue.indexOf(queued) : -1
        if (index !== -1 && queue !== undefined) {
          queue.splice(index, 1)
          queued = undefined
          phase = 'done'
          fail(checkFailed('postgres ping', 'pool exhausted: left the wait queue at the deadline'))
        }
      }
      // A connection is being opened: it goes back to the pool when it arrives, unless a
      // later run has joined this attempt by then.
    },
  }
}

function clientAttempt(client: PgClientLike, text: string, timeout: number): Attempt<void> {
  return {
    promise: client.query({ text, query_timeout: timeout }).then(
      () => undefined,
      (error: unknown) => {
        throw checkFailed('postgres query failed', error)
      },
    ),
    // The application's own Client is never destroyed by a health check; query_timeout drops
    // a query still queued behind the application's, and the next run waits on this one.
    waitingOn: 'no answer yet; the next run waits on this one instead of sending another',
  }
}
