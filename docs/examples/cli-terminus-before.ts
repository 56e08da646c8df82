import { createServer } from 'node:http'
import pg from 'pg'
import { createTerminus, HealthCheckError } from '@godaddy/terminus'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
const server = createServer(app)

createTerminus(server, {
  healthChecks: {
    // One endpoint, and usually both probes of the manifest point at it.
    '/healthcheck': async () => {
      try {
        await pool.query('SELECT 1') // no deadline: a stalled database holds the probe
      } catch (error) {
        throw new HealthCheckError('postgres is down', [String(error)])
      }
    },
  },
  signals: ['SIGTERM', 'SIGINT'],
  // Waits so the endpoints can catch up; /healthcheck answers 503 once the signal arrived.
  beforeShutdown: () => new Promise((resolve) => setTimeout(resolve, 5000)),
  onSignal: () => pool.end(),
  timeout: 10_000, // then connections still open are destroyed; onSignal runs after that
})

server.listen(8080)
