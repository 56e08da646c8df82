#!/usr/bin/env node
// The `healthz` bin: runs the command line and exits with its status.
import { readFileSync } from 'node:fs'
import { runCli } from './cli.js'

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
  } catch {
    return '0.0.0'
  }
}

process.exitCode = await runCli(process.argv.slice(2), { version: version() })
