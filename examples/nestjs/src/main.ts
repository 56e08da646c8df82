// Starts the orders service: PORT (default 3000), HOST (default 127.0.0.1; 0.0.0.0 in a
// container), API_TOKEN (default dev-token), DATABASE_URL or PG*, DRAIN_MS (default 2000).
import 'reflect-metadata'
import { NestFactory } from '@nestjs/core'
import { AppModule } from './app.module.js'

const app = await NestFactory.create(AppModule)
// SIGTERM / Ctrl-C: readiness fails, DRAIN_MS passes, the server drains, then the pool closes.
app.enableShutdownHooks()
await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST || '127.0.0.1')
console.log(`orders listening on ${await app.getUrl()}: /orders (Bearer token), /livez, /readyz, /startupz`)
