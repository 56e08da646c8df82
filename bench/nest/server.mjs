// One target of the Nest benchmark, run by bench/nest/run.mjs as a child process.
//
//   node bench/nest/server.mjs <kind>
//
//   bare                      a bare node:http server answering `ok`: the baseline
//   express-route             a Nest app (platform-express) whose one route answers `ok`: Nest's pipeline
//   express-terminus          the same app with @nestjs/terminus: GET /livez → HealthCheckService.check([])
//   express-healthz           the same app with @healthz/nestjs HealthModule.forRoot() (serve: 'server'): /livez
//   express-healthz-controller  the same with serve: 'controller' (probes inside Nest, middleware before guards)
//   fastify-route, fastify-terminus, fastify-healthz   the same on platform-fastify
//
// Every app also has a global guard that lets everything through, as real apps have one.
// Listens on 127.0.0.1:0, prints `{"port":N}` when ready, exits when stdin closes or on SIGTERM.
// Decorators are applied as functions: plain JavaScript, no build step.
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

// Nest, terminus and the built @healthz/nestjs, resolved where the workspace installed them
// (packages/nestjs's devDependencies): bench/ is not a workspace package.
const fromPackage = createRequire(new URL('../../packages/nestjs/package.json', import.meta.url))
const load = (name) => import(pathToFileURL(fromPackage.resolve(name)).href)
await load('reflect-metadata')
const { Controller, Get, Inject, Module } = await load('@nestjs/common')
const { APP_GUARD, NestFactory } = await load('@nestjs/core')
const { ExpressAdapter } = await load('@nestjs/platform-express')
const { FastifyAdapter } = await load('@nestjs/platform-fastify')
const { HealthCheck, HealthCheckService, TerminusModule } = await load('@nestjs/terminus')
const { HealthModule } = await import('../../packages/nestjs/dist/index.js')

const HOST = '127.0.0.1'
const kind = process.argv[2]

/** The application's own route: `GET /` answers `ok`. */
class AppController {
  root() {
    return 'ok'
  }
}
Get()(AppController.prototype, 'root', Object.getOwnPropertyDescriptor(AppController.prototype, 'root'))
Controller()(AppController)

/** The documented terminus setup: a controller calling HealthCheckService.check() with no indicators. */
class TerminusController {
  constructor(health) {
    this.health = health
  }

  check() {
    return this.health.check([])
  }
}
{
  const proto = TerminusController.prototype
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'check')
  Get('livez')(proto, 'check', descriptor)
  HealthCheck()(proto, 'check', descriptor)
  Inject(HealthCheckService)(TerminusController, undefined, 0)
  Controller()(TerminusController)
}

const allowAll = { provide: APP_GUARD, useValue: { canActivate: () => true } }

function appModule(extra) {
  class AppModule {}
  Module({ imports: extra.imports ?? [], controllers: [AppController, ...(extra.controllers ?? [])], providers: [allowAll] })(AppModule)
  return AppModule
}

// No checks: /livez measures the fixed cost of each library's request path, as bench/probes.mjs does.
const healthz = (serve) => HealthModule.forRoot({ service: { name: 'bench' }, serve })

const modules = {
  route: () => appModule({}),
  terminus: () => appModule({ imports: [TerminusModule], controllers: [TerminusController] }),
  healthz: () => appModule({ imports: [healthz('server')] }),
  'healthz-controller': () => appModule({ imports: [healthz('controller')] }),
}

async function nest(platform, variant) {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter()
  const app = await NestFactory.create(modules[variant](), adapter, { logger: false })
  await app.listen(0, HOST)
  return { server: app.getHttpServer(), close: () => app.close() }
}

const targets = {
  bare: async () => {
    const server = createServer((_req, res) => res.end('ok'))
    await new Promise((resolve) => server.listen(0, HOST, resolve))
    return { server, close: async () => server.close() }
  },
}
for (const variant of Object.keys(modules)) targets[`express-${variant}`] = () => nest('express', variant)
for (const variant of ['route', 'terminus', 'healthz']) targets[`fastify-${variant}`] = () => nest('fastify', variant)

if (!(kind in targets)) {
  console.error(`usage: node bench/nest/server.mjs ${Object.keys(targets).join('|')}`)
  process.exit(2)
}

// Our own signal handlers, installed first: the benchmark exits at once (no drain to measure).
let target
function shutdown() {
  target?.server.closeAllConnections?.()
  process.exit(0)
}
process.stdin.on('end', shutdown)
process.stdin.on('error', shutdown)
process.stdin.resume()
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)

target = await targets[kind]()
process.stdout.write(`${JSON.stringify({ port: target.server.address().port })}\n`)
