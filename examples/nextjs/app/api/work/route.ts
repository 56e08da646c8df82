// A route that takes as long as `?ms=` says (at most 30 s): the request still in flight when
// SIGTERM arrives, in the example's rolling-restart test. It names the health object it sees, so
// the test can check that every route handler shares the one instrumentation.ts created.
import { healthId } from '../../../lib/health'

export const dynamic = 'force-dynamic'

export async function GET(request: Request): Promise<Response> {
  const ms = Math.min(Number(new URL(request.url).searchParams.get('ms')) || 0, 30_000)
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms))
  return new Response('ok', { headers: { 'content-type': 'text/plain; charset=utf-8', 'x-health-id': healthId() } })
}
