// Reading a container's probes the way the kubelet does: which handler, which path and port
// (a port name resolved through the container's ports), and the Kubernetes defaults of the
// timings. Every rule reads probes through the ProbeView built here.
import { echo } from '../escape.js'
import { isRecord } from './load.js'

/** @internal */
export type ProbeType = 'liveness' | 'readiness' | 'startup'

/** One probe of a container, with the Kubernetes defaults filled in. @internal */
export interface ProbeView {
  readonly type: ProbeType
  readonly key: `${ProbeType}Probe`
  readonly raw: Record<string, unknown>
  readonly handler: 'httpGet' | 'grpc' | 'tcpSocket' | 'exec' | 'none'
  /** httpGet: the normalised path (with its query); grpc: the service. */
  readonly path: string | undefined
  readonly port: string | number | undefined
  /** The port as written (a number or a port name). */
  readonly rawPort: string | number | undefined
  readonly host: string
  readonly scheme: string
  readonly command: readonly string[]
  readonly periodSeconds: number
  readonly timeoutSeconds: number
  readonly failureThreshold: number
  readonly initialDelaySeconds: number
}

/** The liveness, readiness and startup probes a container has. @internal */
export function readProbes(container: Record<string, unknown>): Partial<Record<ProbeType, ProbeView>> {
  const probes: Partial<Record<ProbeType, ProbeView>> = {}
  for (const type of ['liveness', 'readiness', 'startup'] as const) {
    const key = `${type}Probe` as const
    const raw = container[key]
    if (!isRecord(raw)) continue
    const httpGet = isRecord(raw.httpGet) ? raw.httpGet : undefined
    const grpc = isRecord(raw.grpc) ? raw.grpc : undefined
    const exec = isRecord(raw.exec) ? raw.exec : undefined
    const handler = httpGet ? 'httpGet' : grpc ? 'grpc' : exec ? 'exec' : isRecord(raw.tcpSocket) ? 'tcpSocket' : 'none'
    const portValue = (httpGet ?? grpc ?? (isRecord(raw.tcpSocket) ? raw.tcpSocket : undefined))?.port
    probes[type] = {
      type,
      key,
      raw,
      handler,
      path: httpGet ? normalisePath(httpGet.path) : grpc ? (typeof grpc.service === 'string' ? grpc.service : '') : undefined,
      port: resolvePort(portValue, container),
      rawPort: typeof portValue === 'number' || typeof portValue === 'string' ? portValue : undefined,
      host: httpGet && typeof httpGet.host === 'string' ? httpGet.host : '',
      scheme: httpGet && typeof httpGet.scheme === 'string' ? httpGet.scheme.toUpperCase() : 'HTTP',
      command: exec && Array.isArray(exec.command) ? exec.command.map(String) : [],
      // Kubernetes defaults: periodSeconds 10, timeoutSeconds 1, failureThreshold 3, initialDelaySeconds 0.
      periodSeconds: positive(raw.periodSeconds, 10),
      timeoutSeconds: positive(raw.timeoutSeconds, 1),
      failureThreshold: positive(raw.failureThreshold, 3),
      initialDelaySeconds: positive(raw.initialDelaySeconds, 0),
    }
  }
  return probes
}

/** A number of seconds from 0 (digits in quotes too), or `fallback`. @internal */
export function positive(value: unknown, fallback: number): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? number : fallback
}

function normalisePath(value: unknown): string {
  let path = typeof value === 'string' && value !== '' ? value : '/'
  if (!path.startsWith('/')) path = `/${path}`
  const [pathname = '/', query] = path.split('?', 2)
  const trimmed = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname
  return query === undefined ? trimmed : `${trimmed}?${query}`
}

function resolvePort(port: unknown, container: Record<string, unknown>): string | number | undefined {
  if (typeof port === 'number') return port
  if (typeof port !== 'string') return undefined
  if (/^\d+$/.test(port)) return Number(port)
  const ports = Array.isArray(container.ports) ? container.ports : []
  for (const entry of ports) {
    if (isRecord(entry) && entry.name === port && typeof entry.containerPort === 'number') return entry.containerPort
  }
  return port
}

/** A probe's endpoint in words: `GET /path on port 8080`, or the gRPC service. @internal */
export function describeEndpoint(probe: ProbeView): string {
  const port = probe.port === undefined ? '' : ` on port ${typeof probe.port === 'number' ? probe.port : echo(probe.port)}`
  return probe.handler === 'grpc' ? `the gRPC service "${echo(probe.path ?? '')}"${port}` : `GET ${echo(probe.path ?? '/')}${port}`
}
