// Types of lb.mjs (the load balancer shared by bench/shutdown and tests/rolling-restart).

export interface LoadBalancerOptions {
  /** How often each backend's readiness is polled, in ms. @default 200 */
  period?: number
  /** Consecutive failed polls that take a backend out of the rotation. @default 2 */
  failureThreshold?: number
  /** A poll without an answer within this many ms fails. @default 1000 */
  probeTimeout?: number
  /** Poll over one keep-alive connection per backend instead of a new connection each time. @default false */
  probeKeepAlive?: boolean
  /** Send a GET or HEAD that failed at the connection level before any answer once more, to another ready backend (nginx's default). @default false */
  retry?: boolean
  /** Called when a backend enters or leaves the rotation. */
  onState?: (state: { id: string; ready: boolean; t: number; reason: string }) => void
}

export interface BackendAddress {
  id: string
  port: number
  /** @default port */
  readyPort?: number
  /** @default '/readyz' */
  readyPath?: string
}

export interface BackendStats {
  proxied: number
  ok: number
  failed: number
  retried: number
}

export interface LoadBalancerStats extends BackendStats {
  reasons: Record<string, number>
  failures: Array<{ t: number; reason: string; backend: string | undefined }>
  retries: Array<{ t: number; reason: string; backend: string }>
  byBackend: Record<string, BackendStats>
  backends: Array<{ id: string; ready: boolean; failures: number }>
}

export interface LoadBalancer {
  port: number
  period: number
  failureThreshold: number
  addBackend(backend: BackendAddress): void
  removeBackend(id: string): void
  stats(options?: { reset?: boolean }): LoadBalancerStats
  isReady(id: string): boolean
  close(): Promise<void>
}

export function startLoadBalancer(options?: LoadBalancerOptions): Promise<LoadBalancer>
