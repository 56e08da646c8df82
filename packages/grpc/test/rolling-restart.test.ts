// A rolling restart behind a client-side load balancer that follows Watch (as grpc-go's
// client-side health checking does): three backends on real sockets, ten of them shut down one
// after another under steady load, and not one failed RPC.
import * as grpc from '@grpc/grpc-js'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { describe, expect, it } from 'vitest'
import type { HealthClient, Started } from './helpers.js'
import { connect, sleep, startServer } from './helpers.js'

interface Backend {
  id: number
  health: Health
  started: Started
  client: HealthClient
  serving: boolean
  picked: number
}

/** Routes each call round-robin to a backend whose Watch("") last said SERVING. */
class WatchBalancer {
  readonly backends: Backend[] = []
  private next = 0

  add(backend: Backend): void {
    this.backends.push(backend)
    const watch = backend.client.watch('', (status) => (backend.serving = status === 'SERVING'))
    // A stream that ends (the server closes) takes the backend out until it says SERVING again.
    void watch.ended.then(() => (backend.serving = false))
  }

  remove(backend: Backend): void {
    this.backends.splice(this.backends.indexOf(backend), 1)
    backend.client.close()
  }

  pick(): Backend | undefined {
    const serving = this.backends.filter((backend) => backend.serving)
    if (serving.length === 0) return undefined
    const backend = serving[this.next++ % serving.length] as Backend
    backend.picked += 1
    return backend
  }
}

let ids = 0
async function startBackend(): Promise<Backend> {
  const health = createHealth({ shutdown: { signals: false, drainDelay: 200, gracePeriod: 3000 }, runtime: false })
  const started = await startServer(grpc, health)
  health.markStarted()
  return { id: ids++, health, started, client: connect(grpc, started.address), serving: false, picked: 0 }
}

describe('rolling restart behind a Watch-following client-side balancer', () => {
  it('0 failed RPCs over 10 shutdowns under steady load', { timeout: 60_000 }, async () => {
    const balancer = new WatchBalancer()
    for (let index = 0; index < 3; index += 1) balancer.add(await startBackend())
    await expect.poll(() => balancer.backends.every((backend) => backend.serving)).toBe(true)

    let running = true
    let ok = 0
    let noBackend = 0
    const failures: string[] = []
    const worker = async (): Promise<void> => {
      while (running) {
        const backend = balancer.pick()
        if (backend === undefined) {
          noBackend += 1
          await sleep(2)
          continue
        }
        try {
          await backend.client.echo(Math.floor(Math.random() * 30))
          ok += 1
        } catch (error) {
          failures.push(`backend ${backend.id}: ${(error as Error).message}`)
        }
      }
    }
    const workers = Array.from({ length: 16 }, () => worker())

    const retired: Backend[] = []
    for (let restart = 0; restart < 10; restart += 1) {
      await sleep(100)
      // Surge first (a Deployment's maxSurge: 1): the new backend is in before the old one leaves.
      const fresh = await startBackend()
      balancer.add(fresh)
      await expect.poll(() => fresh.serving).toBe(true)
      const old = balancer.backends[0] as Backend
      const result = await old.health.shutdown()
      expect(result.closeFailures).toBe(0)
      balancer.remove(old)
      retired.push(old)
    }
    running = false
    await Promise.all(workers)

    expect(failures).toEqual([])
    expect(retired).toHaveLength(10)
    // Every retired backend took traffic, and answered every call routed to it.
    for (const backend of retired) {
      expect(backend.picked).toBeGreaterThan(0)
      expect(backend.started.served.count).toBe(backend.picked)
    }
    expect(ok).toBeGreaterThan(100)
    expect(noBackend).toBe(0)
    for (const backend of balancer.backends) {
      backend.client.close()
      backend.started.server.forceShutdown()
      backend.health.close()
    }
    for (const backend of retired) backend.health.close()
  })
})
