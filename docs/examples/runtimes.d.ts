// The parts of the Bun and Deno globals the Fetch-API samples use, so that they type-check on
// Node's TypeScript setup as printed (in a real project: @types/bun, or Deno's own types).

/** Bun's server (`Bun.serve()`). */
interface BunServer {
  readonly port: number
  stop(closeActiveConnections?: boolean): Promise<void>
}
declare const Bun: {
  serve(options: { port?: number; hostname?: string; fetch(request: Request, server: BunServer): Response | Promise<Response> }): BunServer
}

/** Deno's server (`Deno.serve()`). */
interface DenoServer {
  shutdown(): Promise<void>
  readonly finished: Promise<void>
}
declare const Deno: {
  serve(options: { port?: number; hostname?: string }, handler: (request: Request) => Response | Promise<Response>): DenoServer
}
