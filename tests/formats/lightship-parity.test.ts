// Issue 15: the lightship-compatible format function of docs/migrate-from-lightship.md
// (docs/examples/formats-lightship.ts) against a real lightship 9.0.3 (its Fastify server on a
// free port, no signal traps): the same status codes, content type and bodies while starting,
// ready, not ready and shutting down, except liveness during the drain (lightship: 500; healthz
// keeps 200 so the kubelet does not restart a draining pod). Also the lightship defaults the guide
// states (gracefulShutdownTimeout 30 s, shutdownDelay 5 s, 500 for not ready).
import type { AddressInfo } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { createLightship } from 'lightship'
import { createHealth, defineCheck } from '@healthz/core'
import { createHealthServer } from '@healthz/http'
import { call } from '../../test-utils/client.js'
import { lightshipFormat } from '../../docs/examples/formats-lightship.js'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

it('answers as lightship does while starting, ready, not ready and shutting down', async () => {
  const lightship = await createLightship({ detectKubernetes: false, port: 0, signals: [], shutdownDelay: 400, terminate: () => undefined })
  const theirs = (lightship.server.address() as AddressInfo).port

  let failing = false
  const db = defineCheck({ name: 'db', kind: 'dependency', cache: 0, run: () => { if (failing) throw new Error('down') } })
  const health = createHealth({
    runtime: false,
    readiness: [db],
    paths: { liveness: '/live', readiness: '/ready' },
    format: { liveness: lightshipFormat, readiness: lightshipFormat },
    shutdown: { signals: false, exit: false, drainDelay: 400 },
  })
  const server = createHealthServer(health, { port: 0, host: '127.0.0.1' })
  const ours = ((await server.listen()) as AddressInfo).port
  cleanup.push(() => server.close(), () => health.close())

  const same = async (path: string): Promise<void> => {
    const [a, b] = [await call(theirs, path), await call(ours, path)]
    expect({ path, status: b.status, type: b.headers['content-type'], body: b.body }).toEqual({ path, status: a.status, type: a.headers['content-type'], body: a.body })
  }
  await same('/ready') // 500 SERVER_IS_NOT_READY: not started
  await same('/live')
  lightship.signalReady()
  health.markStarted()
  await same('/ready') // 200 SERVER_IS_READY
  failing = true
  lightship.signalNotReady()
  await same('/ready')
  failing = false
  lightship.signalReady()

  const theirShutdown = lightship.shutdown()
  const ourShutdown = health.shutdown()
  await same('/ready') // 500 SERVER_IS_NOT_READY from the first moment of shutdown
  const live = [await call(theirs, '/live'), await call(ours, '/live')]
  expect(live.map((reply) => [reply.status, reply.body])).toEqual([
    [500, 'SERVER_IS_SHUTTING_DOWN'],
    [200, 'SERVER_IS_SHUTTING_DOWN'],
  ])
  await Promise.all([theirShutdown, ourShutdown])
})

it('lightship 9 defaults, as the guide states them', async () => {
  const { readFileSync } = await import('node:fs')
  const source = readFileSync(new URL('../../node_modules/lightship/dist/cjs/factories/createLightship.js', import.meta.url), 'utf8')
  expect(source).toMatch(/gracefulShutdownTimeout: 30000,/)
  expect(source).toMatch(/shutdownDelay: 5000,/)
  expect(source).toMatch(/shutdownHandlerTimeout: 5000,/)
  expect(source).toMatch(/signals: \['SIGTERM', 'SIGHUP', 'SIGINT'\]/)
  expect(source).toMatch(/LIGHTSHIP_PORT \? Number\(LIGHTSHIP_PORT\) : 9000/)
})
