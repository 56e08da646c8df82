import { health } from './health.js'

// The timeout after which peers declare this process dead (a consumer group's session
// timeout, a lease, a gossip suspicion timeout).
const HEARTBEAT_TIMEOUT = 10_000

setInterval(() => {
  const stats = health.runtime?.stats()
  if (stats === undefined) return // runtime: false
  const { eventLoopDelay, gc, worstPause } = stats
  console.info(
    `event loop p99 ${eventLoopDelay.p99.toFixed(1)} ms, max ${eventLoopDelay.max.toFixed(1)} ms; ` +
      `gc ${gc.count} pauses, p99 ${gc.p99.toFixed(1)} ms, max ${gc.max.toFixed(1)} ms; worst pause ${worstPause.toFixed(1)} ms`,
  )
  // A pause longer than the timeout is a false death: peers move this process's work elsewhere.
  if (worstPause * 3 > HEARTBEAT_TIMEOUT) {
    console.warn(`worst pause ${Math.round(worstPause)} ms leaves too little margin under the ${HEARTBEAT_TIMEOUT} ms heartbeat timeout`)
  }
}, 60_000).unref()
