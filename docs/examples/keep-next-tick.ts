// keep-next-tick.ts, imported first by the entry point
import { keepNextTickFast } from '@healthz/core'
keepNextTickFast()
