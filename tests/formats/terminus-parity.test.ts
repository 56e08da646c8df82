// Issue 15: `format: 'terminus'` against the real thing. The same checks, passing and failing,
// behind a real @nestjs/terminus 12.1 app (TerminusModule, HealthCheckService, HealthIndicatorService,
// loaded from packages/nestjs' devDependencies) and a real @godaddy/terminus 4.12.1 server (in a
// child process: terminus traps signals), and behind healthz over @healthz/http: status codes,
// content types and bodies compared. The godaddy child also shows what its shutdown does with
// idle and busy keep-alive sockets (stoppable 1.1), as docs/migrate-from-terminus.md says.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { Agent } from 'node:http'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo, Socket } from 'node:net'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import type { Health } from '@healthz/core'
import { createHealthServer } from '@healthz/http'
import { call } from '../../test-utils/client.js'
import type { Reply } from '../../test-utils/client.js'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** The outcome of each check, shared by the healthz checks and the peers' indicators ('' = pass). */
const state = { db: '', billing: '' }

function toggleCheck(name: 'db' | 'billing', critical = true) {
  return defineCheck({
    name,
    kind: 'dependency',
    cache: 0,
    critical,
    run: () => {
      if (state[name] !== '') throw new Error(state[name])
    },
  })
}

async function healthz(options: { billingCritical: boolean; drainDelay?: number }): Promise<{ health: Health; port: number }> {
  const health = createHealth({
    runtime: false,
    readiness: [toggleCheck('db'), toggleCheck('billing', options.billingCritical)],
    format: 'terminus',
    // The peers show every message: compare with the policy that shows it too.
    details: 'always',
    shutdown: { signals: false, exit: false, drainDelay: options.drainDelay ?? 0 },
  })
  health.markStarted()
  const server = createHealthServer(health, { port: 0, host: '127.0.0.1' })
  const { port } = (await server.listen()) as AddressInfo
  cleanup.push(() => server.close(), () => health.close())
  return { health, port }
}

/** Response times are timings: equal in shape, not in value. */
const timeless = (body: string): string => body.replace(/"responseTime":\d+/g, '"responseTime":0')
const mediaType = (reply: Reply): string | undefined => reply.headers['content-type']?.split(';')[0]

// ---- @nestjs/terminus 12, with decorators applied as functions (no decorator metadata needed) ----

interface NestApp {
  listen(port: number, host: string): Promise<unknown>
  getHttpServer(): Server
  close(signal?: string): Promise<void>
}
type Decorator = (...args: unknown[]) => void
interface IndicatorSession {
  attempt(fn: () => Promise<void>): PromiseLike<Record<string, { status: string; message?: string; responseTime?: number }>>
  degraded(data: object): Record<string, unknown>
}

const nestRequire = createRequire(fileURLToPath(new URL('../../packages/nestjs/package.json', import.meta.url)))
const load = async (name: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(nestRequire.resolve(name)).href)) as Record<string, unknown>

async function nestTerminus(): Promise<{ app: NestApp; port: number; version: string }> {
  await load('reflect-metadata')
  const common = await load('@nestjs/common')
  const { NestFactory } = (await load('@nestjs/core')) as { NestFactory: { create(module: unknown, options: object): Promise<NestApp> } }
  const terminus = await load('@nestjs/terminus')
  const { TerminusModule, HealthCheckService, HealthIndicatorService } = terminus as {
    TerminusModule: { forRoot(options: object): unknown }
    HealthCheckService: unknown
    HealthIndicatorService: unknown
  }
  const { Controller, Get, Inject, Module } = common as Record<'Controller' | 'Get' | 'Inject' | 'Module', (...args: unknown[]) => Decorator>
  const ping = (name: 'db' | 'billing') => async (): Promise<void> => {
    if (state[name] !== '') throw new Error(state[name])
  }

  class HealthController {
    constructor(
      private readonly health: { check(indicators: Array<() => PromiseLike<unknown>>): Promise<unknown> },
      private readonly indicators: { check(key: string): IndicatorSession },
    ) {}

    check(): Promise<unknown> {
      return this.health.check([
        () => this.indicators.check('db').attempt(ping('db')),
        // healthz's critical: false is @nestjs/terminus 12's degraded: still serving, 200.
        async () => {
          const session = this.indicators.check('billing')
          const result = await session.attempt(ping('billing'))
          const billing = result['billing']
          return billing?.status === 'down' ? session.degraded({ message: billing.message, responseTime: billing.responseTime }) : result
        },
      ])
    }
  }
  Inject(HealthCheckService)(HealthController, undefined, 0)
  Inject(HealthIndicatorService)(HealthController, undefined, 1)
  Get()(HealthController.prototype, 'check', Object.getOwnPropertyDescriptor(HealthController.prototype, 'check'))
  Controller('health')(HealthController)
  class AppModule {}
  Module({ imports: [TerminusModule.forRoot({ gracefulShutdownTimeoutMs: 800, logger: false })], controllers: [HealthController] })(AppModule)

  const app = await NestFactory.create(AppModule, { logger: false })
  await app.listen(0, '127.0.0.1')
  const version = (nestRequire('@nestjs/terminus/package.json') as { version: string }).version
  return { app, port: (app.getHttpServer().address() as AddressInfo).port, version }
}

describe("format: 'terminus' and @nestjs/terminus 12", () => {
  it('the same checks give the same status code, media type and body (response times aside)', async () => {
    const nest = await nestTerminus()
    cleanup.push(() => nest.app.close())
    expect(nest.version).toBe('12.1.0')
    const ours = await healthz({ billingCritical: false })

    const scenarios = [
      { db: '', billing: '' },
      { db: 'connect ECONNREFUSED 127.0.0.1:5432', billing: '' },
      { db: '', billing: 'billing timed out' },
      { db: 'connect ECONNREFUSED 127.0.0.1:5432', billing: 'billing timed out' },
    ]
    for (const scenario of scenarios) {
      Object.assign(state, scenario)
      const theirs = await call(nest.port, '/health')
      const mine = await call(ours.port, '/readyz')
      expect({ scenario, status: mine.status, type: mediaType(mine), body: timeless(mine.body) }).toEqual({
        scenario,
        status: theirs.status,
        type: mediaType(theirs),
        body: timeless(theirs.body),
      })
    }
    // What the last scenario looked like, for the reader.
    expect(JSON.parse(timeless((await call(ours.port, '/readyz')).body))).toEqual({
      status: 'error',
      info: { billing: { message: 'billing timed out', responseTime: 0, status: 'degraded' } },
      error: { db: { message: 'connect ECONNREFUSED 127.0.0.1:5432', responseTime: 0, status: 'down' } },
      details: {
        billing: { message: 'billing timed out', responseTime: 0, status: 'degraded' },
        db: { message: 'connect ECONNREFUSED 127.0.0.1:5432', responseTime: 0, status: 'down' },
      },
    })
  })

  it('both answer 503 shutting_down from the start of shutdown (@nestjs/terminus during gracefulShutdownTimeoutMs)', async () => {
    Object.assign(state, { db: '', billing: '' })
    const nest = await nestTerminus()
    const ours = await healthz({ billingCritical: false, drainDelay: 300 })
    const closing = nest.app.close('SIGTERM')
    const stopping = ours.health.shutdown()
    const theirs = await call(nest.port, '/health')
    const mine = await call(ours.port, '/readyz')
    expect([mine.status, (JSON.parse(mine.body) as { status: string }).status]).toEqual([theirs.status, (JSON.parse(theirs.body) as { status: string }).status])
    expect(theirs.status).toBe(503)
    // @nestjs/terminus still runs the indicators and lists them; healthz runs no check while draining.
    expect(JSON.parse(mine.body)).toEqual({ status: 'shutting_down', info: {}, error: {}, details: {} })
    await Promise.all([closing, stopping])
  })
})

// ---- @godaddy/terminus 4.12, in a child process ----

async function godaddy(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/terminus-server.cjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] })
  cleanup.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  let output = ''
  child.stdout?.setEncoding('utf8')
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      output += chunk
      const match = /listening (\d+)/.exec(output)
      if (match !== null) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`terminus server exited with ${code}`)))
  })
  return { child, port }
}

describe("format: 'terminus' and @godaddy/terminus 4.12", () => {
  it('every key terminus sends, healthz sends with the same value; same status codes and media type', async () => {
    const { port } = await godaddy()
    const ours = await healthz({ billingCritical: true })
    const version = (createRequire(import.meta.url)('@godaddy/terminus/package.json') as { version: string }).version
    expect(version).toBe('4.12.1')
    for (const scenario of [
      { db: '', billing: '' },
      { db: 'connect ECONNREFUSED 127.0.0.1:5432', billing: '' },
      { db: 'connect ECONNREFUSED 127.0.0.1:5432', billing: 'billing timed out' },
    ]) {
      Object.assign(state, scenario)
      await call(port, `/set?db=${encodeURIComponent(scenario.db)}&billing=${encodeURIComponent(scenario.billing)}`)
      const theirs = await call(port, '/health')
      const mine = await call(ours.port, '/readyz')
      expect([mine.status, mediaType(mine)]).toEqual([theirs.status, mediaType(theirs)])
      // @godaddy/terminus leaves out `error` when it passes and `info` when it fails, and its
      // `details` are the HealthCheckError's causes (the failed ones) alone; @nestjs/terminus and
      // healthz always send all four keys, `details` listing every check. So: every path of their
      // body is in ours with the same value (toMatchObject is a recursive subset match).
      const theirBody = JSON.parse(timeless(theirs.body)) as object
      expect(Object.keys(theirBody).length).toBeGreaterThanOrEqual(2)
      expect(JSON.parse(timeless(mine.body))).toMatchObject(theirBody)
    }
  })

  it('shutdown: 503 {"status":"error"} during beforeShutdown; then idle keep-alive sockets end at once, a busy one after its response, which carries no Connection: close', async () => {
    const { child, port } = await godaddy()
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const busyAgent = new Agent({ keepAlive: true, maxSockets: 1 })
    cleanup.push(() => agent.destroy(), () => busyAgent.destroy())
    const idle = (await call(port, '/set', { agent })).socket
    const busySocket = (await call(port, '/set', { agent: busyAgent })).socket
    const closedAt = (socket: Socket): Promise<number> => once(socket, 'close').then(() => Date.now())
    const idleClosed = closedAt(idle)
    const busyClosed = closedAt(busySocket)

    const signalled = Date.now()
    child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const during = await call(port, '/health')
    expect([during.status, during.body]).toEqual([503, '{"status":"error"}'])
    // In flight when the server stops (beforeShutdown ends at about 1000 ms): answered at about 1500 ms.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() - signalled) - 150))
    const slow = call(port, '/slow', { agent: busyAgent })
    const idleAt = (await idleClosed) - signalled
    const reply = await slow
    const busyAt = (await busyClosed) - signalled
    const [code] = (await once(child, 'exit')) as [number]

    expect(reply.body).toBe('slow done')
    expect(reply.headers.connection).toBe('keep-alive')
    // The idle socket was ended when the server stopped, not at the signal and not at the end.
    expect(idleAt).toBeGreaterThanOrEqual(900)
    expect(idleAt).toBeLessThan(1400)
    expect(busyAt).toBeGreaterThanOrEqual(1400)
    expect(code).toBe(0)
  })
})
