import { createHealth } from '@healthz/core'

// Measures event-loop delay and GC pauses; `stall` adds a liveness check for a sustained stall.
const health = createHealth({ runtime: { stall: true } })

// The worst pause so far: heartbeat and lease timeouts must sit above it, with a margin.
setInterval(() => console.info(`worst pause: ${health.runtime?.stats().worstPause} ms`), 60_000).unref()

// Liveness fails when the loop has not ticked for 30 s, and passes again on the next tick.
const consumer = health.watchdog('consumer', { timeout: 30_000 })
health.markStarted() // liveness runs its checks, watchdogs included, once started
for (;;) {
  consumer.tick()
  const messages = await broker.poll({ max: 100, waitMs: 5000 }) // comes back empty when idle
  for (const message of messages) await handleMessage(message)
}
