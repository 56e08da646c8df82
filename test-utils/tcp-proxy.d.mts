import type { Server, Socket } from 'node:net'

export declare class TcpProxy {
  static start(target: { host?: string; port: number }, options?: { port?: number }): Promise<TcpProxy>
  readonly target: { host: string; port: number }
  readonly port: number
  readonly stalled: boolean
  readonly isCut: boolean
  readonly accepted: number
  readonly open: number
  readonly pairs: Set<{ client: Socket; upstream: Socket; held: Array<[Socket, Buffer]> }>
  readonly server: Server | undefined
  stall(): void
  resume(): void
  cut(): void
  restore(): void
  stop(): Promise<void>
  restart(): Promise<void>
}

export declare function blackHole(): Promise<{ port: number; close(): Promise<void> }>
