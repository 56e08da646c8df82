// The built package (dist) under an app compiled by esbuild, which never emits decorator
// metadata, run in child processes on NestJS 12 and 11, Express and Fastify; and the drain on
// a real SIGTERM delivered to that process, under load over keep-alive connections.
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { Agent } from 'node:http'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { build } from 'esbuild'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { call } from '../../../test-utils/client.js'
import type { Reply } from '../../../test-utils/client.js'

// Each test starts a Nest app in a child process and waits through real drain delays: seconds on a busy machine.
vi.setConfig({ testTimeout: 30_000 })

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
const BUNDLE = here('./.out/app.mjs')
const DIST = here('../dist/index.js')
const auth = { authorization: 'Bearer secret' }

beforeAll(async () => {
  // The point is the published artefact: refuse to test a dist older than the source.
  const built = statSync(DIST, { throwIfNoEntry: false })
  const newest = Math.max(...readdirSync(here('../src')).map((name) => statSync(here(`../src/${name}`)).mtimeMs))
  if (built === undefined || built.mtimeMs < newest) throw new Error('packages/nestjs/dist is missing or older than src: run `pnpm --filter @healthz/nestjs build` first')
  // Bare imports stay imports: `@healthz/nestjs` resolves (package self-reference) to dist.
  await build({
    entryPoints: [here('./fixtures/app.ts')],
    outfile: BUNDLE,
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
    logLevel: 'silent',
  })
})

interface Child {
  process: ChildProcessWithoutNullStreams
  port: number
  nest: string
  lines: string[]
  /** When each line arrived (Date.now() in the test process). */
  times: number[]
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const children: ChildProcessWithoutNullStreams[] = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

async function startApp(nest: '11' | '12', platform: string, env: Record<string, string> = {}): Promise<Child> {
  const args = nest === '11' ? ['--import', here('./fixtures/nest11.mjs'), BUNDLE] : [BUNDLE]
  const child = spawn(process.execPath, args, { env: { ...process.env, PLATFORM: platform, ...env }, stdio: 'pipe' })
  children.push(child)
  const lines: string[] = []
  const times: number[] = []
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const first = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`the app did not start within 15 s: ${stderr}`)), 15_000)
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      let newline: number
      while ((newline = out.indexOf('\n')) !== -1) {
        lines.push(out.slice(0, newline))
        times.push(Date.now())
        out = out.slice(newline + 1)
        if (lines.length === 1) {
          clearTimeout(timer)
          resolve(lines[0] as string)
        }
      }
    })
    void exited.then(({ code }) => reject(new Error(`the app exited (${code}) before listening: ${stderr}`)))
  })
  const { port, nest: version } = JSON.parse(first) as { port: number; nest: string }
  return { process: child, port, nest: version, lines, times, stderr: () => stderr, exited }
}

it('builds the app without decorator metadata, and dist carries none either', () => {
  expect(readFileSync(BUNDLE, 'utf8')).not.toContain('design:paramtypes')
  expect(readFileSync(BUNDLE, 'utf8')).toContain("from \"@healthz/nestjs\"") // dist, not the source
  for (const file of ['../dist/index.js', '../dist/index.cjs']) expect(readFileSync(here(file), 'utf8')).not.toContain('design:')
})

it('warns when the app listens without app.enableShutdownHooks(), so SIGTERM would skip the drain', async () => {
  const app = await startApp('12', 'express', { NO_SHUTDOWN_HOOKS: '1' })
  await sleep(100)
  expect(app.stderr()).toContain('HEALTHZ_NEST_SHUTDOWN_HOOKS')
  expect(app.stderr()).toContain('app.enableShutdownHooks()')
  app.process.kill('SIGKILL')
})

describe.each(['12', '11'] as const)('NestJS %s', (nest) => {
  describe.each(['express', 'fastify'])('%s', (platform) => {
    it('runs the esbuild-compiled app on dist: DI by token, probes ahead of the global guard, a check from forRootAsync', async () => {
      const app = await startApp(nest, platform)
      expect(app.nest.startsWith(`${nest}.`)).toBe(true)
      const ready = await call(app.port, '/readyz')
      expect(ready.status).toBe(200)
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'pass', serviceId: 'fixture', checks: { 'store:responseTime': [{ status: 'pass' }] } })
      expect((await call(app.port, '/livez')).status).toBe(200)
      expect((await call(app.port, '/startupz')).status).toBe(200)
      expect((await call(app.port, '/orders')).status).toBe(403)
      const orders = await call(app.port, '/orders', { headers: auth })
      expect(orders.status).toBe(200)
      expect(JSON.parse(orders.body)).toEqual({ orders: [1, 2] })
      app.process.kill('SIGTERM')
      expect(await app.exited).toEqual({ code: null, signal: 'SIGTERM' }) // Nest re-raises the signal once closed
      expect(app.stderr()).not.toContain('HEALTHZ_NEST_SHUTDOWN_HOOKS')
    })

    it('drains on a real SIGTERM: readiness fails during the drain delay, and no accepted request is dropped', async () => {
      const app = await startApp(nest, platform, { DRAIN_MS: '700', SLOW_MS: '900' })
      const agent = new Agent({ keepAlive: true, maxSockets: 8 })
      // A load balancer's view: it polls readiness every 100 ms (a new connection each time, as
      // the kubelet does) and stops routing at the first failure; the drain delay (700 ms)
      // covers that. Until then, constant load over keep-alive connections.
      let routing = true
      let polls = 0
      const poller = (async () => {
        while (routing) {
          polls += 1
          if ((await call(app.port, '/readyz')).status !== 200) routing = false
          else await sleep(100)
        }
      })()
      const replies: Reply[] = []
      const dropped: string[] = []
      const worker = async (): Promise<void> => {
        while (routing) {
          try {
            replies.push(await call(app.port, '/orders', { headers: auth, agent }))
          } catch (error) {
            dropped.push(`${(error as NodeJS.ErrnoException).code ?? ''} ${(error as Error).message}`)
          }
        }
      }
      const load = Promise.all([poller, worker(), worker(), worker(), worker()])
      await sleep(150)
      app.process.kill('SIGTERM')
      const sentAt = Date.now()
      await sleep(150)
      const [readiness, liveness] = await Promise.all([call(app.port, '/readyz', { agent }), call(app.port, '/livez', { agent })])
      expect(readiness.status).toBe(503)
      expect(JSON.parse(readiness.body)).toMatchObject({ status: 'fail', notes: ['draining'] })
      expect(liveness.status).toBe(200)
      // Accepted during the drain delay, still running when the listener closes (~700 ms).
      const slow = await call(app.port, '/orders/slow', { headers: auth, agent })
      expect(slow.status).toBe(200)
      expect(slow.body).toBe('slow ok')
      expect(slow.headers.connection).toBe('close')
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(900)
      await load
      const exit = await app.exited
      expect(exit).toEqual({ code: null, signal: 'SIGTERM' })
      expect(dropped).toEqual([])
      expect(polls).toBeGreaterThanOrEqual(2)
      expect(replies.length).toBeGreaterThan(20)
      expect(replies.every((reply) => reply.status === 200)).toBe(true)
      // Readiness failed first; Nest tore down (and closed the pools) only after the drain.
      expect(app.lines.slice(1)).toEqual(['onModuleDestroy stopped', 'beforeApplicationShutdown stopped SIGTERM', 'onApplicationShutdown stopped SIGTERM'])
      agent.destroy()
    })

    it('SIGTERM fails readiness at once, before a slow onModuleDestroy of an application provider, and Nest tears down only after the drain delay', async () => {
      // Issue 13, item 3: an application provider whose onModuleDestroy takes 1.5 s, and a
      // drain delay of 600 ms. Readiness must fail when the signal arrives, not after that teardown.
      const app = await startApp(nest, platform, { DRAIN_MS: '600', SLOW_DESTROY_MS: '1500' })
      const agent = new Agent({ keepAlive: true, maxSockets: 2 })
      expect((await call(app.port, '/readyz')).status).toBe(200)
      app.process.kill('SIGTERM')
      const sentAt = Date.now()
      await sleep(100)
      const readiness = await call(app.port, '/readyz')
      expect(readiness.status).toBe(503)
      expect(JSON.parse(readiness.body)).toMatchObject({ status: 'fail', notes: ['draining'] })
      // During the drain delay the application is whole: no provider has been torn down.
      const orders = await call(app.port, '/orders', { headers: auth, agent })
      expect(orders.status).toBe(200)
      expect(app.lines.slice(1)).toEqual([])
      const exit = await app.exited
      expect(exit).toEqual({ code: null, signal: 'SIGTERM' })
      // Nest's teardown began after the drain delay and the server's drain, never before.
      expect(app.lines.slice(1)).toEqual(['onModuleDestroy stopped', 'beforeApplicationShutdown stopped SIGTERM', 'onApplicationShutdown stopped SIGTERM'])
      expect((app.times[1] as number) - sentAt).toBeGreaterThanOrEqual(550)
      agent.destroy()
    })

    it('exits 0 after the drain with enableShutdownHooks([], { useProcessExit: true }), instead of by the re-raised SIGTERM (143)', async () => {
      const app = await startApp(nest, platform, { DRAIN_MS: '300', USE_PROCESS_EXIT: '1' })
      expect((await call(app.port, '/readyz')).status).toBe(200)
      app.process.kill('SIGTERM')
      await sleep(100)
      expect((await call(app.port, '/readyz')).status).toBe(503)
      expect(await app.exited).toEqual({ code: 0, signal: null })
      expect(app.lines.slice(1)).toEqual(['onModuleDestroy stopped', 'beforeApplicationShutdown stopped SIGTERM', 'onApplicationShutdown stopped SIGTERM'])
    })

    it('a second SIGTERM during the drain exits at once (DESIGN §6); the same signal twice within moments is one', async () => {
      const app = await startApp(nest, platform, { DRAIN_MS: '8000' })
      app.process.kill('SIGTERM')
      await sleep(100)
      app.process.kill('SIGTERM') // delivered twice (process group + package manager): still one signal
      await sleep(700)
      expect((await call(app.port, '/readyz')).status).toBe(503) // still draining
      const second = Date.now()
      app.process.kill('SIGTERM') // the operator's second signal
      const exit = await app.exited
      expect(Date.now() - second).toBeLessThan(2_000) // not after the 8 s drain delay
      expect(exit).toEqual({ code: 143, signal: null })
      expect(app.stderr()).toContain('SHUTDOWN_FORCED')
    })
  })
})
