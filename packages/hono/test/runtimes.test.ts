// Hono served by Bun.serve and by Deno.serve, each in a child process (test/bridge.ts), at both
// ends of the peer range, against the adapter contract (test-utils/contract.ts), drained by
// @healthz/fetch's drainOnShutdown. The binaries come from the `bun` and `deno` npm packages; a
// runtime is skipped only when its binary cannot be installed here, and the reason is printed.
import { describeContract } from '../../../test-utils/contract.js'
import { forEachRuntime } from '../../../test-utils/runtimes.js'
import { runtimeAdapter } from './bridge.js'

forEachRuntime('the Hono adapter contract', (runtime, binary) => {
  describeContract([runtimeAdapter(runtime, binary, 'hono', 'Hono 4.13'), runtimeAdapter(runtime, binary, 'hono4', 'Hono 4.0')])
})
