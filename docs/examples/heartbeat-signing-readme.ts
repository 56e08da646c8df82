import type { HeartbeatTransport } from '@healthz/heartbeat'
import { createHeartbeatMonitor, startHeartbeat } from '@healthz/heartbeat'

declare const transport: HeartbeatTransport // redisTransport, natsTransport, httpTransport…
const key = process.env.HEARTBEAT_KEY ?? '' // 32 random bytes: `openssl rand -base64 32`
const previous = process.env.HEARTBEAT_KEY_PREVIOUS // the key being rotated out, if any

// Emitters sign with the current key; monitors accept it and, during a rotation, the previous one.
startHeartbeat({ nodeId: `worker-${process.pid}`, transport, signing: { key } })
createHeartbeatMonitor({ transport, signing: { keys: previous === undefined ? [key] : [key, previous] } })
