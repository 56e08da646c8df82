import { defineCheck } from '@healthz/core'

// Runs every 5 s (± 10 % jitter) in the background; probes only read the last result.
export const kafka = defineCheck({
  name: 'kafka',
  interval: 5000,
  maxAge: 15_000, // a result older than this counts as fail (default: 2 × interval + timeout)
  timeout: 1000,
  run: async () => {
    await kafkaAdmin.describeCluster()
  },
})
