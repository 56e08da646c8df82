// grpc.health.v1 on the wire: the service definition grpc-js takes, with a hand-written codec for
// its four tiny messages. No .proto is loaded at run time (no @grpc/proto-loader, no protobufjs) and
// nothing is generated at build time: the messages have been stable since 2016 (List came in 2024,
// gRFC L106), and a fixed answer such as `{ status: SERVING }` is a two-byte buffer made once.

/** The serving statuses of `grpc.health.v1.HealthCheckResponse`, by name. */
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN'

/**
 * The numbers of {@link ServingStatus} on the wire (`HealthCheckResponse.ServingStatus`).
 * @example
 * ```ts
 * SERVING_STATUS.SERVING // 1
 * ```
 */
export const SERVING_STATUS = Object.freeze({ UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const)

const STATUS_NAMES: readonly ServingStatus[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN']

/** `grpc.health.v1.HealthCheckRequest`. */
export interface HealthCheckRequest {
  /** The service asked about; `''` asks for the server as a whole. */
  service: string
}

/** `grpc.health.v1.HealthCheckResponse`. */
export interface HealthCheckResponse {
  status: ServingStatus
}

/** `grpc.health.v1.HealthListResponse`: every service the server knows, with its status. */
export interface HealthListResponse {
  statuses: Record<string, HealthCheckResponse>
}

/** One method of a service definition, in the shape grpc-js's `addService` and client constructors take. */
export interface HealthMethodDefinition<TRequest, TResponse> {
  readonly path: string
  readonly requestStream: boolean
  readonly responseStream: boolean
  readonly originalName: string
  readonly requestSerialize: (value: TRequest) => Buffer
  readonly requestDeserialize: (bytes: Buffer) => TRequest
  readonly responseSerialize: (value: TResponse) => Buffer
  readonly responseDeserialize: (bytes: Buffer) => TResponse
}

/**
 * The `grpc.health.v1.Health` service definition. A type alias (not an interface), so that it
 * fits grpc-js's `ServiceDefinition` index signature (`makeGenericClientConstructor`).
 */
export type HealthServiceDefinition = {
  readonly Check: HealthMethodDefinition<HealthCheckRequest, HealthCheckResponse>
  readonly Watch: HealthMethodDefinition<HealthCheckRequest, HealthCheckResponse>
  readonly List: HealthMethodDefinition<Record<string, never>, HealthListResponse>
}

// Protobuf wire format, as much of it as these messages use: varints, length-delimited fields,
// and skipping any other field (a newer client may send fields this version does not know).

function readVarint(bytes: Uint8Array, at: { offset: number }): number {
  let value = 0
  let shift = 0
  for (;;) {
    if (at.offset >= bytes.length) throw new Error('truncated varint')
    const byte = bytes[at.offset++] as number
    // Values past 2^53 are not ours to read (a field number, a length or an enum): keep the low bits.
    if (shift < 53) value += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) return value
    shift += 7
    if (shift > 63) throw new Error('varint too long')
  }
}

/** Calls `field(number, start, end)` for each length-delimited field and `varint(number, value)` for each varint. */
function readFields(
  bytes: Uint8Array,
  on: { bytes?: (field: number, start: number, end: number) => void; varint?: (field: number, value: number) => void },
): void {
  const at = { offset: 0 }
  while (at.offset < bytes.length) {
    const key = readVarint(bytes, at)
    const field = Math.floor(key / 8)
    const wire = key % 8
    if (wire === 0) {
      const value = readVarint(bytes, at)
      on.varint?.(field, value)
    } else if (wire === 2) {
      const length = readVarint(bytes, at)
      const end = at.offset + length
      if (end > bytes.length) throw new Error('truncated field')
      on.bytes?.(field, at.offset, end)
      at.offset = end
    } else if (wire === 1) {
      at.offset += 8
    } else if (wire === 5) {
      at.offset += 4
    } else {
      throw new Error(`unsupported wire type ${wire}`)
    }
    if (at.offset > bytes.length) throw new Error('truncated field')
  }
}

function varint(value: number): number[] {
  const out: number[] = []
  let rest = value
  while (rest > 0x7f) {
    out.push((rest % 0x80) | 0x80)
    rest = Math.floor(rest / 0x80)
  }
  out.push(rest)
  return out
}

function lengthDelimited(field: number, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...varint(field * 8 + 2), ...varint(payload.length)]), payload])
}

/** @internal Encodes a `HealthCheckRequest`. */
export function encodeCheckRequest(request: HealthCheckRequest): Buffer {
  const service = request?.service ?? ''
  return service === '' ? Buffer.alloc(0) : lengthDelimited(1, Buffer.from(service, 'utf8'))
}

/** @internal Decodes a `HealthCheckRequest`; throws on bytes that are not one. */
export function decodeCheckRequest(bytes: Buffer): HealthCheckRequest {
  let service = ''
  readFields(bytes, { bytes: (field, start, end) => void (field === 1 && (service = bytes.toString('utf8', start, end))) })
  return { service }
}

/** The encoded responses, made once: every Check answer is one of these four buffers. */
const RESPONSES: readonly Buffer[] = STATUS_NAMES.map((_name, number) => (number === 0 ? Buffer.alloc(0) : Buffer.from([0x08, number])))

/** @internal Encodes a `HealthCheckResponse`. The buffer is shared: do not write to it. */
export function encodeCheckResponse(response: HealthCheckResponse): Buffer {
  const number = SERVING_STATUS[response.status]
  if (number === undefined) throw new Error(`unknown serving status ${String(response.status)}`)
  return RESPONSES[number] as Buffer
}

/** @internal Decodes a `HealthCheckResponse`. An enum number this version does not know reads as `UNKNOWN`. */
export function decodeCheckResponse(bytes: Buffer): HealthCheckResponse {
  let status: ServingStatus = 'UNKNOWN'
  readFields(bytes, { varint: (field, value) => void (field === 1 && (status = STATUS_NAMES[value] ?? 'UNKNOWN')) })
  return { status }
}

/** @internal Encodes a `HealthListResponse` (`map<string, HealthCheckResponse> statuses = 1`). */
export function encodeListResponse(response: HealthListResponse): Buffer {
  const entries = Object.entries(response.statuses).map(([name, value]) =>
    lengthDelimited(1, Buffer.concat([encodeCheckRequest({ service: name }), lengthDelimited(2, encodeCheckResponse(value))])),
  )
  return Buffer.concat(entries)
}

/** @internal Decodes a `HealthListResponse`. */
export function decodeListResponse(bytes: Buffer): HealthListResponse {
  const statuses: Record<string, HealthCheckResponse> = Object.create(null) as Record<string, HealthCheckResponse>
  readFields(bytes, {
    bytes: (field, start, end) => {
      if (field !== 1) return
      const entry = bytes.subarray(start, end)
      let name = ''
      let value: HealthCheckResponse = { status: 'UNKNOWN' }
      readFields(entry, {
        bytes: (inner, from, to) => {
          if (inner === 1) name = entry.toString('utf8', from, to)
          if (inner === 2) value = decodeCheckResponse(entry.subarray(from, to))
        },
      })
      statuses[name] = value
    },
  })
  return { statuses }
}

const EMPTY = Buffer.alloc(0)

function method<TRequest, TResponse>(
  name: string,
  responseStream: boolean,
  request: [(value: TRequest) => Buffer, (bytes: Buffer) => TRequest],
  response: [(value: TResponse) => Buffer, (bytes: Buffer) => TResponse],
): HealthMethodDefinition<TRequest, TResponse> {
  return Object.freeze({
    path: `/grpc.health.v1.Health/${name}`,
    requestStream: false,
    responseStream,
    originalName: name.toLowerCase(),
    requestSerialize: request[0],
    requestDeserialize: request[1],
    responseSerialize: response[0],
    responseDeserialize: response[1],
  })
}

/**
 * The `grpc.health.v1.Health` service definition (Check, Watch, List), for grpc-js: what
 * `addHealthService` registers, and what a client is made from.
 *
 * @example
 * ```ts
 * import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js'
 * const Health = makeGenericClientConstructor(HEALTH_SERVICE, 'grpc.health.v1.Health')
 * const client = new Health('127.0.0.1:50051', credentials.createInsecure())
 * client.Check({ service: '' }, (error, response) => console.log(error ?? response.status))
 * ```
 */
export const HEALTH_SERVICE: HealthServiceDefinition = Object.freeze({
  Check: method('Check', false, [encodeCheckRequest, decodeCheckRequest], [encodeCheckResponse, decodeCheckResponse]),
  Watch: method('Watch', true, [encodeCheckRequest, decodeCheckRequest], [encodeCheckResponse, decodeCheckResponse]),
  List: method<Record<string, never>, HealthListResponse>('List', false, [() => EMPTY, () => ({})], [encodeListResponse, decodeListResponse]),
})
