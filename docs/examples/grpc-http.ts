// grpc-http.ts: one process serving HTTP and gRPC from one health object; one SIGTERM drains both.
import { createServer } from 'node:http'
import { Server, ServerCredentials } from '@grpc/grpc-js'
import { addHealthService } from '@healthz/grpc'
import { createHealthListener, drainOnShutdown } from '@healthz/http'
import { health } from './health.js'

const http = createServer(createHealthListener(health, { next: (req, res) => res.end('orders') }))
drainOnShutdown(health, http)
http.listen(8080)

const grpc = new Server()
addHealthService(grpc, health) // drains the gRPC server too
grpc.bindAsync('0.0.0.0:50051', ServerCredentials.createInsecure(), (error) => {
  if (error) throw error
  health.markStarted()
})
