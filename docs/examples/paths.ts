import { createHealth } from '@healthz/core'
import { postgres } from './health.js'

const health = createHealth({
  prefix: '/health',
  paths: { liveness: '/live', readiness: '/ready', startup: '/started' },
  readiness: [postgres],
})

health.matches('/health/live') // true
health.matches('/health/ready/postgres') // true: one check
health.matches('/health/ready?exclude=postgres') // true
health.matches('/livez') // false: passed on to the application

// The full paths as served, prefix included: write routes, logs or probe manifests from these.
console.log(health.paths) // { liveness: '/health/live', readiness: '/health/ready', startup: '/health/started' }
