// Where Nest puts the probe routes of `serve: 'controller'`: at their own paths whatever the
// global prefix (the default), and, under header, media-type or custom versioning, only for a
// request that names the probes' version. Nest offers no public way for a module to take its
// routes out of the global prefix, so this reads the application's config through the module
// reference, as Nest's own router and @nestjs/swagger do; a Nest without it fails loudly.
import { RequestMethod, VERSION_NEUTRAL, VersioningType } from '@nestjs/common'
import type { VersioningOptions } from '@nestjs/common'
import type { ProbeVersion } from './settings.js'
import { HealthzError } from '@healthz/core'

/** A route left out of the global prefix, as Nest's router and middleware read one. */
interface ExcludedRoute {
  readonly path: string
  readonly requestMethod: RequestMethod
  readonly pathRegex: RegExp
}

/** @internal What this package reads of Nest's `ApplicationConfig` (`@nestjs/core`, Nest 11 and 12). */
export interface ApplicationConfigLike {
  getGlobalPrefixOptions(): { exclude?: unknown[] | undefined }
  getVersioning(): VersioningOptions | undefined
}

/** @internal Nest's application config, from a `ModuleRef` (its container holds it). */
export function applicationConfigOf(moduleRef: unknown): ApplicationConfigLike {
  const config = (moduleRef as { container?: { applicationConfig?: Partial<ApplicationConfigLike> } } | undefined)?.container?.applicationConfig
  if (typeof config?.getGlobalPrefixOptions !== 'function' || typeof config.getVersioning !== 'function') {
    throw new HealthzError(
      "HealthModule: this version of Nest does not expose its application config, so the probes cannot be kept out of the global prefix; pass controller: { globalPrefix: true } and put the prefix in the probes' paths, or use serve: 'server'.",
      { code: 'INVALID_OPTION' },
    )
  }
  return config as ApplicationConfigLike
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * @internal Leaves the probe routes out of the global prefix, whatever `app.setGlobalPrefix()`
 * sets and whenever it is called before `app.init()`: the config answers the prefix options
 * with the probe routes added to `exclude`. Each route matches as Nest matches an excluded
 * path: any case, with or without a trailing slash.
 */
export function keepOutOfGlobalPrefix(config: ApplicationConfigLike, routes: readonly string[]): void {
  const probes: ExcludedRoute[] = routes.map((path) => ({
    path,
    requestMethod: RequestMethod.ALL,
    pathRegex: new RegExp(`^${path.split('/:check').map(escapeRegExp).join('/[^/]+')}/?$`, 'i'),
  }))
  const read = config.getGlobalPrefixOptions.bind(config)
  // Nest's router keys state by the excluded route objects: answer the same objects each time.
  const seen = new WeakMap<object, { exclude?: unknown[] | undefined }>()
  config.getGlobalPrefixOptions = () => {
    const options = read()
    let withProbes = seen.get(options)
    if (withProbes === undefined || withProbes.exclude?.length !== (options.exclude?.length ?? 0) + probes.length) {
      withProbes = { ...options, exclude: [...(options.exclude ?? []), ...probes] }
      seen.set(options, withProbes)
    }
    return withProbes
  }
}

/** What the version check reads of a request: its headers. */
interface VersionedRequest {
  readonly headers?: Readonly<Record<string, string | string[] | undefined>> | undefined
}

/**
 * @internal Whether a request names a version of the probes, under header, media-type or
 * custom versioning (under URI versioning the path says it, and Nest routes by it). Nest picks
 * the handler by version after the middleware has run, so the middleware asks this before
 * answering: a probe of version '1' must not answer a request for version '2'.
 */
export function namesVersion(config: ApplicationConfigLike, version: ProbeVersion, request: VersionedRequest): boolean {
  const versions: ReadonlyArray<string | symbol> = typeof version === 'object' ? version : [version]
  if (versions.includes(VERSION_NEUTRAL)) return true
  const versioning = config.getVersioning()
  if (versioning === undefined || versioning.type === VersioningType.URI) return true
  let asked: unknown
  if (versioning.type === VersioningType.HEADER) {
    asked = request.headers?.[versioning.header.toLowerCase()]
  } else if (versioning.type === VersioningType.MEDIA_TYPE) {
    const accept = String(request.headers?.accept ?? '')
    asked = accept
      .split(/[;,]/)
      .map((part) => part.trim())
      .find((part) => part.startsWith(versioning.key))
      ?.slice(versioning.key.length)
  } else {
    asked = versioning.extractor(request)
  }
  if (asked === undefined || asked === '') asked = versioning.defaultVersion
  const askedList = (Array.isArray(asked) ? asked : [asked]).map(String)
  return versions.some((one) => askedList.includes(String(one)))
}
