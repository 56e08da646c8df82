// One gRPC server for bench/grpc/run.mjs, as a child process on 127.0.0.1:0; prints
// `{"port":N}` once it serves. Kinds:
//   official  grpc-health-check 2.x: a static status map ({ '': SERVING }), no checks
//   healthz   @healthz/grpc over createHealth with five cached readiness checks (bench/README.md)
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

// grpc-js, grpc-health-check and the built packages, resolved where the workspace installed them
// (packages/grpc's devDependencies): bench/ is not a workspace package.
const fromPackage = createRequire(new URL('../../packages/grpc/package.json', import.meta.url))
const load = (name) => import(pathToFileURL(fromPackage.resolve(name)).href)
const grpc = await load('@grpc/grpc-js')
const kind = process.argv[2]

const server = new grpc.Server()
if (kind === 'official') {
  const { HealthImplementation } = await load('grpc-health-check')
  new HealthImplementation({ '': 'SERVING' }).addToServer(server)
} else if (kind === 'healthz') {
  const { createHealth, defineCheck } = await import('../../packages/core/dist/index.js')
  const { addHealthService } = await import('../../packages/grpc/dist/index.js')
  // The probe benchmark's readiness: five dependency checks, default 1000 ms cache, each awaiting one setImmediate.
  const readiness = Array.from({ length: 5 }, (_, index) =>
    defineCheck({ name: `dep-${index}`, kind: 'dependency', run: () => new Promise((resolve) => setImmediate(resolve)) }),
  )
  const health = createHealth({ service: { name: 'bench' }, readiness, shutdown: { signals: false } })
  health.markStarted()
  addHealthService(server, health, { drain: false })
} else {
  console.error(`unknown server kind ${JSON.stringify(kind)}: use official or healthz`)
  process.exit(2)
}
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error
  process.stdout.write(`${JSON.stringify({ port })}\n`)
})
process.on('SIGTERM', () => {
  server.forceShutdown()
  process.exit(0)
})
