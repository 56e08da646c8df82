// The lower end of the peer range: grpc-js 1.8.0 for server and client (Check, Watch, List,
// unknown service, drain). The rest of the suite runs on 1.14.
import { createRequire } from 'node:module'
import { createHealth, defineCheck } from '@healthz/core'
import * as grpc18 from 'grpc-js-1-8'
import { describe, expect, it } from 'vitest'
import type { Grpc } from './helpers.js'
import { connect, startServer } from './helpers.js'

const grpc = grpc18 as unknown as Grpc

describe('grpc-js 1.8.0', () => {
  it('serves Check, Watch and List, and drains on shutdown', async () => {
    let up = true
    const db = defineCheck({
      name: 'db',
      kind: 'dependency',
      cache: 0,
      run: () => {
        if (!up) throw new Error('down')
      },
    })
    const health = createHealth({ readiness: [db], shutdown: { signals: false, drainDelay: 200, gracePeriod: 3000 }, runtime: false })
    const { server, address, served } = await startServer(grpc, health, { start: true, watchInterval: 50 })
    const client = connect(grpc, address)
    try {
      expect(require18Version()).toBe('1.8.0')
      expect(await client.check('')).toBe('NOT_SERVING')
      health.markStarted()
      expect(await client.check('')).toBe('SERVING')
      expect((await client.checkError('nope')).code).toBe(grpc.status.NOT_FOUND)
      const watch = client.watch('readiness/db')
      await watch.next('SERVING')
      up = false
      await watch.next('NOT_SERVING')
      expect(await client.list()).toEqual({ '': 'NOT_SERVING', liveness: 'SERVING', readiness: 'NOT_SERVING', startup: 'SERVING', 'readiness/db': 'NOT_SERVING' })
      up = true
      const ready = client.watch('')
      await ready.next('SERVING')
      const inFlight = client.echo(500)
      const done = health.shutdown()
      await ready.next('NOT_SERVING')
      await client.echo(0)
      const result = await done
      await inFlight
      expect(result.closeFailures).toBe(0)
      expect(served.count).toBe(2)
      expect(await ready.ended).toBe(grpc.status.OK)
    } finally {
      client.close()
      server.forceShutdown()
      health.close()
    }
  })
})

/** The version of the module under test, from its package.json. */
function require18Version(): string {
  return (createRequire(import.meta.url)('grpc-js-1-8/package.json') as { version: string }).version
}
