// A kubelet-like prober: an HTTP GET every `period` ms on a fresh connection, a failure when the
// answer is not 200–399 or does not come within `timeout` ms, and a restart counted at
// `failureThreshold` failures in a row (the kubelet would restart the container; here the count
// starts again, as it would for the new container).
import { request } from 'node:http'

/**
 * @param {{ port: number, path?: string, host?: string, period?: number, timeout?: number, failureThreshold?: number }} options
 */
export function startProber({ port, path = '/livez', host = '127.0.0.1', period = 1000, timeout = 1000, failureThreshold = 3 }) {
  /** @type {Array<{ at: number, status: number | 'timeout' | 'error', ms: number }>} */
  const probes = []
  const restartsAt = []
  let failures = 0
  const pending = new Set()
  const probe = () => {
    const sentAt = performance.now()
    const at = Date.now()
    const done = new Promise((resolve) => {
      let settled = false
      const settle = (status) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        probes.push({ at, status, ms: performance.now() - sentAt })
        const ok = typeof status === 'number' && status >= 200 && status < 400
        failures = ok ? 0 : failures + 1
        if (failures >= failureThreshold) {
          restartsAt.push(at)
          failures = 0
        }
        resolve()
      }
      const req = request({ host, port, path, agent: false }, (res) => {
        res.resume()
        res.once('end', () => settle(res.statusCode ?? 0))
      })
      const timer = setTimeout(() => {
        settle('timeout')
        req.destroy()
      }, timeout)
      req.once('error', () => settle('error'))
      req.end()
    })
    pending.add(done)
    void done.then(() => pending.delete(done))
  }
  probe()
  const interval = setInterval(probe, period)
  return {
    probes,
    get restarts() {
      return restartsAt.length
    },
    restartsAt,
    /** Stops probing and resolves with every probe once those in flight have settled. */
    async stop() {
      clearInterval(interval)
      await Promise.all(pending)
      return { probes, restarts: restartsAt.length, restartsAt }
    },
  }
}

/** The p-th percentile (0–100) of a list of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}
