// The hand-written codec against protobufjs: a client made from the official health.proto (the one
// grpc-health-check ships, loaded with @grpc/proto-loader) calls Check, Watch and List on
// @healthz/grpc, so every message is encoded or decoded by the other side's implementation.
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { createHealth, defineCheck } from '@healthz/core'
import { protoPath } from 'grpc-health-check'
import { describe, expect, it } from 'vitest'
import { startServer } from './helpers.js'

type Callback<T> = (error: grpc.ServiceError | null, value: T) => void
interface OfficialClient extends grpc.Client {
  Check(request: { service: string }, callback: Callback<{ status: string }>): void
  List(request: object, callback: Callback<{ statuses: Record<string, { status: string }> }>): void
  Watch(request: { service: string }): grpc.ClientReadableStream<{ status: string }>
}

describe('a client built from the official health.proto', () => {
  it('reads Check, Watch and List, service names of every length included', async () => {
    const definition = loadSync(protoPath, { keepCase: true, enums: String, defaults: true })
    const Health = (grpc.loadPackageDefinition(definition) as unknown as { grpc: { health: { v1: { Health: new (address: string, credentials: grpc.ChannelCredentials) => OfficialClient } } } }).grpc.health.v1.Health
    // A service name long enough (> 127 bytes) that its length takes two bytes on the wire.
    const long = `orders.v1.${'x'.repeat(150)}`
    const health = createHealth({
      readiness: [defineCheck({ name: 'db', kind: 'dependency', cache: 0, run: () => {} })],
      shutdown: { signals: false },
      runtime: false,
    })
    const { server, address } = await startServer(grpc, health, { services: { 'orders.v1.Orders': 'readiness', [long]: 'readiness/db' } })
    const client = new Health(address, grpc.credentials.createInsecure())
    const check = (service: string) => new Promise<string>((resolve, reject) => client.Check({ service }, (error, value) => (error ? reject(error) : resolve(value.status))))
    try {
      expect(await check('')).toBe('NOT_SERVING') // not started yet
      health.markStarted()
      expect(await check('')).toBe('SERVING')
      expect(await check(long)).toBe('SERVING')
      expect(await check('orders.v1.Orders')).toBe('SERVING')
      await expect(check('nope')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND })
      const list = await new Promise<Record<string, { status: string }>>((resolve, reject) => client.List({}, (error, value) => (error ? reject(error) : resolve(value.statuses))))
      expect(Object.fromEntries(Object.entries(list).map(([name, value]) => [name, value.status]))).toEqual({
        '': 'SERVING',
        liveness: 'SERVING',
        readiness: 'SERVING',
        startup: 'SERVING',
        'readiness/db': 'SERVING',
        'orders.v1.Orders': 'SERVING',
        [long]: 'SERVING',
      })
      const watch = client.Watch({ service: 'nope' })
      const first = await new Promise<string>((resolve) => watch.once('data', (value: { status: string }) => resolve(value.status)))
      expect(first).toBe('SERVICE_UNKNOWN')
      watch.on('error', () => {})
      watch.cancel()
    } finally {
      client.close()
      server.forceShutdown()
      health.close()
    }
  })
})
