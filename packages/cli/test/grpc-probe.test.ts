// `healthz probe grpc://host:port[/service]` against real grpc-js servers on 127.0.0.1:0: the
// @healthz/grpc service (SERVING, NOT_SERVING, unknown service), the official grpc-health-check
// service, a server without a health service, a port nobody listens on, a port that never
// answers, and an HTTP/1 port.
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import * as grpc from '@grpc/grpc-js'
import { createHealth, defineCheck } from '@healthz/core'
import type { Health } from '@healthz/core'
import { addHealthService } from '@healthz/grpc'
import { HealthImplementation } from 'grpc-health-check'
import { afterEach, describe, expect, it } from 'vitest'
import { probe } from '../src/index.js'
import { cli, runBin } from './helpers.js'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const run of cleanup.splice(0).reverse()) await run()
})

async function bind(server: grpc.Server): Promise<number> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  cleanup.push(() => server.forceShutdown())
  return port
}

/** A gRPC server with @healthz/grpc: readiness has a `postgres` check that fails while `down`. */
async function healthzServer(): Promise<{ port: number; health: Health; state: { down: boolean } }> {
  const state = { down: false }
  const postgres = defineCheck({
    name: 'postgres',
    kind: 'dependency',
    cache: 0,
    run: () => {
      if (state.down) throw new Error('connect ECONNREFUSED 10.0.0.5:5432')
    },
  })
  const health = createHealth({ readiness: [postgres], shutdown: { signals: false }, runtime: false })
  cleanup.push(() => health.close())
  const server = new grpc.Server()
  addHealthService(server, health)
  return { port: await bind(server), health, state }
}

async function listenNet(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.push(() => new Promise((resolve) => server.close(resolve)))
  return (server.address() as AddressInfo).port
}

describe('healthz probe grpc://', () => {
  it('exits 0 on SERVING and 1 on NOT_SERVING, for the server ("") and one service', async () => {
    const { port, health, state } = await healthzServer()
    let run = await cli(['probe', `grpc://127.0.0.1:${port}`])
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^healthz probe: NOT_SERVING from 127\.0\.0\.1:\d+ in \d+ ms\n$/) // not started yet
    health.markStarted()
    run = await cli(['probe', `grpc://127.0.0.1:${port}`])
    expect(run).toMatchObject({ status: 0, stderr: '' })
    expect(run.stdout).toMatch(/^healthz probe: ok, SERVING from 127\.0\.0\.1:\d+ in \d+ ms\n$/)
    expect(await cli(['probe', `grpc://127.0.0.1:${port}/liveness`, '-q'])).toEqual({ status: 0, stdout: '', stderr: '' })
    state.down = true
    run = await cli(['probe', `grpc://127.0.0.1:${port}/readiness/postgres`])
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^healthz probe: NOT_SERVING from 127\.0\.0\.1:\d+ service "readiness\/postgres" in \d+ ms\n$/)
    expect((await cli(['probe', `grpc://127.0.0.1:${port}/readiness`])).status).toBe(1)
    expect((await cli(['probe', `grpc://127.0.0.1:${port}/liveness`])).status).toBe(0)
    const result = await probe({ url: `grpc://127.0.0.1:${port}/readiness` })
    expect(result).toMatchObject({ ok: false, status: undefined, servingStatus: 'NOT_SERVING' })
  })

  it('exits 1 for an unknown service, with the server\'s own list of names', async () => {
    const { port } = await healthzServer()
    const run = await cli(['probe', `grpc://127.0.0.1:${port}/orders.v1.Orders`])
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^healthz probe: 127\.0\.0\.1:\d+ does not know the service "orders\.v1\.Orders" \(NOT_FOUND: unknown service "orders\.v1\.Orders": this server answers "", "liveness", "readiness", "startup", "readiness\/postgres"\)\n$/)
  })

  it('speaks to the official grpc-health-check service too', async () => {
    const server = new grpc.Server()
    const implementation = new HealthImplementation({ '': 'SERVING', 'orders.v1.Orders': 'NOT_SERVING' })
    implementation.addToServer(server)
    const port = await bind(server)
    expect((await cli(['probe', `grpc://127.0.0.1:${port}`])).status).toBe(0)
    const run = await cli(['probe', `grpc://127.0.0.1:${port}/orders.v1.Orders`])
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/NOT_SERVING from .* service "orders\.v1\.Orders"/)
    expect((await cli(['probe', `grpc://127.0.0.1:${port}/nope`])).stderr).toMatch(/does not know the service "nope" \(NOT_FOUND: Health status unknown for service nope\)/)
  })

  it('exits 1 when the server has no health service, nothing listens, nothing answers, or the port speaks HTTP/1', async () => {
    const bare = await bind(new grpc.Server())
    expect(await cli(['probe', `grpc://127.0.0.1:${bare}`])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^healthz probe: 127\.0\.0\.1:\d+ has no grpc\.health\.v1\.Health service \(UNIMPLEMENTED\)\n$/) })

    const free = await listenNet(createServer())
    const refused = free
    cleanup.pop()?.() // close it: nothing listens there now
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await cli(['probe', `grpc://127.0.0.1:${refused}`])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^healthz probe: connection refused by 127\.0\.0\.1:\d+: nothing listens there/) })

    const sockets: Socket[] = []
    const silent = await listenNet(createServer((socket) => void sockets.push(socket)))
    cleanup.push(() => sockets.forEach((socket) => socket.destroy()))
    expect(await cli(['probe', `grpc://127.0.0.1:${silent}/readiness`, '--timeout', '150ms'])).toMatchObject({
      status: 1,
      stderr: 'healthz probe: no answer from 127.0.0.1:' + silent + ' service "readiness" within 150ms (--timeout)\n',
    })

    const http1 = createHttpServer((_req, res) => res.end('ok'))
    const httpPort = await listenNet(http1)
    cleanup.push(() => http1.closeAllConnections())
    const run = await cli(['probe', `grpc://127.0.0.1:${httpPort}`, '--timeout', '1s'])
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^healthz probe: 127\.0\.0\.1:\d+ does not speak HTTP\/2 as gRPC does \(is this the gRPC port\?\): /)
  })

  it('refuses a grpc: URL without a port, with a query, and --expect (exit 2)', async () => {
    expect(await cli(['probe', 'grpc://127.0.0.1'])).toMatchObject({ status: 2, stderr: expect.stringContaining('needs a host and a port, like grpc://127.0.0.1:50051') })
    expect(await cli(['probe', 'grpc://127.0.0.1:50051/?x=1'])).toMatchObject({ status: 2, stderr: expect.stringContaining('no query, fragment or credentials') })
    expect(await cli(['probe', 'grpc://127.0.0.1:50051', '--expect', '200'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--expect is for HTTP status codes') })
    expect(await cli(['probe', 'ftp://127.0.0.1/'])).toMatchObject({ status: 2, stderr: expect.stringContaining('speaks http:, https: and grpc: only') })
  })

  it('works through the built bin (the gRPC chunk loads on demand)', async () => {
    const { port, health } = await healthzServer()
    health.markStarted()
    expect(await runBin(['probe', `grpc://127.0.0.1:${port}`])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^healthz probe: ok, SERVING from 127\.0\.0\.1:\d+ in \d+ ms\n$/) })
    expect(await runBin(['probe', `grpc://127.0.0.1:${port}/nope`])).toMatchObject({ status: 1, stderr: expect.stringContaining('does not know the service "nope"') })
  })

  it('answers every service healthz manifest --grpc prints, and the one a grpc-health-probe-exec fix suggests', async () => {
    const { port, health } = await healthzServer()
    health.markStarted()
    const manifest = await cli(['manifest', '--grpc', '--port', String(port)])
    const services = [...manifest.stdout.matchAll(/^ {12}grpc:\n {14}port: (\d+)\n {14}service: (\S+)$/gm)].map((match) => ({ port: Number(match[1]), service: match[2] as string }))
    expect(services.map((entry) => entry.service)).toEqual(['startup', 'liveness', 'readiness'])
    for (const { port: probed, service } of services) expect((await cli(['probe', `grpc://127.0.0.1:${probed}/${service}`])).status).toBe(0)
    // The lint fix for `exec: [grpc_health_probe, -addr=:PORT]` is `grpc: { port }`: service "", readiness.
    const yaml = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: { name: orders }',
      'spec:',
      '  containers:',
      '    - name: orders',
      '      image: orders:1',
      '      readinessProbe:',
      `        exec: { command: [grpc_health_probe, -addr=:${port}] }`,
    ].join('\n')
    const lint = await cli(['lint', '-', '--format', 'json'], yaml)
    const finding = (JSON.parse(lint.stdout) as { findings: Array<{ rule: string; fix: string }> }).findings.find((entry) => entry.rule === 'grpc-health-probe-exec')
    expect(finding?.fix).toContain(`grpc: { port: ${port} }`)
    expect((await cli(['probe', `grpc://127.0.0.1:${port}`])).status).toBe(0)
  })
})
