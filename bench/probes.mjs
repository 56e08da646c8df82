// Probe throughput benchmark: how much does answering /livez and /readyz through
// @healthz/http cost, compared with a bare node:http server answering `ok`?
//
//   node bench/probes.mjs [--rounds N] [--duration S] [--warmup S] [--connections C]
//                         [--loadgen wrk|autocannon] [--profile] [--targets livez,express-listen,…]
//   (or the env vars BENCH_ROUNDS, BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS,
//    BENCH_LOADGEN, BENCH_PROFILE=1, BENCH_TARGETS; flags win over env vars)
//
// Method (see bench/README.md):
// - every server is a child process (bench/server.mjs), so it never shares an event loop with
//   the load generator; with taskset, servers are pinned to core 0 and load generation to core 1;
// - targets are interleaved: each round runs every target once, in a rotated order, so drift
//   (thermal, noisy neighbours, GC state) hits all targets alike instead of the last one;
// - per target we report the median req/s and p99 across rounds; the ratio to bare is paired:
//   each round gives target req/s ÷ bare req/s of the same round (runs seconds apart), and we
//   report the median of those. On the shared 2-core VMs this runs on, CPU speed swings by up
//   to 3× over seconds; pairing cancels most of that, a ratio of medians does not;
// - wrk is used when it is on PATH (a C load generator, much cheaper per request than
//   autocannon, which saturates its own core near the throughput of a bare server on a small
//   machine and so compresses the ratios); autocannon (programmatic) is the fallback.
//
// Traffic goes to 127.0.0.1 only. The script stops by itself and kills its children.
import { fileURLToPath } from 'node:url'
import { runBenchmark } from './lib/harness.mjs'

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))

/** Checks that a health+json body passes with `checks` entries. */
const passing = (checks) => (body) => {
  const json = JSON.parse(body)
  if (json.status !== 'pass' || Object.keys(json.checks ?? {}).length !== checks) throw new Error(`unexpected body: ${body}`)
}

/**
 * Every target: the server kind (bench/server.mjs), the path loaded, and the goals it is held
 * to, each a minimum fraction of another target's throughput measured in the same round.
 */
const TARGETS = [
  { name: 'bare', server: 'bare', path: '/', label: 'bare node:http (ok)' },
  { name: 'bare-probe', server: 'bare-probe', path: '/livez', label: "bare node:http writing healthz's /livez bytes", expect: passing(0) },
  { name: 'livez', server: 'healthz', path: '/livez', label: '@healthz/http /livez', expect: passing(0), goals: [{ of: 'bare', at: 0.95 }, { of: 'bare-probe', at: 0.95 }] },
  { name: 'readyz', server: 'healthz', path: '/readyz', label: '@healthz/http /readyz (5 cached checks)', expect: passing(5) },
  {
    name: 'readyz-prometheus',
    server: 'healthz-prometheus',
    path: '/readyz',
    label: '@healthz/http /readyz, Prometheus collectors registered',
    expect: passing(5),
    goals: [{ of: 'readyz', at: 0.95 }],
  },
  { name: 'express-route', server: 'express-route', path: '/', label: 'Express 5 route (ok)' },
  {
    name: 'express-middleware',
    server: 'express-middleware',
    path: '/livez',
    label: '@healthz/express middleware /livez',
    expect: passing(0),
    goals: [{ of: 'express-route', at: 0.95 }],
  },
  { name: 'express-listen', server: 'express-listen', path: '/livez', label: '@healthz/express listen() /livez', expect: passing(0), goals: [{ of: 'bare', at: 0.95 }, { of: 'bare-probe', at: 0.95 }] },
  { name: 'express-terminus', server: 'express-terminus', path: '/livez', label: 'terminus on Express /livez' },
  { name: 'koa-route', server: 'koa-route', path: '/', label: 'Koa 3 route (ok)' },
  {
    name: 'koa-middleware',
    server: 'koa-middleware',
    path: '/livez',
    label: '@healthz/koa middleware /livez',
    expect: passing(0),
    goals: [{ of: 'koa-route', at: 0.95 }],
  },
  { name: 'koa-listen', server: 'koa-listen', path: '/livez', label: '@healthz/koa listen() /livez', expect: passing(0), goals: [{ of: 'bare', at: 0.95 }, { of: 'bare-probe', at: 0.95 }] },
  { name: 'koa-terminus', server: 'koa-terminus', path: '/livez', label: 'terminus on Koa /livez' },
  { name: 'hono-route', server: 'hono-route', path: '/', label: 'Hono 4 route (ok) on @hono/node-server' },
  {
    name: 'hono-middleware',
    server: 'hono-middleware',
    path: '/livez',
    label: '@healthz/hono middleware /livez',
    expect: passing(0),
    goals: [{ of: 'hono-route', at: 0.95 }],
  },
  { name: 'fastify-route', server: 'fastify-route', path: '/', label: 'Fastify 5 route (ok)' },
  { name: 'fastify-route-probe', server: 'fastify-route-probe', path: '/livez', label: "Fastify 5 route writing healthz's /livez bytes", expect: passing(0) },
  { name: 'fastify-fast', server: 'fastify-fast', path: '/livez', label: "@healthz/fastify /livez, serve 'server'", expect: passing(0), goals: [{ of: 'bare', at: 0.9 }, { of: 'bare-probe', at: 0.9 }] },
  {
    name: 'fastify-plugin',
    server: 'fastify-plugin',
    path: '/livez',
    label: "@healthz/fastify /livez, serve 'route'",
    expect: passing(0),
    goals: [{ of: 'fastify-route', at: 0.95 }, { of: 'fastify-route-probe', at: 0.95 }],
  },
  { name: 'fastify-under-pressure', server: 'fastify-under-pressure', path: '/status', label: '@fastify/under-pressure status route' },
]

runBenchmark({ title: 'healthz probe benchmark', script: fileURLToPath(import.meta.url), server: SERVER, targets: TARGETS })
