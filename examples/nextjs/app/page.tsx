export default function Home() {
  return (
    <main>
      <h1>healthz on Next.js</h1>
      <p>
        Probes: <a href="/livez">/livez</a>, <a href="/readyz">/readyz</a>, <a href="/startupz">/startupz</a>, <a href="/readyz/postgres">/readyz/postgres</a>. App routes:{' '}
        <a href="/api/orders">/api/orders</a>, <a href="/api/work?ms=500">/api/work?ms=500</a>.
      </p>
    </main>
  )
}
