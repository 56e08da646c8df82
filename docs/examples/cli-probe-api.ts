import { probe } from '@healthz/cli'

// `healthz probe` as a function: one GET with a deadline; network failures resolve, never throw.
const result = await probe({ url: 'http://127.0.0.1:8080/readyz', timeout: 800, expect: '200-399' })
if (!result.ok) {
  // e.g. "HTTP 503 Service Unavailable from http://127.0.0.1:8080/readyz, expected 200-399 (status fail; failing: postgres)"
  console.error(result.reason)
}
