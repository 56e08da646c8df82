// Beats travel as JSON. The monitor validates everything it receives: a malformed beat is
// counted and dropped, never thrown, whatever a sender put on the bus.
import type { Heartbeat } from './types.js'

/** The longest node id accepted, in characters. */
export const MAX_NODE_ID = 256
/** The largest encoded beat accepted, in bytes (metadata included). */
export const MAX_BEAT_BYTES = 64 * 1024

const STATUSES = new Set(['pass', 'warn', 'fail', 'leaving'])
const decoder = new TextDecoder()

/** @internal Encodes a beat as JSON text. */
export function encodeHeartbeat(beat: Heartbeat): string {
  return JSON.stringify(beat)
}

/**
 * @internal Decodes and validates a beat: a decoded object, JSON text, or JSON bytes. Returns
 * the beat, or a string that says what is wrong with it.
 */
export function decodeHeartbeat(message: unknown): Heartbeat | string {
  let value = message
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const size = typeof value === 'string' ? value.length : value.byteLength
    if (size > MAX_BEAT_BYTES) return `beat of ${size} bytes is larger than ${MAX_BEAT_BYTES}`
    try {
      value = JSON.parse(typeof value === 'string' ? value : decoder.decode(value))
    } catch {
      return 'beat is not valid JSON'
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'beat is not an object'
  const beat = value as Partial<Heartbeat>
  if (typeof beat.nodeId !== 'string' || beat.nodeId === '' || beat.nodeId.length > MAX_NODE_ID) {
    return `beat has no valid nodeId (a string of 1 to ${MAX_NODE_ID} characters)`
  }
  if (typeof beat.incarnation !== 'number' || !Number.isFinite(beat.incarnation)) return `beat of ${beat.nodeId} has no numeric incarnation`
  if (typeof beat.seq !== 'number' || !Number.isInteger(beat.seq) || beat.seq < 0) return `beat of ${beat.nodeId} has no valid seq`
  if (typeof beat.status !== 'string' || !STATUSES.has(beat.status)) return `beat of ${beat.nodeId} has an unknown status`
  const metadata = beat.metadata
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
    return `beat of ${beat.nodeId} has metadata that is not an object`
  }
  return {
    nodeId: beat.nodeId,
    incarnation: beat.incarnation,
    seq: beat.seq,
    sentAt: typeof beat.sentAt === 'number' ? beat.sentAt : 0,
    status: beat.status,
    metadata: metadata ?? {},
  }
}
