import pg from 'pg'
import { expect, test } from 'vitest'
import { runCheck } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'

test('an exhausted pool fails at the deadline and leaves no waiter behind', async () => {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
  const held = await pool.connect() // the application holds the only connection
  const started = Date.now()
  const result = await runCheck(postgresCheck({ client: pool, timeout: 200 }))
  expect(result.status).toBe('fail')
  expect(result.output).toMatch(/pool exhausted/)
  expect(Date.now() - started).toBeLessThan(400)
  expect(pool.waitingCount).toBe(0)
  held.release()
  expect((await runCheck(postgresCheck({ client: pool }))).status).toBe('pass')
  await pool.end()
})
