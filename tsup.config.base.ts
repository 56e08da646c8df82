// One shared build config: every package builds ESM + CJS with types for Node 20.
import type { Options } from 'tsup'

export function packageConfig(overrides: Partial<Options> = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    ...overrides,
  }
}
