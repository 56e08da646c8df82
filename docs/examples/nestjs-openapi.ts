import { Module, VERSION_NEUTRAL, VersioningType } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger'
import { HealthModule } from '@healthz/nestjs'

@Module({
  imports: [
    HealthModule.forRoot({
      serve: 'controller',
      controller: {
        globalPrefix: true, // follow app.setGlobalPrefix(): GET /api/livez, /api/readyz, /api/startupz
        version: VERSION_NEUTRAL, // the default: no /v1 in the probe paths, any version header accepted
        openapi: { tags: ['health'] }, // the default; false leaves the probes out of the document
      },
    }),
  ],
})
class AppModule {}

const app = await NestFactory.create(AppModule)
app.setGlobalPrefix('api')
app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' }) // your routes: /api/v1/…
// The probe routes are in the document with their summaries and the health+json schema for 200 and 503.
const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('orders').build())
SwaggerModule.setup('docs', app, document)
app.enableShutdownHooks()
await app.listen(3000)
