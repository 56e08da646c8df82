// Signed beats: an HMAC-SHA256 over the exact text of the encoded beat, carried next to it in an
// envelope `{ "beat": "<the beat's JSON text>", "sig": "<HMAC, base64url>" }`. An emitter signs
// with one key; a monitor accepts any key of its list, so keys rotate without a fleet-wide restart.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { assertKnownOptions, describeValue, HealthzError, optionKeys } from '@healthz/core'

/** A shared secret: text (UTF-8) or bytes, at least 16 bytes (32 random bytes is usual). */
export type HeartbeatKey = string | Uint8Array

/**
 * How an emitter signs its beats (`startHeartbeat({ signing })`).
 *
 * @example
 * ```ts
 * startHeartbeat({ nodeId, transport, signing: { key: process.env.HEARTBEAT_KEY! } })
 * ```
 */
export interface HeartbeatSigning {
  /** The key every beat is signed with: the newest key of the monitors' `keys`. */
  key: HeartbeatKey
}

/**
 * Which signatures a monitor accepts (`createHeartbeatMonitor({ signing })`). With it, a beat
 * must be signed with one of `keys`; unsigned and badly signed beats are dropped and counted
 * (`stats().unsigned`, `stats().badSignature`).
 *
 * @example
 * ```ts
 * // Rotating: the monitors accept both keys while the emitters move to the new one.
 * createHeartbeatMonitor({ transport, signing: { keys: [process.env.HEARTBEAT_KEY!, process.env.HEARTBEAT_KEY_OLD!] } })
 * ```
 */
export interface HeartbeatVerification {
  /** Every key a beat may be signed with (at most 16), e.g. `[newKey, oldKey]` during a rotation. */
  keys: readonly HeartbeatKey[]
  /**
   * Accept unsigned beats too (still counted in `stats().unsigned`): for the migration to signed
   * beats, while some emitters do not sign yet. Turn it off once `unsigned` stops growing.
   * @default false
   */
  acceptUnsigned?: boolean
}

const SIGNING_OPTIONS = optionKeys<HeartbeatSigning>({ key: true })
const VERIFICATION_OPTIONS = optionKeys<HeartbeatVerification>({ keys: true, acceptUnsigned: true })

/** The shortest key accepted, in bytes: a typo'd or empty environment variable must not sign. */
export const MIN_KEY_BYTES = 16
/** The most keys a monitor tries on each beat. */
export const MAX_KEYS = 16
const MAC_BYTES = 32

/** @internal A monitor's verification settings, keys as bytes. */
export interface Verifier {
  keys: Buffer[]
  acceptUnsigned: boolean
}

/** @internal Validates an emitter's `signing` option; returns its key as bytes. */
export function signingKey(signing: unknown): Buffer {
  const options = assertKnownOptions(signing, SIGNING_OPTIONS, 'startHeartbeat signing')
  return keyBytes(options.key, 'signing.key')
}

/** @internal Validates a monitor's `signing` option. */
export function verifier(signing: unknown): Verifier {
  const options = assertKnownOptions(signing, VERIFICATION_OPTIONS, 'createHeartbeatMonitor signing')
  const { keys, acceptUnsigned = false } = options
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS) {
    invalid(`signing.keys must be a list of 1 to ${MAX_KEYS} keys (the current key first, then older ones during a rotation), got ${describeValue(keys)}.`)
  }
  if (typeof acceptUnsigned !== 'boolean') invalid(`signing.acceptUnsigned must be true or false, got ${describeValue(acceptUnsigned)}.`)
  return { keys: keys.map((key: unknown, index) => keyBytes(key, `signing.keys[${index}]`)), acceptUnsigned }
}

/** @internal The signature of a beat's text: HMAC-SHA256 of its UTF-8 bytes, base64url. */
export function sign(text: string, key: Buffer): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('base64url')
}

/** @internal Whether `signature` is the HMAC of `text` under one of `keys`, compared in constant time. */
export function verify(text: string, signature: string, keys: readonly Buffer[]): boolean {
  if (signature.length > 64) return false
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== MAC_BYTES) return false
  const bytes = Buffer.from(text, 'utf8')
  let valid = false
  // Every key is tried, so the time taken does not say which one matched.
  for (const key of keys) {
    if (timingSafeEqual(createHmac('sha256', key).update(bytes).digest(), given)) valid = true
  }
  return valid
}

function keyBytes(key: unknown, what: string): Buffer {
  if (typeof key !== 'string' && !(key instanceof Uint8Array)) {
    invalid(`${what} must be a string or bytes of at least ${MIN_KEY_BYTES} bytes (e.g. \`openssl rand -base64 32\`), got ${describeValue(key)}; is its environment variable set?`)
  }
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key)
  if (bytes.length < MIN_KEY_BYTES) {
    invalid(`${what} must be a string or bytes of at least ${MIN_KEY_BYTES} bytes (e.g. \`openssl rand -base64 32\`), got ${bytes.length === 0 ? 'an empty one' : `${bytes.length} bytes`}; is its environment variable set?`)
  }
  return bytes
}

function invalid(message: string): never {
  throw new HealthzError(message, { code: 'INVALID_OPTION' })
}
