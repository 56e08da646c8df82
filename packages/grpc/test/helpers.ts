// Real grpc-js servers on 127.0.0.1:0 and real clients for the tests, for either end of the peer
// range (the grpc-js module is a parameter): the health service, and an `Echo` app service whose
// calls can be made to take a while (to see in-flight calls through a drain).
import type { Health } from '@healthz/core'
import { addHealthService, HEALTH_SERVICE } from '@healthz/grpc'
import type { HealthServiceOptions, ServingStatus } from '@healthz/grpc'

/** What the tests use of a grpc-js module (1.8 or 1.14). */
export type Grpc = typeof import('@grpc/grpc-js')

/** `/test.Echo/Echo`: answers its request bytes after the number of ms they spell. */
export const ECHO_SERVICE = {
  Echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    originalName: 'echo',
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
}

export interface Started {
  server: InstanceType<Grpc['Server']>
  port: number
  address: string
  /** Echo calls answered so far. */
  served: { count: number }
}

/** Starts a server with the health service (and Echo) on 127.0.0.1:0. */
export async function startServer(grpc: Grpc, health: Health, options: HealthServiceOptions & { start?: boolean } = {}): Promise<Started & { service: ReturnType<typeof addHealthService> }> {
  const { start = false, ...serviceOptions } = options
  const server = new grpc.Server()
  const served = { count: 0 }
  server.addService(ECHO_SERVICE, {
    Echo: (call: { request: Buffer }, callback: (error: null, value: Buffer) => void) => {
      const delay = Number(call.request.toString() || '0')
      setTimeout(() => {
        served.count += 1
        callback(null, call.request)
      }, delay)
    },
  })
  const service = addHealthService(server, health, serviceOptions)
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  // grpc-js before 1.10 serves only after start(); later releases start in bindAsync.
  if (start) server.start()
  return { server, port, address: `127.0.0.1:${port}`, served, service }
}

export interface HealthClient {
  check(service: string, deadlineMs?: number): Promise<ServingStatus>
  /** Resolves with the gRPC error of a Check that fails. */
  checkError(service: string): Promise<{ code: number; details: string }>
  list(): Promise<Record<string, ServingStatus>>
  /** Opens a Watch; `onStatus` sees every message. */
  watch(service: string, onStatus?: (status: ServingStatus) => void): Watcher
  echo(delayMs?: number): Promise<void>
  close(): void
}

export interface Watcher {
  /** Every status received, in order. */
  readonly seen: ServingStatus[]
  /** Resolves when a status matching `status` has been received (at or after index `from`). */
  next(status: ServingStatus, from?: number): Promise<void>
  /** Resolves when the stream ends, with its gRPC status code. */
  readonly ended: Promise<number>
  cancel(): void
}

/** A client of the health service (and Echo) on one channel. */
export function connect(grpc: Grpc, address: string): HealthClient {
  const Health = grpc.makeGenericClientConstructor(HEALTH_SERVICE, 'grpc.health.v1.Health')
  const Echo = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'test.Echo')
  const client = new Health(address, grpc.credentials.createInsecure())
  const echo = new Echo(address, grpc.credentials.createInsecure())
  type Callback = (error: { code: number; details: string } | null, value: { status: ServingStatus }) => void
  const untyped = client as unknown as Record<string, (...args: unknown[]) => unknown>
  const deadline = (ms: number): { deadline: Date } => ({ deadline: new Date(Date.now() + ms) })
  return {
    check: (service, deadlineMs = 5000) =>
      new Promise((resolve, reject) => {
        untyped.Check?.call(client, { service }, deadline(deadlineMs), ((error, value) => (error ? reject(error) : resolve(value.status))) as Callback)
      }),
    checkError: (service) =>
      new Promise((resolve, reject) => {
        untyped.Check?.call(client, { service }, deadline(5000), ((error, value) => (error ? resolve(error) : reject(new Error(`expected an error, got ${value.status}`)))) as Callback)
      }),
    list: () =>
      new Promise((resolve, reject) => {
        untyped.List?.call(client, {}, deadline(5000), (error: Error | null, value: { statuses: Record<string, { status: ServingStatus }> }) => {
          if (error) reject(error)
          else resolve(Object.fromEntries(Object.entries(value.statuses).map(([name, entry]) => [name, entry.status])))
        })
      }),
    watch: (service, onStatus) => {
      const stream = untyped.Watch?.call(client, { service }) as NodeJS.EventEmitter & { cancel(): void }
      const seen: ServingStatus[] = []
      const waiters: Array<{ status: ServingStatus; from: number; resolve: () => void }> = []
      stream.on('data', (message: { status: ServingStatus }) => {
        seen.push(message.status)
        onStatus?.(message.status)
        for (const waiter of [...waiters]) {
          if (seen.indexOf(waiter.status, waiter.from) !== -1) {
            waiters.splice(waiters.indexOf(waiter), 1)
            waiter.resolve()
          }
        }
      })
      stream.on('error', () => {})
      const ended = new Promise<number>((resolve) => stream.on('status', (status: { code: number }) => resolve(status.code)))
      return {
        seen,
        ended,
        next: (status, from = 0) =>
          seen.indexOf(status, from) !== -1 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ status, from, resolve })),
        cancel: () => stream.cancel(),
      }
    },
    echo: (delayMs = 0) =>
      new Promise((resolve, reject) => {
        const untypedEcho = echo as unknown as Record<string, (...args: unknown[]) => unknown>
        untypedEcho.Echo?.call(echo, Buffer.from(String(delayMs)), deadline(10_000), (error: Error | null) => (error ? reject(error) : resolve()))
      }),
    close: () => {
      client.close()
      echo.close()
    },
  }
}

/** A promise and its resolve function. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => (resolve = done))
  return { promise, resolve }
}

/** Resolves after `ms` (real time). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
