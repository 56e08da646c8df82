// Issue 18's benchmark: the scenario of scenario.mjs for about 60 s of bursts (1–4 s of CPU,
// ~90% event-loop utilization), probed like the kubelet on the main port and on the liveness
// worker's port, then `while (true) {}`. Prints the restarts the kubelet would have made on each
// port, the worker's answer times during the bursts, its start-up time and RSS, and the
// overload-aware readiness transitions. Needs the built packages (pnpm build).
//
//   node bench/liveness/run.mjs            # ~100 s: the 60 s plan, then the while (true) run
//   BENCH_QUICK=1 node bench/liveness/run.mjs   # a smoke run of ~25 s
import { runScenario } from './scenario.mjs'

const quick = process.env.BENCH_QUICK === '1'
const round = (value, digits = 1) => (value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits))

const busy = await runScenario(quick ? { plan: 'quiet:2000,burst:4000,gap:300,burst:1500,gap:300,burst:3500,gap:300,quiet:9000' } : {})
const stuckTolerance = 15_000
const stuck = await runScenario({ env: { OVERLOAD: '0' }, plan: 'quiet:1000,burst:3000,gap:300,forever', foreverFor: stuckTolerance + 1000 + 4000 })

const w = busy.worker
console.log(`bursts: ${busy.bursts}, event-loop utilization while they ran: ${round((busy.saturatedElu ?? Number.NaN) * 100)}%`)
console.log(`main-port /livez: ${busy.main.probes} probes, ${busy.main.timeouts} timeouts, restarts the kubelet would make: ${busy.main.restarts}`)
console.log(`worker /livez:    ${w.probes} probes, ${w.failures} failures, restarts: ${w.restarts}`)
console.log(`worker answers during bursts: ${w.burstOk}/${w.burstProbes} ok, p50 ${round(w.burstP50)} ms, p99 ${round(w.burstP99)} ms, max ${round(w.burstMax)} ms`)
console.log(`worker start-up: ${round(busy.startupMs)} ms, RSS +${round(busy.rssDeltaMb)} MiB (stuck run: ${round(stuck.startupMs)} ms, +${round(stuck.rssDeltaMb)} MiB)`)
console.log(`overload readiness: ${busy.readiness.unavailableDuringBursts} answers 503 during the bursts, transitions ${busy.overload.transitions.join(' → ') || 'none'}, shortest gap ${round(busy.overload.minGapMs, 0)} ms, last answer ${busy.readiness.lastStatus}`)
console.log(`while (true) {}: worker liveness first failed ${round(stuck.forever?.firstFailureAfterMs, 0)} ms after the loop stalled (stallTolerance ${stuckTolerance} ms), then ${stuck.forever?.probesAfterFirstFailure} probes, ${stuck.forever?.okAfterFirstFailure} of them ok; restarts ${stuck.forever?.workerRestarts}`)
