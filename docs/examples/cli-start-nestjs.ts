import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { HealthModule } from '@healthz/nestjs'
import pg from 'pg'
import { postgresCheck } from '@healthz/checks/pg'

// The pool the app already queries with: the check borrows a connection per run.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
// A dependency: it backs readiness, never liveness. At 500 ms the probe answers `fail`, and a
// query still running then has its connection destroyed, not returned to the pool.
const postgres = postgresCheck({ client: pool, timeout: 500 })

@Module({
  // /livez, /readyz and /startupz, answered at the HTTP server ahead of Nest's guards and pipes.
  imports: [HealthModule.forRoot({ service: { name: 'orders', version: '1.0.0' }, readiness: [postgres] })],
})
class AppModule {}

const app = await NestFactory.create(AppModule)
app.enableShutdownHooks() // SIGTERM: readiness fails, the server drains, then Nest closes
await app.listen(8080) // the startup gate opens once Nest listens
