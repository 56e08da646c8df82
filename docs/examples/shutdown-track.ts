import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { trackConnections } from '@healthz/http'
import { health } from './health.js'

const plain = createServer(app)
const tls = createTlsServer({ key: readFileSync('/etc/tls/tls.key'), cert: readFileSync('/etc/tls/tls.crt') }, app)

// Track before listening, so every connection is counted.
const drainer = trackConnections([plain, tls])
plain.listen(8080)
tls.listen(8443)

// What drainOnShutdown does, plus log lines about the drain.
health.onClosing(async ({ gracePeriod }) => {
  console.info(`draining ${drainer.connections} connections, ${drainer.inFlight} requests in flight`)
  const { destroyed } = await drainer.close({ gracePeriod })
  if (destroyed > 0) console.warn(`${destroyed} connections were still busy after ${gracePeriod} ms and were destroyed`)
})
