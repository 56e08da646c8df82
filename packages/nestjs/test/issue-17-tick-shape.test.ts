// Issue 17: HealthModule keeps one process.nextTick queue entry alive, so that V8 keeps the map
// every entry is built with and nextTick stays on its fast path (src/ticks.ts; the measurements
// are in bench/README.md, "Issue 17: Nest on Fastify"). Speed lives in bench/; these tests show
// what is kept: a real queue entry, one per process, still reachable while the app runs.
import { execFile } from 'node:child_process'
import { executionAsyncResource } from 'node:async_hooks'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { keepTickShape, keptTickShape } from '../src/ticks.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/tick-shape.mjs', import.meta.url))

/** The queue entry of a fresh process.nextTick callback. */
function freshEntry(): Promise<object> {
  return new Promise((resolve) => process.nextTick(() => resolve(executionAsyncResource())))
}

describe('keepTickShape', () => {
  it('keeps a real nextTick queue entry, built like every other one, and only one per process', async () => {
    expect(keptTickShape()).toBeUndefined()
    keepTickShape()
    const entry = await freshEntry()
    const kept = keptTickShape()
    expect(kept).toBeDefined()
    // The same own keys as any entry (the async-id symbols, callback, args): the same map.
    expect(Reflect.ownKeys(kept as object).map(String)).toEqual(Reflect.ownKeys(entry).map(String))
    expect(Object.getOwnPropertySymbols(kept as object)).toEqual(Object.getOwnPropertySymbols(entry))
    expect((kept as { callback: () => void }).callback.name).toBe('captureTickShape')
    expect(kept).not.toBe(entry)

    keepTickShape()
    await freshEntry()
    expect(keptTickShape()).toBe(kept)
  })
})

describe('HealthModule', () => {
  const run = async (env: Record<string, string>): Promise<{ kept: number }> => {
    const { stdout } = await promisify(execFile)(process.execPath, [FIXTURE], { env: { ...process.env, ...env }, timeout: 30_000 })
    return JSON.parse(stdout) as { kept: number }
  }

  it('keeps the entry reachable in a running Nest-on-Fastify app (a heap snapshot holds it; without HealthModule, nothing does)', async () => {
    expect(await run({})).toEqual({ kept: 1 })
    expect(await run({ NO_HEALTHZ: '1' })).toEqual({ kept: 0 })
  }, 60_000)
})
