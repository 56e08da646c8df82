// grpc.ts: the grpc.health.v1 service on a grpc-js server, answered by the health object's probes.
import { Server, ServerCredentials } from '@grpc/grpc-js'
import { addHealthService } from '@healthz/grpc'
import { health } from './health.js'

const server = new Server()
// server.addService(OrdersService, orders) — your own services, as usual.

// Check, Watch and List for '' (readiness), 'liveness', 'readiness', 'startup' and
// '<probe>/<check>', plus your own service names; the server drains on SIGTERM.
addHealthService(server, health, { services: { 'orders.v1.Orders': 'readiness' } })

server.bindAsync('0.0.0.0:50051', ServerCredentials.createInsecure(), (error) => {
  if (error) throw error
  health.markStarted()
})
