// grpc-nestjs.ts: the grpc.health.v1 service in a NestJS gRPC microservice (Transport.GRPC).
import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { Transport } from '@nestjs/microservices'
import type { MicroserviceOptions } from '@nestjs/microservices'
import type { Health } from '@healthz/core'
import { addHealthService } from '@healthz/grpc'
import { health } from './health.js'

const HEALTH = Symbol('HEALTH')

// The health object is a provider: build it with useFactory from your injected clients.
@Module({ providers: [{ provide: HEALTH, useValue: health }] })
class AppModule {}

const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule, {
  transport: Transport.GRPC,
  options: {
    package: 'orders',
    protoPath: 'orders.proto',
    url: '0.0.0.0:50051',
    // Nest hands over the grpc-js server it creates: add the health service to it.
    onLoadPackageDefinition: (_definition, server) => void addHealthService(server, app.get<Health>(HEALTH)),
  },
})
// healthz owns SIGTERM (no app.enableShutdownHooks()): NOT_SERVING, drainDelay, tryShutdown(),
// then Nest closes as the last shutdown hook.
health.onShutdown(() => app.close(), { name: 'nest' })
await app.listen()
health.markStarted()
