import { createHealth } from '@healthz/core'
import { postgres } from './health.js'

// No startup checks: the gate opens when the application says so.
const health = createHealth({ readiness: [postgres] })

await connectPools()
health.markStarted() // /startupz: 200 from now on; /readyz: follows the readiness checks
console.log(health.started) // true, for good
