import { Inject, Injectable, Module } from '@nestjs/common'
import type { OnApplicationBootstrap } from '@nestjs/common'
import type { Health } from '@healthz/core'
import { HEALTH, HealthModule } from '@healthz/nestjs'

@Injectable()
class Warmup implements OnApplicationBootstrap {
  constructor(@Inject(HEALTH) private readonly health: Health) {}

  async onApplicationBootstrap(): Promise<void> {
    await boot() // warm caches, run migrations…
    this.health.markStarted() // started: 'manual' below: the startup gate waits for this
  }
}

@Module({
  imports: [HealthModule.forRoot({ started: 'manual' })],
  providers: [Warmup],
})
export class AppModule {}
