import { expect, test } from 'vitest'
import { runCheck } from '@healthz/core'
import { postgres } from './health.js'

test('the postgres check passes against the test database', async () => {
  const result = await runCheck(postgres)
  expect(result.status).toBe('pass')
})
