// Issue 15: the resolved `format` of each probe is public (`health.formats`), so that an adapter
// describing the answers (the NestJS OpenAPI document) reads core's choice instead of re-reading the option.
import { describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import type { FormatFunction } from '@healthz/core'

describe('issue 15: health.formats', () => {
  it('is health+json for every probe by default, one format for all, or per probe with health+json for the rest; frozen', () => {
    const defaults = createHealth({ runtime: false })
    expect(defaults.formats).toEqual({ liveness: 'health+json', readiness: 'health+json', startup: 'health+json' })
    expect(Object.isFrozen(defaults.formats)).toBe(true)
    const all = createHealth({ runtime: false, format: 'terminus' })
    expect(all.formats).toEqual({ liveness: 'terminus', readiness: 'terminus', startup: 'terminus' })
    const legacy: FormatFunction = () => ({ status: 200, body: 'ok' })
    const mixed = createHealth({ runtime: false, format: { readiness: 'spring', liveness: legacy } })
    expect(mixed.formats).toEqual({ liveness: legacy, readiness: 'spring', startup: 'health+json' })
    for (const health of [defaults, all, mixed]) health.close()
  })

  it('is what the probes answer in', async () => {
    const health = createHealth({ runtime: false, format: { readiness: 'spring' } })
    health.markStarted()
    expect(health.formats.readiness).toBe('spring')
    expect((await health.handle({ path: '/readyz' }))?.headers['content-type']).toBe('application/vnd.spring-boot.actuator.v3+json')
    expect((await health.handle({ path: '/livez' }))?.headers['content-type']).toBe('application/health+json')
    health.close()
  })
})
