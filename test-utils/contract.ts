// The adapter contract: what every way of serving the probes must do, written once and run
// against each adapter through its entry in a table of adapter factories (the `contract.test.ts`
// of each package, and the Nest majors' test files). Adding an adapter is adding an entry.
// Real servers on listen(0), a real client, the app's own auth in front of every route.
import { once } from 'node:events'
import { Agent } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { call, visible } from './client.js'
import { drainNow, expectDrainSeesProbeInFlight, GRACE_PERIOD, slowCheck } from './drain.js'

/** What the contract uses of the health object (test-utils resolves no workspace package). */
export interface ContractHealth {
  /** May resolve once done, when the health object lives in another process (Hono under Bun or Deno). */
  markStarted(): void | Promise<unknown>
  shutdown(): Promise<{ closeFailures: number; exitCode: number }>
}

/** A check as `createHealth` takes it. */
export interface ContractCheck {
  name: string
  cache?: number
  timeout?: number
  critical?: boolean
  run: () => void | Promise<void>
}

/** The `createHealth` options the contract sets; each adapter hands them to its own way of building the health object. */
export interface ContractOptions {
  readiness?: ContractCheck[]
  startup?: ContractCheck[]
  prefix?: string
  shutdown?: { signals: false; drainDelay?: number; gracePeriod?: number }
}

/** The contract app, running. */
export interface Running {
  port: number
  /** Where the app serves every route, the probes included (Nest's global prefix with `serve: 'controller'`). */
  base: string
  /** URLs the app's authentication saw. */
  seenByAuth: string[]
  close(): Promise<void>
}

/** The contract app with healthz, running. */
export interface Served extends Running {
  health: ContractHealth
  /** Starts the shutdown the adapter's way (`health.shutdown()`, or Nest's `app.close()`). @default health.shutdown() */
  shutdown?: () => Promise<unknown>
}

/**
 * One entry of the table: an adapter, one way in, one framework version. Both functions start
 * the same app: authentication on every route (`authorization: Bearer secret`, else 401),
 * `GET {base}/orders` answering 200, `GET {base}/orders/slow` answering `slow ok` after {@link SLOW_MS}.
 */
export interface AdapterUnderTest {
  name: string
  /** The app with the probes served by the adapter, the health object built from `options` (`shutdown.signals: false` always). */
  start(options: ContractOptions): Promise<Served>
  /** The same app without healthz: what every request that is not a probe must see. */
  startPlain(): Promise<Running>
}

/** The credentials the contract app's authentication accepts. */
export const auth = { authorization: 'Bearer secret' }

/** How long the contract app's slow route takes: longer than the drain delay of the drain test, so that it is in flight when the listener closes. */
export const SLOW_MS = 500

/**
 * A node:http server of the contract app that listens or has been told to, as a {@link Running}
 * once it listens: its port, and a close that ends its connections.
 */
export async function running(server: Server, seenByAuth: string[]): Promise<Running> {
  if (!server.listening) await once(server, 'listening')
  return {
    port: (server.address() as AddressInfo).port,
    base: '',
    seenByAuth,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const db = (): ContractCheck => ({ name: 'db', run: () => undefined })
const noSignals = { signals: false } as const

/** Runs the contract against every adapter of the table. */
export function describeContract(adapters: readonly AdapterUnderTest[]): void {
  describe.each(adapters.map((adapter) => [adapter.name, adapter] as const))('adapter contract: %s', (_name, adapter) => {
    const running: Running[] = []
    afterEach(async () => {
      await Promise.all(running.splice(0).map((app) => app.close().catch(() => undefined)))
    })
    const start = async (options: ContractOptions = {}): Promise<Served> => {
      const served = await adapter.start({ readiness: [db()], shutdown: noSignals, ...options })
      running.push(served)
      return served
    }
    const started = async (options: ContractOptions = {}): Promise<Served> => {
      const served = await start(options)
      await served.health.markStarted()
      return served
    }

    it('keeps the startup gate closed until the startup checks pass; liveness passes meanwhile', async () => {
      let warm = false
      const { port, base } = await start({ startup: [{ name: 'warm', cache: 0, run: () => { if (!warm) throw new Error('cold') } }] })
      expect((await call(port, `${base}/startupz`)).status).toBe(503)
      expect((await call(port, `${base}/readyz`)).status).toBe(503)
      expect((await call(port, `${base}/livez`)).status).toBe(200)
      warm = true
      expect((await call(port, `${base}/startupz`)).status).toBe(200)
      const ready = await call(port, `${base}/readyz`)
      expect(ready.status).toBe(200)
      expect(ready.headers['content-type']).toBe('application/health+json')
      expect(ready.headers['cache-control']).toBe('no-store')
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'pass', checks: { 'db:responseTime': [{ status: 'pass' }] } })
    })

    it('answers the probes ahead of the app: no credentials, never seen by its authentication', async () => {
      const { port, base, seenByAuth } = await started()
      for (const path of ['/livez', '/readyz', '/startupz', '/readyz/db', '/livez?verbose']) expect((await call(port, `${base}${path}`)).status, path).toBe(200)
      expect(seenByAuth).toEqual([])
      expect((await call(port, `${base}/orders`)).status).toBe(401)
      expect((await call(port, `${base}/orders`, { headers: auth })).status).toBe(200)
    })

    it('answers HEAD without a body, and 405 with Allow to other methods', async () => {
      const { port, base } = await started()
      const head = await call(port, `${base}/readyz`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.body).toBe('')
      expect(Number(head.headers['content-length'])).toBeGreaterThan(0)
      const post = await call(port, `${base}/livez`, { method: 'POST' })
      expect(post.status).toBe(405)
      expect(post.headers.allow).toBe('GET, HEAD')
    })

    it('answers per-check paths, and leaves out the checks ?exclude= names', async () => {
      const flaky: ContractCheck = { name: 'flaky', cache: 0, run: () => { throw new Error('flaky down') } }
      const { port, base } = await started({ readiness: [db(), flaky] })
      expect((await call(port, `${base}/readyz`)).status).toBe(503)
      expect((await call(port, `${base}/readyz/db`)).status).toBe(200)
      expect((await call(port, `${base}/readyz/flaky`)).status).toBe(503)
      expect((await call(port, `${base}/readyz/nope`)).status).toBe(404)
      const excluded = await call(port, `${base}/readyz?exclude=flaky`)
      expect(excluded.status).toBe(200)
      expect(excluded.body).toContain('excluded: flaky')
    })

    it('passes every other request on as the app answers it without healthz, and honours a prefix', async () => {
      const { port, base } = await started({ prefix: '/health' })
      const plain = await adapter.startPlain()
      running.push(plain)
      expect((await call(port, `${base}/health/livez`)).status).toBe(200)
      for (const [path, headers] of [
        ['/orders', auth],
        ['/orders', {}],
        ['/orders?page=2', auth],
        ['/missing', auth],
        ['/livez', auth], // no longer a probe under the prefix
        ['/health/livezz', auth],
      ] as const) {
        expect(visible(await call(port, `${base}${path}`, { headers })), path).toEqual(visible(await call(plain.port, `${plain.base}${path}`, { headers })))
      }
    })

    it('answers 503 at the deadline of a check that never settles', async () => {
      const hung: ContractCheck = { name: 'hung', timeout: 100, cache: 0, run: () => new Promise<void>(() => undefined) }
      const { port, base } = await started({ readiness: [hung] })
      const began = Date.now()
      expect((await call(port, `${base}/readyz`)).status).toBe(503)
      expect(Date.now() - began).toBeLessThan(1000)
    })

    it('runs a check once for concurrent probes (single flight)', async () => {
      let runs = 0
      // A cache window longer than the burst: a second window would rightly run it again.
      const slow: ContractCheck = { name: 'slow', cache: 60_000, run: () => ((runs += 1), new Promise<void>((resolve) => setTimeout(resolve, 200))) }
      const { port, base } = await started({ readiness: [slow] })
      const replies = await Promise.all(Array.from({ length: 50 }, () => call(port, `${base}/readyz`)))
      expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 200))
      expect(runs).toBe(1)
    })

    it('drains on shutdown with keep-alive clients: readiness fails, in-flight requests finish with Connection: close, nothing dropped', async () => {
      const served = await started({ shutdown: { signals: false, drainDelay: 300, gracePeriod: 5000 } })
      const { port, base, health } = served
      const agent = new Agent({ keepAlive: true, maxSockets: 4 })
      try {
        expect((await call(port, `${base}/orders`, { headers: auth, agent })).status).toBe(200) // an idle keep-alive connection
        const closing = served.shutdown?.() ?? health.shutdown()
        await new Promise((resolve) => setTimeout(resolve, 50))
        // Sent during the drain delay (300 ms); the slow one is still running when the listener closes.
        const inFlight = call(port, `${base}/orders/slow`, { headers: auth, agent })
        const during = await Promise.all([
          call(port, `${base}/readyz`, { agent }),
          call(port, `${base}/livez`, { agent }),
          call(port, `${base}/orders`, { headers: auth, agent }),
        ])
        expect(during.map((reply) => reply.status)).toEqual([503, 200, 200])
        await closing
        const result = await health.shutdown() // the same run
        const slow = await inFlight
        expect(slow).toMatchObject({ status: 200, body: expect.stringContaining('slow ok') })
        expect(slow.headers.connection).toBe('close')
        expect(result).toMatchObject({ closeFailures: 0, exitCode: 0 })
      } finally {
        agent.destroy()
      }
    })

    it('issue-13-drain-sees-a-probe-in-flight-when-shutdown-starts', { timeout: GRACE_PERIOD + 5000 }, async () => {
      const { check, running: checkRuns } = slowCheck()
      const served = await started({ readiness: [check], shutdown: drainNow })
      const options = { port: served.port, health: served.health, running: checkRuns, path: `${served.base}/readyz` }
      await expectDrainSeesProbeInFlight(served.shutdown === undefined ? options : { ...options, shutdown: served.shutdown })
    })
  })
}
