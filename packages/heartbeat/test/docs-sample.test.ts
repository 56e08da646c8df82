// The testing sample of docs/heartbeats.md runs as printed (it registers its own test).
import '../../../docs/examples/heartbeat-test.ts'
