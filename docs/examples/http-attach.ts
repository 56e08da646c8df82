import { createServer } from 'node:http'
import { attachHealth } from '@healthz/http'
import { health } from './health.js'

// `app` is any request handler: an Express app, Koa's app.callback(), a Nest adapter's server.
const server = createServer(app)

// Probes are answered at the server's `request` event, before `app` runs.
const detach = attachHealth(server, health)
server.listen(8080)

// Later, if ever: detach() hands every request to `app` again.
export { detach }
