import { Module } from '@nestjs/common'
import { defineCheck } from '@healthz/core'
import { HealthModule } from '@healthz/nestjs'

const database = defineCheck({ name: 'database', run: async ({ signal }) => db.ping({ signal }) })

@Module({
  imports: [
    HealthModule.forRoot({
      readiness: [database],
      // GET /health keeps @nestjs/terminus' body and codes for the dashboards that read it;
      // /livez and /startupz answer health+json.
      paths: { readiness: '/health' },
      format: { readiness: 'terminus' },
      details: 'always', // terminus showed every indicator's message
    }),
  ],
})
export class AppModule {}
