// issue 14: the deadline flows one way. A check takes its deadline from its run's context (never
// from its own definition read back), and says what it is stuck on through context.progress(),
// never by rewriting core's CHECK_TIMEOUT error. Stand-in clients, so the timing is exact; the
// real servers are in the other tests.
import { defineCheck, runCheck } from '@healthz/core'
import type { CheckDefinition } from '@healthz/core'
import { mqttCheck } from '@healthz/checks/mqtt'
import { postgresCheck } from '@healthz/checks/pg'
import { expect, test } from 'vitest'

/** A pg.Client stand-in that records what it was asked and answers `SELECT 1` at once. */
function recordingClient() {
  const queries: Array<{ text: string; query_timeout?: number }> = []
  return {
    queries,
    client: {
      query(config: { text: string; query_timeout?: number }) {
        queries.push(config)
        return Promise.resolve({ rows: [{ '?column?': 1 }] })
      },
    },
  }
}

/** The definition, run with an abort listener of the test's ahead of the check's own. */
function watchingReason(definition: CheckDefinition) {
  const seen: { atAbort?: string; reason?: unknown } = {}
  const check = defineCheck({
    ...definition,
    run: (context) => {
      context.signal.addEventListener('abort', () => {
        seen.reason = context.signal.reason
        seen.atAbort = (context.signal.reason as Error).message
      })
      return definition.run(context)
    },
  })
  return { check, seen }
}

test('pg over a Client sends query_timeout from the run context, not from the definition it was built as', async () => {
  const { client, queries } = recordingClient()
  const built = postgresCheck({ client, timeout: 400 })
  expect((await runCheck(built)).status).toBe('pass')
  // Defined again with another timeout: the deadline the run gets is the one to pass down.
  expect((await runCheck(defineCheck({ ...built, timeout: 150 }))).status).toBe('pass')
  expect(queries.map((query) => query.query_timeout)).toEqual([400, 150])
})

test('pg over an exhausted pool says so at the deadline, and leaves core\'s timeout error as it was', async () => {
  const pendingQueue: unknown[] = []
  const pool = {
    totalCount: 2,
    idleCount: 0,
    get waitingCount() {
      return pendingQueue.length
    },
    _pendingQueue: pendingQueue,
    connect() {
      pendingQueue.push({ callback: () => undefined })
      return new Promise<never>(() => undefined)
    },
    query: () => Promise.resolve(),
  }
  const { check, seen } = watchingReason(postgresCheck({ client: pool, timeout: 60 }))
  const result = await runCheck(check)
  expect(result.output).toBe('timed out after 60 ms (the check did not settle before its deadline): pool exhausted: no connection free (2 open, 0 idle, 0 other waiting)')
  expect(pendingQueue).toEqual([]) // it left the queue
  expect(result.error).toBe(seen.reason)
  expect((seen.reason as Error).message).toBe(seen.atAbort) // nobody rewrote it after the abort
})

test('every run that joins a stuck attempt reports what it is stuck on', async () => {
  let published = 0
  const client = {
    connected: true,
    publish(_topic: string, _payload: string, _options: unknown, _callback: (error?: Error) => void) {
      published += 1 // never acknowledged
    },
  }
  const check = mqttCheck({ client, timeout: 40 })
  for (let i = 0; i < 3; i += 1) {
    const result = await runCheck(check)
    expect(result.output).toBe('timed out after 40 ms (the check did not settle before its deadline): no PUBACK yet; the next run waits on this message instead of publishing another')
  }
  expect(published).toBe(1)
})
