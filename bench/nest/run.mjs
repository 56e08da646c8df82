// Nest probe benchmark: /livez through @healthz/nestjs against @nestjs/terminus's
// HealthCheckService.check([]) in the same Nest app, a bare Nest route, and bare node:http, in
// one run. The goal: @healthz/nestjs at ≥ 5× terminus's throughput.
//
//   node bench/nest/run.mjs [--rounds N] [--duration S] [--warmup S] [--connections C]
//                           [--loadgen wrk|autocannon] [--profile] [--targets express-healthz,…]
//   (or BENCH_ROUNDS, BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_LOADGEN,
//    BENCH_PROFILE=1, BENCH_TARGETS; flags win over env vars)
//
// The method is bench/probes.mjs's, from the shared engine bench/lib/harness.mjs (see bench/README.md, "Nest"):
// - every server is a child process (bench/nest/server.mjs); with taskset, servers are pinned
//   to core 0 and load generation to core 1;
// - targets are interleaved: each round runs every target once, in a rotated order;
// - ratios are paired: each round gives target req/s ÷ baseline req/s of the same round, and we
//   report the median of those (CPU speed on these shared VMs swings by up to 3× over seconds);
// - wrk when it is on PATH, else autocannon.
//
// Traffic goes to 127.0.0.1 only. The script stops by itself and kills its children.
import { fileURLToPath } from 'node:url'
import { runBenchmark } from '../lib/harness.mjs'

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))

/** Checks a health+json body that passes with no checks (@healthz). */
const healthzPass = (body) => {
  const json = JSON.parse(body)
  if (json.status !== 'pass') throw new Error(`unexpected body: ${body}`)
}
/** Checks terminus's answer to check([]). */
const terminusOk = (body) => {
  if (JSON.parse(body).status !== 'ok') throw new Error(`unexpected body: ${body}`)
}

/**
 * Every target: the server kind (bench/nest/server.mjs), the path loaded, and the goals it is
 * held to, each a minimum multiple of another target's throughput measured in the same round.
 */
const TARGETS = [
  { name: 'bare', server: 'bare', path: '/', label: 'bare node:http (ok)' },
  { name: 'express-route', server: 'express-route', path: '/', label: 'Nest 12 + Express: route (ok)' },
  { name: 'express-terminus', server: 'express-terminus', path: '/livez', label: 'Nest 12 + Express: @nestjs/terminus check([])', expect: terminusOk },
  {
    name: 'express-healthz',
    server: 'express-healthz',
    path: '/livez',
    label: "Nest 12 + Express: @healthz/nestjs /livez (serve: 'server')",
    expect: healthzPass,
    goals: [{ of: 'express-terminus', at: 5 }, { of: 'bare', at: 0.9 }],
  },
  {
    name: 'express-healthz-controller',
    server: 'express-healthz-controller',
    path: '/livez',
    label: "Nest 12 + Express: @healthz/nestjs /livez (serve: 'controller')",
    expect: healthzPass,
    goals: [{ of: 'express-terminus' }, { of: 'express-route' }],
  },
  { name: 'fastify-route', server: 'fastify-route', path: '/', label: 'Nest 12 + Fastify: route (ok)' },
  { name: 'fastify-terminus', server: 'fastify-terminus', path: '/livez', label: 'Nest 12 + Fastify: @nestjs/terminus check([])', expect: terminusOk },
  {
    name: 'fastify-healthz',
    server: 'fastify-healthz',
    path: '/livez',
    label: "Nest 12 + Fastify: @healthz/nestjs /livez (serve: 'server')",
    expect: healthzPass,
    // No 5× here: Nest on Fastify is already near bare node:http, and terminus with it (about
    // 0.65 of bare on this machine), so 5× terminus would be above bare node:http itself.
    goals: [{ of: 'fastify-terminus' }, { of: 'bare', at: 0.9 }],
  },
]

runBenchmark({ title: 'healthz Nest benchmark', script: fileURLToPath(import.meta.url), server: SERVER, targets: TARGETS, startTimeout: 30_000 })
