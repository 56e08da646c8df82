import { createHealth } from '@healthz/core'
import { postgres } from './health.js'

const token = process.env.HEALTH_TOKEN

const health = createHealth({
  readiness: [postgres],
  // Error text (redacted) for callers that present the token; names and statuses for everyone.
  details: (request) => token !== undefined && request.headers?.authorization === `Bearer ${token}`,
})

export { health }
