import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { HealthModule } from '@healthz/nestjs'
import { defineCheck } from '@healthz/core'

// A dependency (the default kind): it backs readiness, never liveness.
const postgres = defineCheck({
  name: 'postgres',
  componentType: 'datastore',
  timeout: 500, // the probe answers `fail` at 500 ms even if the database hangs
  run: async ({ signal }) => {
    await db.ping({ signal }) // db: your database client; pass the deadline down
  },
})

@Module({
  // /livez, /readyz and /startupz, answered at the HTTP server ahead of Nest's guards and pipes.
  imports: [HealthModule.forRoot({ service: { name: 'orders', version: '1.0.0' }, readiness: [postgres] })],
})
class AppModule {}

const app = await NestFactory.create(AppModule)
app.enableShutdownHooks() // SIGTERM: readiness fails, the server drains, then Nest closes
await app.listen(8080) // the startup gate opens once Nest listens
