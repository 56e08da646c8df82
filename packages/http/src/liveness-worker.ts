// The program of the liveness worker thread. It runs as `new Worker(code, { eval: true })` from
// the source of `livenessWorkerMain` below, so it ships inside the package's one entry in both
// builds (ESM and CJS) and runs unchanged under vitest: no second file to locate through
// `import.meta.url`, which the CJS build does not have. The function therefore uses nothing from
// its module (no imports, no closures): only `require` of node builtins, handed in as a parameter.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type * as NodeHttp from 'node:http'
import type * as NodeWorkerThreads from 'node:worker_threads'

/** @internal Int32 slots of the shared state (after the 8-byte heartbeat). */
export const STATE_SLOTS = { status: 0, phase: 1, started: 2, generation: 3, checks: 4 } as const
/** @internal How many liveness checks have a slot of their own; beyond them only the probe's status is mirrored. */
export const MAX_MIRRORED_CHECKS = 64
/** @internal Status codes in shared memory: 0 means no result yet. */
export const STATUS_CODES = { pass: 1, warn: 2, fail: 3 } as const
/** @internal Phase codes in shared memory. */
export const PHASE_CODES = { running: 0, draining: 1, closing: 2, stopped: 3 } as const

/** @internal What the main thread hands the worker at start. */
export interface LivenessWorkerData {
  /** 8 bytes: the main thread's last heartbeat, `process.hrtime.bigint()` (monotonic, shared by every thread of the process). */
  readonly heartbeat: SharedArrayBuffer
  /** Int32 slots, see {@link STATE_SLOTS}. */
  readonly state: SharedArrayBuffer
  readonly port: number
  readonly host: string | undefined
  readonly path: string
  /** ms */
  readonly stallTolerance: number
  /** health+json service fields, already resolved. */
  readonly service: { readonly version?: string; readonly releaseId?: string; readonly serviceId?: string; readonly description?: string }
}

/** @internal The messages between the threads. */
export type ToWorker = { type: 'checks'; generation: number; checks: ReadonlyArray<{ name: string; measurement: string; componentType: string }> }
/** @internal */
export type FromWorker = { type: 'listening'; port: number } | { type: 'listen-error'; message: string; code: string | undefined }

/**
 * The worker's program. Answers the liveness path from shared memory only: 200 while the main
 * thread's last heartbeat is younger than `stallTolerance` and the mirrored liveness status is
 * not `fail`, else 503; HEAD without a body, 405 with `Allow` for other methods, 404 for other paths.
 *
 * @internal
 */
export function livenessWorkerMain(load: (id: string) => unknown): void {
  const http = load('node:http') as typeof NodeHttp
  const threads = load('node:worker_threads') as typeof NodeWorkerThreads
  const data = threads.workerData as LivenessWorkerData
  const parent = threads.parentPort as NodeWorkerThreads.MessagePort
  const beat = new BigInt64Array(data.heartbeat)
  const state = new Int32Array(data.state)
  // Kept in step with STATE_SLOTS, STATUS_CODES and PHASE_CODES above (this function cannot read them).
  const STATUS = [undefined, 'pass', 'warn', 'fail'] as const
  const PHASES = ['running', 'draining', 'closing', 'stopped'] as const
  let checks: ToWorker['checks'] = []
  let generation = -1
  parent.on('message', (message: ToWorker) => {
    if (message.type === 'checks') {
      checks = message.checks
      generation = message.generation
    }
  })

  const body = (): { status: number; body: string } => {
    const age = Number(process.hrtime.bigint() - Atomics.load(beat, 0)) / 1e6
    const stalled = age > data.stallTolerance
    const mirrored = STATUS[Atomics.load(state, 0)]
    const status = stalled || mirrored === 'fail' ? 'fail' : mirrored === 'warn' ? 'warn' : 'pass'
    const time = new Date().toISOString()
    const json: Record<string, unknown> = { status }
    const { version, releaseId, serviceId, description } = data.service
    if (version !== undefined) json.version = version
    if (releaseId !== undefined) json.releaseId = releaseId
    if (serviceId !== undefined) json.serviceId = serviceId
    if (description !== undefined) json.description = description
    const phase = PHASES[Atomics.load(state, 1)] ?? 'running'
    const notes: string[] = []
    if (phase !== 'running') notes.push(phase)
    else if (Atomics.load(state, 2) === 0) notes.push('starting')
    if (notes.length > 0) json.notes = notes
    if (stalled) json.output = `main thread made no progress for ${Math.round(age)} ms (stallTolerance ${data.stallTolerance} ms)`
    const entries: Record<string, unknown[]> = {
      'event-loop:heartbeat': [{ componentType: 'system', observedValue: Math.round(age), observedUnit: 'ms', status: stalled ? 'fail' : 'pass', time }],
    }
    // Per-check statuses only when they belong to the list of checks this thread knows.
    if (Atomics.load(state, 3) === generation) {
      checks.forEach((check, index) => {
        const checkStatus = STATUS[Atomics.load(state, 4 + index)]
        if (checkStatus === undefined) return
        const entry: Record<string, unknown> = { componentType: check.componentType, status: checkStatus, time }
        if (checkStatus !== 'pass') entry.output = 'reason withheld'
        entries[`${check.name}:${check.measurement}`] = [entry]
      })
    }
    json.checks = entries
    return { status: status === 'fail' ? 503 : 200, body: JSON.stringify(json) }
  }

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = req.url ?? '/'
    const query = target.indexOf('?')
    let path = query === -1 ? target : target.slice(0, query)
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
    if (path !== data.path) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
      res.end('not found\n')
      return
    }
    const method = req.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') {
      const text = `method ${method} not allowed; probes answer GET and HEAD\n`
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) })
      res.end(text)
      return
    }
    const answer = body()
    res.writeHead(answer.status, { 'content-type': 'application/health+json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(answer.body)) })
    res.end(method === 'HEAD' ? undefined : answer.body)
  })
  server.once('error', (error: NodeJS.ErrnoException) => {
    parent.postMessage({ type: 'listen-error', message: error.message, code: error.code } satisfies FromWorker)
  })
  const onListening = (): void => {
    const address = server.address()
    parent.postMessage({ type: 'listening', port: typeof address === 'object' && address !== null ? address.port : data.port } satisfies FromWorker)
  }
  if (data.host === undefined) server.listen(data.port, onListening)
  else server.listen(data.port, data.host, onListening)
}

/** @internal The worker's source, for `new Worker(code, { eval: true })` (a CommonJS script with `require`). */
export const LIVENESS_WORKER_SOURCE = `'use strict';\n(${livenessWorkerMain.toString()})(require)\n`
