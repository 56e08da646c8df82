// Beats travel as JSON text: the beat itself, or, when the emitter signs, an envelope that
// carries the beat's exact text and its signature. The monitor validates everything it
// receives: a message that is not a beat a real emitter could have sent is counted and
// dropped, never thrown, whatever a sender put on the bus.
import type { Heartbeat } from './types.js'
import type { Verifier } from './signing.js'
import { sign, verify } from './signing.js'

/** The longest node id accepted, in characters. */
export const MAX_NODE_ID = 256
/** The largest message accepted, in bytes: the encoded beat, or its signed envelope. */
export const MAX_BEAT_BYTES = 64 * 1024
/**
 * The largest metadata accepted, in bytes of its JSON. With {@link MAX_NODE_ID}, it bounds what
 * one member can cost the monitor, whoever sends it.
 */
export const MAX_METADATA_BYTES = 8 * 1024

const STATUSES = new Set(['pass', 'warn', 'fail', 'leaving'])
const decoder = new TextDecoder()

/** Why the monitor dropped a message (before any membership rule). */
export type DecodeDrop = 'malformed' | 'unsigned' | 'badSignature'

/** @internal What {@link decodeHeartbeat} makes of a message. */
export type Decoded = { beat: Heartbeat; unsigned: boolean } | { drop: DecodeDrop; reason: string }

/**
 * @internal Encodes a beat as the JSON text that travels: the beat, or with `key`, the envelope
 * `{"beat":"<the beat's JSON text>","sig":"<HMAC-SHA256 of that text, base64url>"}`. The
 * signature covers the exact bytes the monitor will verify; the envelope carries them as a
 * string so that no re-encoding can change them.
 */
export function encodeHeartbeat(beat: Heartbeat, key?: Buffer): string {
  const text = JSON.stringify(beat)
  if (key === undefined) return text
  return JSON.stringify({ beat: text, sig: sign(text, key) })
}

/**
 * @internal Decodes, authenticates and validates a message: a decoded object, JSON text, or JSON
 * bytes. With a verifier, only a beat signed with one of its keys passes (or an unsigned one,
 * with `acceptUnsigned`). Returns the beat, or why it was dropped.
 */
export function decodeHeartbeat(message: unknown, verifier?: Verifier): Decoded {
  let value = message
  let size: number | undefined
  if (typeof value === 'string' || value instanceof Uint8Array) {
    size = byteSize(value)
    if (size > MAX_BEAT_BYTES) return malformed(`message of ${size} bytes is larger than ${MAX_BEAT_BYTES}`)
    const parsed = parse(typeof value === 'string' ? value : decoder.decode(value))
    if (parsed === undefined) return malformed('message is not valid JSON')
    value = parsed
  }
  if (!isRecord(value)) return malformed('message is not an object')
  let unsigned = true
  if (Object.hasOwn(value, 'sig')) {
    const { beat: text, sig } = value
    if (typeof text !== 'string' || typeof sig !== 'string') return malformed('signed message has no beat text or no signature')
    if (verifier !== undefined && !verify(text, sig, verifier.keys)) return { drop: 'badSignature', reason: 'beat signed with no key of the monitor, or altered' }
    if (size === undefined && byteSize(text) > MAX_BEAT_BYTES) return malformed(`beat larger than ${MAX_BEAT_BYTES} bytes`)
    const inner = parse(text)
    if (inner === undefined) return malformed('signed beat is not valid JSON')
    value = inner
    unsigned = false
  } else if (verifier !== undefined && !verifier.acceptUnsigned) {
    return { drop: 'unsigned', reason: 'beat is not signed' }
  }
  const beat = validate(value, size === undefined || size > MAX_METADATA_BYTES)
  return typeof beat === 'string' ? malformed(beat) : { beat, unsigned }
}

/** The fields of a beat, each within what a real emitter sends; a string says what is wrong. */
function validate(value: unknown, measureMetadata: boolean): Heartbeat | string {
  if (!isRecord(value)) return 'beat is not an object'
  const { nodeId, incarnation, seq, sentAt, status, metadata } = value
  if (typeof nodeId !== 'string' || nodeId === '' || nodeId.length > MAX_NODE_ID) {
    return `beat has no valid nodeId (a string of 1 to ${MAX_NODE_ID} characters)`
  }
  if (!isCount(incarnation)) return `beat of ${nodeId} has no valid incarnation (a whole number from 0)`
  if (!isCount(seq)) return `beat of ${nodeId} has no valid seq (a whole number from 0)`
  if (sentAt !== undefined && !(typeof sentAt === 'number' && sentAt >= 0 && sentAt <= Number.MAX_SAFE_INTEGER)) {
    return `beat of ${nodeId} has no valid sentAt (ms since the epoch)`
  }
  if (typeof status !== 'string' || !STATUSES.has(status)) return `beat of ${nodeId} has an unknown status`
  if (metadata !== undefined) {
    if (!isRecord(metadata)) return `beat of ${nodeId} has metadata that is not an object`
    // Only a message larger than the limit can hold metadata larger than it.
    if (measureMetadata) {
      let bytes: number
      try {
        bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8')
      } catch {
        return `beat of ${nodeId} has metadata that is not JSON`
      }
      if (bytes > MAX_METADATA_BYTES) return `beat of ${nodeId} has ${bytes} bytes of metadata, more than ${MAX_METADATA_BYTES}`
    }
  }
  return {
    nodeId,
    incarnation: incarnation as number,
    seq: seq as number,
    sentAt: (sentAt as number | undefined) ?? 0,
    status: status as Heartbeat['status'],
    metadata: (metadata as Heartbeat['metadata'] | undefined) ?? {},
  }
}

/** A message's size in bytes; a string is measured only when its length cannot tell. */
function byteSize(value: string | Uint8Array): number {
  if (typeof value !== 'string') return value.byteLength
  return value.length * 3 <= MAX_METADATA_BYTES ? value.length : Buffer.byteLength(value, 'utf8')
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function malformed(reason: string): Decoded {
  return { drop: 'malformed', reason }
}
