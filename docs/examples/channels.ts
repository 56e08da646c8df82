// Counting probe answers and timing check runs from the diagnostics channels, with no collector library.
import { subscribe, tracingChannel } from 'node:diagnostics_channel'
import { HEALTHZ_CHANNELS } from '@healthz/core'
import type { CheckRunMessage, ProbeResponseMessage } from '@healthz/core'
import { health } from './health.js'

const answers = new Map<string, number>()
subscribe(HEALTHZ_CHANNELS.probeResponse, (message) => {
  const answer = message as ProbeResponseMessage
  if (answer.health !== health) return // another health object in this process
  const key = `${answer.probe} ${answer.statusCode}${answer.fastPath ? ' (fast path)' : ''}`
  answers.set(key, (answers.get(key) ?? 0) + 1)
})

tracingChannel<unknown, CheckRunMessage>(HEALTHZ_CHANNELS.check).subscribe({
  start() {},
  end() {},
  asyncStart() {},
  error() {},
  asyncEnd(run) {
    if (run.timedOut === true) console.warn(`${run.name} missed its ${run.timeout} ms deadline`)
    else if ((run.duration ?? 0) > run.timeout * 0.8) console.warn(`${run.name} took ${run.duration} ms of its ${run.timeout} ms`)
  },
})

export { answers }
