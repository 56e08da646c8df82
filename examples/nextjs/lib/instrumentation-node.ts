// What instrumentation.ts does in the Node.js runtime: create the health object, reach the
// node:http server `next start` created so the shutdown can drain it, and boot.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { Server } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Health } from '@healthz/core'
import { drainOnShutdown } from '@healthz/http'
import { getPool } from './db'
import { getHealth, log } from './health'

export function registerHealth(): void {
  const health = getHealth()
  if (!process.env.NEXT_MANUAL_SIG_HANDLE) {
    log('NEXT_MANUAL_SIG_HANDLE is not set: on SIGTERM Next closes its server and exits at once, before readiness has failed for the drain delay. Start with NEXT_MANUAL_SIG_HANDLE=true next start.')
  }
  drainNextServer(health)
  void boot(health)
}

/**
 * `next start` keeps its node:http server to itself. Node publishes every request on the
 * `http.server.request.start` diagnostics channel together with the server that received it:
 * the first request after register() hands us the server, and from then on the health object's
 * shutdown drains it (stop accepting, close idle keep-alive connections, `Connection: close` on
 * in-flight responses, wait for them up to gracePeriod). The load balancer's first readiness
 * poll is such a request, long before any SIGTERM.
 */
function drainNextServer(health: Health): void {
  const onRequest = (message: unknown): void => {
    const server = (message as { server?: unknown }).server
    if (!(server instanceof Server)) return
    unsubscribe('http.server.request.start', onRequest)
    drainOnShutdown(health, server)
    log(`draining the next start server on shutdown (keepAliveTimeout ${server.keepAliveTimeout} ms)`)
  }
  subscribe('http.server.request.start', onRequest)
}

/**
 * Creates the table, retrying while Postgres is not there yet (the startup probe answers 503
 * meanwhile), then opens the startup gate.
 */
async function boot(health: Health): Promise<void> {
  while (health.phase === 'running') {
    try {
      await getPool().query(`CREATE TABLE IF NOT EXISTS orders (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        item text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`)
      health.markStarted()
      return
    } catch (error) {
      log(`boot: postgres not ready (${error instanceof Error ? error.message : String(error)}); retrying in 1 s`)
      await sleep(1000)
    }
  }
}
