// Pause awareness on real time: the monitor reads the process's worst pause from core's runtime
// monitor (a real event-loop stall here) and warns when the detector would not absorb it.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import { createHeartbeatMonitor, createMemoryTransport, phiAccrual } from '@healthz/heartbeat'
import type { HeartbeatWarning } from '@healthz/heartbeat'
import { sleep, waitFor } from './helpers.js'

function block(ms: number): void {
  const until = Date.now() + ms
  while (Date.now() < until) {
    // a stop-the-world stall of the event loop
  }
}

describe('pause awareness', () => {
  it('warns once when the worst measured pause exceeds the acceptable pause', async () => {
    const warnings: HeartbeatWarning[] = []
    const events: HeartbeatWarning[] = []
    const monitor = createHeartbeatMonitor({
      transport: createMemoryTransport(),
      detector: phiAccrual({ acceptableHeartbeatPause: 100 }),
      checkInterval: 10,
      onWarning: (warning) => warnings.push(warning),
    })
    monitor.on('warning', (warning) => events.push(warning))
    await sleep(50)
    block(300)
    await waitFor(() => warnings.length > 0, 'the pause warning', 3000)
    await sleep(600) // more comparisons: no second warning for the same pause
    await monitor.close()
    expect(warnings).toHaveLength(1)
    expect(events).toEqual(warnings)
    expect(warnings[0]).toMatchObject({ code: 'HEALTHZ_HEARTBEAT_PAUSE', acceptablePause: 100 })
    expect(warnings[0]!.worstPause).toBeGreaterThan(200)
    expect(warnings[0]!.message).toMatch(/raise the detector's acceptable pause/)
  })

  it("stays quiet when the acceptable pause covers the worst pause, and can share health.runtime", async () => {
    const health = createHealth({ shutdown: { signals: false } })
    const warnings: HeartbeatWarning[] = []
    const monitor = createHeartbeatMonitor({ transport: createMemoryTransport(), runtime: health.runtime!, checkInterval: 10, onWarning: (warning) => warnings.push(warning) })
    await sleep(50)
    block(300)
    await sleep(700)
    await monitor.close()
    expect(health.runtime!.stats().worstPause).toBeGreaterThan(200) // measured, and below 3000
    expect(warnings).toEqual([])
    health.close()
  })
})

describe('entries', () => {
  const dist = fileURLToPath(new URL('../dist/', import.meta.url))
  it('loading any entry of the built package loads no Redis or NATS client', () => {
    expect(existsSync(`${dist}index.cjs`), 'build the package first (pnpm --filter @healthz/heartbeat build)').toBe(true)
    const script = `
      const Module = require('node:module')
      const load = Module._load
      const loaded = []
      Module._load = function (request, ...rest) {
        if (/^(ioredis|redis|nats|@redis\\/.*|@nats-io\\/.*)$/.test(request)) loaded.push(request)
        return load.call(this, request, ...rest)
      }
      for (const entry of ['index', 'redis', 'nats', 'http']) require(${JSON.stringify(dist)} + entry + '.cjs')
      process.stdout.write(JSON.stringify(loaded))
    `
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual([])
    // and the control: the hook does see a client when one is loaded
    const control = script.replace("for (const entry", "require('ioredis'); for (const entry")
    expect(JSON.parse(execFileSync(process.execPath, ['-e', control], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) }))).toEqual(['ioredis'])
  })
})
