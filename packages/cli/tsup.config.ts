import { defineConfig } from 'tsup'
import { packageConfig } from '../../tsup.config.base'

// The library builds like every package (ESM + CJS with types). The `healthz` bin is one ESM
// file (package.json `bin`), without types; tsup keeps its shebang and marks it executable.
// `clean` stays off for the bin, so the two builds never delete each other's output; the bin
// is split, so `healthz probe` never parses the lint code (its chunk loads on `healthz lint`).
export default defineConfig([packageConfig(), packageConfig({ entry: ['src/bin.ts'], format: ['esm'], dts: false, clean: false, splitting: true })])
