import { describe, expect, it } from 'vitest'
import { HealthModule } from '@healthz/nestjs'

describe('issue 14: the module takes its routes from core\'s resolved paths', () => {
  it('refuses a wrong path or prefix at forRoot/forRootAsync, with core\'s explanation, instead of when Nest creates the health object', () => {
    expect(() => HealthModule.forRoot({ paths: { readiness: 'ready' } })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/^HealthModule.forRoot: paths.readiness must be a path like '\/readyz'/) }),
    )
    expect(() => HealthModule.forRootAsync({ prefix: 'health', useFactory: () => ({}) })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/^HealthModule.forRootAsync: prefix must be ''/) }),
    )
    expect(() => HealthModule.forRoot({ paths: { liveness: '/readyz' } })).toThrow(/both \/readyz/)
  })
})
