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

// Cannot honour it (this admin client's call takes no signal): the probe still reports fail
// at 500 ms, and the check is not started again until the hung call settles.
export const kafka = defineCheck({
  name: 'kafka',
  run: async () => {
    await kafkaAdmin.describeCluster()
  },
})
