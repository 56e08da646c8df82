// Error text from a check is redacted of credentials before anyone sees it, whatever the driver
// put in it. Real drivers here do not echo passwords, so this one uses a stand-in client whose
// ping fails with a connection string in its message (the only stand-in in these tests).
import { expect, test } from 'vitest'
import { createHealth } from '@healthz/core'
import { ioredisCheck } from '@healthz/checks/ioredis'
import { timed } from './support/helpers.js'

const leaky = {
  status: 'ready',
  ping: () => Promise.reject(new Error('connect ETIMEDOUT redis://app:hunter2@cache.internal:6379 (password=hunter2)')),
}

test('the check output names the failure and redacts the credentials', async () => {
  const result = await timed(ioredisCheck({ client: leaky }))
  expect(result.status).toBe('fail')
  expect(result.output).toContain('redis ping failed: connect ETIMEDOUT redis://app:[redacted]@cache.internal:6379')
  expect(result.output).not.toContain('hunter2')
  // The driver's own error stays available to the application as the cause, unredacted.
  expect(((result.error as Error).cause as Error).message).toContain('hunter2')
})

test('the health+json body never shows them either, even with details', async () => {
  const health = createHealth({ readiness: [ioredisCheck({ client: leaky })], details: 'always' })
  health.markStarted()
  const response = await health.handle({ method: 'GET', path: '/readyz' })
  expect(response?.status).toBe(503)
  expect(response?.body).toContain('[redacted]')
  expect(response?.body).not.toContain('hunter2')
})
