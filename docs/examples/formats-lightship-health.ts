import { createHealth } from '@healthz/core'
import { lightshipFormat } from './formats-lightship.js'
import { postgres } from './health.js'

// lightship's paths and answers while its readers move to /livez, /readyz and health+json.
const health = createHealth({
  readiness: [postgres],
  paths: { liveness: '/live', readiness: '/ready' },
  format: { liveness: lightshipFormat, readiness: lightshipFormat },
})

export { health }
