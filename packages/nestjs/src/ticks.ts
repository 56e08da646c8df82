// keepTickShape: keeps one `process.nextTick` queue entry reachable for the life of the process,
// so that V8 keeps the hidden class (map) every queue entry is built with.
//
// Why (bench/README.md, "Issue 17: Nest on Fastify"): node:http and node:stream call
// `process.nextTick` several times per request. Each call builds its queue entry with an object
// literal whose stores V8 caches per map. Our reading of the measurements (not traced inside
// V8): the maps are held weakly; when a full GC runs while no entry is alive, they are
// collected, the next entry gets new ones, and those literal stores see a map other than the
// one they cached. V8 then caches nothing for them (it has no polymorphic state for these
// stores) and every later `nextTick` takes the slow path for the rest of the process's life.
// Measured on Node 20 in Nest-on-Fastify servers: one to seven in ten of the processes ended
// up there, with `nextTick` at 5–21% of their busy time instead of about 1%, and every request,
// probes and the application's routes alike, costing 15–30% more CPU. One entry kept alive
// keeps its maps, so the stores stay on the fast path.
import { executionAsyncResource } from 'node:async_hooks'

// undefined: not asked yet; null: the capture is scheduled; an object: the entry kept. Read
// below, so that a bundler keeps the write (esbuild drops writes to a variable nothing reads, and
// the package's own build did: the entry was collected).
let kept: object | null | undefined

/**
 * Keeps one `process.nextTick` queue entry alive for the life of the process (once per process;
 * later calls do nothing). The entry is captured on the next tick: inside a tick callback,
 * `executionAsyncResource()` is the entry being run.
 *
 * @internal
 */
export function keepTickShape(): void {
  if (kept !== undefined) return
  kept = null
  process.nextTick(function captureTickShape() {
    kept = executionAsyncResource()
  })
}

/**
 * The entry {@link keepTickShape} keeps, once captured (for tests).
 *
 * @internal
 */
export function keptTickShape(): object | undefined {
  return kept ?? undefined
}
