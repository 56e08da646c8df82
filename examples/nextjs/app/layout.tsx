import type { ReactNode } from 'react'

export const metadata = { title: 'healthz on Next.js' }

// No next/font: the build must not need the network.
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif' }}>{children}</body>
    </html>
  )
}
