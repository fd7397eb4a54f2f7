import { describe, expect, it } from 'vitest';
import { createApi, EVENT } from './api';
import { fakeTransport } from './fake';
import { AppStore, WINDOW } from './store.svelte';
import type { OutboxItem, RoomSummary, TimelineItem } from './types';

const ME = 'me-id';
const account = { user_id: ME, session_id: 's', server_url: 'http://h' };

function room(id: string, unread = 0): RoomSummary {
  return {
    id,
    workspace_id: 'w',
    kind: 'channel',
    name: id,
    topic: null,
    membership: 'joined',
    muted: false,
    unread_count: unread,
    mention_count: 0,
    last_activity: 0,
    last_message: null,
    local_only: false,
    pending_count: 0,
    failed_count: 0,
  };
}

function msg(id: string, seq: number | null, sender = 'bob'): TimelineItem {
  return {
    id,
    room_id: 'general',
    seq,
    sender_id: sender,
    sender_name: sender,
    kind: 'text',
    body: id,
    reply_to: null,
    thread_root: null,
    attachments: [],
    mentions_me: false,
    created_at: 1_700_000_000_000 + (seq ?? 99) * 1000,
    edited: false,
    deleted: false,
    reactions: [],
    local: seq === null ? { state: 'pending' } : null,
    pending_edit: null,
    pending_delete: null,
    txn_id: seq === null ? 't1' : null,
  };
}

function setup() {
  const db = {
    rooms: [room('general', 2), room('random')],
    messages: new Map<string, TimelineItem>([
      ['m1', msg('m1', 1)],
      ['m2', msg('m2', 2)],
      ['m3', msg('m3', 3)],
    ]),
    outbox: [] as OutboxItem[],
    connection: { state: 'online', last_sync: 1 } as { state: string; last_sync: number | null },
    // Holds the answer to `connection_get` until resolved.
    gate: Promise.resolve() as Promise<void>,
    // Holds the answer to `rooms_list` until resolved.
    roomsGate: Promise.resolve() as Promise<void>,
  };
  const f = fakeTransport({
    settings_get: () => ({
      settings: { server_url: 'http://h', theme: 'system', language: 'system', notifications: true, muted_rooms: [], cache_size_mb: 1024 },
      system_language: 'ru',
    }),
    session_get: () => ({ server_url: 'http://h', account }),
    rooms_list: async () => {
      const r = db.rooms;
      await db.roomsGate;
      return r;
    },
    outbox_list: () => db.outbox,
    connection_get: async () => {
      const c = db.connection;
      await db.gate;
      return c;
    },
    timeline_page: () => ({ items: [...db.messages.values()], has_more_local: false, needs_backfill: false }),
    timeline_message: (a) => db.messages.get(a?.id as string) ?? null,
    rooms_mark_read: () => null,
    timeline_send: (a) => {
      const m = { ...msg('local1', null, ME), body: a?.body as string };
      db.messages.set('local1', m);
      return 'local1';
    },
  });
  return { f, db, store: new AppStore(createApi(f.transport)) };
}

describe('AppStore', () => {
  it('restores the session, opens the first room and marks it read', async () => {
    const { f, store } = setup();
    await store.start();
    expect(store.ready).toBe(true);
    expect(store.account?.user_id).toBe(ME);
    expect(store.locale).toBe('ru');
    expect(store.roomId).toBe('general');
    expect(store.items.map((i) => i.id)).toEqual(['m1', 'm2', 'm3']);
    // Two unread of three: the marker goes after m1.
    expect(store.readSeq).toBe(1);
    expect(store.rows.some((r) => r.kind === 'marker')).toBe(true);
    expect(f.calls.some((c) => c.cmd === 'rooms_mark_read' && c.args?.room_id === 'general')).toBe(true);
  });

  it('shows a local echo, then the delivered message, from events', async () => {
    const { f, db, store } = setup();
    await store.start();
    expect(await store.send('hello')).toBe(true);
    f.emit(EVENT, { type: 'timeline_changed', room_id: 'general', change: { kind: 'added', ids: ['local1'] } });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.items.at(-1)?.local).toEqual({ state: 'pending' });
    db.messages.delete('local1');
    db.messages.set('m4', { ...msg('m4', 4, ME), body: 'hello' });
    f.emit(EVENT, { type: 'timeline_changed', room_id: 'general', change: { kind: 'replaced', local: 'local1', remote: 'm4' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.items.map((i) => i.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(store.items.at(-1)?.local).toBeNull();
  });

  it('shows the offline banner with the queue count', async () => {
    const { f, db, store } = setup();
    await store.start();
    expect(store.banner).toBeNull();
    db.outbox = [{ txn_id: 't1', room_id: 'general', kind: 'send', state: { state: 'pending' }, created_at: 0 }];
    f.emit(EVENT, { type: 'connection_changed', connection: { state: 'offline', last_sync: 1 } });
    f.emit(EVENT, { type: 'outbox_item', txn_id: 't1', room_id: 'general', state: { state: 'pending' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.banner).toEqual({ id: 'banner-offline', queued: 1 });
    f.emit(EVENT, { type: 'connection_changed', connection: { state: 'online', last_sync: 2 } });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.banner).toBeNull();
  });

  it('never lets a state fetched before a connection event overwrite it', async () => {
    const { f, db, store } = setup();
    await store.start();
    db.connection = { state: 'syncing', last_sync: 1 };
    let open = () => {};
    db.gate = new Promise<void>((r) => (open = r));
    const fetching = store.refreshConnection();
    f.emit(EVENT, { type: 'connection_changed', connection: { state: 'online', last_sync: 2 } });
    await new Promise((r) => setTimeout(r, 0));
    open();
    await fetching;
    expect(store.connection).toEqual({ state: 'online', last_sync: 2 });
    expect(store.banner).toBeNull();
    // With no event in between, a fetch is taken as it is.
    await store.refreshConnection();
    expect(store.connection.state).toBe('syncing');
  });

  it('never lets a room list fetched earlier overwrite one fetched later', async () => {
    const { f, db, store } = setup();
    await store.start();
    // The first fetch reads the old list and answers last.
    let open = () => {};
    db.roomsGate = new Promise<void>((r) => (open = r));
    f.emit(EVENT, { type: 'room_list_changed' });
    await new Promise((r) => setTimeout(r, 0));
    db.roomsGate = Promise.resolve();
    db.rooms = [room('general'), room('random'), room('dm', 1)];
    f.emit(EVENT, { type: 'room_list_changed' });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.unread).toBe(1);
    open();
    await new Promise((r) => setTimeout(r, 0));
    expect(store.rooms.map((r) => r.id)).toEqual(['general', 'random', 'dm']);
    expect(store.unread).toBe(1);
  });

  it('keeps the error of a failed sign-in', async () => {
    const { store } = setup();
    const f = fakeTransport({
      auth_login: () => {
        throw { code: 'server', message: 'bad', server_code: 'invalid_credentials', status: 401, transient: false };
      },
    });
    store.api = createApi(f.transport);
    await store.login('http://h', 'alice', 'nope');
    expect(store.account).toBeNull();
    expect(store.error?.server_code).toBe('invalid_credentials');
  });
});

describe('AppStore room settings', () => {
  it('mutes and unmutes a room through the settings, and leaves a room', async () => {
    const { f, store } = setup();
    const saved: unknown[] = [];
    const handlers = f.transport;
    store.api = createApi({
      ...handlers,
      invoke: async <T,>(cmd: string, args?: Record<string, unknown>): Promise<T> => {
        if (cmd === 'settings_set') {
          saved.push(args?.settings);
          return null as T;
        }
        if (cmd === 'rooms_leave') return 'txn' as T;
        return handlers.invoke<T>(cmd, args);
      },
    });
    await store.start();
    await store.toggleMute('general');
    expect(store.isMuted('general')).toBe(true);
    await store.toggleMute('general');
    expect(store.isMuted('general')).toBe(false);
    expect(saved).toHaveLength(2);
    await store.leave('general');
    expect(store.roomId).toBeNull();
    expect(store.items).toEqual([]);
  });
});

describe('AppStore account, workspaces and downloads', () => {
  it('loads workspace names and the profile with its avatar after sign-in', async () => {
    const { f, store } = setup();
    const extra = {
      workspaces_list: () => [{ id: 'w', slug: 'demo', name: 'Demo Company', kind: 'client' }],
      account_profile: () => ({ user_id: ME, username: 'bob', display_name: 'Bob', email: 'b@x', avatar_file_id: 'pic' }),
      files_thumbnail: (a: Record<string, unknown> | undefined) => `data:image/png;base64,${a?.file_id}`,
    };
    const base = f.transport;
    store.api = createApi({
      ...base,
      invoke: async <T,>(cmd: string, args?: Record<string, unknown>): Promise<T> => {
        const h = (extra as Record<string, (a?: Record<string, unknown>) => unknown>)[cmd];
        return h ? (h(args) as T) : base.invoke<T>(cmd, args);
      },
    });
    await store.start();
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(store.workspaceTabs).toEqual([{ id: 'w', name: 'Demo Company', unread: 2 }]);
    expect(store.currentWorkspace).toBe('w');
    expect(store.profile?.display_name).toBe('Bob');
    expect(store.avatars.pic).toBe('data:image/png;base64,pic');
    // Signing out forgets them.
    await store.logout().catch(() => {});
    expect(store.profile).toBeNull();
    expect(store.workspaces).toEqual([]);
  });

  it('works offline without names or a profile', async () => {
    const { store } = setup();
    await store.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(store.error).toBeNull();
    expect(store.profile).toBeNull();
    // The workspace still shows, by the start of its id.
    expect(store.workspaceTabs).toEqual([{ id: 'w', name: 'w', unread: 2 }]);
  });

  it('follows download progress until the file is in the cache', async () => {
    const { f, store } = setup();
    await store.start();
    f.emit(EVENT, { type: 'download_progress', file_id: 'f1', received: 0, total: 400 });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.downloads).toEqual({ f1: 0 });
    f.emit(EVENT, { type: 'download_progress', file_id: 'f1', received: 100, total: 400 });
    f.emit(EVENT, { type: 'download_progress', file_id: 'f2', received: 10, total: null });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.downloads).toEqual({ f1: 25, f2: null });
    f.emit(EVENT, { type: 'download_progress', file_id: 'f1', received: 400, total: 400 });
    f.emit(EVENT, { type: 'file_cache_changed', file_id: 'f2' });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.downloads).toEqual({});
  });
});

describe('AppStore timeline window', () => {
  const N = 2000;
  /** A room of N messages (seq 1..N) and the store opened on it. */
  async function history() {
    const all: TimelineItem[] = [];
    for (let s = 1; s <= N; s++) all.push({ ...msg(`m${s}`, s), body: `#${s}` });
    const db = { all, local: [] as TimelineItem[] };
    const f = fakeTransport({
      settings_get: () => ({
        settings: { server_url: 'http://h', theme: 'system', language: 'system', notifications: true, muted_rooms: [], cache_size_mb: 1024 },
        system_language: 'en',
      }),
      session_get: () => ({ server_url: 'http://h', account }),
      rooms_list: () => [room('general')],
      outbox_list: () => [],
      connection_get: () => ({ state: 'online', last_sync: 1 }),
      timeline_page: (a) => {
        const before = (a?.before as number | null) ?? Number.POSITIVE_INFINITY;
        const older = db.all.filter((i) => (i.seq as number) < before);
        const items = older.slice(-(a?.limit as number));
        return {
          items: a?.before == null ? [...items, ...db.local] : items,
          has_more_local: older.length > items.length,
          needs_backfill: false,
        };
      },
      timeline_after: (a) => {
        const newer = db.all.filter((i) => (i.seq as number) > (a?.after as number));
        const items = newer.slice(0, a?.limit as number);
        const at_newest = newer.length <= items.length;
        return { items: at_newest ? [...items, ...db.local] : items, at_newest };
      },
      timeline_message: (a) => [...db.all, ...db.local].find((i) => i.id === a?.id) ?? null,
      rooms_mark_read: () => null,
      timeline_send: (a) => {
        db.local.push({ ...msg('local1', null, ME), body: a?.body as string });
        return 'local1';
      },
    });
    const store = new AppStore(createApi(f.transport));
    await store.start();
    return { f, db, store };
  }
  const seqs = (store: AppStore) => store.items.map((i) => i.seq);
  const tick = () => new Promise((r) => setTimeout(r, 0));

  it('keeps at most a window of messages while reading back and down again', async () => {
    const { store } = await history();
    expect(seqs(store).at(-1)).toBe(N);
    expect(store.hasNewer).toBe(false);
    // Read back 12 pages: the newest fall out of the window.
    for (let i = 0; i < 12; i++) await store.loadOlder();
    expect(store.items.length).toBe(WINDOW);
    expect(store.hasNewer).toBe(true);
    expect(seqs(store)[0]).toBe(N - 1300 + 1);
    expect(seqs(store).at(-1)).toBe(N - 1300 + WINDOW);
    // Down again: the oldest fall out, in order, no gaps or doubles.
    for (let i = 0; i < 20 && store.hasNewer; i++) await store.loadNewer();
    expect(store.hasNewer).toBe(false);
    expect(store.hasMore).toBe(true);
    expect(store.items.length).toBe(WINDOW);
    expect(seqs(store)).toEqual(Array.from({ length: WINDOW }, (_, i) => N - WINDOW + 1 + i));
  });

  it('holds live messages back while the reader is in history, and shows them on the way down', async () => {
    const { f, db, store } = await history();
    for (let i = 0; i < 8; i++) await store.loadOlder();
    expect(store.hasNewer).toBe(true);
    const before = seqs(store);
    db.all.push({ ...msg('new', N + 1), body: 'live' });
    f.emit(EVENT, { type: 'timeline_changed', room_id: 'general', change: { kind: 'added', ids: ['new'] } });
    await tick();
    expect(seqs(store)).toEqual(before);
    await store.showLatest();
    expect(store.hasNewer).toBe(false);
    expect(store.items.at(-1)?.body).toBe('live');
  });

  it('goes back to the newest before a send from history', async () => {
    const { store } = await history();
    for (let i = 0; i < 8; i++) await store.loadOlder();
    expect(await store.send('from the past')).toBe(true);
    expect(store.hasNewer).toBe(false);
    expect(seqs(store).filter((s) => s !== null).at(-1)).toBe(N);
  });

  it('opens a search result in context and reads on from there both ways', async () => {
    const { store } = await history();
    await store.openAt('general', 'm300');
    expect(store.focusId).toBe('m300');
    expect(store.items.some((i) => i.id === 'm300')).toBe(true);
    expect(seqs(store)[0]).toBe(251);
    expect(seqs(store).at(-1)).toBe(350);
    expect(store.hasNewer).toBe(true);
    expect(store.hasMore).toBe(true);
    await store.loadNewer();
    expect(seqs(store).at(-1)).toBe(450);
    await store.loadOlder();
    expect(seqs(store)[0]).toBe(151);
    // Another room (or the same again) starts at the newest.
    await store.openRoom('general');
    expect(store.focusId).toBeNull();
    expect(store.hasNewer).toBe(false);
  });
});
