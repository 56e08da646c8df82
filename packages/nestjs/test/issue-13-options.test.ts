// Issue 13, items 4 and 6 for @healthz/nestjs: forRoot, forRootAsync and what useFactory resolves
// with refuse keys they do not declare (with a "did you mean"); durations are checked by core.
import 'reflect-metadata'
import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { describe, expect, it } from 'vitest'
import { defineCheck } from '@healthz/core'
import { HealthModule } from '@healthz/nestjs'
import type { HealthModuleAsyncOptions, HealthModuleOptions } from '@healthz/nestjs'

async function create(imported: unknown) {
  @Module({ imports: [imported as never] })
  class AppModule {}
  return NestFactory.create(AppModule, new ExpressAdapter(), { logger: false, abortOnError: false })
}

const db = defineCheck({ name: 'db', run: () => undefined })

describe('issue-13 item 6: HealthModule refuses unknown option keys with a did-you-mean', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['forRoot readyness', () => HealthModule.forRoot({ readyness: [db] } as HealthModuleOptions), /^HealthModule.forRoot: unknown option "readyness"; did you mean "readiness"\?/],
    ['forRoot serv', () => HealthModule.forRoot({ serv: 'controller' } as HealthModuleOptions), /^HealthModule.forRoot: unknown option "serv"; did you mean "serve"\?/],
    ['forRoot paths.ready', () => HealthModule.forRoot({ paths: { ready: '/ready' } } as never), /^HealthModule.forRoot: paths: unknown option "ready"; did you mean "readiness"\?/],
    ['forRootAsync injects', () => HealthModule.forRootAsync({ useFactory: () => ({}), injects: [] } as HealthModuleAsyncOptions), /^HealthModule.forRootAsync: unknown option "injects"; did you mean "inject"\?/],
    ['forRootAsync readiness', () => HealthModule.forRootAsync({ useFactory: () => ({}), readiness: [db] } as HealthModuleAsyncOptions), /^HealthModule.forRootAsync: unknown option "readiness"; .*useFactory/],
  ]
  it.each(cases)('issue-13 item 6: %s is refused at the import with INVALID_OPTION', (_name, run, message) => {
    expect(run).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(message) }))
  })

  it('issue-13 item 6: forRootAsync refuses readyness in what useFactory resolves with, when Nest creates the app', async () => {
    await expect(create(HealthModule.forRootAsync({ useFactory: async () => ({ readyness: [db] }) as never }))).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/^HealthModule.forRootAsync useFactory result: unknown option "readyness"; did you mean "readiness"\?/),
    })
  })

  it('issue-13 item 6: forRootAsync refuses paths in what useFactory resolves with, saying where paths go', async () => {
    await expect(create(HealthModule.forRootAsync({ useFactory: () => ({ paths: { readiness: '/ready' } }) as never }))).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/paths.*forRootAsync itself/),
    })
  })

  it('issue-13 item 4: a drainDelay of 3e9 ms is refused when Nest creates the app', async () => {
    await expect(create(HealthModule.forRoot({ shutdown: { drainDelay: 3e9 } }))).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/shutdown.drainDelay must be a number of milliseconds from 0 up to 2147483647/),
    })
  })
})
