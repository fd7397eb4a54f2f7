// The app's state, shared by every component: the session, the room list,
// the open room's timeline, the connection and the outbox. It reacts to
// client-core's events and asks the Rust side (through the API module) for
// what changed.

import type { Api, Unlisten } from './api';
import { toCmdError } from './api';
import { dayLabel, negotiate, translator, type Locale, type Translate } from './i18n';
import { banner, filterRooms, queuedCount, totalUnread } from './rooms';
import { percent, workspaceTabs } from './account';
import { append, buildRows, newestSeq, oldestSeq, prepend, removeIds, replace, upsert } from './timeline';
import type {
  Account,
  ClientEvent,
  CmdError,
  Connection,
  OutboxItem,
  Profile,
  RoomSummary,
  Settings,
  TimelineItem,
  Uuid,
  Workspace,
} from './types';

const PAGE = 100;

/** The most messages the open timeline holds. Reading further back drops
 * the newest from the window (reading down again brings them back), and
 * reading down drops the oldest, so memory and every pass over the window
 * stay bounded in a room of any size. */
export const WINDOW = 600;

/** Orders the answers of fetches of one thing. Events are handled
 * concurrently and the Rust side may answer two fetches out of order; an
 * answer to a fetch started earlier than one already applied is dropped,
 * so a stale room list never overwrites a fresh one. */
export class Fetches {
  private started = 0;
  private applied = 0;

  async run<T>(fetch: () => Promise<T>, apply: (v: T) => void): Promise<void> {
    const n = ++this.started;
    const v = await fetch();
    if (n < this.applied) return;
    this.applied = n;
    apply(v);
  }
}

export class AppStore {
  api: Api;
  account = $state<Account | null>(null);
  serverUrl = $state<string>('');
  ready = $state(false);
  rooms = $state<RoomSummary[]>([]);
  filter = $state('');
  workspace = $state<Uuid | null>(null);
  roomId = $state<Uuid | null>(null);
  // Replaced, never changed in place: no deep proxies over thousands of
  // messages.
  items = $state.raw<TimelineItem[]>([]);
  hasMore = $state(false);
  /** Newer messages are stored than the window holds: the reader is back
   * in history, and live messages wait below. */
  hasNewer = $state(false);
  loadingNewer = $state(false);
  /** The message a search result opened, to scroll to and mark. */
  focusId = $state<Uuid | null>(null);
  needsBackfill = $state(false);
  loadingOlder = $state(false);
  readSeq = $state<number | null>(null);
  connection = $state<Connection>({ state: 'offline', last_sync: null });
  outbox = $state<OutboxItem[]>([]);
  uploads = $state<Record<string, number>>({});
  /** Downloads under way: percent, or null when the size is not known. */
  downloads = $state<Record<string, number | null>>({});
  workspaces = $state<Workspace[]>([]);
  profile = $state<Profile | null>(null);
  /** Avatar pictures by file id, as `data:` URLs (null: none to show). */
  avatars = $state<Record<string, string | null>>({});
  settings = $state<Settings | null>(null);
  systemLanguage = $state<Locale>('en');
  error = $state<CmdError | null>(null);
  private unlisten: Unlisten | null = null;

  constructor(api: Api) {
    this.api = api;
  }

  get locale(): Locale {
    const l = this.settings?.language ?? 'system';
    return l === 'system' ? negotiate(this.systemLanguage) : l;
  }

  get t(): Translate {
    return translator(this.locale);
  }

  get visibleRooms(): RoomSummary[] {
    return filterRooms(this.rooms, this.filter, this.workspace);
  }

  get room(): RoomSummary | null {
    return this.rooms.find((r) => r.id === this.roomId) ?? null;
  }

  get workspaceTabs() {
    return workspaceTabs(this.workspaces, this.rooms);
  }

  /** The workspace new rooms and direct messages go to: the one chosen,
   * else the open room's, else the first. */
  get currentWorkspace(): Uuid | null {
    return this.workspace ?? this.room?.workspace_id ?? this.workspaces[0]?.id ?? this.rooms[0]?.workspace_id ?? null;
  }

  get queued(): number {
    return queuedCount(this.outbox);
  }

  get banner() {
    return this.account ? banner(this.connection, this.queued) : null;
  }

  get unread(): number {
    return totalUnread(this.rooms);
  }

  get rows() {
    const t = this.t;
    const locale = this.locale;
    return buildRows(this.items, (ms) => dayLabel(t, locale, ms), this.readSeq, this.account?.user_id ?? null);
  }

  /** Loads settings and the saved session; listens to events. */
  async start(): Promise<void> {
    this.unlisten = await this.api.onEvent((e) => void this.onEvent(e));
    try {
      const s = await this.api.settings();
      this.settings = s.settings;
      this.systemLanguage = s.system_language;
      const session = await this.api.session();
      this.serverUrl = session.server_url ?? 'http://127.0.0.1:8080';
      this.account = session.account;
      if (this.account) await this.afterSignIn();
    } catch (e) {
      this.error = toCmdError(e);
    } finally {
      this.ready = true;
    }
  }

  stop(): void {
    this.unlisten?.();
    this.unlisten = null;
  }

  async login(serverUrl: string, login: string, password: string): Promise<void> {
    this.error = null;
    try {
      this.account = await this.api.login(serverUrl, login, password);
      this.serverUrl = serverUrl;
      await this.afterSignIn();
    } catch (e) {
      this.error = toCmdError(e);
    }
  }

  async register(serverUrl: string, username: string, email: string, password: string, displayName: string | null) {
    this.error = null;
    try {
      this.account = await this.api.register(serverUrl, username, email, password, displayName);
      this.serverUrl = serverUrl;
      await this.afterSignIn();
    } catch (e) {
      this.error = toCmdError(e);
    }
  }

  async logout(): Promise<void> {
    try {
      await this.api.logout();
    } finally {
      this.account = null;
      this.rooms = [];
      this.items = [];
      this.roomId = null;
      this.outbox = [];
      this.profile = null;
      this.workspaces = [];
      this.workspace = null;
    }
  }

  private async afterSignIn(): Promise<void> {
    // Names and the profile come from the server: offline, the switcher
    // and the profile chip make do without them until the next sign-in.
    void this.refreshWorkspaces();
    void this.refreshProfile();
    await Promise.all([this.refreshRooms(), this.refreshOutbox(), this.refreshConnection()]);
    if (!this.roomId && this.rooms.length) await this.openRoom(filterRooms(this.rooms, '')[0]?.id ?? this.rooms[0].id);
  }

  async refreshRooms(): Promise<void> {
    if (!this.account) return;
    await this.roomFetches.run(() => this.api.rooms(), (rooms) => (this.rooms = rooms));
    // A room in a workspace not known yet: its name is on the server.
    const known = new Set(this.workspaces.map((w) => w.id));
    if (this.workspaces.length && this.rooms.some((r) => !known.has(r.workspace_id))) void this.refreshWorkspaces();
  }

  async refreshWorkspaces(): Promise<void> {
    if (!this.account) return;
    try {
      this.workspaces = await this.api.workspaces();
    } catch {
      // Offline: keep what is known.
    }
  }

  async refreshProfile(): Promise<void> {
    if (!this.account) return;
    try {
      this.setProfile(await this.api.profile());
    } catch {
      // Offline: keep what is known.
    }
  }

  setProfile(p: Profile): void {
    this.profile = p;
    if (p.avatar_file_id) void this.avatar(p.avatar_file_id);
  }

  /** The avatar picture for `fileId`, fetched once. */
  async avatar(fileId: Uuid): Promise<string | null> {
    if (fileId in this.avatars) return this.avatars[fileId];
    this.avatars = { ...this.avatars, [fileId]: null };
    try {
      const url = await this.api.thumbnail(fileId, 'small');
      this.avatars = { ...this.avatars, [fileId]: url };
      return url;
    } catch {
      const { [fileId]: _, ...rest } = this.avatars;
      this.avatars = rest;
      return null;
    }
  }

  async refreshOutbox(): Promise<void> {
    if (!this.account) return;
    await this.outboxFetches.run(() => this.api.outbox(), (items) => (this.outbox = items));
  }

  private roomFetches = new Fetches();
  private outboxFetches = new Fetches();

  /** Counts connection events, so that a state fetched before an event
   * that arrived while the fetch was in flight does not overwrite it. */
  private connectionEvents = 0;

  async refreshConnection(): Promise<void> {
    const seen = this.connectionEvents;
    const c = await this.api.connection();
    if (this.connectionEvents === seen) this.connection = c;
  }

  async openRoom(id: Uuid): Promise<void> {
    this.roomId = id;
    this.items = [];
    this.hasNewer = false;
    this.focusId = null;
    const before = this.rooms.find((r) => r.id === id);
    const page = await this.api.timeline(id, null, PAGE);
    if (this.roomId !== id) return;
    this.items = page.items;
    this.hasMore = page.has_more_local;
    this.needsBackfill = page.needs_backfill;
    // The read marker sits where the unread run starts.
    const seqs = page.items.filter((i) => i.seq !== null).map((i) => i.seq as number);
    const unread = before?.unread_count ?? 0;
    this.readSeq = unread > 0 && seqs.length >= unread ? seqs[seqs.length - unread] - 1 : null;
    await this.markRead();
  }

  async markRead(): Promise<void> {
    const room = this.room;
    if (room && room.unread_count > 0) await this.api.markRead(room.id, null);
  }

  /** The next older page: from the store, else from the server. */
  async loadOlder(): Promise<void> {
    const id = this.roomId;
    if (!id || this.loadingOlder || (!this.hasMore && !this.needsBackfill)) return;
    this.loadingOlder = true;
    try {
      if (!this.hasMore && this.needsBackfill) {
        await this.api.backfill(id, PAGE);
      }
      const page = await this.api.timeline(id, oldestSeq(this.items), PAGE);
      if (this.roomId !== id) return;
      const merged = prepend(this.items, page.items);
      this.hasMore = page.has_more_local;
      this.needsBackfill = page.needs_backfill;
      if (merged.length > WINDOW) {
        this.items = merged.slice(0, WINDOW);
        this.hasNewer = true;
      } else this.items = merged;
    } catch (e) {
      this.error = toCmdError(e);
    } finally {
      this.loadingOlder = false;
    }
  }

  /** The next newer page, for a reader back in history scrolling down. */
  async loadNewer(): Promise<void> {
    const id = this.roomId;
    const after = newestSeq(this.items);
    if (!id || this.loadingNewer || !this.hasNewer || after === null) return;
    this.loadingNewer = true;
    try {
      const page = await this.api.timelineAfter(id, after, PAGE);
      if (this.roomId !== id) return;
      const merged = append(this.items, page.items);
      this.hasNewer = !page.at_newest;
      if (merged.length > WINDOW) {
        this.items = merged.slice(merged.length - WINDOW);
        this.hasMore = true;
      } else this.items = merged;
    } catch (e) {
      this.error = toCmdError(e);
    } finally {
      this.loadingNewer = false;
    }
  }

  /** Back to the newest messages (the reader was back in history). */
  async showLatest(): Promise<void> {
    const id = this.roomId;
    if (!id) return;
    const page = await this.api.timeline(id, null, PAGE);
    if (this.roomId !== id) return;
    this.items = page.items;
    this.hasMore = page.has_more_local;
    this.needsBackfill = page.needs_backfill;
    this.hasNewer = false;
    this.focusId = null;
  }

  /** Opens a room at one message (a search result), with the messages
   * around it; the reader scrolls on either way from there. */
  async openAt(room: Uuid, messageId: Uuid): Promise<void> {
    const item = await this.api.message(messageId);
    if (!item || item.seq === null || item.room_id !== room) return this.openRoom(room);
    this.roomId = room;
    this.readSeq = null;
    const half = PAGE / 2;
    const [older, newer] = await Promise.all([this.api.timeline(room, item.seq + 1, half), this.api.timelineAfter(room, item.seq, half)]);
    if (this.roomId !== room) return;
    this.items = append(older.items, newer.items);
    this.hasMore = older.has_more_local;
    this.needsBackfill = older.needs_backfill;
    this.hasNewer = !newer.at_newest;
    this.focusId = messageId;
    await this.markRead();
  }

  private async reloadLatest(): Promise<void> {
    const id = this.roomId;
    if (!id) return;
    if (this.hasNewer) return this.reloadWindow(id);
    const page = await this.api.timeline(id, null, Math.max(PAGE, Math.min(this.items.length, 1000)));
    if (this.roomId !== id) return;
    this.items = page.items;
    this.hasMore = page.has_more_local;
    this.needsBackfill = page.needs_backfill;
  }

  /** The same stretch of history again, read afresh (missed events). */
  private async reloadWindow(id: Uuid): Promise<void> {
    const top = newestSeq(this.items);
    if (top === null) return;
    const page = await this.api.timeline(id, top + 1, Math.min(Math.max(this.items.length, 1), 1000));
    if (this.roomId !== id || !this.hasNewer) return;
    this.items = page.items;
    this.hasMore = page.has_more_local;
    this.needsBackfill = page.needs_backfill;
  }

  /** Whether a message belongs in the window: back in history, new
   * messages below it wait until the reader scrolls down to them. */
  private inWindow(item: TimelineItem): boolean {
    if (!this.hasNewer) return true;
    const top = newestSeq(this.items);
    return item.seq !== null && top !== null && item.seq <= top;
  }

  private async refetch(ids: Uuid[]): Promise<void> {
    for (const id of ids) {
      const item = await this.api.message(id);
      if (item && item.room_id === this.roomId && !this.inWindow(item)) continue;
      if (item && item.room_id === this.roomId) this.items = upsert(this.items, item);
      else if (!item) this.items = removeIds(this.items, [id]);
    }
  }

  async onEvent(e: ClientEvent): Promise<void> {
    try {
      switch (e.type) {
        case 'room_list_changed':
          await this.refreshRooms();
          break;
        case 'timeline_changed': {
          if (e.room_id !== this.roomId) break;
          const c = e.change;
          if (c.kind === 'added' || c.kind === 'updated') await this.refetch(c.ids);
          else if (c.kind === 'removed') this.items = removeIds(this.items, c.ids);
          else if (c.kind === 'replaced') {
            const item = await this.api.message(c.remote);
            if (item && !this.inWindow(item)) break;
            this.items = item ? replace(this.items, c.local, item) : removeIds(this.items, [c.local]);
          } else await this.reloadLatest();
          if (typeof document === 'undefined' || document.hasFocus()) await this.markRead();
          break;
        }
        case 'outbox_item':
          await this.refreshOutbox();
          break;
        case 'room_id_assigned':
          if (this.roomId === e.local) this.roomId = e.remote;
          await this.refreshRooms();
          break;
        case 'connection_changed':
          this.connectionEvents += 1;
          this.connection = e.connection;
          break;
        case 'store_changed':
        case 'lagged':
          // Missed events may include a connection change.
          await Promise.all([this.refreshRooms(), this.refreshOutbox(), this.reloadLatest(), this.refreshConnection()]);
          break;
        case 'session_ended':
          this.account = null;
          break;
        case 'upload_progress':
          this.uploads = { ...this.uploads, [e.file_id]: e.total ? Math.round((100 * e.sent) / e.total) : 0 };
          break;
        case 'download_progress':
          if (e.total !== null && e.received >= e.total) this.downloadDone(e.file_id);
          else this.downloads = { ...this.downloads, [e.file_id]: percent(e.received, e.total) };
          break;
        case 'file_cache_changed':
          this.downloadDone(e.file_id);
          break;
        default:
          break;
      }
    } catch (err) {
      this.error = toCmdError(err);
    }
  }

  private downloadDone(fileId: Uuid): void {
    if (!(fileId in this.downloads)) return;
    const { [fileId]: _, ...rest } = this.downloads;
    this.downloads = rest;
  }

  async send(body: string, replyTo: Uuid | null = null): Promise<boolean> {
    const id = this.roomId;
    if (!id || !body.trim()) return false;
    try {
      // What one sends shows at the bottom, as in every chat.
      if (this.hasNewer) await this.showLatest();
      if (replyTo) await this.api.reply(replyTo, body);
      else await this.api.send(id, body);
      return true;
    } catch (e) {
      this.error = toCmdError(e);
      return false;
    }
  }

  /** Sends a file from disk, or pasted bytes, as a message. */
  async sendFile(room: Uuid, file: string | { name: string; data: Uint8Array }): Promise<void> {
    await this.act(async () => {
      if (this.hasNewer && room === this.roomId) await this.showLatest();
      if (typeof file === 'string') await this.api.sendFile(room, file);
      else await this.api.sendBytes(room, file.name, file.data);
    });
  }

  async act(f: () => Promise<unknown>): Promise<void> {
    try {
      await f();
    } catch (e) {
      this.error = toCmdError(e);
    }
  }

  isMuted(room: Uuid): boolean {
    return this.settings?.muted_rooms.includes(room) ?? false;
  }

  /** Turns the room's notifications off or on again. */
  async toggleMute(room: Uuid): Promise<void> {
    if (!this.settings) return;
    const muted = this.isMuted(room)
      ? this.settings.muted_rooms.filter((r) => r !== room)
      : [...this.settings.muted_rooms, room];
    await this.saveSettings({ ...this.settings, muted_rooms: muted });
  }

  async leave(room: Uuid): Promise<void> {
    await this.act(async () => {
      await this.api.leave(room);
      if (this.roomId === room) {
        this.roomId = null;
        this.items = [];
      }
      await this.refreshRooms();
    });
  }

  async saveSettings(s: Settings): Promise<void> {
    await this.act(async () => {
      await this.api.setSettings(s);
      this.settings = s;
    });
  }
}
