import { createHealth } from '@healthz/core'
import { postgres } from './health.js'

// Every option with its default.
export const health = createHealth({
  readiness: [postgres],
  shutdown: {
    signals: ['SIGTERM', 'SIGINT'], // false: the application owns its signals
    drainDelay: 10_000, // the default on Kubernetes (KUBERNETES_SERVICE_HOST set); 0 elsewhere
    gracePeriod: 10_000, // in-flight requests, once the listener has closed
    hookTimeout: 5000, // each onShutdown hook, unless it names its own timeout
    terminationGracePeriodSeconds: 30, // the pod's: checked against the sum of the above at start-up
    exit: true, // exit once a signal-started shutdown has finished
  },
})
