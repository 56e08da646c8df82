import { defineCheck } from '@healthz/core'

// Honours the deadline: fetch stops when the signal aborts, so nothing is left running.
export const inventory = defineCheck({
  name: 'inventory-api',
  timeout: 300,
  run: async ({ signal }) => {
    const response = await fetch('http://inventory.internal/readyz', { signal })
    if (!response.ok) throw new Error(`inventory-api answered ${response.status}`)
  },
})

// Cannot honour it (this client's ping takes no signal): the probe still reports fail at
// 500 ms, and the check is not started again until the hung ping settles.
export const redis = defineCheck({
  name: 'redis',
  run: async () => {
    await redisClient.ping()
  },
})
