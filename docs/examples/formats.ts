import { createHealth } from '@healthz/core'
import { postgres } from './health.js'

// Readiness answers as Spring Boot Actuator's /actuator/health (Eureka, Spring Boot Admin read it);
// liveness and startup keep health+json. `format: 'spring'` alone would apply to all three.
const health = createHealth({
  readiness: [postgres],
  format: { readiness: 'spring' },
})

export { health }
