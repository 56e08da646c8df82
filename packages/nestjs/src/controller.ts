// The probes inside Nest (`serve: 'controller'`): a controller that declares the probe routes,
// and a middleware bound to those routes that answers them. Nest runs middleware before
// guards, interceptors and pipes, so none of those can block or rewrite a probe.
// Decorators are applied as functions: nothing here depends on decorator metadata. Nothing here
// speaks node:http either: the request and response go to `@healthz/http` as Nest hands them over.
import { Controller, Inject, Injectable, NotFoundException, Req, RequestMapping, RequestMethod, Res, SetMetadata } from '@nestjs/common'
import type { NestMiddleware, Type } from '@nestjs/common'
import type { Health } from '@healthz/core'
import { createProbeResponder } from '@healthz/http'
import type { ProbeRequest, ProbeResponder } from '@healthz/http'
import { HEALTH, HEALTHZ_PROBE, SETTINGS } from './tokens.js'
import { namesVersion } from './routing.js'
import type { Settings } from './settings.js'

/** The node response, as the responder of `@healthz/http` takes it (Express's response is one). */
type NodeResponse = Parameters<ProbeResponder>[1]

/** A request as the controller or middleware receives it: node's, Express's or Fastify's. */
interface AnyRequest extends ProbeRequest {
  readonly originalUrl?: string | undefined
  /** Fastify's request: the node request. */
  readonly raw?: ProbeRequest | undefined
}

/** A response as the controller receives it: Express's (the node response) or Fastify's reply. */
interface AnyResponse {
  /** Fastify's reply: the node response. */
  readonly raw?: NodeResponse | undefined
  /** Fastify's reply: take the response over from Fastify. */
  hijack?: () => unknown
}

/**
 * The probe path a request URL names, with its query: the longest suffix of the URL's path
 * that is a probe path. Nest prepends the global prefix (and the controller's own routes may
 * sit under a mount path), so the URL is `/api/livez` where the health object knows `/livez`.
 */
function toProbePath(health: Health, url: string): string | undefined {
  const query = url.indexOf('?')
  const path = query === -1 ? url : url.slice(0, query)
  for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) {
    const candidate = path.slice(at)
    if (health.matches(candidate)) return query === -1 ? candidate : candidate + url.slice(query)
  }
  return undefined
}

/** @internal The probe responder of `@healthz/http`, reporting to the module's `onError` (set once the health object exists). */
export function responderFor(health: Health, settings: Settings): ProbeResponder {
  return createProbeResponder(health, { onError: (error) => settings.onError(error) })
}

/** @internal Answers a probe on a node response; false when the URL is not a probe path. */
export function answer(respond: ProbeResponder, health: Health, req: AnyRequest, res: NodeResponse): boolean {
  const path = toProbePath(health, req.originalUrl ?? req.url ?? '/')
  return path !== undefined && respond(req, res, path)
}

/**
 * The middleware bound to the probe controller's routes: answers the probe before guards,
 * interceptors and pipes run.
 *
 * @internal
 */
export class HealthProbeMiddleware implements NestMiddleware {
  private readonly respond: ProbeResponder

  constructor(
    private readonly health: Health,
    private readonly settings: Settings,
  ) {
    this.respond = responderFor(health, settings)
  }

  use(req: AnyRequest, res: NodeResponse, next: (error?: unknown) => void): void {
    // A request for another version is Nest's to route (to another handler, or 404).
    const config = this.settings.appConfig
    if (config !== undefined && !namesVersion(config, this.settings.version, req)) return next()
    if (!answer(this.respond, this.health, req, res)) next()
  }
}
Injectable()(HealthProbeMiddleware)
Inject(HEALTH)(HealthProbeMiddleware, undefined, 0)
Inject(SETTINGS)(HealthProbeMiddleware, undefined, 1)

/** @internal One route of the probe controller: a handler method of its own, so that OpenAPI can describe each. */
export interface ProbeRoute {
  /** The handler's name (the OpenAPI operation id ends with it). */
  readonly name: string
  readonly path: string | string[]
  readonly method: RequestMethod
  /** The probe a GET route serves; undefined for the other methods (405, left out of OpenAPI). */
  readonly probe?: 'liveness' | 'readiness' | 'startup'
  /** Whether the route is `<path>/:check`. */
  readonly perCheck?: boolean
}

/**
 * Methods besides GET (and HEAD, which Express and Fastify serve with the GET route) that get a
 * route, so that the middleware answers them (405 with `Allow`) before any guard runs. One
 * route per method rather than `@All`: Fastify refuses a GET route and an all-methods route on
 * one path, and OpenAPI would list all nine methods of `@All` as operations.
 */
const OTHER_METHODS = [RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE, RequestMethod.OPTIONS]

/** @internal The probe controller's routes, from the resolved probe paths. */
export function probeRoutes(paths: Settings['paths']): ProbeRoute[] {
  const routes: ProbeRoute[] = []
  for (const probe of ['liveness', 'readiness', 'startup'] as const) {
    routes.push({ name: probe, path: paths[probe], method: RequestMethod.GET, probe })
    routes.push({ name: `${probe}Check`, path: `${paths[probe]}/:check`, method: RequestMethod.GET, probe, perCheck: true })
  }
  const all = [paths.liveness, paths.readiness, paths.startup].flatMap((path) => [path, `${path}/:check`])
  for (const method of OTHER_METHODS) routes.push({ name: `other${RequestMethod[method]}`, path: all, method })
  return routes
}

/**
 * Creates the controller that declares the probe routes (each probe path and `<path>/:check`,
 * GET and the other methods: the health object answers 405 itself). Its handlers answer too,
 * for a request that reaches them without the middleware.
 *
 * @internal
 */
export function createProbeController(settings: Settings): Type<unknown> {
  class HealthProbeController {
    private readonly respond: ProbeResponder

    constructor(
      private readonly health: Health,
      settings: Settings,
    ) {
      this.respond = responderFor(health, settings)
    }

    probe(req: AnyRequest, res: AnyResponse): void {
      // The routes are the probe paths: a URL that names none is Nest's to answer (404).
      if (toProbePath(this.health, req.originalUrl ?? req.url ?? '/') === undefined) throw new NotFoundException()
      res.hijack?.() // Fastify: @healthz/http writes the node response
      answer(this.respond, this.health, req.raw ?? req, res.raw ?? (res as unknown as NodeResponse))
    }
  }
  const prototype = HealthProbeController.prototype as unknown as Record<string, unknown>
  for (const route of probeRoutes(settings.paths)) {
    // A named function per route: stack traces and OpenAPI operation ids read well.
    const handler = {
      [route.name](this: HealthProbeController, req: AnyRequest, res: AnyResponse): void {
        this.probe(req, res)
      },
    }[route.name]
    Object.defineProperty(prototype, route.name, { value: handler, writable: true, configurable: true })
    const descriptor = Object.getOwnPropertyDescriptor(prototype, route.name) as PropertyDescriptor
    RequestMapping({ path: route.path, method: route.method })(prototype, route.name, descriptor)
    Req()(prototype, route.name, 0)
    Res()(prototype, route.name, 1)
  }
  Inject(HEALTH)(HealthProbeController, undefined, 0)
  Inject(SETTINGS)(HealthProbeController, undefined, 1)
  SetMetadata(HEALTHZ_PROBE, true)(HealthProbeController)
  Controller({ version: typeof settings.version === 'object' ? [...settings.version] : settings.version })(HealthProbeController)
  return HealthProbeController
}
