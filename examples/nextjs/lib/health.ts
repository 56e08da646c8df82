// The process's one health object, shared by every probe route handler and instrumentation.ts.
//
// Why globalThis: `next build` compiles each route handler and instrumentation.ts into its own
// server bundle, and each bundle evaluates the modules it includes once for itself. A
// module-level `export const health = createHealth(...)` would build one health object per
// bundle: several SIGTERM handlers, several drains, and a readiness probe that does not see the
// shutdown instrumentation.ts started. A global registered under a Symbol.for() key is one per
// process whatever the bundling. (examples/nextjs/nextjs.test.ts checks that there is exactly one.)
import { randomUUID } from 'node:crypto'
import type { Health } from '@healthz/core'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'
import { getPool } from './db'

// Printed once per bundle that evaluates this module: more than once under `next start`.
log('lib/health.ts evaluated')

const HEALTH = Symbol.for('@healthz/example-nextjs.health')
const store = globalThis as typeof globalThis & { [HEALTH]?: { health: Health; id: string } }

/** The process's health object, created on first use (normally by instrumentation.ts `register()`). */
export function getHealth(): Health {
  return (store[HEALTH] ??= create()).health
}

/** Which health object this is (shown by the example's routes so its test can compare them). */
export function healthId(): string {
  getHealth()
  return (store[HEALTH] as { id: string }).id
}

function create(): { health: Health; id: string } {
  const pool = getPool()
  const health = createHealth({
    service: { name: 'orders-next', version: '1.0.0' },
    // Readiness only: a dependency may never back liveness. The check borrows a connection from
    // the app's pool, fails at its 500 ms deadline, and runs at most once per second.
    readiness: [postgresCheck({ client: pool, timeout: 500, cache: 1000 })],
    // SIGTERM/SIGINT start the shutdown (next start must run with NEXT_MANUAL_SIG_HANDLE=true, or
    // Next closes the server and exits first): readiness fails at once, app routes keep answering
    // for drainDelay, then the server drains (instrumentation.ts registers it) and the hooks run.
    // Unset, drainDelay is 10 s on Kubernetes and 0 elsewhere, gracePeriod 10 s.
    shutdown: { drainDelay: msFromEnv('DRAIN_MS'), gracePeriod: msFromEnv('GRACE_MS') },
  })
  health.on('change', (event) => {
    if (event.type === 'phase') log(`shutdown: ${event.previous} -> ${event.current}`)
    else if (event.type === 'started') log('started')
    else if (event.type === 'check') log(`check ${event.name}: ${event.previous ?? '(first result)'} -> ${event.current}`)
  })
  // Runs after the server has drained: no request needs the pool any more.
  health.onShutdown(() => pool.end(), { name: 'postgres pool' })
  const id = randomUUID()
  log(`health object ${id} created (pid ${process.pid})`)
  return { health, id }
}

export function log(message: string): void {
  console.log(`[healthz-example ${new Date().toISOString().slice(11, 23)}] ${message}`)
}

function msFromEnv(name: string): number | undefined {
  const value = process.env[name]
  if (value === undefined || value === '') return undefined
  const number = Number(value)
  if (!Number.isFinite(number) || number < 0) throw new Error(`${name} must be a number of ms, got ${JSON.stringify(value)}`)
  return number
}
