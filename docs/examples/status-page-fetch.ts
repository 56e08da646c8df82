import { createHealth } from '@healthz/core'
import { createFetchHandler } from '@healthz/fetch'
import { postgres } from './health.js'

const health = createHealth({ readiness: [postgres], statusPage: true })
const probes = createFetchHandler(health)

// The page is a Response like the probes; its stream is a Response with a ReadableStream body.
export default {
  async fetch(request: Request): Promise<Response> {
    return (await probes(request)) ?? new Response('not found', { status: 404 })
  },
}
