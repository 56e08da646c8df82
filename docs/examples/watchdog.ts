// consumer.ts: a queue consumer loop, watched by liveness.
import { health } from './health.js'

// Liveness fails when the loop has not come round for 30 s: a poll that never returns, a
// handler stuck on a lock. 30 s sits above the longest healthy iteration (a 5 s poll, then a
// batch) and above the worst pause of the process.
const watchdog = health.watchdog('orders-consumer', { timeout: 30_000 })

let running = true
const loop = (async () => {
  while (running) {
    watchdog.tick() // every iteration, including those that found no message
    const messages = await broker.poll({ max: 100, waitMs: 5000 })
    for (const message of messages) {
      await handleMessage(message)
      await message.ack()
    }
  }
  watchdog.stop() // the loop ended on purpose: take it out of liveness
})()

// Stop consuming at shutdown, after the servers have drained, and finish the batch in hand.
health.onShutdown(
  async () => {
    running = false
    await loop
  },
  { name: 'orders-consumer', timeout: 10_000 },
)
