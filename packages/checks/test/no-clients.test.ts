// Importing @healthz/checks (any entry, ESM or CommonJS) must not load a client library the
// application may not have. A child process loads the built package with every client made
// unresolvable and reports what was attempted.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

const REFUSE = fileURLToPath(new URL('./fixtures/refuse-clients.mjs', import.meta.url))
const IMPORT_ALL = fileURLToPath(new URL('./fixtures/import-all.mjs', import.meta.url))
const PACKAGE = fileURLToPath(new URL('..', import.meta.url))

test('no entry of the built package loads or even resolves a client library', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', REFUSE, IMPORT_ALL], { cwd: PACKAGE })
  const report = JSON.parse(stdout) as { attempts: string[]; loaded: string[]; exported: Record<string, { esm: string[]; cjs: string[] }> }
  expect(report.attempts).toEqual([])
  expect(report.loaded).toEqual([])
  expect(report.exported).toEqual({
    '@healthz/checks': { esm: ['diskSpaceCheck', 'dnsCheck', 'heapCheck', 'httpCheck', 'rssCheck', 'tcpCheck'], cjs: ['diskSpaceCheck', 'dnsCheck', 'heapCheck', 'httpCheck', 'rssCheck', 'tcpCheck'] },
    '@healthz/checks/pg': { esm: ['postgresCheck'], cjs: ['postgresCheck'] },
    '@healthz/checks/mysql2': { esm: ['mysqlCheck'], cjs: ['mysqlCheck'] },
    '@healthz/checks/ioredis': { esm: ['ioredisCheck'], cjs: ['ioredisCheck'] },
    '@healthz/checks/redis': { esm: ['redisCheck'], cjs: ['redisCheck'] },
    '@healthz/checks/amqplib': { esm: ['amqpCheck'], cjs: ['amqpCheck'] },
    '@healthz/checks/nats': { esm: ['natsCheck'], cjs: ['natsCheck'] },
    '@healthz/checks/mqtt': { esm: ['mqttCheck'], cjs: ['mqttCheck'] },
  })
})

test('the fixture does catch a client load (so the test above can fail)', async () => {
  const probe = `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); try { require('pg') } catch {}; try { await import('ioredis') } catch {}; await new Promise((r) => setTimeout(r, 50)); process.stdout.write(JSON.stringify(globalThis.__attempts))`
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', REFUSE, '--input-type=module', '-e', probe], { cwd: PACKAGE })
  expect(JSON.parse(stdout)).toEqual(['cjs:pg', 'esm:ioredis'])
})
