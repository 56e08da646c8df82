// issue 17, Nest on Fastify: Nest's start-up runs a full garbage collection while no
// process.nextTick entry is queued, which sends nextTick onto V8's slow path for the life of the
// process (see keepNextTickFast in @healthz/core). HealthModule.forRoot/forRootAsync keep it
// fast from the moment the application's module declares them, before Nest creates anything.
// Real child processes, V8's own view of the feedback; the built package (run `pnpm build` first).
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { nextTickLiteralFeedback } from '../../../test-utils/next-tick.js'

const SETUP = fileURLToPath(new URL('./fixtures/for-root-next-tick.mjs', import.meta.url))

describe('issue 17: HealthModule keeps process.nextTick on its fast path', () => {
  it('importing the package alone does not (the slow path is there to prevent)', async () => {
    const states = await nextTickLiteralFeedback(SETUP, { MODE: 'import' })
    expect(states.length).toBeGreaterThanOrEqual(4)
    expect(states).toContain('MEGAMORPHIC')
  })

  it.each(['forRoot', 'forRootAsync'])('%s does', async (mode) => {
    const states = await nextTickLiteralFeedback(SETUP, { MODE: mode })
    expect(states.length).toBeGreaterThanOrEqual(4)
    expect(states.every((state) => state === 'MONOMORPHIC'), states.join(' ')).toBe(true)
  })
})
