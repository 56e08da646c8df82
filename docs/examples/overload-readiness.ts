import { createHealth } from '@healthz/core'
import { postgres } from './health.js'

export const health = createHealth({
  readiness: [postgres],
  runtime: {
    // Adds the readiness check `overload`; these are its defaults.
    overload: { utilization: 0.9, recoverUtilization: 0.7, delay: 500, recoverDelay: 100, window: 3000, hold: 5000, sampleInterval: 500 },
  },
})
