import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import pg from 'pg'
import { postgresCheck } from '@healthz/checks/pg'
import { HealthModule } from '@healthz/nestjs'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })

@Module({
  imports: [
    // Answers /livez, /readyz and /startupz at the HTTP server, ahead of Nest: no global guard,
    // interceptor or pipe ever sees a probe.
    HealthModule.forRoot({
      service: { name: 'orders', version: '1.0.0' },
      // Borrows a connection from the app's pool per run; fails at the 500 ms default deadline.
      readiness: [postgresCheck({ client: pool })],
    }),
  ],
})
class AppModule {}

const app = await NestFactory.create(AppModule)
// SIGTERM → readiness fails → drain delay → the server drains → Nest closes.
app.enableShutdownHooks()
await app.listen(3000) // the startup gate opens once Nest has bootstrapped and listens
