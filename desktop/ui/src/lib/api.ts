// The one module that talks to the Rust side: every command and the event
// stream, typed. Components and stores call this, never `invoke` directly.

import type {
  Account,
  Attachment,
  CacheUsage,
  ClientEvent,
  CmdError,
  Connection,
  Device,
  DirectoryRoom,
  Member,
  NewerPage,
  NewRoom,
  NotifyLevel,
  OutboxItem,
  Person,
  Profile,
  RoomNotifications,
  RoomSummary,
  SearchHit,
  SearchQuery,
  Session,
  Settings,
  SettingsView,
  TimelineItem,
  TimelinePage,
  Uuid,
  Workspace,
} from './types';

/** The event name the Rust side emits client-core's events under. */
export const EVENT = 'tern://event';

export type Unlisten = () => void;

/** How calls reach the Rust side: Tauri in the app, a fake in tests. */
export interface Transport {
  invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  listen<T>(event: string, handler: (payload: T) => void): Promise<Unlisten>;
}

/** Turns anything thrown into a CmdError. */
export function toCmdError(e: unknown): CmdError {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as CmdError).code === 'string') {
    const c = e as Partial<CmdError>;
    return {
      code: c.code ?? 'unknown',
      message: c.message ?? '',
      text: c.text ?? '',
      server_code: c.server_code ?? null,
      status: c.status ?? null,
      transient: c.transient ?? false,
    };
  }
  return { code: 'unknown', message: String(e), text: '', server_code: null, status: null, transient: false };
}

export function isCmdError(e: unknown): e is CmdError {
  return !!e && typeof e === 'object' && 'code' in e && 'message' in e;
}

export function createApi(t: Transport) {
  const call = async <T>(cmd: string, args?: Record<string, unknown>): Promise<T> => {
    try {
      return await t.invoke<T>(cmd, args);
    } catch (e) {
      throw toCmdError(e);
    }
  };
  return {
    // auth
    session: () => call<Session>('session_get'),
    login: (server_url: string, login: string, password: string) =>
      call<Account>('auth_login', { server_url, login, password }),
    register: (server_url: string, username: string, email: string, password: string, display_name: string | null) =>
      call<Account>('auth_register', { server_url, username, email, password, display_name }),
    logout: () => call<void>('auth_logout'),
    workspaces: () => call<Workspace[]>('workspaces_list'),
    // account: profile, devices, people
    profile: () => call<Profile>('account_profile'),
    setDisplayName: (display_name: string) => call<Profile>('account_set_name', { display_name }),
    /** The image at `path` becomes the avatar; `null` clears it. */
    setAvatar: (path: string | null) => call<Profile>('account_set_avatar', { path }),
    sessions: () => call<Device[]>('account_sessions'),
    revokeSession: (session_id: Uuid) => call<void>('account_revoke_session', { session_id }),
    revokeOtherSessions: () => call<number>('account_revoke_other_sessions'),
    searchUsers: (query: string, limit = 20) => call<Person[]>('users_search', { query, limit }),
    // rooms
    rooms: () => call<RoomSummary[]>('rooms_list'),
    createRoom: (room: NewRoom) => call<Uuid>('rooms_create', { room }),
    join: (room_id: Uuid) => call<string>('rooms_join', { room_id }),
    leave: (room_id: Uuid) => call<string>('rooms_leave', { room_id }),
    directory: (workspace_id: Uuid) => call<DirectoryRoom[]>('rooms_directory', { workspace_id }),
    openDirect: (workspace_id: Uuid, user_id: Uuid) => call<Uuid>('rooms_open_direct', { workspace_id, user_id }),
    markRead: (room_id: Uuid, seq: number | null = null) => call<void>('rooms_mark_read', { room_id, seq }),
    members: (room_id: Uuid) => call<Member[]>('rooms_members', { room_id }),
    invite: (room_id: Uuid, user_id: Uuid) => call<void>('rooms_invite', { room_id, user_id }),
    roomNotifications: (room_id: Uuid) => call<RoomNotifications>('rooms_notifications', { room_id }),
    setRoomNotifications: (room_id: Uuid, muted: boolean | null, notify: NotifyLevel | null) =>
      call<void>('rooms_set_notifications', { room_id, muted, notify }),
    // timeline
    timeline: (room_id: Uuid, before: number | null = null, limit = 100) =>
      call<TimelinePage>('timeline_page', { room_id, before, limit }),
    timelineAfter: (room_id: Uuid, after: number, limit = 100) =>
      call<NewerPage>('timeline_after', { room_id, after, limit }),
    message: (id: Uuid) => call<TimelineItem | null>('timeline_message', { id }),
    send: (room_id: Uuid, body: string) => call<Uuid>('timeline_send', { room_id, body }),
    reply: (reply_to: Uuid, body: string) => call<Uuid>('timeline_reply', { reply_to, body }),
    edit: (message_id: Uuid, body: string) => call<string>('timeline_edit', { message_id, body }),
    remove: (message_id: Uuid) => call<string>('timeline_delete', { message_id }),
    react: (message_id: Uuid, emoji: string) => call<string>('timeline_react', { message_id, emoji }),
    unreact: (message_id: Uuid, emoji: string) => call<string>('timeline_unreact', { message_id, emoji }),
    backfill: (room_id: Uuid, limit = 100) => call<number>('timeline_backfill', { room_id, limit }),
    typing: (room_id: Uuid, typing: boolean) => call<void>('timeline_typing', { room_id, typing }),
    // outbox and connection
    outbox: () => call<OutboxItem[]>('outbox_list'),
    retry: (txn_id: string) => call<void>('outbox_retry', { txn_id }),
    discard: (txn_id: string) => call<void>('outbox_discard', { txn_id }),
    connection: () => call<Connection>('connection_get'),
    reconnect: () => call<void>('connection_reconnect'),
    // files
    sendFile: (room_id: Uuid, path: string, caption: string | null = null) =>
      call<Uuid>('files_send', { room_id, path, caption }),
    sendBytes: (room_id: Uuid, name: string, data: Uint8Array, caption: string | null = null) =>
      call<Uuid>('files_send_bytes', { room_id, name, data: Array.from(data), caption }),
    attachments: (message_id: Uuid) => call<Attachment[]>('files_attachments', { message_id }),
    fileInfo: (file_id: Uuid) => call<Attachment>('files_info', { file_id }),
    download: (file_id: Uuid) => call<string>('files_download', { file_id }),
    thumbnail: (file_id: Uuid, size: 'small' | 'medium' | 'large' = 'medium') =>
      call<string>('files_thumbnail', { file_id, size }),
    saveFile: (file_id: Uuid, dest: string) => call<void>('files_save', { file_id, dest }),
    pinFile: (file_id: Uuid, pinned: boolean) => call<void>('files_pin', { file_id, pinned }),
    openFile: (file_id: Uuid) => call<string>('files_open', { file_id }),
    cacheUsage: () => call<CacheUsage>('files_cache_usage'),
    // search
    search: (query: SearchQuery) => call<SearchHit[]>('search_messages', { query }),
    // settings
    settings: () => call<SettingsView>('settings_get'),
    setSettings: (settings: Settings) => call<void>('settings_set', { settings }),
    // events
    onEvent: (handler: (e: ClientEvent) => void) => t.listen<ClientEvent>(EVENT, handler),
  };
}

export type Api = ReturnType<typeof createApi>;

/** The transport of the running app. */
export async function tauriTransport(): Promise<Transport> {
  const core = await import('@tauri-apps/api/core');
  const event = await import('@tauri-apps/api/event');
  return {
    invoke: (cmd, args) => core.invoke(cmd, args),
    listen: async (name, handler) => event.listen(name, (e) => handler(e.payload as never)),
  };
}

/** The system's file dialogs and the window's drag and drop. */
export const desktop = {
  async pickFiles(): Promise<string[]> {
    const { open } = await import('@tauri-apps/plugin-dialog');
    const r = await open({ multiple: true, directory: false });
    if (!r) return [];
    return Array.isArray(r) ? r : [r];
  },
  async pickImage(): Promise<string | null> {
    const { open } = await import('@tauri-apps/plugin-dialog');
    const r = await open({
      multiple: false,
      directory: false,
      filters: [{ name: 'Images', extensions: ['png', 'jpg', 'jpeg', 'gif', 'webp'] }],
    });
    return typeof r === 'string' ? r : null;
  },
  async pickSavePath(name: string): Promise<string | null> {
    const { save } = await import('@tauri-apps/plugin-dialog');
    return (await save({ defaultPath: name })) ?? null;
  },
  async onDrop(handler: (kind: 'over' | 'drop' | 'leave', paths: string[]) => void): Promise<Unlisten> {
    const { getCurrentWebview } = await import('@tauri-apps/api/webview');
    return getCurrentWebview().onDragDropEvent((e) => {
      const p = e.payload;
      if (p.type === 'over' || p.type === 'enter') handler('over', []);
      else if (p.type === 'drop') handler('drop', p.paths);
      else handler('leave', []);
    });
  },
};
