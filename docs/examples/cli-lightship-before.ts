import { createServer } from 'node:http'
import pg from 'pg'
import { createLightship } from 'lightship'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })

// Probes on port 9000: /live, /ready and /health.
const lightship = await createLightship({ port: 9000, shutdownDelay: 5000, gracefulShutdownTimeout: 30_000 })

const server = createServer(app)
server.listen(8080, () => lightship.signalReady())

// Readiness is a flag the application sets; following a dependency is up to you.
setInterval(() => {
  pool.query('SELECT 1').then(
    () => lightship.signalReady(),
    () => lightship.signalNotReady(),
  )
}, 5000)

lightship.registerShutdownHandler(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await pool.end()
})
