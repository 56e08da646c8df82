// Spans for check runs: one span per run, started when core publishes the run's `start` on the
// `healthz:check` tracing channel (in the async context of the probe request that needed it, so
// it joins the request's trace) and ended at `asyncEnd`, when the run settled or hit its deadline.
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { Span, Tracer } from '@opentelemetry/api'
import { redact } from '@healthz/core'
import type { CheckRunMessage } from '@healthz/core'
import { ATTRIBUTES as A } from './names.js'

const MS_PER_S = 1000

/** @internal The span handlers of one registration. */
export interface SpanHandlers {
  onStart(message: CheckRunMessage): void
  onEnd(message: CheckRunMessage): void
}

/** @internal Starts and ends a span per check run on `tracer`. */
export function createSpans(tracer: Tracer): SpanHandlers {
  // Keyed by the run's message object: the tracing channel hands the same object to every event.
  const spans = new WeakMap<CheckRunMessage, Span>()
  return {
    onStart(message) {
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
        context.active(),
      )
      spans.set(message, span)
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

