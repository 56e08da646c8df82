// Spans for check runs: one span per run, started as core enters the run's `start` on the
// `healthz:check` tracing channel (in the async context of the probe request that needed it, so
// it joins the request's trace), active while the check function runs (so the spans of its own
// client calls are its children), and ended at `asyncEnd`, when the run settled or hit its deadline.
import { AsyncLocalStorage } from 'node:async_hooks'
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Context, Span, Tracer } from '@opentelemetry/api'
import { redact } from '@healthz/core'
import type { CheckRunMessage } from '@healthz/core'
import { ATTRIBUTES as A } from './names.js'

const MS_PER_S = 1000

/**
 * @internal The store bound to the `start` channel with `bindStore`: core calls the check inside
 * `start.runStores(message, …)`, which calls `run(transform(message), check)` on every bound
 * store. Running through `context.with` makes the run's span the active OpenTelemetry context of
 * the check function, whichever context manager the application registered.
 */
export class ActiveSpanStore extends AsyncLocalStorage<Context> {
  override run<R, TArgs extends unknown[]>(store: Context, callback: (...args: TArgs) => R, ...args: TArgs): R {
    return context.with(store, callback, undefined, ...args)
  }
}

/** @internal The span handlers of one registration. */
export interface SpanHandlers {
  /** Starts the run's span (for this registration's health object) and returns the context to run the check in. */
  onStart(message: CheckRunMessage): Context
  onEnd(message: CheckRunMessage): void
}

/** @internal Starts and ends a span per check run on `tracer`. */
export function createSpans(tracer: Tracer): SpanHandlers {
  // Keyed by the run's message object: the tracing channel hands the same object to every event.
  const spans = new WeakMap<CheckRunMessage, Span>()
  return {
    onStart(message) {
      const parent = context.active()
      const span = tracer.startSpan(
        `healthz.check ${message.name}`,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            [A.checkName]: message.name,
            [A.checkKind]: message.kind,
            [A.checkCritical]: message.critical,
            [A.checkTrigger]: message.trigger,
            [A.checkTimeout]: message.timeout / MS_PER_S,
          },
        },
        parent,
      )
      spans.set(message, span)
      return trace.setSpan(parent, span)
    },
    onEnd(message) {
      const span = spans.get(message)
      if (span === undefined) return
      spans.delete(message)
      const outcome = message.outcome ?? 'fail'
      const timedOut = message.timedOut === true
      span.setAttribute(A.checkResult, outcome)
      span.setAttribute(A.checkTimedOut, timedOut)
      if (outcome === 'fail') {
        const error = message.error ?? message.result?.error
        const code = (error as { code?: unknown } | undefined)?.code
        span.setAttribute(A.errorType, timedOut ? 'timeout' : typeof code === 'string' ? code : (error?.name ?? 'fail'))
        // The check's error text, with credentials redacted (it may hold a connection string).
        const output = message.result?.output
        span.setStatus({ code: SpanStatusCode.ERROR, ...(output === undefined ? {} : { message: redact(output) }) })
      }
      span.end()
    },
  }
}

