// The membership view on its own (issue 14): beats and times in, transitions out, without a
// transport, a clock or timers. The monitor's tests cover the same rules end to end.
import { describe, expect, it } from 'vitest'
import { deadline } from '@healthz/heartbeat'
import type { Heartbeat } from '@healthz/heartbeat'
import { Membership } from '../src/membership.js'
import type { MembershipSettings } from '../src/membership.js'

function view(settings: Partial<MembershipSettings> = {}): Membership {
  return new Membership({ detector: deadline({ timeout: 3000 }), deadAfter: 10_000, forgetAfter: 60_000, maxMembers: 100, maxIncarnationLead: 86_400_000, ...settings })
}

function beat(nodeId: string, seq: number, extra: Partial<Heartbeat> = {}): Heartbeat {
  return { nodeId, incarnation: 1, seq, sentAt: 0, status: 'pass', metadata: {}, ...extra }
}

const transition = (change: { previous: unknown; current: unknown; reason: unknown } | undefined): unknown[] => [change?.previous, change?.current, change?.reason]

describe('membership', () => {
  it('joins on a first beat, suspects after the deadline, convicts after deadAfter, recovers on a beat', () => {
    const members = view()
    expect(transition(members.beat(beat('a', 0), 0).change)).toEqual([undefined, 'alive', 'joined'])
    expect(members.beat(beat('a', 1), 1000)).toEqual({ change: undefined })
    expect(members.evaluate(3999)).toEqual([])
    expect(members.evaluate(4000).map(transition)).toEqual([['alive', 'suspect', 'suspected']])
    expect(members.evaluate(13_999)).toEqual([])
    expect(members.evaluate(14_000).map(transition)).toEqual([['suspect', 'dead', 'convicted']])
    expect(members.member('a', 14_000)).toMatchObject({ state: 'dead', since: 14_000, lastBeatAt: 1000, beats: 2 })
    expect(transition(members.beat(beat('a', 5), 20_000).change)).toEqual(['dead', 'alive', 'recovered'])
    expect(members.member('a', 20_000)).toMatchObject({ state: 'alive', seq: 5, lost: 3 })
  })

  it('drops stale beats, beats too far ahead of the clock, and new nodes beyond maxMembers, and says which', () => {
    const members = view({ maxMembers: 1, maxIncarnationLead: 1000 })
    members.beat(beat('a', 3), 0)
    expect(members.beat(beat('a', 3), 10)).toEqual({ drop: 'stale' })
    expect(members.beat(beat('a', 9, { incarnation: 0 }), 10)).toEqual({ drop: 'stale' })
    expect(members.beat(beat('a', 0, { incarnation: 2000 }), 10)).toEqual({ drop: 'tooFarAhead' })
    expect(members.beat(beat('b', 0), 10)).toEqual({ drop: 'overCapacity' })
    expect(members.counts()).toEqual({ alive: 1, suspect: 0, dead: 0, left: 0 })
  })

  it('a higher incarnation is a restart; a leaving beat is left at once; left members are forgotten after forgetAfter', () => {
    const members = view()
    members.beat(beat('a', 7), 0)
    expect(transition(members.beat(beat('a', 0, { incarnation: 2 }), 1000).change)).toEqual(['alive', 'alive', 'restarted'])
    expect(members.member('a', 1000)).toMatchObject({ incarnation: 2, restarts: 1 })
    expect(transition(members.beat(beat('a', 1, { incarnation: 2, status: 'leaving' }), 2000).change)).toEqual(['alive', 'left', 'left'])
    expect(members.beat(beat('a', 2, { incarnation: 2 }), 2500)).toEqual({ drop: 'stale' })
    expect(members.evaluate(61_999)).toEqual([])
    expect(members.member('a', 61_999)?.state).toBe('left')
    members.evaluate(62_000)
    expect(members.member('a', 62_000)).toBeUndefined()
  })

  it('rebase counts every silence from then: nobody is suspected for time nothing could be heard', () => {
    const members = view()
    members.beat(beat('a', 0), 0)
    members.rebase(10_000)
    expect(members.evaluate(12_999)).toEqual([])
    expect(members.evaluate(13_000).map(transition)).toEqual([['alive', 'suspect', 'suspected']])
    // A suspect's conviction clock restarts too.
    members.rebase(20_000)
    expect(members.evaluate(29_999).map(transition)).toEqual([])
    expect(members.evaluate(30_000).map(transition)).toEqual([['suspect', 'dead', 'convicted']])
  })
})
