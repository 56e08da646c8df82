// Shared by the CLI tests: fixture paths, and runCli with captured output.
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
