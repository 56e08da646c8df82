// heapCheck, rssCheck and diskSpaceCheck on this process and this machine's file system: levels
// are set around the measured values so each status is reached for real.
import { statfs } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { getHeapStatistics } from 'node:v8'
import { describe, expect, test } from 'vitest'
import { createHealth, isHealthzError } from '@healthz/core'
import { diskSpaceCheck, heapCheck, rssCheck } from '@healthz/checks'
import { timed } from './support/helpers.js'

const GiB = 2 ** 30

describe.each([
  ['heapCheck', heapCheck, 'heap', () => getHeapStatistics().used_heap_size],
  ['rssCheck', rssCheck, 'rss', () => process.memoryUsage.rss()],
] as const)('%s', (_label, factory, name, read) => {
  test('is a process check reporting bytes used; pass, warn and fail around the measured value', async () => {
    const used = read()
    const pass = factory({ warnAboveBytes: used + GiB, failAboveBytes: used + 2 * GiB })
    expect(pass).toMatchObject({ name, kind: 'process', componentType: 'system', measurement: 'used', cache: 0 })
    const passed = await timed(pass)
    expect(passed.status).toBe('pass')
    expect(passed.observedUnit).toBe('bytes')
    expect(passed.observedValue as number).toBeGreaterThan(used / 2)

    const warned = await timed(factory({ warnAboveBytes: used / 4, failAboveBytes: used + GiB }))
    expect(warned.status).toBe('warn')
    expect(warned.output).toMatch(/above the warn level/)

    const failed = await timed(factory({ warnAboveBytes: used / 8, failAboveBytes: used / 4 }))
    expect(failed.status).toBe('fail')
    expect(failed.output).toMatch(/above the fail level/)
  })

  test('may back liveness (a process check)', () => {
    const check = factory({ failAboveBytes: 64 * GiB })
    expect(() => createHealth({ liveness: [check] })).not.toThrow()
  })

  test('refuses missing or inverted levels at construction', () => {
    for (const options of [{}, { failAboveBytes: -1 }, { failAboveBytes: 100, warnAboveBytes: 200 }]) {
      let thrown: unknown
      try {
        factory(options as never)
      } catch (error) {
        thrown = error
      }
      expect(isHealthzError(thrown) && thrown.code === 'INVALID_OPTION').toBe(true)
    }
  })
})

describe('diskSpaceCheck', () => {
  test('reports bytes free on the path; pass, warn and fail by bytes and by ratio', async () => {
    const path = tmpdir()
    const stats = await statfs(path)
    const free = stats.bavail * stats.bsize
    const share = stats.bavail / stats.blocks
    const pass = diskSpaceCheck({ path, failBelowBytes: Math.max(1, free / 4) })
    expect(pass).toMatchObject({ name: 'disk', kind: 'process', componentType: 'system', measurement: 'free' })
    const passed = await timed(pass)
    expect(passed.status).toBe('pass')
    expect(passed.observedUnit).toBe('bytes')
    expect(Math.abs((passed.observedValue as number) - free)).toBeLessThan(free / 10 + 2 ** 26)

    expect((await timed(diskSpaceCheck({ path, failBelowBytes: 1, warnBelowBytes: free * 4 }))).status).toBe('warn')
    expect((await timed(diskSpaceCheck({ path, failBelowBytes: free * 4 }))).status).toBe('fail')
    if (share < 0.99) expect((await timed(diskSpaceCheck({ path, failBelowRatio: Math.min(0.999, share + 0.005) }))).status).toBe('fail')
    expect((await timed(diskSpaceCheck({ path, failBelowRatio: share / 4, warnBelowRatio: Math.min(0.999, share * 2) }))).status).toBe('warn')
  })

  test('fails on a path that does not exist, naming it', async () => {
    const result = await timed(diskSpaceCheck({ path: '/nonexistent/healthz', failBelowBytes: 1 }))
    expect(result.status).toBe('fail')
    expect(result.output).toMatch(/statfs \/nonexistent\/healthz failed: .*ENOENT/)
  })

  test('refuses a missing path, a missing fail level, or inverted levels at construction', () => {
    for (const options of [{ failBelowBytes: 1 }, { path: '/' }, { path: '/', failBelowBytes: 10, warnBelowBytes: 5 }, { path: '/', failBelowRatio: 1.5 }, { path: '/', failBelowRatio: 0.2, warnBelowRatio: 0.1 }]) {
      let thrown: unknown
      try {
        diskSpaceCheck(options as never)
      } catch (error) {
        thrown = error
      }
      expect(isHealthzError(thrown) && thrown.code === 'INVALID_OPTION').toBe(true)
    }
  })
})
