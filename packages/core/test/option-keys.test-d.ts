// Issue 13 item 6: the key lists that assertKnownOptions checks against are written as
// optionKeys<XOptions>({ … }) records next to each interface, so that the list cannot drift from
// the interface: a key missing from the list, or one the interface lacks, fails to compile.
// (Type-checked by `pnpm run typecheck`; nothing here runs.)
import { optionKeys } from '@healthz/core'
import type { OptionKeys } from '@healthz/core'

interface SampleOptions {
  timeout?: number
  name: string
}

export const complete: readonly string[] = optionKeys<SampleOptions>({ timeout: true, name: true })

// @ts-expect-error a key the interface declares is missing from the list
export const missing = optionKeys<SampleOptions>({ timeout: true })

// @ts-expect-error a key the interface does not declare is in the list
export const extra = optionKeys<SampleOptions>({ timeout: true, name: true, timout: true })

// Optional keys are required in the record (`-?`), and every value is `true`.
export const record: OptionKeys<SampleOptions> = { timeout: true, name: true }
// @ts-expect-error the values are `true`, nothing else
export const wrong: OptionKeys<SampleOptions> = { timeout: true, name: false }
