// The shapes that cross from the Rust side (desktop/src-tauri/src/dto.rs).
// Ids are UUID strings; times are Unix milliseconds.

export type Uuid = string;

export interface Account {
  user_id: Uuid;
  session_id: Uuid;
  server_url: string;
}

export interface Session {
  server_url: string | null;
  account: Account | null;
}

export type ConnectionState = 'offline' | 'connecting' | 'syncing' | 'online';

export interface Connection {
  state: ConnectionState;
  last_sync: number | null;
}

export type RoomKind = 'channel' | 'group' | 'direct' | string;
export type MemberState = 'joined' | 'invited' | 'left' | 'kicked' | 'banned' | string;

export interface MessagePreview {
  id: Uuid;
  sender_id: Uuid;
  sender_name: string;
  body: string;
  deleted: boolean;
}

export interface RoomSummary {
  id: Uuid;
  workspace_id: Uuid;
  kind: RoomKind;
  name: string;
  topic: string | null;
  membership: MemberState;
  muted: boolean;
  unread_count: number;
  mention_count: number;
  last_activity: number;
  last_message: MessagePreview | null;
  local_only: boolean;
  pending_count: number;
  failed_count: number;
}

export type OutboxState =
  | { state: 'pending' }
  | { state: 'sending' }
  | { state: 'retrying'; attempts: number; next_attempt_at: number; last_error: string }
  /** `reason` is English (for logs); `text` says it in the app's language. */
  | { state: 'failed'; reason: string; text: string }
  | { state: 'delivered' }
  | { state: 'discarded' };

export interface OutboxItem {
  txn_id: string;
  room_id: Uuid;
  kind: string;
  state: OutboxState;
  created_at: number;
}

export interface ReplyPreview {
  id: Uuid;
  sender_id: Uuid;
  sender_name: string;
  body: string;
  deleted: boolean;
}

export interface Reaction {
  emoji: string;
  count: number;
  me: boolean;
  pending: boolean;
}

export interface TimelineItem {
  id: Uuid;
  room_id: Uuid;
  seq: number | null;
  sender_id: Uuid;
  sender_name: string;
  kind: string;
  body: string;
  reply_to: ReplyPreview | null;
  thread_root: Uuid | null;
  attachments: Uuid[];
  mentions_me: boolean;
  created_at: number;
  edited: boolean;
  deleted: boolean;
  reactions: Reaction[];
  local: OutboxState | null;
  pending_edit: OutboxState | null;
  pending_delete: OutboxState | null;
  txn_id: string | null;
}

/** Newer messages, oldest first; `at_newest` when the page reaches the
 * newest stored one (and then holds the room's local echoes). */
export interface NewerPage {
  items: TimelineItem[];
  at_newest: boolean;
}

export interface TimelinePage {
  items: TimelineItem[];
  has_more_local: boolean;
  needs_backfill: boolean;
}

export interface SearchQuery {
  text: string;
  room_id?: Uuid | null;
  sender_id?: Uuid | null;
  has_file?: boolean | null;
  after?: number | null;
  before?: number | null;
  limit?: number | null;
}

export interface SearchHit {
  message_id: Uuid;
  room_id: Uuid;
  sender_id: Uuid;
  created_at: number;
  body: string;
  highlighted: { text: string; matched: boolean }[];
}

export interface Attachment {
  id: Uuid;
  name: string;
  size: number;
  mime: string;
  known: boolean;
  cached: boolean;
  pinned: boolean;
  uploading: boolean;
}

export interface Workspace {
  id: Uuid;
  slug: string;
  name: string;
  kind: string;
}

export interface DirectoryRoom {
  id: Uuid;
  workspace_id: Uuid;
  kind: RoomKind;
  visibility: string;
  name: string | null;
  topic: string | null;
  member_count: number;
  archived: boolean;
  membership: MemberState | null;
}

export interface NewRoom {
  workspace_id: Uuid;
  kind: 'channel' | 'group';
  name: string;
  visibility: 'public' | 'private' | string;
  topic: string | null;
  members?: Uuid[];
}

export type Theme = 'system' | 'light' | 'dark';

export interface Settings {
  server_url: string | null;
  theme: Theme;
  language: 'system' | 'en' | 'ru';
  notifications: boolean;
  muted_rooms: Uuid[];
  cache_size_mb: number;
}

export interface SettingsView {
  settings: Settings;
  system_language: 'en' | 'ru';
}

export type TimelineChange =
  | { kind: 'added'; ids: Uuid[] }
  | { kind: 'updated'; ids: Uuid[] }
  | { kind: 'replaced'; local: Uuid; remote: Uuid }
  | { kind: 'removed'; ids: Uuid[] }
  | { kind: 'reset' };

export type ClientEvent =
  | { type: 'room_list_changed' }
  | { type: 'timeline_changed'; room_id: Uuid; change: TimelineChange }
  | { type: 'outbox_item'; txn_id: string; room_id: Uuid; state: OutboxState }
  | { type: 'room_id_assigned'; local: Uuid; remote: Uuid }
  | { type: 'connection_changed'; connection: Connection }
  | { type: 'typing'; room_id: Uuid; user_ids: Uuid[] }
  | { type: 'store_changed' }
  | { type: 'session_ended'; reason: string }
  | { type: 'upload_progress'; txn_id: string; room_id: Uuid; file_id: Uuid; sent: number; total: number }
  | { type: 'download_progress'; file_id: Uuid; received: number; total: number | null }
  | { type: 'file_cache_changed'; file_id: Uuid }
  | { type: 'lagged'; missed: number };

/** Every command fails with this (desktop/src-tauri/src/error.rs). */
export interface CmdError {
  code: string;
  /** English, with every detail: for logs, never shown. */
  message: string;
  /** What to show: the failure in the app's language. */
  text: string;
  server_code: string | null;
  status: number | null;
  transient: boolean;
}

/** The caller's profile. */
export interface Profile {
  user_id: Uuid;
  username: string;
  display_name: string;
  email: string;
  avatar_file_id: Uuid | null;
}

/** Another person, as a search finds them. */
export interface Person {
  user_id: Uuid;
  username: string;
  display_name: string;
  avatar_file_id: Uuid | null;
  bot: boolean;
}

/** One signed-in device. */
export interface Device {
  id: Uuid;
  device_name: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  last_seen_at: number;
  current: boolean;
}

export type RoomRole = 'owner' | 'moderator' | 'member' | string;

export interface Member {
  user_id: Uuid;
  username: string;
  name: string;
  role: RoomRole;
  state: MemberState;
}

export type NotifyLevel = 'all' | 'mentions' | 'none';

export interface RoomNotifications {
  muted: boolean;
  notify: NotifyLevel;
}

export interface CacheUsage {
  bytes: number;
  pinned_bytes: number;
  entries: number;
  max_bytes: number;
}
