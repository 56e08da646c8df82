import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger'
import { HealthModule } from '@healthz/nestjs'
import { lightshipFormat } from './formats-lightship.js'
import { postgres } from './health.js'

@Module({
  imports: [
    HealthModule.forRoot({
      serve: 'controller',
      readiness: [postgres],
      // Readiness answers Spring Boot Actuator's body (what Eureka and Spring Boot Admin read), liveness
      // keeps lightship's plain text for an old monitor, startup keeps health+json.
      format: { readiness: 'spring', liveness: lightshipFormat },
      controller: {
        // The document describes /readyz with SPRING_SCHEMA in Actuator's content type by itself; a format
        // function's answer is the application's: describe it here, or it is documented without a schema.
        openapi: { response: { liveness: { schema: { type: 'string', enum: ['SERVER_IS_NOT_SHUTTING_DOWN', 'SERVER_IS_SHUTTING_DOWN'] }, contentType: 'text/plain' } } },
      },
    }),
  ],
})
class AppModule {}

const app = await NestFactory.create(AppModule)
SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('orders').build()))
app.enableShutdownHooks()
await app.listen(3000)
