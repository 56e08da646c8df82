// The probe route handlers: app/livez, app/readyz and app/startupz re-export these. Each answers
// through @healthz/fetch, so HEAD, 405 with `Allow`, per-check paths (/readyz/postgres),
// `?exclude=` and the health+json body are the health object's, exactly as on every other adapter.
import { createFetchHandler } from '@healthz/fetch'
import { getHealth } from './health'

let probes: ((request: Request) => Promise<Response | undefined>) | undefined

async function probe(request: Request): Promise<Response> {
  probes ??= createFetchHandler(getHealth())
  // undefined: a path under /livez, /readyz or /startupz that is no probe (the health object's
  // routing decides, e.g. /readyz/a/b).
  return (await probes(request)) ?? new Response('not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } })
}

// Every method goes to the handler, so that the answer to POST, PUT… is the health object's 405
// with `Allow: GET, HEAD` rather than Next's own.
export { probe as GET, probe as HEAD, probe as POST, probe as PUT, probe as PATCH, probe as DELETE, probe as OPTIONS }
