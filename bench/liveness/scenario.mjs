// Issue 18's scenario, shared by the test (tests/liveness) and the benchmark (run.mjs): runs
// service.mjs as a child process with a plan of CPU bursts, probes it like the kubelet (period
// 1 s, timeout 1 s, failureThreshold 3) on the main port's /livez, on the liveness worker's port,
// and on /readyz, and reduces what happened to counts and latencies.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { percentile, startProber } from './prober.mjs'

const SERVICE = fileURLToPath(new URL('./service.mjs', import.meta.url))

/**
 * @param {{ env?: Record<string, string>, plan?: string, foreverFor?: number, prober?: { period?: number, timeout?: number, failureThreshold?: number } }} options
 *   foreverFor: with a plan that ends in `forever`, how long to keep probing after it began, in ms.
 */
export async function runScenario({ env = {}, plan, foreverFor = 0, prober = {} } = {}) {
  const child = spawn(process.execPath, [SERVICE], {
    env: { ...process.env, ...env, ...(plan === undefined ? {} : { PLAN: plan }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const events = []
  let wake = () => undefined
  createInterface({ input: child.stdout }).on('line', (line) => {
    events.push(JSON.parse(line))
    wake()
  })
  const next = async (name) => {
    for (;;) {
      const found = events.find((event) => event.event === name)
      if (found !== undefined) return found
      const exit = await Promise.race([new Promise((resolve) => (wake = resolve)), exited])
      if (exit !== undefined && events.find((event) => event.event === name) === undefined) throw new Error(`the scenario service exited (${JSON.stringify(exit)}) before ${name}`)
    }
  }
  try {
    const listening = await next('listening')
    const main = startProber({ port: listening.port, path: '/livez', ...prober })
    const worker = listening.livenessPort === undefined ? undefined : startProber({ port: listening.livenessPort, path: '/livez', ...prober })
    const readiness = startProber({ port: listening.port, path: '/readyz', ...prober })
    let foreverAt
    if (foreverFor > 0) {
      foreverAt = (await nextStep('forever')).at
      await new Promise((resolve) => setTimeout(resolve, foreverFor))
    } else {
      await next('done')
    }
    const results = { main: await main.stop(), worker: await worker?.stop(), readiness: await readiness.stop() }
    return summarize({ events, listening, results, foreverAt })
  } finally {
    child.kill('SIGKILL')
    await exited
  }

  async function nextStep(step) {
    for (;;) {
      const found = events.find((event) => event.event === 'step' && event.step === step)
      if (found !== undefined) return found
      await Promise.race([new Promise((resolve) => (wake = resolve)), exited.then(() => Promise.reject(new Error(`the service exited before ${step}`)))])
    }
  }
}

function summarize({ events, listening, results, foreverAt }) {
  const steps = events.filter((event) => event.event === 'step')
  // The stretches of each burst, from its start to the next step's.
  const bursts = steps.flatMap((step, index) => (step.step.startsWith('burst:') ? [{ from: step.at, to: steps[index + 1]?.at ?? Number.POSITIVE_INFINITY, ms: Number(step.step.slice(6)) }] : []))
  const inBurst = (probe) => bursts.some((burst) => probe.at >= burst.from && probe.at < burst.to)
  const ok = (probe) => typeof probe.status === 'number' && probe.status >= 200 && probe.status < 400
  const firstBurst = bursts[0]?.from ?? Number.POSITIVE_INFINITY
  const lastBurstEnd = bursts.at(-1)?.to ?? Number.NEGATIVE_INFINITY
  // Transitions only: the check's first result (previous undefined) is not one.
  const transitions = events.filter((event) => event.event === 'overload' && event.previous !== undefined && event.previous !== event.current)
  const gaps = transitions.slice(1).map((event, index) => event.at - transitions[index].at)
  const workerProbes = results.worker?.probes ?? []
  const workerBurst = workerProbes.filter(inBurst)
  const describe = ({ probes, restarts }) => ({
    probes: probes.length,
    failures: probes.filter((probe) => !ok(probe)).length,
    timeouts: probes.filter((probe) => probe.status === 'timeout').length,
    restarts,
  })
  const summary = {
    startupMs: listening.startupMs,
    rssDeltaMb: (listening.rssAfter - listening.rssBefore) / 2 ** 20,
    saturatedElu: events.find((event) => event.event === 'saturated')?.elu,
    bursts: bursts.length,
    main: describe(results.main),
    worker: results.worker === undefined ? undefined : { ...describe(results.worker), burstProbes: workerBurst.length, burstOk: workerBurst.filter(ok).length, burstP50: percentile(workerBurst.map((probe) => probe.ms), 50), burstP99: percentile(workerBurst.map((probe) => probe.ms), 99), burstMax: Math.max(...workerBurst.map((probe) => probe.ms)) },
    readiness: {
      ...describe(results.readiness),
      // 503 answers while the bursts run (timeouts are the main thread busy, not an answer).
      unavailableDuringBursts: results.readiness.probes.filter((probe) => probe.at >= firstBurst && probe.at < lastBurstEnd + 1000 && probe.status === 503).length,
      okBeforeBursts: results.readiness.probes.filter((probe) => probe.at < firstBurst && probe.status === 200).length,
      lastStatus: results.readiness.probes.at(-1)?.status,
    },
    overload: { transitions: transitions.map((event) => event.current), minGapMs: gaps.length === 0 ? undefined : Math.min(...gaps) },
  }
  if (foreverAt !== undefined) {
    const after = workerProbes.filter((probe) => probe.at >= foreverAt)
    const firstFailure = after.find((probe) => !ok(probe))
    summary.forever = {
      firstFailureAfterMs: firstFailure === undefined ? undefined : firstFailure.at - foreverAt,
      probesAfterFirstFailure: firstFailure === undefined ? 0 : after.filter((probe) => probe.at >= firstFailure.at).length,
      okAfterFirstFailure: firstFailure === undefined ? 0 : after.filter((probe) => probe.at >= firstFailure.at && ok(probe)).length,
      workerRestarts: results.worker?.restartsAt.filter((at) => at >= foreverAt).length ?? 0,
    }
  }
  return summary
}
