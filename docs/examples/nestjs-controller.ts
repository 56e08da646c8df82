import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { HealthModule } from '@healthz/nestjs'

@Module({
  // The probes as Nest routes, answered by a middleware that Nest runs before guards,
  // interceptors and pipes.
  imports: [HealthModule.forRoot({ serve: 'controller' })],
})
class AppModule {}

const app = await NestFactory.create(AppModule)
app.setGlobalPrefix('api') // your routes: /api/…; the probes stay at GET /livez, /readyz, /startupz
app.enableShutdownHooks()
await app.listen(3000)
