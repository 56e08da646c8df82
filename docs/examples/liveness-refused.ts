import { createHealth, isHealthzError } from '@healthz/core'
import { postgres } from './health.js'

try {
  createHealth({ liveness: [postgres] })
} catch (error) {
  if (isHealthzError(error) && error.code === 'DEPENDENCY_IN_LIVENESS') {
    console.error(error.message) // explains the outage and says: put "postgres" in `readiness`
  }
}
