import { describe, expect, it } from 'vitest';
import { buildRows, echoLabel, lastOwn, oldestSeq, prepend, removeIds, replace, threadCounts, upsert } from './timeline';
import type { TimelineItem } from './types';

const DAY = 86_400_000;
const base = new Date(2026, 10, 20, 10).getTime();

function item(id: string, seq: number | null, at: number, sender = 'bob', extra: Partial<TimelineItem> = {}): TimelineItem {
  return {
    id,
    room_id: 'r',
    seq,
    sender_id: sender,
    sender_name: sender,
    kind: 'text',
    body: `body ${id}`,
    reply_to: null,
    thread_root: null,
    attachments: [],
    mentions_me: false,
    created_at: at,
    edited: false,
    deleted: false,
    reactions: [],
    local: null,
    pending_edit: null,
    pending_delete: null,
    txn_id: null,
    ...extra,
  };
}

describe('timeline', () => {
  it('keeps server order, local echoes last, and replaces echoes', () => {
    let items = [item('a', 1, base), item('b', 2, base + 1)];
    items = upsert(items, item('local', null, base + 5, 'me', { local: { state: 'pending' } }));
    items = upsert(items, item('c', 3, base + 2));
    expect(items.map((i) => i.id)).toEqual(['a', 'b', 'c', 'local']);
    items = replace(items, 'local', item('remote', 4, base + 5, 'me'));
    expect(items.map((i) => i.id)).toEqual(['a', 'b', 'c', 'remote']);
    items = upsert(items, { ...items[1], body: 'edited', edited: true });
    expect(items[1].body).toBe('edited');
    expect(items).toHaveLength(4);
    expect(removeIds(items, ['a', 'c']).map((i) => i.id)).toEqual(['b', 'remote']);
  });

  it('prepends an older page without duplicates', () => {
    const items = [item('c', 3, base), item('d', 4, base)];
    const merged = prepend(items, [item('a', 1, base), item('b', 2, base), item('c', 3, base)]);
    expect(merged.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(oldestSeq(merged)).toBe(1);
    expect(oldestSeq([item('x', null, base)])).toBeNull();
  });

  it('puts day separators, the read marker and groups runs by sender', () => {
    const items = [
      item('a', 1, base, 'bob'),
      item('b', 2, base + 60_000, 'bob'),
      item('c', 3, base + DAY, 'bob'),
      item('d', 4, base + DAY + 60_000, 'carol'),
      item('e', 5, base + DAY + 120_000, 'carol'),
    ];
    const rows = buildRows(items, (ms) => `day ${new Date(ms).getDate()}`, 3, 'me');
    expect(rows.map((r) => (r.kind === 'message' ? `${r.item.id}${r.continued ? '+' : ''}` : r.kind === 'day' ? r.label : 'marker'))).toEqual([
      'day 20',
      'a',
      'b+',
      'day 21',
      'c',
      'marker',
      'd',
      'e+',
    ]);
  });

  it('has no read marker when everything is read or sent by me', () => {
    const items = [item('a', 1, base, 'me'), item('b', 2, base, 'me')];
    expect(buildRows(items, () => 'd', 0, 'me').some((r) => r.kind === 'marker')).toBe(false);
    expect(buildRows(items, () => 'd', null, 'me').some((r) => r.kind === 'marker')).toBe(false);
  });

  it('describes echo states and finds the message to edit', () => {
    expect(echoLabel(null)).toBeNull();
    expect(echoLabel({ state: 'pending' })).toEqual({ id: 'state-pending' });
    // The reason in the app's language, as the Rust side words it; the
    // English one only when it has no words.
    expect(echoLabel({ state: 'failed', reason: 'server answered 403 forbidden: no', text: 'Вам это не разрешено' })).toEqual({
      id: 'state-failed',
      args: { reason: 'Вам это не разрешено' },
    });
    expect(echoLabel({ state: 'failed', reason: 'forbidden', text: '' })).toEqual({ id: 'state-failed', args: { reason: 'forbidden' } });
    expect(echoLabel({ state: 'retrying', attempts: 2, next_attempt_at: 0, last_error: '' })?.args).toEqual({ attempts: 2 });
    const items = [item('a', 1, base, 'me'), item('b', 2, base, 'bob'), item('c', 3, base, 'me', { deleted: true })];
    expect(lastOwn(items, 'me')?.id).toBe('a');
    expect(lastOwn(items, 'nobody')).toBeNull();
    expect(threadCounts([item('x', 1, base, 'a', { thread_root: 'a' }), item('y', 2, base, 'a', { thread_root: 'a' })]).get('a')).toBe(2);
  });

  it('builds rows for 100 000 messages quickly', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => item(`m${i}`, i + 1, base + i * 30_000, i % 3 ? 'bob' : 'carol'));
    const t0 = performance.now();
    const rows = buildRows(many, () => 'day', 99_990, 'me');
    const ms = performance.now() - t0;
    expect(rows.filter((r) => r.kind === 'message')).toHaveLength(100_000);
    expect(ms).toBeLessThan(3000);
  });
});
