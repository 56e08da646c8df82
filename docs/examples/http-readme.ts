import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { createHealth, defineCheck } from '@healthz/core'
import { createHealthListener } from '@healthz/http'

// A dependency check (the default kind): can the database's port be reached?
// With a real client, ping through the pool the application already has instead.
const postgres = defineCheck({
  name: 'postgres',
  componentType: 'datastore',
  run: ({ signal }) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host: process.env.PGHOST ?? '127.0.0.1', port: 5432, signal })
      socket.once('connect', () => {
        socket.end()
        resolve()
      })
      socket.once('error', reject)
    }),
})

const health = createHealth({
  service: { name: 'orders', version: '2.14.0' },
  readiness: [postgres],
})

// The application: it never sees /livez, /readyz or /startupz.
function app(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ hello: 'world', path: req.url }))
}

const server = createServer(createHealthListener(health, { next: app }))
server.listen(8080, () => {
  // Boot is done: /startupz answers 200 from now on, and /readyz follows the checks.
  health.markStarted()
})
