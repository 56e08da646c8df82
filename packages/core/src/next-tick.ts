// Keeps Node's own `process.nextTick` on V8's fast path for the life of the process (issue 17).
//
// `nextTick` builds every queue entry with one object literal,
// `{ [async_id_symbol]: …, [trigger_async_id_symbol]: …, callback, args }`. Every key after the
// computed first one is stored with V8's DefineKeyedOwnPropertyInLiteral feedback, which knows
// only two states: monomorphic on one hidden class (map), held weakly, and megamorphic. The
// entries live for one tick, so a full garbage collection that runs while none is queued (a
// large application's start-up runs several) collects their maps; the next entry is built on new
// maps, the feedback no longer matches and turns megamorphic, for good. From then on optimized
// `nextTick` stores those three properties through a runtime call, and node:http and node:stream
// call `nextTick` several times per request. Measured on Nest on Fastify (Node 20): every
// process reached that state while Nest created the application, and `/livez` served at 0.81 of
// bare node:http. One entry kept alive keeps its maps, and with them the feedback, alive.
import { executionAsyncResource } from 'node:async_hooks'

/** The entry kept: a property of a module object, so no bundler drops the write as unread. */
const kept: { entry?: object; scheduled?: boolean } = {}

/**
 * Keeps one `process.nextTick` queue entry reachable for the life of the process, so that the
 * maps V8 has learnt for `nextTick`'s queue entries are never collected and the calls to
 * `nextTick` that node:http and node:stream make on every request stay on V8's fast path.
 * `createHealth` and `HealthModule.forRoot` call it; call it yourself first thing in a large
 * application's entry point to cover the start-up before them. Once per process; the rest are
 * no-ops. The cost is one small object. Where `process.nextTick` or `node:async_hooks` is
 * missing, it does nothing.
 *
 * @example
 * ```ts
 * import { keepNextTickFast } from '@healthz/core'
 * keepNextTickFast() // before the application's modules load
 * ```
 */
export function keepNextTickFast(): void {
  if (kept.scheduled === true) return
  kept.scheduled = true
  try {
    // Inside a tick's callback the execution resource is the queue entry being run.
    process.nextTick(() => {
      kept.entry = executionAsyncResource()
    })
  } catch {
    // No nextTick to keep fast (a runtime without it): nothing to do.
  }
}
