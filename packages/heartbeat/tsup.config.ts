import { defineConfig } from 'tsup'
import { packageConfig } from '../../tsup.config.base'

// One entry per transport that needs a client, so importing the package loads no client.
export default defineConfig(packageConfig({ entry: ['src/index.ts', 'src/redis.ts', 'src/nats.ts', 'src/http.ts'] }))
