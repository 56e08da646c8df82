// Choosing the detector's settings from the worst pause measured in the emitting processes.
import { createHealth } from '@healthz/core'
import { phiAccrual, phiDelay } from '@healthz/heartbeat'

const health = createHealth({ service: { name: 'image-worker' } })

// After a load test or a day of production traffic: the longest GC or event-loop pause.
const worstPause = health.runtime?.stats().worstPause ?? 0 // e.g. 1400 ms

const interval = 1000
// Above the worst pause with margin (×2), and never below Akka's 3 s default.
const acceptableHeartbeatPause = Math.max(3000, Math.ceil((2 * worstPause) / 500) * 500)
export const detector = phiAccrual({ expectedInterval: interval, acceptableHeartbeatPause, threshold: 8 })

// What that costs: how long a dead node goes unnoticed (regular beats: the 100 ms deviation floor).
const detection = phiDelay(8, interval + acceptableHeartbeatPause, 100)
console.log(`a node that dies is suspected ${Math.round(detection)} ms after its last beat`) // 4523 ms at 3 s
