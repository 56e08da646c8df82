// The orders service behind examples/express and examples/koa: everything that is not about the
// framework. The Postgres pool is the application's own, the readiness check (postgresCheck from
// @healthz/checks) borrows from it like any request does (no connection per probe), and the
// health object drains on SIGTERM/Ctrl-C.
//
// Environment:
//   PORT           port to listen on (default 3000; 0 picks a free one)
//   HOST           address to listen on (default 127.0.0.1; 0.0.0.0 in a container, where the
//                  kubelet probes the pod IP)
//   API_TOKEN      the bearer token every route except the probes requires (default "dev-token")
//   DATABASE_URL   a Postgres connection string; without it: PGHOST (default 127.0.0.1), PGPORT
//                  (5432), PGDATABASE (test), PGUSER (the OS user) and pg's other PG* variables
//   DRAIN_SECONDS  how long readiness fails before the server stops accepting on SIGTERM/Ctrl-C
//                  (default 2; on Kubernetes, readiness periodSeconds × failureThreshold, 10 s
//                  with the probe settings of docs/probes.md)
import { createHash, timingSafeEqual } from 'node:crypto'
import { userInfo } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { createHealth, redact } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'

export const config = {
  port: numberFromEnv('PORT', 3000),
  host: process.env.HOST || '127.0.0.1',
  drainSeconds: numberFromEnv('DRAIN_SECONDS', 2),
}

export function log(message) {
  console.log(`[orders ${new Date().toISOString().slice(11, 23)}] ${message}`)
}

// --- Postgres -----------------------------------------------------------------------------------

/** The application's pool, shared by its routes and its readiness check. */
export function createPool(applicationName) {
  const pool = new pg.Pool({
    ...(process.env.DATABASE_URL
      ? { connectionString: process.env.DATABASE_URL }
      : {
          host: process.env.PGHOST || '127.0.0.1',
          port: numberFromEnv('PGPORT', 5432),
          database: process.env.PGDATABASE || 'test',
          // libpq's default: the operating-system user (pg looks only at $USER, unset in some containers).
          user: process.env.PGUSER || userInfo().username,
        }),
    application_name: applicationName,
    max: 10,
    connectionTimeoutMillis: 2000, // a request waits this long at most for a connection
    idleTimeoutMillis: 30_000,
  })
  // An idle connection that breaks (the server restarted) is reported here; without a listener it
  // would crash the process. The pool replaces it on the next checkout.
  pool.on('error', (error) => log(`postgres: idle connection failed: ${redact(error.message)}`))
  return pool
}

// --- Health -------------------------------------------------------------------------------------

/** The health object: readiness follows Postgres; shutdown drains, then closes the pool. */
export function createOrdersHealth(name, pool) {
  const health = createHealth({
    service: { name, version: '1.0.0' },
    // Readiness only: a dependency may never back liveness (createHealth refuses it). The check
    // borrows a connection from the app's pool (never opens its own); the probe reports fail at
    // the 500 ms deadline, a query still running then has its connection destroyed instead of
    // returned to the pool, and at most one check query is in flight however many probes arrive.
    readiness: [postgresCheck({ client: pool, timeout: 500, cache: 1000 })],
    // On SIGTERM or Ctrl-C: readiness fails at once while the app keeps serving for drainDelay,
    // then the server stops accepting, in-flight requests finish, and the hooks run.
    shutdown: { drainDelay: config.drainSeconds * 1000, gracePeriod: 5000 },
  })

  health.on('change', (event) => {
    if (event.type === 'phase') log(`shutdown: ${event.previous} -> ${event.current}`)
    else if (event.type === 'started') log('started: /startupz and /readyz may pass from now on')
    else if (event.type === 'check') {
      const why = event.result.output === undefined ? '' : ` (${redact(event.result.output)})`
      log(`check ${event.name}: ${event.previous ?? '(first result)'} -> ${event.current}${why}`)
    }
  })

  // Hooks run once the server has drained, so no request still needs the pool.
  health.onShutdown(
    async () => {
      await pool.end()
      log('postgres pool closed')
    },
    { name: 'postgres' },
  )
  return health
}

/**
 * Boot: create the table, retrying while Postgres is not there yet (the startup probe keeps
 * answering 503 meanwhile; Kubernetes restarts the container once its failureThreshold is
 * spent), then open the startup gate. Call it once the server listens, so the probes answer
 * through the boot.
 */
export async function boot(pool, health) {
  while (health.phase === 'running') {
    try {
      await pool.query(`CREATE TABLE IF NOT EXISTS orders (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        item text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`)
      health.markStarted()
      return
    } catch (error) {
      log(`boot: postgres not ready (${redact(error.message)}); retrying in 1 s`)
      await sleep(1000)
    }
  }
}

// --- The application's logic, framework-free ------------------------------------------------------

export async function listOrders(pool) {
  const { rows } = await pool.query('SELECT id, item, quantity, created_at FROM orders ORDER BY id DESC LIMIT 100')
  return { status: 200, body: { orders: rows } }
}

export async function createOrder(pool, input) {
  const { item, quantity } = input ?? {}
  if (typeof item !== 'string' || item.length === 0 || item.length > 200 || !Number.isInteger(quantity) || quantity < 1) {
    return { status: 400, body: { error: 'expected { "item": non-empty string, "quantity": whole number from 1 }' } }
  }
  const { rows } = await pool.query('INSERT INTO orders (item, quantity) VALUES ($1, $2) RETURNING id, item, quantity, created_at', [item, quantity])
  return { status: 201, body: rows[0] }
}

/** Bearer-token authentication, compared in constant time (digests have a fixed length). */
export function createTokenCheck(token = process.env.API_TOKEN || 'dev-token') {
  const expected = digest(token)
  return (authorization) => {
    const match = /^Bearer (.+)$/.exec(authorization ?? '')
    return match !== null && timingSafeEqual(digest(match[1]), expected)
  }
}

/** The status and body for an error a route threw: 4xx as they are, anything else a logged 500. */
export function errorResponse(error) {
  const status = Number.isInteger(error?.status) && error.status >= 400 && error.status < 500 ? error.status : 500
  if (status === 500) log(`error: ${redact(error?.stack ?? String(error))}`)
  return { status, body: { error: status === 500 ? 'internal error' : error.message } }
}

function digest(token) {
  return createHash('sha256').update(token).digest()
}

function numberFromEnv(name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) {
    console.error(`${name} must be a number of at least 0, got ${JSON.stringify(raw)}`)
    process.exit(2)
  }
  return value
}
