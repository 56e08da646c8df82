// server.ts: the probes are answered before the application (and its auth middleware) runs.
import { createServer } from 'node:http'
import { createHealthListener } from '@healthz/http'
import { health } from './health.js'

const server = createServer(createHealthListener(health, { next: app }))
server.listen(8080)
