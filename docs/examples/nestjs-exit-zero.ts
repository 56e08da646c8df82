import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { HealthModule } from '@healthz/nestjs'

@Module({ imports: [HealthModule.forRoot({ service: { name: 'orders' } })] })
class AppModule {}

const app = await NestFactory.create(AppModule)
app.enableShutdownHooks([], { useProcessExit: true }) // exit 0 after the drain and Nest's teardown
await app.listen(3000)
