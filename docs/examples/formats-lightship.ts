import type { FormatFunction } from '@healthz/core'

// lightship's plain-text answers, for monitors that read them: SERVER_IS_READY (200) or
// SERVER_IS_NOT_READY (500) on readiness, SERVER_IS_NOT_SHUTTING_DOWN on liveness. Called once per
// changed report, not per request. Liveness keeps answering 200 during the drain (lightship's
// /live answers 500 SERVER_IS_SHUTTING_DOWN then): the text says it, the status does not restart the pod.
export const lightshipFormat: FormatFunction = (report, { phase }) => {
  const headers = { 'content-type': 'text/plain; charset=utf-8' }
  if (report.probe === 'liveness') {
    const body = phase === 'running' ? 'SERVER_IS_NOT_SHUTTING_DOWN' : 'SERVER_IS_SHUTTING_DOWN'
    return { status: report.status === 'fail' ? 500 : 200, headers, body }
  }
  return report.status === 'fail' ? { status: 500, headers, body: 'SERVER_IS_NOT_READY' } : { status: 200, headers, body: 'SERVER_IS_READY' }
}
