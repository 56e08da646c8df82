// Signed beats over Redis: only holders of the fleet's key can speak for a node.
import { Redis } from 'ioredis'
import { createHeartbeatMonitor, startHeartbeat } from '@healthz/heartbeat'
import { redisTransport } from '@healthz/heartbeat/redis'

// 32 random bytes each (`openssl rand -base64 32`), from your secret store. During a rotation
// HEARTBEAT_KEY is the new key and HEARTBEAT_KEY_PREVIOUS the one it replaces.
const key = process.env.HEARTBEAT_KEY ?? ''
const previous = process.env.HEARTBEAT_KEY_PREVIOUS

// On every worker: each beat carries an HMAC-SHA256 of its exact text.
startHeartbeat({
  nodeId: process.env.HOSTNAME ?? `worker-${process.pid}`,
  transport: redisTransport({ publisher: new Redis(), channel: 'images:workers' }),
  signing: { key },
})

// On the coordinator: beats signed with either key are accepted; unsigned, badly signed or
// altered ones are dropped and counted, and a replayed one is stale.
const monitor = createHeartbeatMonitor({
  transport: redisTransport({ subscriber: new Redis(), channel: 'images:workers' }),
  signing: { keys: previous === undefined ? [key] : [key, previous] },
})

setInterval(() => {
  const { unsigned, badSignature, tooFarAhead, overCapacity } = monitor.stats()
  if (unsigned + badSignature + tooFarAhead + overCapacity > 0) console.warn('heartbeat: dropped beats', { unsigned, badSignature, tooFarAhead, overCapacity })
}, 60_000).unref()
