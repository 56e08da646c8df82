// Shutdown over gRPC, on real servers and clients: NOT_SERVING on every Watch at drain start,
// RPCs served through the drain delay, tryShutdown() letting in-flight calls finish,
// forceShutdown() at the grace period; and one process serving HTTP and gRPC from one health
// object, both drained in order.
import type { AddressInfo } from 'node:net'
import * as grpc from '@grpc/grpc-js'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { listen } from '@healthz/http'
import { afterEach, describe, expect, it } from 'vitest'
import { call } from '../../../test-utils/client.js'
import type { HealthClient } from './helpers.js'
import { connect, startServer } from './helpers.js'

const cleanup: Array<() => void> = []
afterEach(() => {
  for (const run of cleanup.splice(0)) run()
})

function makeHealth(shutdown: { drainDelay: number; gracePeriod: number }, onError?: (error: Error) => void): Health {
  const health = createHealth({ shutdown: { signals: false, hookTimeout: 1000, ...shutdown }, runtime: false, onError })
  health.markStarted()
  cleanup.push(() => health.close())
  return health
}

async function serve(health: Health): Promise<{ client: HealthClient; server: grpc.Server; served: { count: number } }> {
  const { server, address, served } = await startServer(grpc, health)
  const client = connect(grpc, address)
  cleanup.push(() => {
    client.close()
    server.forceShutdown()
  })
  return { client, server, served }
}

describe('drain', () => {
  it('turns readiness NOT_SERVING on every Watch at once, serves through the drain delay, then lets in-flight calls finish', async () => {
    const health = makeHealth({ drainDelay: 500, gracePeriod: 5000 })
    const { client, served } = await serve(health)
    const ready = client.watch('')
    const alive = client.watch('liveness')
    await Promise.all([ready.next('SERVING'), alive.next('SERVING')])
    const inFlight = client.echo(1200) // accepted before the drain; outlives the drain delay
    const phases: string[] = []
    health.on('change', (event) => void (event.type === 'phase' && phases.push(event.current)))

    const done = health.shutdown()
    await ready.next('NOT_SERVING')
    expect(phases).toEqual(['draining']) // pushed at drain start, before the servers close
    // Still serving RPCs through the drain delay; Check says what Watch said.
    await client.echo(0)
    expect(await client.check('')).toBe('NOT_SERVING')
    expect(await client.check('readiness')).toBe('NOT_SERVING')
    // Liveness keeps passing, as /livez does: the kubelet must not restart a draining container.
    expect(await client.check('liveness')).toBe('SERVING')

    const result = await done
    expect(phases).toEqual(['draining', 'closing', 'stopped'])
    await expect(inFlight).resolves.toBeUndefined() // the in-flight call finished: tryShutdown waited for it
    expect(served.count).toBe(2)
    expect(result.closeFailures).toBe(0)
    expect(result.exitCode).toBe(0)
    // Watch streams were ended at closing (status OK), after their NOT_SERVING.
    expect(await ready.ended).toBe(grpc.status.OK)
    expect(await alive.ended).toBe(grpc.status.OK)
    expect(ready.seen).toEqual(['SERVING', 'NOT_SERVING'])
    expect(alive.seen).toEqual(['SERVING'])
    // The server is gone: a new call fails.
    await expect(client.echo(0)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE })
  })

  it('cancels calls still running at the grace period and reports it (SERVER_CLOSE_FAILED, exit code 1)', async () => {
    const errors: Error[] = []
    const health = makeHealth({ drainDelay: 0, gracePeriod: 300 }, (error) => errors.push(error))
    const { client } = await serve(health)
    const slow = client.echo(5000)
    const slowFailed = slow.then(
      () => undefined,
      (error: { code: number }) => error.code,
    )
    await new Promise((resolve) => setTimeout(resolve, 50)) // the call is on the server
    const result = await health.shutdown()
    expect(result.closeFailures).toBe(1)
    expect(result.exitCode).toBe(1)
    expect(await slowFailed).toBeDefined()
    expect(errors.map((error) => (error as Error & { code?: string }).code)).toEqual(['SERVER_CLOSE_FAILED'])
    expect(errors[0]?.message).toMatch(/gRPC calls still running after gracePeriod 300 ms were cancelled/)
  })
})

describe('one process, HTTP and gRPC, one health object', () => {
  it('drains both in order: readiness fails on both at once, both serve through the drain delay, then both close after their in-flight work', async () => {
    const health = makeHealth({ drainDelay: 500, gracePeriod: 5000 })
    const httpServed: string[] = []
    const http = await listen(
      (req, res) => {
        const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? '0')
        setTimeout(() => {
          httpServed.push(req.url ?? '')
          res.end('ok')
        }, delay)
      },
      health,
      { port: 0, host: '127.0.0.1' },
    )
    cleanup.push(() => http.closeAllConnections())
    const port = (http.address() as AddressInfo).port
    const { client, served } = await serve(health)
    const watch = client.watch('')
    await watch.next('SERVING')
    expect((await call(port, '/readyz')).status).toBe(200)

    const grpcInFlight = client.echo(1200)
    const httpInFlight = call(port, '/work?delay=1200')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const done = health.shutdown()

    // 1. Both say "not ready" at once, before anything closes.
    await watch.next('NOT_SERVING')
    expect((await call(port, '/readyz')).status).toBe(503)
    expect(health.phase).toBe('draining')
    // 2. Both keep serving through the drain delay.
    expect((await call(port, '/work')).status).toBe(200)
    await client.echo(0)
    expect(health.phase).toBe('draining')
    // 3. Both close; their in-flight work finishes.
    const result = await done
    expect(result.closeFailures).toBe(0)
    expect((await httpInFlight).status).toBe(200)
    await expect(grpcInFlight).resolves.toBeUndefined()
    expect(httpServed).toEqual(['/work', '/work?delay=1200'])
    expect(served.count).toBe(2)
    expect(http.listening).toBe(false)
    await expect(client.echo(0)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE })
  })
})
