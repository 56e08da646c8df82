import { describe, expect, it } from 'vitest'
import { createHealth, resolveProbePaths } from '@healthz/core'

describe('issue 14: the resolved probe paths are public', () => {
  it('health.paths holds the defaults when nothing is configured', () => {
    const health = createHealth({ runtime: false })
    expect(health.paths).toEqual({ liveness: '/livez', readiness: '/readyz', startup: '/startupz' })
    health.close()
  })

  it('health.paths includes the prefix, drops trailing slashes, and is what the handler serves', async () => {
    const health = createHealth({ runtime: false, prefix: '/health/', paths: { readiness: '/ready/' } })
    expect(health.paths).toEqual({ liveness: '/health/livez', readiness: '/health/ready', startup: '/health/startupz' })
    expect(Object.isFrozen(health.paths)).toBe(true)
    for (const path of Object.values(health.paths)) expect(health.matches(path)).toBe(true)
    expect((await health.handle({ path: health.paths.liveness }))?.status).toBe(200)
    health.close()
  })

  it('resolveProbePaths gives the same answer before a health object exists, and refuses what createHealth refuses', () => {
    const options = { prefix: '/api', paths: { liveness: '/live' } }
    const health = createHealth({ ...options, runtime: false })
    expect(resolveProbePaths(options)).toEqual(health.paths)
    health.close()
    expect(resolveProbePaths()).toEqual({ liveness: '/livez', readiness: '/readyz', startup: '/startupz' })
    const clash = { paths: { liveness: '/readyz' } }
    expect(() => resolveProbePaths(clash)).toThrow(/paths.readiness and paths.liveness are both \/readyz/)
    expect(() => createHealth(clash)).toThrow(/paths.readiness and paths.liveness are both \/readyz/)
    expect(() => resolveProbePaths({ prefix: 'health' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }))
  })
})
