import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { defineCheck } from '@healthz/core'
import { HealthModule } from '@healthz/nestjs'

@Module({
  imports: [
    // Answers /livez, /readyz and /startupz at the HTTP server, ahead of Nest: no global guard,
    // interceptor or pipe ever sees a probe.
    HealthModule.forRoot({
      service: { name: 'orders', version: '1.0.0' },
      readiness: [
        defineCheck({
          name: 'postgres',
          kind: 'dependency',
          componentType: 'datastore',
          run: async ({ signal }) => {
            await db.ping({ signal }) // db: your database client; pass the deadline down
          },
        }),
      ],
    }),
  ],
})
class AppModule {}

const app = await NestFactory.create(AppModule)
// SIGTERM → readiness fails → drain delay → the server drains → Nest closes.
app.enableShutdownHooks()
await app.listen(3000) // the startup gate opens once Nest has bootstrapped and listens
