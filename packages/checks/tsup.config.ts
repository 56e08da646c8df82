import { defineConfig } from 'tsup'
import { packageConfig } from '../../tsup.config.base'

// One entry per client, so importing `@healthz/checks` never touches a client library.
export default defineConfig(
  packageConfig({
    entry: ['src/index.ts', 'src/pg.ts', 'src/mysql2.ts', 'src/ioredis.ts', 'src/redis.ts', 'src/amqplib.ts', 'src/nats.ts', 'src/mqtt.ts'],
  }),
)
