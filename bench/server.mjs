// One benchmark target, run by bench/probes.mjs as a child process so that the server and the
// load generator never share an event loop (or, with taskset, a core).
//
//   node bench/server.mjs bare     a bare node:http server answering `ok`: the baseline
//   node bench/server.mjs healthz  createHealthListener over a started health object
//
// It listens on 127.0.0.1 on a free port, prints `{"port":N}` on one stdout line when ready,
// and exits when stdin closes or on SIGTERM/SIGINT: the parent holds our stdin open, so we go
// away even if the parent is killed without a chance to clean up. Exiting through
// process.exit() (not a signal's default action) lets `node --cpu-prof` write its profile.
import { createServer } from 'node:http'
import { setImmediate as nextTurn } from 'node:timers/promises'

// Import the built packages by path: bench/ is not a workspace package, and measuring the
// published artefact (dist) is the point. packages/http/dist resolves @healthz/core through
// its workspace symlink to the same file, so there is one copy of core in the process.
import { createHealth, defineCheck } from '../packages/core/dist/index.js'
import { createHealthListener } from '../packages/http/dist/index.js'

const kind = process.argv[2]

function bareListener(_req, res) {
  res.end('ok')
}

function healthzListener() {
  // Five dependency checks with the default 1000 ms cache: under load /readyz is answered from
  // the cache, and each check runs about once a second. The "trivial async thing" is a hop
  // through the event loop, standing in for a ping whose cost is not what we measure here.
  const readiness = ['postgres', 'redis', 'kafka', 'billing-api', 's3'].map((name) =>
    defineCheck({
      name,
      kind: 'dependency',
      run: async () => {
        await nextTurn()
      },
    }),
  )
  // No liveness checks: /livez measures the fixed cost of the SDK's request path.
  const health = createHealth({ service: { name: 'bench', version: '0.0.0' }, readiness })
  health.markStarted()
  return createHealthListener(health)
}

const listeners = { bare: bareListener, healthz: healthzListener }
if (!(kind in listeners)) {
  console.error(`usage: node bench/server.mjs ${Object.keys(listeners).join('|')}`)
  process.exit(2)
}

const listener = kind === 'bare' ? bareListener : healthzListener()
const server = createServer(listener)

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`)
})

function shutdown() {
  server.closeAllConnections()
  server.close()
  process.exit(0)
}
process.stdin.on('end', shutdown)
process.stdin.on('error', shutdown)
process.stdin.resume()
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
