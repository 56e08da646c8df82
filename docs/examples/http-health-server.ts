import { createHealthServer } from '@healthz/http'
import { health } from './health.js'

// The probes on a port of their own: out of reach of the app's middleware and of the ingress.
const probes = createHealthServer(health, { port: 9000 })
const address = await probes.listen()
console.log(`probes on port ${address.port}`)

// No close() needed: it answers (readiness 503) through the whole shutdown, hooks included,
// and closes once the shutdown has stopped.
