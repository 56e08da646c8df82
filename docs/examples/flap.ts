import { defineCheck } from '@healthz/core'

// Report fail after 3 failed runs in a row, and pass again after 2 passes in a row.
export const search = defineCheck({
  name: 'search',
  failureThreshold: 3,
  successThreshold: 2,
  run: async ({ signal }) => {
    const response = await fetch('http://search.internal/_cluster/health', { signal })
    if (!response.ok) throw new Error(`search answered ${response.status}`)
  },
})
