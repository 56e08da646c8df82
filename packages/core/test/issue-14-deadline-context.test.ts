// issue 14: the deadline flows one way, from core to the check. A check receives its deadline in
// its context (absolute, on the health object's clock, and as a budget in ms), and says what it is
// waiting on through `context.progress()`; core reads that note when the deadline fires, before
// it aborts the signal, so nothing needs to rewrite core's timeout error.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHealth, defineCheck, runCheck } from '@healthz/core'
import type { CheckContext, Clock } from '@healthz/core'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** A clock far from Date.now(), so a deadline read from the wrong clock shows. */
function offsetClock(offset: number): Clock {
  return {
    now: () => Date.now() + offset,
    schedule: (callback, ms) => {
      const timer = setTimeout(callback, ms)
      return () => clearTimeout(timer)
    },
  }
}

const hang = (): Promise<void> => new Promise<void>(() => undefined)

describe('the deadline in the context', () => {
  it('a check gets its deadline on its own clock, and its budget in ms', async () => {
    const clock = offsetClock(-1_000_000)
    let seen: CheckContext | undefined
    let startedAt = 0
    const result = runCheck(
      defineCheck({
        name: 'db',
        timeout: 250,
        run: (context) => {
          seen = context
          startedAt = clock.now()
        },
      }),
      { clock },
    )
    await vi.advanceTimersByTimeAsync(0)
    expect((await result).status).toBe('pass')
    expect(seen?.timeout).toBe(250)
    expect(seen?.deadline).toBe(startedAt + 250)
  })

  it('a probe hands the same down through the health object clock', async () => {
    const clock = offsetClock(5_000)
    const contexts: CheckContext[] = []
    const health = createHealth({ clock, runtime: false, readiness: [defineCheck({ name: 'db', timeout: 400, cache: 0, run: (context) => void contexts.push(context) })] })
    health.markStarted()
    const before = clock.now()
    await health.probe('readiness')
    await vi.advanceTimersByTimeAsync(100)
    await health.probe('readiness')
    health.close()
    expect(contexts.map((context) => context.timeout)).toEqual([400, 400])
    expect(contexts.map((context) => context.deadline)).toEqual([before + 400, before + 500])
  })
})

describe('what the check was waiting on', () => {
  it('the latest progress note ends the timeout message, and the signal carries the same error', async () => {
    let signal: AbortSignal | undefined
    const result = runCheck(
      defineCheck({
        name: 'db',
        timeout: 300,
        run: ({ progress, signal: given }) => {
          signal = given
          progress('waiting for a pool connection')
          setTimeout(() => progress('query sent; no answer yet'), 100)
          return hang()
        },
      }),
    )
    await vi.advanceTimersByTimeAsync(300)
    const { output, error } = await result
    expect(output).toBe('timed out after 300 ms (the check did not settle before its deadline): query sent; no answer yet')
    expect(error).toMatchObject({ code: 'CHECK_TIMEOUT', message: output })
    expect(signal?.reason).toBe(error)
  })

  it('progress(undefined) clears the note', async () => {
    const result = runCheck(
      defineCheck({
        name: 'db',
        timeout: 100,
        run: ({ progress }) => {
          progress('connecting')
          progress(undefined)
          return hang()
        },
      }),
    )
    await vi.advanceTimersByTimeAsync(100)
    expect((await result).output).toBe('timed out after 100 ms (the check did not settle before its deadline)')
  })

  it('core reads the note before it aborts the signal: a note written by an abort listener comes too late', async () => {
    const result = runCheck(
      defineCheck({
        name: 'db',
        timeout: 100,
        run: ({ progress, signal }) => {
          progress('waiting on the server')
          signal.addEventListener('abort', () => progress('noted while aborting'))
          return hang()
        },
      }),
    )
    await vi.advanceTimersByTimeAsync(100)
    expect((await result).output).toBe('timed out after 100 ms (the check did not settle before its deadline): waiting on the server')
  })

  it('the result is taken before the abort: a listener that rewrites the reason changes nothing in the output', async () => {
    const result = runCheck(
      defineCheck({
        name: 'db',
        timeout: 100,
        run: ({ progress, signal }) => {
          progress('waiting on the server')
          signal.addEventListener('abort', () => {
            ;(signal.reason as Error).message += ': rewritten'
          })
          return hang()
        },
      }),
    )
    await vi.advanceTimersByTimeAsync(100)
    expect((await result).output).toBe('timed out after 100 ms (the check did not settle before its deadline): waiting on the server')
  })

  it('a note means nothing unless the deadline passes first', async () => {
    const result = await runCheck(
      defineCheck({
        name: 'db',
        run: ({ progress }) => {
          progress('waiting on the server')
          throw new Error('connection refused')
        },
      }),
    )
    expect(result.output).toBe('connection refused')
  })

  it('a long note is cut like any output; a note that is not a string says so, and never throws', async () => {
    const long = runCheck(
      defineCheck({
        name: 'db',
        timeout: 100,
        run: ({ progress }) => {
          progress('x'.repeat(10_000))
          return hang()
        },
      }),
    )
    await vi.advanceTimersByTimeAsync(100)
    expect((await long).output?.length).toBeLessThan(4200)

    const wrong = runCheck(
      defineCheck({
        name: 'db',
        timeout: 100,
        run: ({ progress }) => {
          // From a callback, where a throw would escape the run.
          setTimeout(() => (progress as (note: unknown) => void)(42), 10)
          return hang()
        },
      }),
    )
    await vi.advanceTimersByTimeAsync(100)
    expect((await wrong).output).toBe('timed out after 100 ms (the check did not settle before its deadline): (progress expects a string or undefined, got 42)')
  })

  it('a probe shows the note in its output (each run has its own)', async () => {
    let run = 0
    const health = createHealth({
      runtime: false,
      details: 'always',
      readiness: [
        defineCheck({
          name: 'db',
          timeout: 200,
          cache: 0,
          run: ({ progress }) => {
            run += 1
            if (run === 1) progress('first run waiting')
            return run === 1 ? Promise.resolve() : hang()
          },
        }),
      ],
    })
    health.markStarted()
    expect((await health.probe('readiness')).status).toBe('pass')
    const second = health.probe('readiness')
    await vi.advanceTimersByTimeAsync(200)
    health.close()
    expect((await second).checks[0]?.output).toBe('timed out after 200 ms (the check did not settle before its deadline)')
  })
})
