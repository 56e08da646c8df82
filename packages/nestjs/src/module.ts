// HealthModule: creates the health object from options or from DI, serves the probes (ahead of
// Nest, or as a controller), opens the startup gate once Nest has bootstrapped, and runs the
// drain sequence from Nest's shutdown hooks.
import type { Server } from 'node:http'
import { constants } from 'node:os'
import { Inject, Optional } from '@nestjs/common'
import type {
  BeforeApplicationShutdown,
  DynamicModule,
  FactoryProvider,
  MiddlewareConsumer,
  ModuleMetadata,
  NestModule,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
  OnModuleInit,
  Provider,
} from '@nestjs/common'
import { HttpAdapterHost, ModuleRef } from '@nestjs/core'
import { assertKnownOptions, createHealth, HealthzError, keepNextTickFast, optionKeys } from '@healthz/core'
import type { Health, HealthOptions, ProbePaths, ShutdownResult } from '@healthz/core'
import { attachHealth, drainOnShutdown } from '@healthz/http'
import { createProbeController, HealthProbeMiddleware } from './controller.js'
import { describeForOpenApi, loadSwagger } from './openapi.js'
import { applicationConfigOf, keepOutOfGlobalPrefix } from './routing.js'
import type { HealthModuleSettings, Settings } from './settings.js'
import { toSettings } from './settings.js'
import { HEALTH, SETTINGS } from './tokens.js'

/**
 * Options of {@link HealthModule.forRoot}: the options of `createHealth` (checks, paths,
 * details, shutdown timings…) and the module's own. `shutdown.signals` defaults to `false`
 * here: Nest owns the signals (`app.enableShutdownHooks()`), and the module drives the
 * shutdown from Nest's hooks.
 *
 * @example
 * ```ts
 * const options: HealthModuleOptions = { readiness: [postgres], serve: 'server', shutdown: { drainDelay: 10_000 } }
 * HealthModule.forRoot(options)
 * ```
 */
export interface HealthModuleOptions extends HealthOptions, HealthModuleSettings {}

// The key lists below repeat names of core's HealthOptions on purpose: an adapter sees only
// core's public entry, and each list is checked against its own interface at compile time
// (optionKeys<T>: a key missing or extra fails the build), so they cannot drift.

/** What `useFactory` may return: the health options of `createHealth` but paths and prefix. */
const FACTORY_KEYS = optionKeys<HealthFactoryOptions>({
  service: true,
  liveness: true,
  readiness: true,
  startup: true,
  details: true,
  format: true,
  clock: true,
  onError: true,
  shutdown: true,
  runtime: true,
  statusPage: true,
})

const ROOT_KEYS = optionKeys<HealthModuleOptions>({
  service: true,
  liveness: true,
  readiness: true,
  startup: true,
  paths: true,
  prefix: true,
  details: true,
  format: true,
  clock: true,
  onError: true,
  shutdown: true,
  runtime: true,
  statusPage: true,
  serve: true,
  started: true,
  global: true,
  controller: true,
})

/**
 * What the `useFactory` of {@link HealthModule.forRootAsync} returns: `createHealth` options,
 * paths and prefix aside.
 *
 * @example
 * ```ts
 * const useFactory = (pool: Pool): HealthFactoryOptions => ({ readiness: [postgresCheck(pool)] })
 * ```
 */
export type HealthFactoryOptions = Omit<HealthOptions, 'paths' | 'prefix'>

/**
 * Options of {@link HealthModule.forRootAsync}.
 *
 * @example
 * ```ts
 * HealthModule.forRootAsync({ imports: [DatabaseModule], inject: [PG_POOL], useFactory: (pool: Pool) => ({ readiness: [postgresCheck(pool)] }) })
 * ```
 */
export interface HealthModuleAsyncOptions extends HealthModuleSettings {
  /** Modules that export the providers `inject` names (the one with your `DataSource`, Prisma or Redis client). @default [] */
  imports?: ModuleMetadata['imports']
  /** Tokens of the providers passed to `useFactory`, in order. @default [] */
  inject?: FactoryProvider['inject']
  /** Builds the health options, checks included, from the injected providers. May be async. */
  useFactory: (...providers: never[]) => HealthFactoryOptions | Promise<HealthFactoryOptions>
  /** Probe paths; static, because Nest declares routes before any provider exists. @default { liveness: '/livez', readiness: '/readyz', startup: '/startupz' } */
  paths?: ProbePaths
  /** A prefix for every probe path. @default '' */
  prefix?: string
}

const ASYNC_KEYS = optionKeys<HealthModuleAsyncOptions>({
  imports: true,
  inject: true,
  useFactory: true,
  paths: true,
  prefix: true,
  serve: true,
  started: true,
  global: true,
  controller: true,
})

/** @internal The options the health object is created from. */
const OPTIONS = Symbol.for('@healthz/nestjs:options')

/** @internal The OpenAPI description of the probe controller (whether @nestjs/swagger was found). */
const OPENAPI = Symbol.for('@healthz/nestjs:openapi')

let warnedAboutSignals = false

/** @internal A repeat of the first signal within this many ms is the same signal delivered twice (as in @healthz/core). */
const DUPLICATE_SIGNAL_WINDOW = 500

/** @internal The signals that start a drain; their listeners (Nest's among them) wait for it. */
const DRAIN_SIGNALS = ['SIGTERM', 'SIGINT'] as const

type SignalListener = (signal: NodeJS.Signals) => void

/** @internal Every module's gate listener, so that one module never holds another's gate. */
const gates = new Set<SignalListener>()

/**
 * The healthz module for NestJS 11 and 12: liveness, readiness and startup probes with
 * Kubernetes semantics, answered ahead of Nest's pipeline by default (so global guards,
 * interceptors and pipes never see them); checks as plain definitions or built from your
 * providers; the startup gate opened once Nest has bootstrapped; and, with
 * `app.enableShutdownHooks()`, a drain on SIGTERM: readiness fails first, the drain delay
 * passes, the server drains without dropping an accepted request, then Nest closes.
 * Inject the health object with `@Inject(HEALTH)`.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [HealthModule.forRoot({ readiness: [postgres], shutdown: { drainDelay: 10_000 } })],
 * })
 * class AppModule {}
 *
 * const app = await NestFactory.create(AppModule)
 * app.enableShutdownHooks()
 * await app.listen(3000) // GET /livez, /readyz, /startupz
 * ```
 */
export class HealthModule implements NestModule, OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown {
  private server: Server | undefined
  private shutdownStarted: Promise<ShutdownResult> | undefined
  /** The signal listeners held back until the drain is over (Nest's `enableShutdownHooks` one), by signal. */
  private readonly held = new Map<NodeJS.Signals, SignalListener[]>()
  private readonly gate: SignalListener = (signal) => this.onSignal(signal)
  /** The first drain signal, and when it came (Date.now()). */
  private first: { signal: NodeJS.Signals; at: number } | undefined

  constructor(
    private readonly health: Health,
    private readonly settings: Settings,
    private readonly options: HealthFactoryOptions,
    private readonly adapterHost: HttpAdapterHost | undefined,
    moduleRef: ModuleRef,
  ) {
    // Before app.setGlobalPrefix() and app.enableVersioning(), which come after NestFactory.create.
    if (settings.serve === 'controller') {
      settings.appConfig = applicationConfigOf(moduleRef)
      if (!settings.globalPrefix) keepOutOfGlobalPrefix(settings.appConfig, settings.routes)
    }
  }

  /**
   * The module with checks given as values.
   *
   * @throws {HealthzError} `INVALID_OPTION` for a wrong module option; `createHealth`'s errors
   * (`DEPENDENCY_IN_LIVENESS`, `INVALID_CHECK`…) when Nest creates the health object.
   * @example
   * ```ts
   * HealthModule.forRoot({ service: { name: 'orders' }, readiness: [postgres, redis] })
   * ```
   */
  static forRoot(options: HealthModuleOptions = {}): DynamicModule {
    assertKnownOptions(options, ROOT_KEYS, 'HealthModule.forRoot')
    // Here, while the application's modules load, not when Nest creates the health object: Nest's
    // start-up runs the garbage collection that would send nextTick off its fast path (next-tick.ts).
    keepNextTickFast()
    const { serve: _serve, started: _started, global: _global, controller: _controller, ...healthOptions } = options
    return HealthModule.build(toSettings(options, 'HealthModule.forRoot'), { provide: OPTIONS, useValue: healthOptions }, [])
  }

  /**
   * The module with checks built from your providers: `inject` names them, `useFactory`
   * receives them and returns the health options.
   *
   * @throws {HealthzError} `INVALID_OPTION` when `useFactory` is missing or a module option is wrong.
   * @example
   * ```ts
   * HealthModule.forRootAsync({
   *   imports: [DatabaseModule],
   *   inject: [PG_POOL],
   *   useFactory: (pool: Pool) => ({
   *     readiness: [postgresCheck({ client: pool })], // from '@healthz/checks/pg'
   *   }),
   * })
   * ```
   */
  static forRootAsync(options: HealthModuleAsyncOptions): DynamicModule {
    if (typeof options !== 'object' || options === null || typeof options.useFactory !== 'function') {
      throw new HealthzError('HealthModule.forRootAsync expects { useFactory, inject?, imports? }: useFactory(...providers) returns the health options.', { code: 'INVALID_OPTION' })
    }
    const misplaced = Object.keys(options).find((key) => FACTORY_KEYS.includes(key))
    if (misplaced !== undefined) {
      throw new HealthzError(`HealthModule.forRootAsync: unknown option "${misplaced}"; health options go in the object useFactory returns: useFactory: () => ({ ${misplaced}: … }).`, { code: 'INVALID_OPTION' })
    }
    assertKnownOptions(options, ASYNC_KEYS, 'HealthModule.forRootAsync')
    keepNextTickFast()
    const { useFactory, inject = [], paths, prefix } = options
    const where = 'HealthModule.forRootAsync useFactory result'
    const factory = async (...providers: never[]): Promise<HealthOptions> => {
      const result: unknown = await useFactory(...providers)
      if (typeof result !== 'object' || result === null) {
        throw new HealthzError(`HealthModule.forRootAsync: useFactory must return the health options object, got ${result === null ? 'null' : typeof result}.`, { code: 'INVALID_OPTION' })
      }
      for (const key of ['paths', 'prefix']) {
        if (key in result) {
          throw new HealthzError(`${where}: ${key} cannot come from useFactory; give it to forRootAsync itself ({ ${key}, useFactory }), because Nest declares the routes before any provider exists.`, { code: 'INVALID_OPTION' })
        }
      }
      return { ...assertKnownOptions(result, FACTORY_KEYS, where), paths, prefix }
    }
    return HealthModule.build(toSettings(options, 'HealthModule.forRootAsync'), { provide: OPTIONS, useFactory: factory, inject }, options.imports ?? [])
  }

  private static build(settings: Settings, options: Provider, imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
    const health: Provider = {
      provide: HEALTH,
      inject: [OPTIONS, SETTINGS],
      useFactory: (given: HealthOptions, resolved: Settings): Health => {
        if (given.onError !== undefined) resolved.onError = given.onError
        // Nest owns the signals (enableShutdownHooks); the module drives the shutdown from its hooks.
        return createHealth({ ...given, shutdown: { signals: false, ...given.shutdown } })
      },
    }
    const controller = settings.serve === 'controller' ? createProbeController(settings) : undefined
    settings.controller = controller
    // Swagger reads the controller's metadata at SwaggerModule.createDocument, after NestFactory.create
    // has run this factory (it loads @nestjs/swagger, when installed, without blocking anything else).
    // It waits for the health object: each probe is described in the format core resolved for it (useFactory may choose it).
    const openapi: Provider[] =
      controller === undefined ? [] : [{ provide: OPENAPI, inject: [HEALTH], useFactory: async (created: Health) => describeForOpenApi(controller, settings, created.formats, await loadSwagger()) }]
    return {
      module: HealthModule,
      global: settings.global,
      imports,
      controllers: controller === undefined ? [] : [controller],
      providers: [{ provide: SETTINGS, useValue: settings }, options, health, ...(controller === undefined ? [] : [HealthProbeMiddleware]), ...openapi],
      exports: [HEALTH],
    }
  }

  /** @internal Binds the probe middleware to the probe controller's routes (`serve: 'controller'`). */
  configure(consumer: MiddlewareConsumer): void {
    if (this.settings.controller !== undefined) consumer.apply(HealthProbeMiddleware).forRoutes(this.settings.controller)
  }

  /** @internal Attaches to the HTTP server, which Nest creates before any module initialises. */
  onModuleInit(): void {
    const server = this.adapterHost?.httpAdapter?.getHttpServer() as Server | undefined
    if (server === undefined || server === null || typeof server.emit !== 'function') return
    this.server = server
    if (this.settings.serve === 'server') attachHealth(server, this.health, { onError: this.settings.onError })
    else drainOnShutdown(this.health, server)
    if (this.startedOn() === 'bootstrap') {
      // app.listen() runs every module's init and bootstrap hooks first: listening means bootstrapped.
      server.once('listening', () => this.markStarted())
    }
    // enableShutdownHooks() may come after app.init(), as long as it comes before listen().
    server.once('listening', () => this.holdSignalListeners())
  }

  /** @internal */
  onApplicationBootstrap(): void {
    this.holdSignalListeners()
    if (this.server === undefined && this.startedOn() === 'bootstrap') this.markStarted()
  }

  /**
   * @internal Shutdown begins here when Nest closes without a signal (`app.close()`): readiness
   * fails from here on, and the drain delay starts. On a signal it began earlier, in the gate.
   */
  onModuleDestroy(): void {
    // Not awaited here: beforeApplicationShutdown awaits the same promise (and shutdown() never
    // rejects, it resolves with what failed).
    void this.startShutdown()
  }

  /**
   * @internal Waits for the drain delay and the server's drain (requests in flight finish,
   * keep-alive connections close), before Nest closes the server and calls
   * `onApplicationShutdown` (where pools close).
   */
  async beforeApplicationShutdown(): Promise<void> {
    const result = await this.startShutdown()
    if (result.exitCode !== 0) this.settings.onError(new HealthzError(`shutdown finished with errors (hooks failed: ${result.failedHooks.join(', ') || 'none'}; servers that cut requests: ${result.closeFailures})`, { code: 'SERVER_CLOSE_FAILED' }))
  }

  /** @internal Nest is done: the gate goes, so that Nest's re-raised signal ends the process. */
  onApplicationShutdown(): void {
    for (const signal of DRAIN_SIGNALS) process.removeListener(signal, this.gate)
    gates.delete(this.gate)
    // Closed without a signal (app.close()): the held listeners go back where they were
    // (Nest then removes its own, as it does on close).
    if (this.first === undefined) for (const [signal, listeners] of this.held) for (const listener of listeners) process.on(signal, listener)
    this.held.clear()
  }

  /**
   * Nest's signal listener (`app.enableShutdownHooks()`) starts its teardown at once, and calls
   * the application's `onModuleDestroy` hooks before this module's (a global module's come
   * last): readiness would keep passing while providers shut down. So the module takes the
   * listeners of SIGTERM and SIGINT present once the application has bootstrapped, and puts
   * one of its own in their place, which fails readiness the moment the signal arrives, runs
   * the drain (delay, server drain, onShutdown hooks), and only then hands the signal on.
   */
  private holdSignalListeners(): void {
    if (this.first !== undefined || (this.options.shutdown?.signals ?? false) !== false) return
    for (const signal of DRAIN_SIGNALS) {
      const listeners = process.listeners(signal).filter((listener) => !gates.has(listener as SignalListener)) as SignalListener[]
      if (listeners.length === 0) continue // nobody would end the process: nothing to hold back
      for (const listener of listeners) process.removeListener(signal, listener)
      this.held.set(signal, [...(this.held.get(signal) ?? []), ...listeners])
      if (!process.listeners(signal).includes(this.gate)) process.on(signal, this.gate)
    }
    gates.add(this.gate)
  }

  private onSignal(signal: NodeJS.Signals): void {
    const now = Date.now()
    if (this.first !== undefined) {
      // The same signal again within moments is one signal delivered twice (Ctrl-C reaches the
      // process group, and a package manager forwards it too), as in @healthz/core.
      if (signal === this.first.signal && now - this.first.at < DUPLICATE_SIGNAL_WINDOW) return
      // A second signal: the operator wants out now (DESIGN §6), as without the gate, when
      // Nest's listener is gone after the first signal and the signal's default action ends the process.
      this.settings.onError(new HealthzError(`${signal} received again during shutdown: exiting at once`, { code: 'SHUTDOWN_FORCED' }))
      process.exit(128 + (constants.signals[signal] ?? 0))
    }
    this.first = { signal, at: now }
    const handOn = (): void => {
      for (const listener of this.held.get(signal) ?? []) listener.call(process, signal)
    }
    this.startShutdown().then(handOn, handOn)
  }

  private startShutdown(): Promise<ShutdownResult> {
    this.shutdownStarted ??= this.health.shutdown()
    return this.shutdownStarted
  }

  private startedOn(): 'bootstrap' | 'manual' {
    return this.settings.started ?? ((this.options.startup?.length ?? 0) > 0 ? 'manual' : 'bootstrap')
  }

  private markStarted(): void {
    if (this.options.shutdown?.signals === undefined && process.listenerCount('SIGTERM') === 0 && !warnedAboutSignals) {
      warnedAboutSignals = true
      process.emitWarning(
        'healthz: no SIGTERM listener: call app.enableShutdownHooks() before app.listen(), so that SIGTERM fails readiness and drains the server before Nest closes.',
        { code: 'HEALTHZ_NEST_SHUTDOWN_HOOKS' },
      )
    }
    this.health.markStarted()
  }
}
Inject(HEALTH)(HealthModule, undefined, 0)
Inject(SETTINGS)(HealthModule, undefined, 1)
Inject(OPTIONS)(HealthModule, undefined, 2)
Inject(HttpAdapterHost)(HealthModule, undefined, 3)
Optional()(HealthModule, undefined, 3)
Inject(ModuleRef)(HealthModule, undefined, 4)
