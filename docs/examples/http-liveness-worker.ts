import { startLivenessWorker } from '@healthz/http'
import { health } from './health.js'

// Liveness on 9001, answered by a worker thread from a heartbeat the main thread writes into
// shared memory: 200 while the main event loop makes progress (however busy), 503 after 15 s
// without any, or when a liveness check or watchdog fails. Point only livenessProbe here.
const liveness = await startLivenessWorker(health, { port: 9001 })
console.log(`liveness on port ${liveness.port}`)

// No close() needed: it answers 200 through the whole shutdown and closes once it has stopped.
// It never keeps the process alive.
