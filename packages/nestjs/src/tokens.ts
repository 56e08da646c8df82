// Injection tokens and metadata keys. Symbols from the global registry, so that two installed
// copies of this package (a monorepo, a bundled library) still agree on them.

/**
 * The injection token of the {@link Health} object the module creates. Inject it with
 * `@Inject(HEALTH)`: the package never relies on `emitDecoratorMetadata`, and neither need you.
 *
 * @example
 * ```ts
 * @Injectable()
 * class Consumer {
 *   constructor(@Inject(HEALTH) private readonly health: Health) {}
 * }
 * ```
 */
export const HEALTH: unique symbol = Symbol.for('@healthz/nestjs:health')

/**
 * The metadata key the probe controller carries (value `true`), for a global guard or
 * interceptor that wants to recognise the probe routes, e.g.
 * `reflector.get(HEALTHZ_PROBE, context.getClass())`. The probes do not depend on it: in
 * `serve: 'controller'` they are answered by the module's middleware, before any guard runs.
 *
 * @example
 * ```ts
 * if (this.reflector.get(HEALTHZ_PROBE, context.getClass()) === true) return true
 * ```
 */
export const HEALTHZ_PROBE: unique symbol = Symbol.for('@healthz/nestjs:probe')

/** @internal The resolved module settings. */
export const SETTINGS: unique symbol = Symbol.for('@healthz/nestjs:settings')
