// NestJS microservices over gRPC (Nest 12, Transport.GRPC): the health service added to the
// server Nest creates, through `onLoadPackageDefinition`, with the health object from Nest's
// DI; healthz owns SIGTERM and closes the Nest app as its last shutdown hook.
import 'reflect-metadata'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { createHealth, defineCheck } from '@healthz/core'
import type { Health } from '@healthz/core'
import { addHealthService } from '@healthz/grpc'
import { Controller, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { GrpcMethod, Transport } from '@nestjs/microservices'
import type { MicroserviceOptions } from '@nestjs/microservices'
import { describe, expect, it } from 'vitest'
import { connect } from './helpers.js'

const PROTO = fileURLToPath(new URL('./fixtures/hero.proto', import.meta.url))
const HEALTH = Symbol('HEALTH')
const state = { db: true }

@Controller()
class HeroController {
  @GrpcMethod('HeroService', 'FindOne')
  async findOne(data: { id: number }): Promise<{ id: number; name: string }> {
    await new Promise((resolve) => setTimeout(resolve, data.id)) // the id is how long it takes, in ms
    return { id: data.id, name: 'Ada' }
  }
}

@Module({
  controllers: [HeroController],
  providers: [
    {
      provide: HEALTH,
      useFactory: () =>
        createHealth({
          readiness: [
            defineCheck({
              name: 'db',
              kind: 'dependency',
              cache: 0,
              run: () => {
                if (!state.db) throw new Error('db down')
              },
            }),
          ],
          shutdown: { signals: false, drainDelay: 300, gracePeriod: 3000 },
          runtime: false,
        }),
    },
  ],
})
class AppModule {}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('a NestJS gRPC microservice', () => {
  it('serves grpc.health.v1 from its checks, and drains on shutdown before Nest closes', async () => {
    const port = await freePort()
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule, {
      logger: false,
      transport: Transport.GRPC,
      options: {
        package: 'hero',
        protoPath: PROTO,
        url: `127.0.0.1:${port}`,
        // Nest hands over the grpc-js server it created: add the health service to it.
        onLoadPackageDefinition: (_definition, server) => void addHealthService(server, app.get<Health>(HEALTH)),
      },
    })
    const health = app.get<Health>(HEALTH)
    // healthz owns the signals (no app.enableShutdownHooks()): Nest closes last, after the drain.
    health.onShutdown(() => app.close(), { name: 'nest' })
    await app.listen()
    health.markStarted()

    const Hero = (grpc.loadPackageDefinition(loadSync(PROTO)) as unknown as { hero: { HeroService: typeof grpc.Client } }).hero.HeroService
    const hero = new Hero(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, (...args: unknown[]) => unknown>
    const findOne = (id: number): Promise<{ name: string }> =>
      new Promise((resolve, reject) => hero.FindOne?.call(hero, { id }, (error: Error | null, value: { name: string }) => (error ? reject(error) : resolve(value))))
    const client = connect(grpc, `127.0.0.1:${port}`)
    try {
      expect(await findOne(0)).toMatchObject({ name: 'Ada' })
      expect(await client.check('')).toBe('SERVING')
      state.db = false
      expect(await client.check('readiness/db')).toBe('NOT_SERVING')
      state.db = true
      const watch = client.watch('')
      await watch.next('SERVING')

      const inFlight = findOne(800)
      const done = health.shutdown()
      await watch.next('NOT_SERVING')
      expect(await findOne(0)).toMatchObject({ name: 'Ada' }) // served through the drain delay
      const result = await done
      expect(result.failedHooks).toEqual([])
      expect(result.closeFailures).toBe(0)
      expect(await inFlight).toMatchObject({ name: 'Ada' })
      await expect(findOne(0)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE })
    } finally {
      client.close()
      hero.close()
      health.close()
      await app.close()
    }
  })
})
