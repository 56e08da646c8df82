// Wrong options fail at the import (forRoot / forRootAsync) or when Nest creates the app, with a
// HealthzError code and what to change; a hanging check never blocks a probe inside Nest.
import 'reflect-metadata'
import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { defineCheck, isHealthzError } from '@healthz/core'
import type { Health } from '@healthz/core'
import { HEALTH, HealthModule } from '@healthz/nestjs'
import type { HealthModuleOptions } from '@healthz/nestjs'
import { call } from '../../../test-utils/client.js'

function codeOf(run: () => unknown): string | undefined {
  try {
    run()
  } catch (error) {
    expect(isHealthzError(error)).toBe(true)
    return (error as { code: string }).code
  }
  return undefined
}

async function create(imported: unknown) {
  @Module({ imports: [imported as never] })
  class AppModule {}
  return NestFactory.create(AppModule, new ExpressAdapter(), { logger: false, abortOnError: false })
}

describe('options', () => {
  it('refuses wrong module options at forRoot / forRootAsync, saying what to use', () => {
    expect(codeOf(() => HealthModule.forRoot(null as unknown as HealthModuleOptions))).toBe('INVALID_OPTION')
    expect(codeOf(() => HealthModule.forRoot({ serve: 'router' as 'server' }))).toBe('INVALID_OPTION')
    expect(() => HealthModule.forRoot({ serve: 'router' as 'server' })).toThrow(/'server'.*'controller'/)
    expect(codeOf(() => HealthModule.forRoot({ started: 'later' as 'manual' }))).toBe('INVALID_OPTION')
    expect(codeOf(() => HealthModule.forRoot({ global: 'yes' as unknown as boolean }))).toBe('INVALID_OPTION')
    expect(codeOf(() => HealthModule.forRootAsync({} as never))).toBe('INVALID_OPTION')
    expect(() => HealthModule.forRootAsync({} as never)).toThrow(/useFactory/)
  })

  it("fails the app's creation when the health options are wrong: a dependency in liveness", async () => {
    const postgres = defineCheck({ name: 'postgres', kind: 'dependency', run: () => undefined })
    await expect(create(HealthModule.forRoot({ liveness: [postgres] }))).rejects.toMatchObject({ code: 'DEPENDENCY_IN_LIVENESS' })
  })

  it('fails the app\'s creation when useFactory does not return options', async () => {
    await expect(create(HealthModule.forRootAsync({ useFactory: () => null as never }))).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/useFactory must return/) })
  })

  it('answers the probe at the deadline when a check hangs, with one run in flight for many probes', async () => {
    let runs = 0
    const hanging = defineCheck({
      name: 'hangs',
      timeout: 150,
      run: () => {
        runs += 1
        return new Promise<never>(() => undefined)
      },
    })
    const app = await create(HealthModule.forRoot({ readiness: [hanging] }))
    await app.listen(0, '127.0.0.1')
    const port = (app.getHttpServer().address() as AddressInfo).port
    try {
      const replies = await Promise.all(Array.from({ length: 20 }, () => call(port, '/readyz')))
      expect(replies.map((reply) => reply.status)).toEqual(Array(20).fill(503))
      expect(runs).toBe(1)
      expect((await call(port, '/livez')).status).toBe(200)
      expect(app.get<Health>(HEALTH).started).toBe(true)
    } finally {
      await app.close()
    }
  })

  it('opens the startup gate from startup checks (not at bootstrap) when startup checks are given', async () => {
    const migrations = { done: false }
    const app = await create(
      HealthModule.forRoot({
        startup: [defineCheck({ name: 'migrations', kind: 'process', run: () => { if (!migrations.done) throw new Error('pending') } })],
      }),
    )
    await app.listen(0, '127.0.0.1')
    const port = (app.getHttpServer().address() as AddressInfo).port
    try {
      expect((await call(port, '/startupz')).status).toBe(503)
      expect((await call(port, '/readyz')).status).toBe(503)
      migrations.done = true
      expect((await call(port, '/startupz')).status).toBe(200)
      expect((await call(port, '/readyz')).status).toBe(200)
      migrations.done = false
      expect((await call(port, '/startupz')).status).toBe(200) // latched
    } finally {
      await app.close()
    }
  })

  it('works as a non-global module: the importing module injects HEALTH', async () => {
    const app = await create(HealthModule.forRoot({ global: false }))
    await app.listen(0, '127.0.0.1')
    const port = (app.getHttpServer().address() as AddressInfo).port
    try {
      expect(app.get<Health>(HEALTH).started).toBe(true)
      expect((await call(port, '/readyz')).status).toBe(200)
      const closing = app.close()
      await new Promise((resolve) => setImmediate(resolve))
      expect(app.get<Health>(HEALTH).phase).not.toBe('running')
      await closing
      expect(app.get<Health>(HEALTH).phase).toBe('stopped')
    } finally {
      await app.close()
    }
  })

  it('opens the startup gate at bootstrap in an application context without HTTP server, and shuts down on close()', async () => {
    @Module({ imports: [HealthModule.forRoot()] })
    class WorkerModule {}
    const context = await NestFactory.createApplicationContext(WorkerModule, { logger: false })
    const health = context.get<Health>(HEALTH)
    expect(health.started).toBe(true)
    expect((await health.probe('readiness')).status).toBe('pass')
    await context.close()
    expect(health.phase).toBe('stopped')
  })
})
