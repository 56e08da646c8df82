// issue 17: a full garbage collection that runs while no process.nextTick entry is queued sends
// V8's feedback for nextTick's entry literal megamorphic for good, and every nextTick call
// node:http makes per request onto a runtime call (Nest on Fastify served /livez at 0.81 of bare
// node:http). keepNextTickFast() keeps one entry, and so its hidden classes, alive. Real child
// processes, V8's own view of the feedback (%DebugPrint), the built package (run `pnpm build` first).
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { nextTickLiteralFeedback } from '../../../test-utils/next-tick.js'

const SETUP = fileURLToPath(new URL('./fixtures/keep-next-tick.mjs', import.meta.url))

describe('issue 17: keepNextTickFast', () => {
  it('without it, a full GC with no entry queued turns the feedback megamorphic (the slow path exists)', async () => {
    const states = await nextTickLiteralFeedback()
    expect(states.length).toBeGreaterThanOrEqual(4) // the four properties of the entry literal
    expect(states).toContain('MEGAMORPHIC')
  })

  it('with it, every store of the entry literal stays monomorphic through that GC', async () => {
    const states = await nextTickLiteralFeedback(SETUP, { MODE: 'keep' })
    expect(states.length).toBeGreaterThanOrEqual(4)
    expect(states.every((state) => state === 'MONOMORPHIC'), states.join(' ')).toBe(true)
  })

  it('createHealth calls it', async () => {
    const states = await nextTickLiteralFeedback(SETUP, { MODE: 'createHealth' })
    expect(states.length).toBeGreaterThanOrEqual(4)
    expect(states.every((state) => state === 'MONOMORPHIC'), states.join(' ')).toBe(true)
  })
})
