import { readFile } from 'node:fs/promises'
import { formatText, lint, parseHealthzConfig } from '@healthz/cli'

// `healthz lint` as a function: in a release script, or a test over the rendered chart.
const file = 'deploy/orders.yaml'
const config = await parseHealthzConfig(await readFile('healthz.yaml', 'utf8'), 'healthz.yaml')
const report = await lint([{ file, text: await readFile(file, 'utf8') }], { config })

for (const finding of report.findings) {
  console.log(finding.rule, finding.severity, `${finding.resource.kind}/${finding.resource.name}`, finding.container, finding.fix)
}
if (report.findings.some((finding) => finding.severity === 'error')) {
  process.stderr.write(formatText(report))
  process.exitCode = 1
}
