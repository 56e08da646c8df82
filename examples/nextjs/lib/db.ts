// The application's one Postgres pool, shared by its routes and its readiness check.
//
// Kept on globalThis, not in a module variable: Next bundles every route handler and
// instrumentation.ts separately, and a module-level `const pool = new Pool()` would run once per
// bundle that imports it (see lib/health.ts).
import { userInfo } from 'node:os'
import pg from 'pg'

const POOL = Symbol.for('@healthz/example-nextjs.pool')
const store = globalThis as typeof globalThis & { [POOL]?: pg.Pool }

/** The process's pool, created on first use. */
export function getPool(): pg.Pool {
  return (store[POOL] ??= createPool())
}

function createPool(): pg.Pool {
  const pool = new pg.Pool({
    ...(process.env.DATABASE_URL
      ? { connectionString: process.env.DATABASE_URL }
      : {
          host: process.env.PGHOST || '127.0.0.1',
          port: Number(process.env.PGPORT || 5432),
          database: process.env.PGDATABASE || 'test',
          // libpq's default: the operating-system user (pg looks only at $USER, unset in some containers).
          user: process.env.PGUSER || userInfo().username,
        }),
    application_name: 'nextjs-example',
    max: 10,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
  })
  // An idle connection that breaks would otherwise crash the process; the pool replaces it.
  pool.on('error', (error) => console.error(`[healthz-example] postgres: idle connection failed: ${error.message}`))
  return pool
}
