// Hono served by Bun.serve and by Deno.serve, each in a child process (test/bridge.ts), at both
// ends of the peer range, against the adapter contract (test-utils/contract.ts), drained by
// @healthz/fetch's drainOnShutdown. The binaries come from the `bun` and `deno` npm packages; a
// runtime is skipped only when its binary cannot be installed here, and the reason is printed.
import { describe, it } from 'vitest'
import { describeContract } from '../../../test-utils/contract.js'
import { runtimeAdapter, runtimeBinary } from './bridge.js'
import type { RuntimeName } from './bridge.js'

for (const runtime of ['bun', 'deno'] as const satisfies readonly RuntimeName[]) {
  const binary = runtimeBinary(runtime)
  if ('path' in binary) {
    describeContract([runtimeAdapter(runtime, binary.path, 'hono', 'Hono 4.13'), runtimeAdapter(runtime, binary.path, 'hono4', 'Hono 4.0')])
  } else {
    console.warn(`[@healthz/hono] SKIPPING the contract under ${runtime}: ${binary.reason}`)
    describe.skip(`adapter contract under ${runtime}: skipped, ${binary.reason}`, () => {
      it('runs when the binary is installed', () => undefined)
    })
  }
}
