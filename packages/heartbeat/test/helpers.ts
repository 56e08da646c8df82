// Test helpers: a TCP proxy that can be cut and restored (the shared Redis and NATS servers are
// never stopped), waiting on conditions, and event recorders.
import { connect, createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import type { HeartbeatMonitor, MemberChangeEvent } from '@healthz/heartbeat'

export interface CuttableProxy {
  readonly port: number
  /** Destroys every proxied connection and refuses new ones until `restore()`. */
  cut(): void
  restore(): void
  close(): Promise<void>
}

/** A TCP proxy on 127.0.0.1 to `targetPort`, for simulating a server that goes away. */
export async function startProxy(targetPort: number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>()
  let cut = false
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort, '127.0.0.1')
    sockets.add(client)
    sockets.add(upstream)
    const drop = (): void => {
      sockets.delete(client)
      sockets.delete(upstream)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      cut = true
      for (const socket of sockets) socket.destroy()
      sockets.clear()
    },
    restore() {
      cut = false
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Polls `condition` every 10 ms until it holds, or fails after `timeout` ms with `what`. */
export async function waitFor(condition: () => boolean, what: string, timeout = 5000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Records a monitor's change events. */
export function recordChanges(monitor: HeartbeatMonitor): MemberChangeEvent[] {
  const events: MemberChangeEvent[] = []
  monitor.on('change', (event) => events.push(event))
  return events
}

/** A random suffix, so parallel runs on the shared servers never share a channel. */
export function randomSuffix(): string {
  return `${process.pid}-${Math.random().toString(36).slice(2, 10)}`
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
