import { defineCheck } from '@healthz/core'

// A client whose call takes no AbortSignal (here a Kafka admin client). Two rules still hold:
// the run gives up at the deadline, and it never starts a second call while one is unsettled.
// progress() says what the run is waiting on, for the timeout's message.
let pending: Promise<unknown> | undefined

export const kafka = defineCheck({
  name: 'kafka',
  componentType: 'component',
  timeout: 500,
  run: async ({ signal, progress }) => {
    progress(pending === undefined ? 'no answer to describeCluster yet' : 'no answer yet to the describeCluster of an earlier run; not sent again')
    pending ??= kafkaAdmin.describeCluster().finally(() => {
      pending = undefined
    })
    const call = pending
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      call.then(
        () => resolve(),
        (error: unknown) => reject(error),
      ).finally(() => signal.removeEventListener('abort', onAbort))
    })
  },
})
