// The rules that prevent outages, over gRPC: a Check storm costs one dependency call per cache
// window, and a hung dependency answers NOT_SERVING at its deadline (real server and client).
import * as grpc from '@grpc/grpc-js'
import { createHealth, defineCheck } from '@healthz/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { HealthClient } from './helpers.js'
import { connect, startServer } from './helpers.js'

const cleanup: Array<() => void> = []
afterEach(() => {
  for (const run of cleanup.splice(0)) run()
})

describe('a Check storm', () => {
  it('1,000 concurrent Checks of "" cost one dependency call', async () => {
    let calls = 0
    const db = defineCheck({
      name: 'db',
      kind: 'dependency',
      cache: 60_000,
      run: async () => {
        calls += 1
        await new Promise((resolve) => setTimeout(resolve, 50))
      },
    })
    const health = createHealth({ readiness: [db], shutdown: { signals: false }, runtime: false })
    health.markStarted()
    const { server, address } = await startServer(grpc, health)
    // Ten channels, 100 calls each, all in flight at once.
    const clients: HealthClient[] = Array.from({ length: 10 }, () => connect(grpc, address))
    cleanup.push(() => {
      for (const client of clients) client.close()
      server.forceShutdown()
      health.close()
    })
    const answers = await Promise.all(Array.from({ length: 1000 }, (_, index) => (clients[index % 10] as HealthClient).check('')))
    expect(answers.filter((status) => status === 'SERVING')).toHaveLength(1000)
    expect(calls).toBe(1)
    // And a per-check name shares the same run and cache.
    await Promise.all(Array.from({ length: 100 }, () => (clients[0] as HealthClient).check('readiness/db')))
    expect(calls).toBe(1)
  })
})

describe('a hung dependency', () => {
  it('answers NOT_SERVING at the check deadline, and does not pile up runs', async () => {
    let calls = 0
    const hung = defineCheck({
      name: 'hung',
      kind: 'dependency',
      timeout: 150,
      cache: 0,
      run: () => {
        calls += 1
        return new Promise(() => {}) // never settles, ignores the signal
      },
    })
    const health = createHealth({ readiness: [hung], shutdown: { signals: false }, runtime: false })
    health.markStarted()
    const { server, address } = await startServer(grpc, health)
    const client = connect(grpc, address)
    cleanup.push(() => {
      client.close()
      server.forceShutdown()
      health.close()
    })
    // The client's deadline (2 s) is far past the check's (150 ms): the answer is ours, not a DEADLINE_EXCEEDED.
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.check('', 2000)))
    expect(answers).toEqual(Array.from({ length: 20 }, () => 'NOT_SERVING'))
    expect(await client.check('readiness/hung', 2000)).toBe('NOT_SERVING')
    // The run that overstayed its deadline has not settled: it is never started again.
    expect(calls).toBe(1)
  })
})
