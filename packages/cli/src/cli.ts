// The `healthz` command line: argument parsing, dispatch, output and exit statuses. The bin
// (bin.ts) is a thin shell around runCli(), so everything here runs in tests in-process too.
import { readFile, readdir, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { parseArgs } from 'node:util'
import { parseDuration } from './duration.js'
import { isCliError, usage } from './errors.js'
import { echo, escapeControl } from './escape.js'
import { kubernetesMinor } from './kubernetes.js'
import { MANIFEST_COUNTS, renderManifest } from './manifest.js'
import { closest, countOption, describeValue, unknownOption } from './options.js'
import { probe } from './probe.js'

/** Where the CLI reads and writes; every field defaults to the real process. */
export interface CliIo {
  /** @default process.stdout.write */
  stdout: (text: string) => void
  /** @default process.stderr.write */
  stderr: (text: string) => void
  /** Reads all of standard input (`healthz lint -`). @default reads process.stdin */
  readStdin: () => Promise<string>
  /** Reads a file as UTF-8. @default fs.promises.readFile */
  readFile: (path: string) => Promise<string>
  /** The package version, for `--version` and SARIF. @default '0.0.0' */
  version: string
}

/**
 * Exit statuses: 0 healthy or clean, 1 unhealthy or findings at the threshold, 2 usage or input error.
 *
 * @example
 * ```ts
 * if ((await runCli(['lint', 'deploy.yaml'])) === EXIT.FAILED) console.log('findings')
 * ```
 */
export const EXIT = Object.freeze({ OK: 0, FAILED: 1, USAGE: 2 })

const HELP = `healthz: health probes for Node.js services on Kubernetes

Usage:
  healthz probe <url> [--timeout 2s] [--expect 200-399] [--header 'name: value'] [--quiet]
      GET <url> once. Exit 0 when it answers an expected status in time, 1 with a one-line
      reason when not, 2 on a usage error. For Docker HEALTHCHECK and exec probes without curl.

  healthz probe grpc://host:port[/service] [--timeout 2s] [--header 'name: value'] [--quiet]
      Call grpc.health.v1.Health/Check once (plaintext). Exit 0 on SERVING, 1 with a one-line
      reason on NOT_SERVING, an unknown service, or no answer. For images without grpc_health_probe.

  healthz lint <file|dir...|-> [--format text|json|sarif] [--fail-on error|warning|info|none]
               [--config healthz.yaml] [--disable rule,rule] [--kubernetes-version 1.34]
      Check Kubernetes manifests (multi-document YAML, Lists, Helm output on stdin with -) for
      probe mistakes. Exit 1 when a finding reaches --fail-on (default error), 2 on bad input.
      Turn rules off for one workload with the annotation healthz/lint-disable: "rule,rule".
      --kubernetes-version skips the rules that recommend what an older cluster lacks.

  healthz manifest [--port 8080] [--boot-seconds 60] [--prefix /] [--name my-service]
                   [--image IMAGE] [--pre-stop-seconds 0] [--grpc] [--kubernetes-version 1.34]
                   [--liveness-port 9001]
      Print the recommended startup, liveness and readiness probes (and grace period) as a
      Deployment that healthz lint passes (with the same --kubernetes-version).
      --liveness-port probes liveness on the liveness worker's port (startLivenessWorker).

  healthz --version | --help

Docs: https://github.com/healthz/healthz/blob/main/docs/cli.md
`

/**
 * Runs the `healthz` command line and resolves with the exit status. Never throws for bad
 * input: it prints one clear line and resolves with 2.
 *
 * @example
 * ```ts
 * const status = await runCli(['probe', 'http://127.0.0.1:8080/livez', '--timeout', '800ms'])
 * process.exitCode = status
 * ```
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const out: CliIo = {
    stdout: io.stdout ?? ((text) => void process.stdout.write(text)),
    stderr: io.stderr ?? ((text) => void process.stderr.write(text)),
    readStdin: io.readStdin ?? readProcessStdin,
    readFile: io.readFile ?? ((path) => readFile(path, 'utf8')),
    version: io.version ?? '0.0.0',
  }
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'probe':
        return await probeCommand(rest, out)
      case 'lint':
        return await lintCommand(rest, out)
      case 'manifest':
        return manifestCommand(rest, out)
      case '--version':
      case '-v':
        out.stdout(`${out.version}\n`)
        return EXIT.OK
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.stdout(HELP)
        return command === undefined ? EXIT.USAGE : EXIT.OK
      default:
        throw usage(`unknown command ${describeValue(command)}: use probe, lint or manifest (healthz --help).`)
    }
  } catch (error) {
    if (isCliError(error)) {
      // One line, whatever the message carries from a file, a server or the command line.
      out.stderr(`healthz${command === 'probe' || command === 'lint' || command === 'manifest' ? ` ${command}` : ''}: ${escapeControl(error.message)}\n`)
      return EXIT.USAGE
    }
    // A bug, not bad input: say so, with the stack, so it can be reported.
    out.stderr(`healthz: unexpected error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return EXIT.USAGE
  }
}

type Options = Parameters<typeof parseArgs>[0] extends infer T ? (T extends { options?: infer O } ? NonNullable<O> : never) : never

function parse(args: readonly string[], options: Options): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const all: Options = { ...options, help: { type: 'boolean', short: 'h' } }
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: all, allowPositionals: true, strict: true })
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals }
  } catch (error) {
    const code = (error as { code?: unknown }).code
    const message = error instanceof Error ? (error.message.split('\n')[0]?.replace(/\.$/, '') ?? '') : String(error)
    const flag = /^Unknown option '(.*?)'(?=\.|$)/.exec(message)?.[1]
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
      // The did-you-mean of every @healthz package, over the long flags of this command.
      throw usage(unknownOption(flag, Object.keys(all).map((name) => `--${name}`)))
    }
    throw usage(`${echo(message, 200)} (healthz --help lists the options).`)
  }
}

async function probeCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    timeout: { type: 'string', short: 't' },
    expect: { type: 'string', short: 'e' },
    header: { type: 'string', short: 'H', multiple: true },
    quiet: { type: 'boolean', short: 'q' },
  })
  if (values.help === true) return help(io)
  if (positionals.length !== 1) throw usage(`expects one URL, like healthz probe http://127.0.0.1:8080/livez; got ${positionals.length === 0 ? 'none' : positionals.length}.`)
  const headers: Record<string, string> = {}
  for (const header of (values.header as string[] | undefined) ?? []) {
    const colon = header.indexOf(':')
    if (colon <= 0) throw usage(`--header ${describeValue(header)} must look like 'name: value'.`)
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim()
  }
  const result = await probe({
    url: positionals[0] as string,
    timeout: typeof values.timeout === 'string' ? parseDuration(values.timeout, '--timeout') : undefined,
    expect: typeof values.expect === 'string' ? values.expect : undefined,
    headers,
  })
  if (result.ok) {
    if (values.quiet !== true) io.stdout(`healthz probe: ok, ${escapeControl(result.reason)}\n`)
    return EXIT.OK
  }
  io.stderr(`healthz probe: ${escapeControl(result.reason)}\n`)
  return EXIT.FAILED
}

const FORMATS = ['text', 'json', 'sarif'] as const
const THRESHOLDS = ['error', 'warning', 'info', 'none'] as const

async function lintCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    format: { type: 'string', short: 'f' },
    'fail-on': { type: 'string' },
    config: { type: 'string', short: 'c' },
    disable: { type: 'string', multiple: true },
    'kubernetes-version': { type: 'string' },
  })
  if (values.help === true) return help(io)
  const format = (values.format ?? 'text') as string
  if (!(FORMATS as readonly string[]).includes(format)) throw usage(`--format ${describeValue(format)} is not one of text, json, sarif.`)
  const failOn = (values['fail-on'] ?? 'error') as string
  if (!(THRESHOLDS as readonly string[]).includes(failOn)) throw usage(`--fail-on ${describeValue(failOn)} is not one of error, warning, info, none.`)
  if (positionals.length === 0) throw usage('expects manifest files, or - to read standard input (helm template ./chart | healthz lint -).')

  const { lint, formatJson, formatSarif, formatText, parseHealthzConfig } = await import('./lint/index.js')
  const { RULES } = await import('./lint/rules.js')
  const disable = ((values.disable as string[] | undefined) ?? []).flatMap((list) => list.split(/[\s,]+/)).filter((id) => id !== '')
  for (const id of disable) {
    if (RULES.some((rule) => rule.id === id)) continue
    const ids = RULES.map((rule) => rule.id)
    const suggestion = closest(id, ids)
    throw usage(`--disable ${describeValue(id)} is not a rule; ${suggestion === undefined ? `the rules are ${ids.join(', ')}` : `did you mean "${suggestion}"?`}.`)
  }
  const config = typeof values.config === 'string' ? await parseHealthzConfig(await read(values.config, io), values.config) : undefined

  const inputs = []
  let stdinRead = false
  for (const file of positionals) {
    if (file === '-') {
      if (stdinRead) throw usage('- (standard input) can be given once.')
      stdinRead = true
      inputs.push({ file: '<stdin>', text: await io.readStdin() })
    } else {
      for (const path of await expand(file)) inputs.push({ file: path, text: await read(path, io) })
    }
  }
  const kubernetesVersion = values['kubernetes-version'] as string | undefined
  if (kubernetesVersion !== undefined) kubernetesMinor(kubernetesVersion, '--kubernetes-version')
  const report = await lint(inputs, { config, disable: disable as never[], ...(kubernetesVersion === undefined ? {} : { kubernetesVersion }) })
  // A notice, not an error: a repository holds values files and Chart.yaml next to its manifests.
  for (const skip of report.skipped) io.stderr(`healthz lint: skipped ${escapeControl(skip.reason.replace(/ healthz lint reads.*$/, ''))}\n`)
  io.stdout(format === 'json' ? formatJson(report) : format === 'sarif' ? formatSarif(report, io.version) : formatText(report))
  const rank = { error: 0, warning: 1, info: 2 } as const
  const limit = failOn === 'none' ? -1 : rank[failOn as keyof typeof rank]
  return report.findings.some((finding) => rank[finding.severity] <= limit) ? EXIT.FAILED : EXIT.OK
}

/** A directory stands for the `.yaml` and `.yml` files under it (not node_modules or dot folders), sorted. */
async function expand(file: string): Promise<string[]> {
  let isDirectory = false
  try {
    isDirectory = (await stat(file)).isDirectory()
  } catch {
    return [file] // read() says what is wrong with it
  }
  if (!isDirectory) return [file]
  const entries = await readdir(file, { recursive: true, withFileTypes: true })
  const found = entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
    .map((entry) => join(parentOf(entry), entry.name))
    .filter((path) => !relative(file, path).split(sep).some((part) => part === 'node_modules' || part.startsWith('.')))
    .sort()
  if (found.length === 0) throw usage(`${echo(file, 200)} is a directory with no .yaml or .yml files in it.`)
  return found
}

/** `Dirent.parentPath` (Node 20.12+), or `Dirent.path`, its name on earlier Node 20 releases. */
function parentOf(entry: { parentPath?: string; path?: string }): string {
  return entry.parentPath ?? entry.path ?? '.'
}

async function read(file: string, io: CliIo): Promise<string> {
  try {
    return await io.readFile(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory (give the YAML files in it)' : code === 'EACCES' ? 'permission denied' : String((error as Error).message)
    throw usage(`cannot read ${echo(file, 200)}: ${why}.`)
  }
}

function manifestCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parse(args, {
    port: { type: 'string', short: 'p' },
    'boot-seconds': { type: 'string' },
    prefix: { type: 'string' },
    name: { type: 'string' },
    image: { type: 'string' },
    'pre-stop-seconds': { type: 'string' },
    grpc: { type: 'boolean' },
    'kubernetes-version': { type: 'string' },
    'liveness-port': { type: 'string' },
  })
  if (values.help === true) return help(io)
  if (positionals.length > 0) throw usage(`takes no arguments, only options (got ${describeValue(positionals[0])}).`)
  // A flag is text: digits become the number, anything else is refused with the message of the number's range.
  const integer = (key: string, range: { min: number; max: number }): number | undefined => {
    const value = values[key]
    if (typeof value !== 'string') return undefined
    const number = Number(value)
    return countOption(/^\d+$/.test(value) && Number.isSafeInteger(number) ? number : value, 0, `--${key}`, range)
  }
  io.stdout(
    renderManifest({
      port: integer('port', MANIFEST_COUNTS.port),
      livenessPort: integer('liveness-port', MANIFEST_COUNTS.livenessPort),
      bootSeconds: integer('boot-seconds', MANIFEST_COUNTS.bootSeconds),
      preStopSeconds: integer('pre-stop-seconds', MANIFEST_COUNTS.preStopSeconds),
      prefix: values.prefix as string | undefined,
      name: values.name as string | undefined,
      image: values.image as string | undefined,
      grpc: values.grpc === true,
      kubernetesVersion: values['kubernetes-version'] as string | undefined,
    }),
  )
  return EXIT.OK
}

function help(io: CliIo): number {
  io.stdout(HELP)
  return EXIT.OK
}

async function readProcessStdin(): Promise<string> {
  if (process.stdin.isTTY) throw usage('- reads manifests from standard input, but it is a terminal: pipe them in (helm template ./chart | healthz lint -).')
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}
