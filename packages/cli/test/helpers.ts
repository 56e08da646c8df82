// Shared by the CLI tests: fixture paths, and runCli with captured output.
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { runCli } from '../src/index.js'

export const fixture = (path: string): string => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url))

export interface Run {
  status: number
  stdout: string
  stderr: string
}

/** Runs the CLI in-process, reading real files; `stdin` is what `-` reads. */
export async function cli(args: readonly string[], stdin?: string): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const status = await runCli(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readStdin: async () => {
      if (stdin === undefined) throw new Error('the test gave no stdin')
      return stdin
    },
    readFile: (path) => readFile(path, 'utf8'),
    version: '9.9.9',
  })
  return { status, stdout, stderr }
}

/** The built bin (`pnpm build` first). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

/** Runs the built `healthz` bin as a child process, as users run it; `stdin` is written to it. */
export function runBin(args: readonly string[], stdin?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.once('error', reject)
    child.once('close', (status) => resolve({ status, stdout, stderr }))
    child.stdin.end(stdin ?? '')
  })
}
