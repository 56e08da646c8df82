// @healthz/fetch: the probes for runtimes and frameworks that speak the Fetch API (Request in,
// Response out): Bun, Deno, Hono, Next.js route handlers, h3 and srvx. Built on the health
// object's framework-neutral `handle()`, as @healthz/http is for node:http.
export { createFetchHandler, toResponse } from './handler.js'
export { closeConnectionIfClosing, withConnectionClose } from './closing.js'
export { drainOnShutdown } from './drain.js'
export type { FetchHandlerOptions, FetchHealthHandler } from './handler.js'
export type { BunLikeServer, DenoLikeServer, SrvxLikeServer, StoppableServer } from './drain.js'
