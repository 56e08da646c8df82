// `healthz probe grpc://host:port[/service]`: one grpc.health.v1.Health/Check call over node:http2,
// the call the kubelet's grpc probe and grpc_health_probe make. A unary gRPC call is one POST with a
// five-byte frame header around a protobuf message, so no gRPC library is loaded: the command needs
// no dependency and starts as fast as for HTTP. Plaintext (h2c) only, as the kubelet's probe.
import type { ClientHttp2Session, IncomingHttpHeaders, IncomingHttpStatusHeader } from 'node:http2'
import { connect, constants } from 'node:http2'
import { formatDuration } from './duration.js'
import { echo, LONG_ECHO } from './escape.js'
import { connectionFailure } from './network-error.js'

/** What {@link grpcProbe} resolves with. */
export interface GrpcProbeResult {
  ok: boolean
  /** The serving status the server answered, when it answered one. */
  servingStatus: 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN' | undefined
  reason: string
  duration: number
}

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const
/** gRPC status codes by number, for reasons. */
const GRPC_CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED']
const MAX_BODY = 64 * 1024

/** The request message: `HealthCheckRequest { string service = 1 }`, in a gRPC frame (uncompressed). */
function frame(service: string): Buffer {
  const name = Buffer.from(service, 'utf8')
  const length: number[] = []
  for (let rest = name.length; ; rest = Math.floor(rest / 128)) {
    if (rest < 128) {
      length.push(rest)
      break
    }
    length.push((rest % 128) | 0x80)
  }
  const message = name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, ...length]), name])
  const header = Buffer.alloc(5)
  header.writeUInt32BE(message.length, 1)
  return Buffer.concat([header, message])
}

/** The serving status in a `HealthCheckResponse` frame; undefined when the bytes are not one. */
function servingStatus(body: Buffer): GrpcProbeResult['servingStatus'] {
  if (body.length < 5 || body[0] !== 0) return undefined // compressed or truncated: we asked for neither
  const message = body.subarray(5, 5 + body.readUInt32BE(1))
  if (message.length === 0) return 'UNKNOWN' // proto3 leaves the default (0) out
  // Field 1, varint: 0x08 then the value (one byte for every defined status).
  return message[0] === 0x08 && message.length >= 2 ? (STATUS_NAMES[message[1] as number] ?? 'UNKNOWN') : undefined
}

/**
 * Calls `grpc.health.v1.Health/Check` once with a deadline; resolves with the verdict (SERVING is
 * ok), never rejects for a network failure.
 *
 * @internal Called by `probe()` for `grpc:` URLs.
 */
export function grpcProbe(url: URL, timeout: number, headers: Readonly<Record<string, string>>): Promise<GrpcProbeResult> {
  const service = decodeURIComponent(url.pathname.replace(/^\//, ''))
  const where = `${echo(url.hostname, LONG_ECHO)}:${url.port}`
  const target = `${where}${service === '' ? '' : ` service ${JSON.stringify(echo(service))}`}`
  const started = performance.now()
  const elapsed = (): number => Math.round(performance.now() - started)
  return new Promise<GrpcProbeResult>((resolve) => {
    let settled = false
    let session: ClientHttp2Session | undefined
    const finish = (ok: boolean, status: GrpcProbeResult['servingStatus'], reason: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      session?.destroy()
      resolve({ ok, servingStatus: status, reason, duration: elapsed() })
    }
    const timer = setTimeout(() => finish(false, undefined, `no answer from ${target} within ${formatDuration(timeout)} (--timeout)`), timeout)
    session = connect(`http://${url.host}`)
    session.once('error', (error: NodeJS.ErrnoException) => finish(false, undefined, describeError(error, where, url.hostname)))
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': `${timeout}m`,
      'user-agent': 'healthz-probe',
      ...headers,
    })
    stream.once('error', (error: NodeJS.ErrnoException) => finish(false, undefined, describeError(error, where, url.hostname)))
    let head: (IncomingHttpHeaders & IncomingHttpStatusHeader) | undefined
    const chunks: Buffer[] = []
    let size = 0
    stream.on('response', (received) => (head = received))
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY) chunks.push(chunk)
    })
    const verdict = (trailers: IncomingHttpHeaders): void => {
      const httpStatus = Number(head?.[':status'] ?? 0)
      if (httpStatus !== 200) {
        finish(false, undefined, `HTTP ${httpStatus} from ${where}: not a gRPC server there (is this the gRPC port?)`)
        return
      }
      // A trailers-only answer (an error) carries grpc-status in the head.
      const code = Number(trailers['grpc-status'] ?? head?.['grpc-status'] ?? NaN)
      const message = String(trailers['grpc-message'] ?? head?.['grpc-message'] ?? '')
      const details = message === '' ? '' : `: ${echo(safeDecode(message), LONG_ECHO)}`
      if (code === 5) {
        finish(false, undefined, `${where} does not know the service ${JSON.stringify(echo(service))} (NOT_FOUND${details})`)
        return
      }
      if (code === 12) {
        finish(false, undefined, `${where} has no grpc.health.v1.Health service (UNIMPLEMENTED)`)
        return
      }
      if (code !== 0) {
        finish(false, undefined, `${target} failed: gRPC ${Number.isNaN(code) ? 'status missing' : (GRPC_CODES[code] ?? `status ${code}`)}${details}`)
        return
      }
      const status = servingStatus(Buffer.concat(chunks))
      if (status === undefined) finish(false, undefined, `${target} answered something that is not a HealthCheckResponse`)
      else finish(status === 'SERVING', status, `${status} from ${target} in ${elapsed()} ms`)
    }
    stream.once('trailers', verdict)
    // A trailers-only answer ends the stream with no trailers event.
    stream.once('end', () => setImmediate(() => verdict({})))
    stream.end(frame(service))
  })
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function describeError(error: NodeJS.ErrnoException, where: string, hostname: string): string {
  // A stream cancelled because its session failed carries the session's error (ECONNREFUSED…).
  const cause = (error as { cause?: unknown }).cause
  if (cause instanceof Error && typeof (cause as NodeJS.ErrnoException).code === 'string') return describeError(cause, where, hostname)
  const shared = connectionFailure(error, where, hostname)
  if (shared !== undefined) return shared
  switch (error.code) {
    case 'ERR_HTTP2_ERROR':
    case 'ERR_HTTP2_SESSION_ERROR':
    case 'ERR_HTTP2_STREAM_ERROR':
    case 'ERR_HTTP2_INVALID_SESSION':
      return `${where} does not speak HTTP/2 as gRPC does (is this the gRPC port?): ${echo(error.message, LONG_ECHO)}`
    default:
      return `${where} failed: ${echo(error.message, LONG_ECHO)}${error.code ? ` (${echo(error.code)})` : ''}`
  }
}
