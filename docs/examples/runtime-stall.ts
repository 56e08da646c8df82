import { createHealth } from '@healthz/core'
import { heap } from './health.js'

export const health = createHealth({
  liveness: [heap],
  runtime: {
    // Adds the liveness check `event-loop`; these are its defaults.
    stall: { threshold: 1000, window: 10_000, sampleInterval: 500 },
  },
})
