// Issue 15: @nestjs/swagger is an optional peer. The built package (dist), installed where
// @nestjs/swagger cannot be resolved, loads (import and require) and serves the probes with
// serve: 'controller' in a child process; and dist never imports swagger at load time.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, expect, it } from 'vitest'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'healthz-nest-no-swagger-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** An install without @nestjs/swagger: a copy of the package, and links to what it needs. */
function install(): string {
  const modules = join(root, 'node_modules')
  const own = join(modules, '@healthz/nestjs')
  mkdirSync(own, { recursive: true })
  cpSync(here('../package.json'), join(own, 'package.json'))
  cpSync(here('../dist'), join(own, 'dist'), { recursive: true })
  const linked = ['@healthz/core', '@healthz/http', '@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'rxjs']
  for (const name of linked) {
    mkdirSync(dirname(join(modules, name)), { recursive: true })
    symlinkSync(here(`../node_modules/${name}`), join(modules, name))
  }
  return root
}

const APP = `
import 'reflect-metadata'
import { createRequire } from 'node:module'
import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { HealthModule } from '@healthz/nestjs'

const swagger = await import('@nestjs/swagger').then(() => 'found', (error) => error.code)
const required = createRequire(import.meta.url)('@healthz/nestjs')
class AppModule {}
Module({ imports: [HealthModule.forRoot({ serve: 'controller' })] })(AppModule)
const app = await NestFactory.create(AppModule, { logger: false })
app.setGlobalPrefix('api')
await app.listen(0, '127.0.0.1')
const { port } = app.getHttpServer().address()
const live = await fetch('http://127.0.0.1:' + port + '/livez')
console.log(JSON.stringify({ swagger, required: typeof required.HealthModule, status: live.status, type: live.headers.get('content-type') }))
await app.close()
`

it('loads and serves the probes with serve: \'controller\' where @nestjs/swagger is not installed (import and require)', async () => {
  const dir = install()
  writeFileSync(join(dir, 'app.mjs'), APP)
  const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'app.mjs')], { cwd: dir, timeout: 20_000 })
  expect(JSON.parse(stdout.trim())).toEqual({ swagger: 'ERR_MODULE_NOT_FOUND', required: 'function', status: 200, type: 'application/health+json' })
})

it('never imports @nestjs/swagger at load time: only a dynamic import() when the module is created', () => {
  for (const file of ['../dist/index.js', '../dist/index.cjs']) {
    const code = readFileSync(here(file), 'utf8')
    expect(code.match(/@nestjs\/swagger/g)?.length, file).toBeGreaterThan(0)
    expect(code, file).not.toMatch(/(from\s*["']@nestjs\/swagger|require\(["']@nestjs\/swagger)/)
    expect(code, file).toMatch(/await import\(["']@nestjs\/swagger["']\)/)
  }
})
