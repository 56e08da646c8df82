import { createServer } from 'node:http'
import { attachHealth } from '@healthz/http'
import { health } from './health.js'

// A server you do not create yourself works the same (what app.listen() returns, a framework's).
const server = createServer(app)

// Answers the probes ahead of `app`, and drains the server when shutdown reaches `closing`.
attachHealth(server, health)
server.listen(8080)

// attachHealth(server, health, { drain: false }) when something else drains this server.
