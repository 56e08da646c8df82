// Issue 15: the `controller` option (global prefix, version, OpenAPI) is checked at forRoot /
// forRootAsync by core's one validator: an unknown or misspelled key, a wrong value, or the
// option without serve: 'controller' fails at the import with what to change.
import 'reflect-metadata'
import { VERSION_NEUTRAL } from '@nestjs/common'
import { describe, expect, it } from 'vitest'
import { isHealthzError } from '@healthz/core'
import { HealthModule } from '@healthz/nestjs'
import type { HealthControllerOptions, HealthModuleOptions } from '@healthz/nestjs'

/** The HealthzError a call throws (its code and message), or undefined. */
function errorOf(run: () => unknown): { code: string; message: string } | undefined {
  try {
    run()
  } catch (error) {
    expect(isHealthzError(error)).toBe(true)
    return { code: (error as { code: string }).code, message: (error as Error).message }
  }
  return undefined
}

const forRoot = (options: unknown) => () => HealthModule.forRoot(options as HealthModuleOptions)

describe('controller option', () => {
  it('suggests the right name for a misspelled key, at the module and inside controller (plain JS too)', () => {
    expect(errorOf(forRoot({ serve: 'controller', controler: { globalPrefix: true } }))).toEqual({ code: 'INVALID_OPTION', message: expect.stringMatching(/unknown option "controler"; did you mean "controller"\?/) })
    expect(errorOf(forRoot({ serve: 'controller', controller: { globalPrefx: true } }))).toEqual({ code: 'INVALID_OPTION', message: expect.stringMatching(/controller: unknown option "globalPrefx"; did you mean "globalPrefix"\?/) })
    expect(errorOf(forRoot({ serve: 'controller', controller: { versions: '1' } }))).toEqual({ code: 'INVALID_OPTION', message: expect.stringMatching(/did you mean "version"\?/) })
    expect(errorOf(forRoot({ serve: 'controller', controller: { openapi: { tag: ['ops'] } } }))).toEqual({ code: 'INVALID_OPTION', message: expect.stringMatching(/openapi: unknown option "tag"; did you mean "tags"\?/) })
    const async = () => HealthModule.forRootAsync({ serve: 'controller', controller: { globalprefix: true }, useFactory: () => ({}) } as never)
    expect(errorOf(async)).toEqual({ code: 'INVALID_OPTION', message: expect.stringMatching(/HealthModule\.forRootAsync controller: unknown option "globalprefix"; did you mean "globalPrefix"\?/) })
  })

  it('refuses the option without serve: \'controller\', saying why', () => {
    expect(errorOf(forRoot({ controller: { globalPrefix: true } }))).toEqual({ code: 'INVALID_OPTION', message: expect.stringMatching(/only with serve: 'controller'.*ahead of Nest/) })
    expect(errorOf(forRoot({ serve: 'server', controller: {} }))).toEqual({ code: 'INVALID_OPTION', message: expect.stringMatching(/only with serve: 'controller'/) })
  })

  it('refuses wrong values with what is allowed', () => {
    expect(errorOf(forRoot({ serve: 'controller', controller: { globalPrefix: 'api' } }))?.message).toEqual(expect.stringMatching(/globalPrefix must be true .* or false/))
    for (const version of [1, '', [], ['1', 2], null]) {
      expect(errorOf(forRoot({ serve: 'controller', controller: { version } }))?.message, String(version)).toEqual(expect.stringMatching(/version must be VERSION_NEUTRAL/))
    }
    expect(errorOf(forRoot({ serve: 'controller', controller: { openapi: { tags: [] } } }))?.message).toEqual(expect.stringMatching(/tags must be a non-empty list/))
    expect(errorOf(forRoot({ serve: 'controller', controller: { openapi: 'yes' } }))?.message).toEqual(expect.stringMatching(/openapi expects an options object/))
    expect(errorOf(forRoot({ serve: 'controller', controller: null }))?.message).toEqual(expect.stringMatching(/controller expects an options object, got null/))
  })

  it('checks openapi.response (a format function\'s answer) at forRoot: misspelled keys, a schema that is not an object, empty strings', () => {
    const openapi = (response: unknown) => forRoot({ serve: 'controller', controller: { openapi: { response } } })
    expect(errorOf(forRoot({ serve: 'controller', controller: { openapi: { respons: {} } } }))?.message).toEqual(expect.stringMatching(/openapi: unknown option "respons"; did you mean "response"\?/))
    expect(errorOf(openapi({ schem: {} }))?.message).toEqual(expect.stringMatching(/openapi response: unknown option "schem"; did you mean "schema"\?/))
    expect(errorOf(openapi({ livenes: { schema: {} } }))?.message).toEqual(expect.stringMatching(/openapi response: unknown option "livenes"; did you mean "liveness"\?/))
    expect(errorOf(openapi({ schema: {}, readiness: { schema: {} } }))?.message).toEqual(expect.stringMatching(/response: give either one .* or one per probe .*not both/))
    expect(errorOf(openapi({ readiness: { schema: {}, contentTyp: 'text/plain' } }))?.message).toEqual(expect.stringMatching(/openapi response\.readiness: unknown option "contentTyp"; did you mean "contentType"\?/))
    for (const schema of [undefined, null, 'object', []]) {
      expect(errorOf(openapi({ schema }))?.message, String(schema)).toEqual(expect.stringMatching(/response: schema must be a JSON Schema object/))
    }
    expect(errorOf(openapi({ schema: {}, contentType: '' }))?.message).toEqual(expect.stringMatching(/response: contentType must be a non-empty string, got ""/))
    expect(errorOf(openapi({ schema: {}, description: 3 }))?.message).toEqual(expect.stringMatching(/response: description must be a non-empty string, got 3/))
    expect(errorOf(openapi('yes'))?.message).toEqual(expect.stringMatching(/openapi response expects an options object/))
  })

  it('takes every valid form', () => {
    const valid: HealthControllerOptions[] = [{}, { globalPrefix: true }, { version: '1' }, { version: VERSION_NEUTRAL }, { version: [VERSION_NEUTRAL, '1'] }, { openapi: false }, { openapi: true }, { openapi: { tags: ['ops'] } }, { openapi: { response: { schema: { type: 'object' } } } }, { openapi: { response: { readiness: { schema: { type: 'string' }, contentType: 'text/plain', description: 'lightship' } } } }]
    for (const controller of valid) {
      expect(HealthModule.forRoot({ serve: 'controller', controller }).module).toBe(HealthModule)
    }
  })
})
