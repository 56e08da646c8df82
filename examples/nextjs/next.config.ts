import type { NextConfig } from 'next'

const config: NextConfig = {
  // No "X-Powered-By: Next.js" on every answer, probes included.
  poweredByHeader: false,
}

export default config
