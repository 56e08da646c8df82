import { createHealth } from '@healthz/core'
import { postgres } from './health.js'

// The pod spec has terminationGracePeriodSeconds: 30 and a preStop sleep of 10 s: SIGTERM
// arrives once the endpoints have had 10 s to catch up, with 20 s of the grace period left.
export const health = createHealth({
  readiness: [postgres],
  shutdown: {
    drainDelay: 0, // the preStop sleep did the waiting (nothing polls /readyz for this service)
    terminationGracePeriodSeconds: 20, // 30 - 10: what is left when SIGTERM arrives
  },
})
