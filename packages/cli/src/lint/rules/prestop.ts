// The form of a preStop sleep: the kubelet's own `sleep` action (Kubernetes 1.30+) instead of
// `exec: [sleep, N]` or `sh -c "sleep N"`, which need a sleep binary (and a shell) in the image.
// How long the sleep is against the grace period is the drain rule's (shutdown.ts).
import { echo } from '../../escape.js'
import { isRecord } from '../load.js'
import { positive } from '../probes.js'
import type { Rule, RuleContext, RuleFinding } from '../rule.js'
import { imageTools } from './exec.js'

/** A container's preStop sleep, as written. @internal */
export interface PreStopSleep {
  /** `sleep`: the native action; `exec`: a command that runs sleep. */
  readonly form: 'sleep' | 'exec'
  readonly seconds: number
  /** exec: the command is the sleep and nothing else, so the native action can replace it. */
  readonly pure: boolean
  /** exec: through a shell (`sh -c "sleep N"`). */
  readonly shell: boolean
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh'])
const PURE_SLEEP = /^\s*(?:exec\s+)?(?:\/usr)?(?:\/bin\/)?sleep\s+(\d+)s?\s*;?\s*$/
const ANY_SLEEP = /(?:^|[\s;&|(/])sleep\s+(\d+)s?(?=$|[\s;&|)])/

/** The preStop sleep of a container, native or exec, or `undefined`. @internal */
export function preStopSleep(container: Record<string, unknown>): PreStopSleep | undefined {
  const lifecycle = isRecord(container.lifecycle) ? container.lifecycle : undefined
  const preStop = lifecycle && isRecord(lifecycle.preStop) ? lifecycle.preStop : undefined
  if (preStop === undefined) return undefined
  if (isRecord(preStop.sleep)) return { form: 'sleep', seconds: positive(preStop.sleep.seconds, 0), pure: true, shell: false }
  if (!isRecord(preStop.exec) || !Array.isArray(preStop.exec.command)) return undefined
  const command = preStop.exec.command.map(String)
  const program = (command[0] ?? '').split('/').pop() ?? ''
  if (program === 'sleep' && command.length === 2) {
    const match = /^(\d+)s?$/.exec(command[1] ?? '')
    return match ? { form: 'exec', seconds: Number(match[1]), pure: true, shell: false } : undefined
  }
  if (SHELLS.has(program) && command.length === 3 && /^-[a-z]*c$/.test(command[1] ?? '')) {
    const script = command[2] ?? ''
    const pure = PURE_SLEEP.exec(script)
    if (pure) return { form: 'exec', seconds: Number(pure[1]), pure: true, shell: true }
    const any = ANY_SLEEP.exec(script)
    if (any) return { form: 'exec', seconds: Number(any[1]), pure: false, shell: true }
  }
  return undefined
}

/** `prestop-sleep-no-shell`. @internal */
export const prestopSleepNoShell = {
  id: 'prestop-sleep-no-shell',
  severity: 'warning',
  summary: 'A preStop hook runs sleep (or a shell) in an image that has neither.',
  description:
    'Distroless and Chainguard images have no shell and no sleep binary. The preStop hook fails at once ("executable file not found"), the kubelet records FailedPreStopHook and sends SIGTERM without the wait: the seconds the sleep was to buy for the endpoints update never happen, and requests still routed to the pod are refused.',
  check: noShell,
} as const satisfies Rule

/** `prestop-sleep-exec`. @internal */
export const prestopSleepExec = {
  id: 'prestop-sleep-exec',
  severity: 'info',
  summary: 'A preStop sleep through exec instead of the native sleep action (Kubernetes 1.30+).',
  description:
    'exec: [sleep, N] and sh -c "sleep N" need a sleep binary (and a shell) in the image, and fork a process in the container at every shutdown. The kubelet runs the sleep action itself (beta and on by default from 1.30, GA in 1.34), whatever the image holds.',
  since: '1.30',
  check: execSleep,
} as const satisfies Rule

/** The image has no shell and no sleep, as far as its name tells (Chainguard's wolfi-base and busybox images do have them). */
function shellless(image: string): ReturnType<typeof imageTools> {
  const tools = imageTools(image)
  return tools !== undefined && !tools.shell && !/wolfi-base|busybox/.test(image.toLowerCase()) ? tools : undefined
}

function nativeFix(seconds: number): string {
  return `lifecycle: { preStop: { sleep: { seconds: ${seconds} } } }`
}

function noShell({ container }: RuleContext): RuleFinding[] {
  const sleep = preStopSleep(container)
  const image = typeof container.image === 'string' ? container.image : ''
  const tools = shellless(image)
  if (sleep?.form !== 'exec' || tools === undefined) return []
  return [
    {
      path: ['lifecycle', 'preStop', 'exec', 'command'],
      message: `preStop runs ${sleep.shell ? 'a shell' : 'sleep'} to wait ${sleep.seconds} s, but ${tools.label} ship neither a shell nor sleep (${echo(image)}): the hook fails at once, the kubelet sends SIGTERM without the wait, and requests still routed to the pod during the endpoints update are refused.`,
      fix: `Use the kubelet's own sleep: ${nativeFix(sleep.seconds)} (Kubernetes 1.30+). Before 1.30, remove the hook and let the application wait after SIGTERM (healthz: shutdown.drainDelay).`,
    },
  ]
}

function execSleep({ container }: RuleContext): RuleFinding[] {
  const sleep = preStopSleep(container)
  if (sleep?.form !== 'exec' || !sleep.pure) return []
  if (shellless(typeof container.image === 'string' ? container.image : '') !== undefined) return [] // prestop-sleep-no-shell reports it, as a warning
  return [
    {
      path: ['lifecycle', 'preStop', 'exec', 'command'],
      message: `preStop waits ${sleep.seconds} s through ${sleep.shell ? 'a shell (sh -c "sleep …")' : 'exec: [sleep, …]'}: it needs ${sleep.shell ? 'a shell and ' : ''}a sleep binary in the image (distroless images have none, and the hook then fails without waiting), and forks a process at every shutdown.`,
      fix: `${nativeFix(sleep.seconds)}: the kubelet sleeps itself (Kubernetes 1.30+${sleep.seconds === 0 ? '; seconds: 0 from 1.33, or remove the hook' : ''}). For an older cluster: healthz lint --kubernetes-version 1.29 skips this rule.`,
    },
  ]
}
