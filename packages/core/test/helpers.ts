// Test helpers shared by the core tests.
import type { CheckOptions } from '@healthz/core'

/** A promise with its resolve and reject exposed, for checks the test settles by hand. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A check whose runs are counted and whose behaviour the test swaps at will. */
export function countedCheck(
  name: string,
  behaviour: CheckOptions['run'] = () => undefined,
  options: Partial<CheckOptions> = {},
): CheckOptions & { calls: number; behave: (run: CheckOptions['run']) => void } {
  let current = behaviour
  const check = {
    name,
    ...options,
    run: (context: Parameters<CheckOptions['run']>[0]) => {
      counted.calls += 1
      return current(context)
    },
  }
  // The counter and the switch are the test's, not check options: non-enumerable, so that
  // defineCheck (which refuses unknown keys) never sees them.
  const counted = Object.defineProperties(check, {
    calls: { value: 0, writable: true, enumerable: false },
    behave: {
      value: (run: CheckOptions['run']) => {
        current = run
      },
      enumerable: false,
    },
  }) as typeof check & { calls: number; behave: (run: CheckOptions['run']) => void }
  return counted
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
