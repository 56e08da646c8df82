// What Bun's server.stop() and Deno's server.shutdown() do with connections, driven by
// @healthz/fetch's drainOnShutdown through the health object (the app in bridge/child.mjs, in a
// child process): idle keep-alive connections close at once, new connections are refused,
// in-flight requests finish (with Connection: close, which the runtimes do not add themselves),
// and at the grace period Bun cuts what is left while Deno cannot; both report SERVER_CLOSE_FAILED.
import { Agent } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { auth, SLOW_MS } from '../../../test-utils/contract.js'
import type { Running } from '../../../test-utils/contract.js'
import { call } from '../../../test-utils/client.js'
import { forEachRuntime } from '../../../test-utils/runtimes.js'
import { runtimeAdapter } from './bridge.js'

const db = { name: 'db', run: () => undefined }

forEachRuntime('the drain tests', (runtime, binary) => {
  const adapter = runtimeAdapter(runtime, binary, 'hono', 'Hono')
  describe(`drainOnShutdown under ${runtime}`, () => {
    const running: Running[] = []
    const agents: Agent[] = []
    afterEach(async () => {
      for (const agent of agents.splice(0)) agent.destroy()
      await Promise.all(running.splice(0).map((app) => app.close()))
    })
    const keepAlive = (): Agent => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      agents.push(agent)
      return agent
    }

    it('closes idle keep-alive connections at once, refuses new ones, and lets in-flight requests finish with Connection: close', async () => {
      const served = await adapter.start({ readiness: [db], shutdown: { signals: false, drainDelay: 0, gracePeriod: 5000 } })
      running.push(served)
      await served.health.markStarted()
      const order: string[] = []
      const idle = await call(served.port, '/orders', { headers: auth, agent: keepAlive() })
      expect(idle.headers.connection).not.toBe('close')
      idle.socket.once('close', () => order.push('idle connection closed'))
      const slow = call(served.port, '/orders/slow', { headers: auth, agent: keepAlive() }).then((reply) => (order.push('slow answered'), reply))
      await new Promise((resolve) => setTimeout(resolve, 100))
      const shutdown = served.health.shutdown()
      await new Promise((resolve) => setTimeout(resolve, 100))
      await expect(call(served.port, '/livez')).rejects.toThrow(/ECONNREFUSED/)
      const reply = await slow
      expect(reply).toMatchObject({ status: 200, body: 'slow ok' })
      expect(reply.headers.connection).toBe('close')
      expect(await shutdown).toMatchObject({ closeFailures: 0, exitCode: 0, errors: [] })
      expect(order).toEqual(['idle connection closed', 'slow answered'])
    })

    it(`at the grace period ${runtime === 'bun' ? 'cuts the requests still running' : 'reports the requests still running (Deno cannot cut them)'}: SERVER_CLOSE_FAILED, exit code 1`, async () => {
      const served = await adapter.start({ readiness: [db], shutdown: { signals: false, drainDelay: 0, gracePeriod: 100 } })
      running.push(served)
      const slow = call(served.port, '/orders/slow', { headers: auth }).then(
        (reply) => reply.status,
        (error: Error) => error.message,
      )
      await new Promise((resolve) => setTimeout(resolve, 100))
      const result = await served.health.shutdown()
      expect(result).toMatchObject({ closeFailures: 1, exitCode: 1 })
      expect(result.errors.map((error) => error.code)).toEqual(['SERVER_CLOSE_FAILED'])
      if (runtime === 'bun') {
        expect(result.errors[0]?.message).toMatch(/still had requests in flight after gracePeriod 100 ms; their connections were closed/)
        expect(await slow).toMatch(/socket hang up|ECONNRESET/)
      } else {
        expect(result.errors[0]?.message).toMatch(/still had requests in flight after gracePeriod 100 ms; they end when the process exits/)
        expect(await slow).toBe(200) // finished after the report, SLOW_MS after it began
      }
    }, SLOW_MS * 10)
  })
})
