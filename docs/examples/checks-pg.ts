import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'

// The pool the application already queries with: the check borrows a connection per run.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })

export const health = createHealth({
  readiness: [postgresCheck({ client: pool, timeout: 500 })],
})
