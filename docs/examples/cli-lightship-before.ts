import { createServer } from 'node:http'
import { createLightship } from 'lightship'

// Probes on port 9000: /live, /ready and /health.
const lightship = await createLightship({ port: 9000, shutdownDelay: 5000, gracefulShutdownTimeout: 30_000 })

const server = createServer(app)
server.listen(8080, () => lightship.signalReady())

// Readiness is a flag the application sets; following a dependency is up to you.
setInterval(() => {
  db.ping({ signal: AbortSignal.timeout(1000) }).then(
    () => lightship.signalReady(),
    () => lightship.signalNotReady(),
  )
}, 5000)

lightship.registerShutdownHandler(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await db.end()
})
