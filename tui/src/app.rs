//! The full-screen client's state and the only code that changes it.
//!
//! Input never touches the state directly: [`App::on_key`] and
//! [`App::on_mouse`] turn events into [`Action`]s, and [`App::update`]
//! applies one action and returns the [`Cmd`]s (requests for the worker,
//! which owns the client) it needs. The worker's answers come back as
//! actions too. Drawing (see [`crate::draw`]) only reads the state, so every
//! screen can be produced in a test from an `App` built by hand.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use tern_client_core::i18n::Translator;
use tern_client_core::protocol::room::{NotifyLevel, RoomKind};
use tern_client_core::{
    Attachment, ClientEvent, ConnectionProblem, ConnectionState, ConnectionStatus, MemberInfo,
    RoomSummary, SearchHit, SearchQuery, TimelineChange, TimelineItem, TimelinePage,
};
use time::UtcOffset;
use uuid::Uuid;

use crate::config::{Config, ThemeName};
use crate::input::{TextInput, TextOp};
use crate::keys::{Bound, Keymap};
use crate::profile::{RoomPrefs, WorkspaceName};
use crate::theme::Theme;

/// Messages fetched per page of a timeline.
pub const PAGE: u32 = 100;

/// The most timeline items held at once. Scrolling past either end of
/// this window pages in from the store and drops what left the other end,
/// so a room of any length costs the same to scroll and draw.
pub const WINDOW: usize = 1000;

/// Where a page of timeline goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// The newest messages: the window follows the live end.
    Live,
    /// The same stretch again (something in it changed).
    Window,
    /// Around a message found by search; `detached` when newer ones exist.
    Jump { detached: bool },
    /// Older messages, put before the window.
    Older,
    /// Newer messages, put after the window; `at_end` when they reach the
    /// newest.
    Newer { at_end: bool },
}

/// A file going up or coming down, for the progress bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub file: Uuid,
    pub name: String,
    pub done: u64,
    pub total: Option<u64>,
    pub upload: bool,
    pub finished: bool,
}

impl Transfer {
    /// 0 to 100.
    pub fn percent(&self) -> u64 {
        if self.finished {
            return 100;
        }
        match self.total {
            Some(0) => 100,
            Some(t) => (self.done.min(t) * 100) / t,
            None => 0,
        }
    }
}

/// A person one can write to or invite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserEntry {
    pub id: Uuid,
    pub username: String,
    pub name: String,
}

/// A room of the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub id: Uuid,
    pub workspace: String,
    pub name: String,
    pub topic: Option<String>,
    pub members: u32,
    pub joined: bool,
}

/// A list in a popup (members, the room directory).
#[derive(Clone, Debug)]
pub struct ListView<T> {
    pub items: Vec<T>,
    pub sel: usize,
    pub loading: bool,
}

impl<T> ListView<T> {
    /// Takes the loaded items, keeping the selection within them.
    fn loaded(&mut self, items: Vec<T>) {
        self.items = items;
        self.loading = false;
        self.sel = self.sel.min(self.items.len().saturating_sub(1));
    }
}

impl<T> Default for ListView<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            sel: 0,
            loading: false,
        }
    }
}

/// How many seqs a thread count looks through: replies further than this
/// after the oldest message shown are not counted.
pub const THREAD_SPAN: i64 = 20_000;

/// The `:` commands, for Tab completion and the help.
pub const COMMANDS: &[&str] = &[
    "join",
    "leave",
    "create",
    "dm",
    "invite",
    "members",
    "directory",
    "upload",
    "open",
    "save",
    "mute",
    "unmute",
    "notify",
    "react",
    "search",
    "retry",
    "discard",
    "read",
    "theme",
    "lang",
    "logout",
    "quit",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Login,
    Main,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Rooms,
    Timeline,
    Composer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginField {
    Server,
    Username,
    Email,
    Password,
}

#[derive(Clone, Debug, Default)]
pub struct LoginForm {
    pub server: TextInput,
    pub username: TextInput,
    pub email: TextInput,
    pub password: TextInput,
    pub register: bool,
    pub field: usize,
    pub busy: bool,
    pub error: Option<String>,
}

impl LoginForm {
    pub fn fields(&self) -> Vec<LoginField> {
        if self.register {
            vec![
                LoginField::Server,
                LoginField::Username,
                LoginField::Email,
                LoginField::Password,
            ]
        } else {
            vec![
                LoginField::Server,
                LoginField::Username,
                LoginField::Password,
            ]
        }
    }

    pub fn current(&self) -> LoginField {
        let f = self.fields();
        f[self.field.min(f.len() - 1)]
    }

    fn input(&mut self, f: LoginField) -> &mut TextInput {
        match f {
            LoginField::Server => &mut self.server,
            LoginField::Username => &mut self.username,
            LoginField::Email => &mut self.email,
            LoginField::Password => &mut self.password,
        }
    }
}

/// What the composer's text will do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComposeMode {
    New,
    Reply { id: Uuid, name: String },
    Edit { id: Uuid },
}

#[derive(Clone, Debug)]
pub struct Composer {
    pub input: TextInput,
    pub mode: ComposeMode,
    pub history: Vec<String>,
    pub history_pos: Option<usize>,
}

impl Default for Composer {
    fn default() -> Self {
        Self {
            input: TextInput::default(),
            mode: ComposeMode::New,
            history: Vec::new(),
            history_pos: None,
        }
    }
}

/// The open room's loaded stretch of timeline, oldest first.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    pub room: Option<Uuid>,
    pub items: Vec<TimelineItem>,
    pub has_more_local: bool,
    pub needs_backfill: bool,
    pub loading: bool,
    /// The selected message; `None` follows the newest.
    pub sel: Option<usize>,
    /// The first message that was unread when the room was opened.
    pub new_from: Option<Uuid>,
    /// Unread count when the room was opened, to place `new_from`.
    pub unread_at_open: u32,
    /// Newer messages than the window holds exist (it was scrolled back
    /// or jumped): scrolling down pages them in.
    pub detached: bool,
    /// Thread replies per message (of this room).
    pub threads: HashMap<Uuid, u32>,
    /// Messages with a thread root already counted.
    pub thread_seen: HashSet<Uuid>,
    /// The seqs whose thread replies `threads` counts.
    pub threads_range: Option<(i64, i64)>,
    /// Attachments of the messages shown, by message id.
    pub files: HashMap<Uuid, Vec<Attachment>>,
}

/// One search hit with the names to show it.
#[derive(Clone, Debug)]
pub struct Hit {
    pub hit: SearchHit,
    pub sender: String,
    pub room: String,
}

#[derive(Clone, Debug, Default)]
pub struct SearchView {
    pub input: TextInput,
    /// Restricted to this room; `None` searches everything.
    pub room: Option<Uuid>,
    pub results: Vec<Hit>,
    pub searched: bool,
    /// Typing the query (true) or moving through the results.
    pub editing: bool,
    pub sel: usize,
}

#[derive(Clone, Debug)]
pub enum Overlay {
    None,
    Help,
    Command(TextInput),
    Search(SearchView),
    ConfirmDelete(Uuid),
    Members(ListView<MemberInfo>),
    Directory(ListView<DirEntry>),
    /// The quick reactions for the selected message; the chosen one.
    ReactPicker(usize),
}

/// The reactions the picker offers (`:react` takes any).
pub const QUICK_REACTIONS: [&str; 8] = ["👍", "🔥", "😂", "🎉", "😮", "😢", "🙏", "👀"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// Everything the screen shows.
pub struct App {
    pub tr: Translator,
    pub theme: Theme,
    pub keymap: Keymap,
    pub config: Config,
    pub offset: UtcOffset,
    pub screen: Screen,
    pub login: LoginForm,
    pub me: Option<Uuid>,
    pub server_url: String,
    pub rooms: Vec<RoomSummary>,
    pub rooms_loaded: bool,
    pub workspaces: BTreeMap<Uuid, WorkspaceName>,
    pub room_sel: usize,
    pub room_filter: TextInput,
    pub timeline: Timeline,
    pub focus: Focus,
    pub composer: Composer,
    pub overlay: Overlay,
    pub connection: ConnectionStatus,
    /// Why the last connection attempt failed, while offline.
    pub connection_problem: Option<ConnectionProblem>,
    pub queued: usize,
    pub failed: usize,
    pub typing: HashMap<Uuid, Vec<Uuid>>,
    /// User names seen in timelines, for typing and search.
    pub names: HashMap<Uuid, String>,
    pub notice: Option<Notice>,
    /// Uploads and downloads under way (and those just finished).
    pub transfers: Vec<Transfer>,
    /// People of the workspaces, for `:dm` and `:invite`.
    pub users: Vec<UserEntry>,
    /// Mute and notification level per room, kept in the profile state.
    pub prefs: BTreeMap<Uuid, RoomPrefs>,
    pub quit: bool,
}

/// Something that changes the state: a user's intent or a worker's answer.
#[derive(Clone, Debug)]
pub enum Action {
    Quit,
    Key(Bound),
    Text(TextOp),
    Submit,
    Cancel,
    HistoryPrev,
    HistoryNext,
    EditLast,
    Complete,
    ToggleRegister,
    ScrollRooms(i32),
    ScrollTimeline(i32),
    ClickRoom(usize),
    Confirm(bool),
    /// A reaction of the picker, by its place.
    Pick(usize),
    // Answers.
    LoggedIn {
        me: Uuid,
        server: String,
    },
    LoginFailed(String),
    LoggedOut,
    RoomsLoaded(Vec<RoomSummary>),
    TimelineLoaded {
        room: Uuid,
        page: TimelinePage,
        kind: PageKind,
        focus: Option<Uuid>,
    },
    /// A page could not be read; scrolling may ask again.
    PageFailed {
        room: Uuid,
    },
    FilesLoaded {
        room: Uuid,
        files: Vec<(Uuid, Vec<Attachment>)>,
    },
    ThreadsLoaded {
        room: Uuid,
        counts: HashMap<Uuid, u32>,
    },
    TransferStarted {
        file: Uuid,
        name: String,
        total: Option<u64>,
        upload: bool,
    },
    TransferDone {
        file: Uuid,
    },
    MembersLoaded(Vec<MemberInfo>),
    DirectoryLoaded(Vec<DirEntry>),
    UsersLoaded(Vec<UserEntry>),
    BackfillDone {
        room: Uuid,
        count: usize,
    },
    SearchLoaded(Vec<Hit>),
    OutboxLoaded {
        queued: usize,
        failed: usize,
    },
    WorkspacesLoaded(BTreeMap<Uuid, WorkspaceName>),
    Connection(ConnectionStatus),
    ConnectionProblem(Option<ConnectionProblem>),
    Client(ClientEvent),
    Incoming {
        room: Uuid,
        sender: String,
        body: String,
        /// The message mentions the user.
        mention: bool,
    },
    OpenRoom(Uuid),
    Notice(String),
    Error(String),
}

/// A request for the worker (or, for `Notify`, the terminal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cmd {
    Login {
        server: String,
        login: String,
        password: String,
    },
    Register {
        server: String,
        username: String,
        email: String,
        password: String,
    },
    Logout,
    LoadRooms,
    LoadTimeline {
        room: Uuid,
        limit: u32,
        focus: Option<Uuid>,
    },
    LoadOlder {
        room: Uuid,
        before: i64,
    },
    /// Messages after `after` (a seq), for a window scrolled back.
    LoadNewer {
        room: Uuid,
        after: i64,
    },
    /// The window again: `limit` messages before `before`.
    LoadWindow {
        room: Uuid,
        before: i64,
        limit: u32,
        focus: Option<Uuid>,
    },
    /// Thread replies among the messages with seqs `from..=to`.
    LoadThreads {
        room: Uuid,
        from: i64,
        to: i64,
    },
    Upload {
        room: Uuid,
        path: PathBuf,
    },
    OpenFile {
        file: Uuid,
    },
    SaveFile {
        file: Uuid,
        dest: Option<PathBuf>,
    },
    LoadMembers {
        room: Uuid,
    },
    LoadDirectory,
    LoadUsers,
    Invite {
        room: Uuid,
        user: String,
    },
    JoinId {
        room: Uuid,
    },
    SavePrefs {
        room: Uuid,
        prefs: RoomPrefs,
    },
    Backfill {
        room: Uuid,
    },
    Send {
        room: Uuid,
        body: String,
        reply_to: Option<Uuid>,
    },
    Edit {
        id: Uuid,
        body: String,
    },
    Delete {
        id: Uuid,
    },
    React {
        id: Uuid,
        emoji: String,
    },
    MarkRead {
        room: Uuid,
    },
    Search {
        query: SearchQuery,
    },
    JumpTo {
        room: Uuid,
        message: Uuid,
    },
    LoadOutbox,
    LoadWorkspaces,
    Retry {
        room: Uuid,
    },
    Discard {
        room: Uuid,
    },
    Join {
        name: String,
        workspace: Option<Uuid>,
    },
    Leave {
        room: Uuid,
    },
    Create {
        workspace: Uuid,
        name: String,
        channel: bool,
    },
    Dm {
        workspace: Uuid,
        user: Uuid,
    },
    Notify {
        title: String,
        body: String,
    },
    /// The language the worker's messages use from now on.
    Locale(String),
}

/// A row of the room list: a group heading or a room (index into `rooms`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoomRow {
    Heading(String),
    Room(usize),
}

impl App {
    pub fn new(config: Config, tr: Translator, offset: UtcOffset, server_url: String) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let (keymap, problems) = Keymap::new(&config.keys);
        let theme = Theme::new(config.theme, no_color);
        let mut login = LoginForm::default();
        login.server.set(&server_url);
        login.field = 1;
        Self {
            theme,
            keymap,
            config,
            offset,
            screen: Screen::Login,
            login,
            me: None,
            server_url,
            rooms: Vec::new(),
            rooms_loaded: false,
            workspaces: BTreeMap::new(),
            room_sel: 0,
            room_filter: TextInput::default(),
            timeline: Timeline::default(),
            focus: Focus::Rooms,
            composer: Composer::default(),
            overlay: Overlay::None,
            connection: ConnectionStatus {
                state: ConnectionState::Offline,
                last_sync: None,
            },
            connection_problem: None,
            queued: 0,
            failed: 0,
            typing: HashMap::new(),
            names: HashMap::new(),
            notice: problems.first().map(|p| Notice {
                text: p.message(&tr),
                error: true,
            }),
            transfers: Vec::new(),
            users: Vec::new(),
            prefs: BTreeMap::new(),
            quit: false,
            tr,
        }
    }

    /// Signed in already (a restored session): the main screen at once,
    /// drawn from the store before the network answers.
    pub fn start_signed_in(&mut self, me: Uuid) -> Vec<Cmd> {
        self.me = Some(me);
        self.screen = Screen::Main;
        vec![Cmd::LoadRooms, Cmd::LoadOutbox]
    }

    pub fn set_theme(&mut self, name: ThemeName) {
        self.theme = Theme::new(name, self.theme.no_color);
    }

    // ---- the room list ----

    /// Rooms in display order, grouped: each workspace (by name), then
    /// direct messages; filtered by the typed filter.
    pub fn room_rows(&self) -> Vec<RoomRow> {
        let filter = self.room_filter.text.to_lowercase();
        let visible =
            |r: &RoomSummary| filter.is_empty() || r.name.to_lowercase().contains(&filter);
        let mut groups: BTreeMap<(String, Uuid), Vec<usize>> = BTreeMap::new();
        let mut direct = Vec::new();
        for (i, r) in self.rooms.iter().enumerate() {
            if !visible(r) {
                continue;
            }
            if r.kind == RoomKind::Direct {
                direct.push(i);
            } else {
                let label = self
                    .workspaces
                    .get(&r.workspace_id)
                    .map(|w| {
                        if w.name.is_empty() {
                            w.slug.clone()
                        } else {
                            w.name.clone()
                        }
                    })
                    .unwrap_or_else(|| self.tr.tr("tui-rooms-workspace"));
                groups.entry((label, r.workspace_id)).or_default().push(i);
            }
        }
        let mut rows = Vec::new();
        for ((label, _), idx) in groups {
            rows.push(RoomRow::Heading(label));
            rows.extend(idx.into_iter().map(RoomRow::Room));
        }
        if !direct.is_empty() {
            rows.push(RoomRow::Heading(self.tr.tr("tui-rooms-direct")));
            rows.extend(direct.into_iter().map(RoomRow::Room));
        }
        rows
    }

    /// Room indices in display order.
    pub fn room_order(&self) -> Vec<usize> {
        self.room_rows()
            .into_iter()
            .filter_map(|r| match r {
                RoomRow::Room(i) => Some(i),
                RoomRow::Heading(_) => None,
            })
            .collect()
    }

    pub fn selected_room(&self) -> Option<&RoomSummary> {
        let order = self.room_order();
        order
            .get(self.room_sel.min(order.len().saturating_sub(1)))
            .and_then(|i| self.rooms.get(*i))
    }

    pub fn current_room(&self) -> Option<&RoomSummary> {
        let id = self.timeline.room?;
        self.rooms.iter().find(|r| r.id == id)
    }

    fn open_room(&mut self, id: Uuid) -> Vec<Cmd> {
        if self.timeline.room == Some(id) {
            self.focus = Focus::Composer;
            return vec![];
        }
        let unread = self
            .rooms
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.unread_count)
            .unwrap_or(0);
        self.timeline = Timeline {
            room: Some(id),
            loading: true,
            unread_at_open: unread,
            ..Timeline::default()
        };
        self.composer.mode = ComposeMode::New;
        self.focus = Focus::Composer;
        vec![
            Cmd::LoadTimeline {
                room: id,
                limit: PAGE,
                focus: None,
            },
            Cmd::MarkRead { room: id },
        ]
    }

    /// Counts thread replies again when the window left the stretch
    /// counted, or `force` (new replies arrived).
    fn threads_cmd(&mut self, force: bool) -> Option<Cmd> {
        let t = &mut self.timeline;
        let room = t.room?;
        let oldest = t.items.iter().find_map(|i| i.seq)?;
        let newest = t.items.iter().rev().find_map(|i| i.seq)?;
        let stale = match t.threads_range {
            None => true,
            Some((a, b)) => oldest < a || newest > b,
        };
        if !force && !stale {
            return None;
        }
        // A little older than shown, so the next pages up are counted too.
        let from = (oldest - 2_000).max(0);
        let to = from.saturating_add(THREAD_SPAN).max(newest);
        t.threads_range = Some((from, to));
        Some(Cmd::LoadThreads { room, from, to })
    }

    /// A search, with the filters client-core offers written into the
    /// text: `from:NAME`, `in:ROOM`, `has:file`, `no:file`,
    /// `after:YYYY-MM-DD`, `before:YYYY-MM-DD`. A filter that names no one
    /// or nothing says so instead of searching.
    pub fn search_cmd(&mut self, text: &str, room: Option<Uuid>) -> Vec<Cmd> {
        let mut q = SearchQuery {
            room_id: room,
            limit: Some(200),
            ..SearchQuery::default()
        };
        let mut words = Vec::new();
        let me = self.me;
        for w in text.split_whitespace() {
            let Some((key, val)) = w.split_once(':').filter(|(_, v)| !v.is_empty()) else {
                words.push(w);
                continue;
            };
            let bad = |app: &mut App| {
                app.notice = Some(Notice {
                    text: app
                        .tr
                        .tr_args("tui-search-bad-filter", &[("filter", w.to_owned().into())]),
                    error: true,
                });
                Vec::new()
            };
            match key {
                "from" => {
                    let want = val.trim_start_matches('@').to_lowercase();
                    let found = self
                        .users
                        .iter()
                        .find(|u| u.username.to_lowercase() == want)
                        .map(|u| u.id)
                        .or_else(|| {
                            self.users
                                .iter()
                                .map(|u| (u.id, u.name.as_str()))
                                .chain(self.names.iter().map(|(id, n)| (*id, n.as_str())))
                                .find(|(_, n)| n.to_lowercase().starts_with(&want))
                                .map(|(id, _)| id)
                        })
                        .or_else(|| (want == "me").then_some(me).flatten());
                    match found {
                        Some(id) => q.sender_id = Some(id),
                        None => return bad(self),
                    }
                }
                "in" => {
                    match crate::resolve::resolve_in(&self.tr, &self.rooms, &self.workspaces, val) {
                        Ok(r) => q.room_id = Some(r.id),
                        Err(_) => return bad(self),
                    }
                }
                "has" | "no" if val == "file" => q.has_file = Some(key == "has"),
                "after" | "before" => {
                    let f = time::macros::format_description!("[year]-[month]-[day]");
                    match time::Date::parse(val, &f) {
                        Ok(d) => {
                            let t = d.midnight().assume_offset(self.offset);
                            if key == "after" {
                                q.after = Some(t);
                            } else {
                                q.before = Some(t);
                            }
                        }
                        Err(_) => return bad(self),
                    }
                }
                _ => words.push(w),
            }
        }
        q.text = words.join(" ");
        vec![Cmd::Search { query: q }]
    }

    /// Muted here (the profile's choice) or on the server.
    pub fn room_muted(&self, r: &RoomSummary) -> bool {
        self.prefs
            .get(&r.id)
            .and_then(|p| p.muted)
            .unwrap_or(r.muted)
    }

    /// What raises a notification in a room: the level chosen here, else
    /// the account's level for the room (mentions, and every message of a
    /// direct room, unless set otherwise); nothing when muted.
    pub fn notify_level(&self, room: Uuid) -> NotifyLevel {
        let pref = self.prefs.get(&room).copied().unwrap_or_default();
        let summary = self.rooms.iter().find(|r| r.id == room);
        let muted = match summary {
            Some(r) => self.room_muted(r),
            None => pref.muted.unwrap_or(false),
        };
        if muted {
            return NotifyLevel::None;
        }
        pref.notify
            .or(summary.map(|r| r.notify))
            .unwrap_or(NotifyLevel::Mentions)
    }

    fn set_prefs(&mut self, room: Uuid, f: impl FnOnce(&mut RoomPrefs)) -> Vec<Cmd> {
        let p = self.prefs.entry(room).or_default();
        f(p);
        let prefs = *p;
        vec![Cmd::SavePrefs { room, prefs }]
    }

    /// The room a room command is about: the one named, else the one
    /// selected in the list (when the list has the focus), else the open
    /// one.
    fn command_room(&mut self, arg: &str) -> Option<Uuid> {
        if !arg.is_empty() {
            return match crate::resolve::resolve_in(&self.tr, &self.rooms, &self.workspaces, arg) {
                Ok(r) => Some(r.id),
                Err(e) => {
                    self.notice = Some(Notice {
                        text: e,
                        error: true,
                    });
                    None
                }
            };
        }
        let room = if self.focus == Focus::Rooms {
            self.selected_room().map(|r| r.id)
        } else {
            None
        };
        let room = room.or(self.timeline.room);
        if room.is_none() {
            self.notice = Some(Notice {
                text: self.tr.tr("tui-no-room"),
                error: true,
            });
        }
        room
    }

    fn toggle_mute(&mut self, room: Uuid, muted: Option<bool>) -> Vec<Cmd> {
        let now = match self.rooms.iter().find(|r| r.id == room) {
            Some(r) => self.room_muted(r),
            None => false,
        };
        let muted = muted.unwrap_or(!now);
        let name = self
            .rooms
            .iter()
            .find(|r| r.id == room)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        self.notice = Some(Notice {
            text: self.tr.tr_args(
                if muted { "tui-muted" } else { "tui-unmuted" },
                &[("room", name.into())],
            ),
            error: false,
        });
        self.set_prefs(room, |p| p.muted = Some(muted))
    }

    fn progress(&mut self, file: Uuid, done: u64, total: Option<u64>, upload: bool) {
        let finished = upload && total.is_some_and(|t| done >= t);
        match self.transfers.iter_mut().find(|t| t.file == file) {
            Some(t) => {
                t.done = done;
                if total.is_some() {
                    t.total = total;
                }
                t.finished |= finished;
            }
            None => self.transfers.push(Transfer {
                file,
                name: String::new(),
                done,
                total,
                upload,
                finished,
            }),
        }
    }

    /// Forgets finished uploads and downloads (after the next key).
    pub fn clear_finished(&mut self) {
        self.transfers.retain(|t| !t.finished);
    }

    /// The attachment of the selected (or newest) message, if it has one.
    pub fn selected_file(&self) -> Option<Uuid> {
        let item = self.selected_item()?;
        item.attachments.first().copied()
    }

    fn move_room(&mut self, delta: i32) {
        let n = self.room_order().len();
        if n == 0 {
            self.room_sel = 0;
            return;
        }
        let cur = self.room_sel.min(n - 1) as i64;
        self.room_sel = (cur + delta as i64).clamp(0, n as i64 - 1) as usize;
    }

    // ---- the timeline ----

    fn move_sel(&mut self, delta: i64) -> Vec<Cmd> {
        let n = self.timeline.items.len();
        if n == 0 {
            return vec![];
        }
        let cur = self.timeline.sel.unwrap_or(n - 1) as i64;
        let next = (cur + delta).clamp(0, n as i64 - 1) as usize;
        if self.timeline.detached {
            self.timeline.sel = Some(next);
            if next == n - 1 && delta > 0 {
                return self.load_newer();
            }
        } else {
            self.timeline.sel = if next == n - 1 && delta > 0 {
                None
            } else {
                Some(next)
            };
        }
        if next == 0 && delta < 0 {
            return self.load_older();
        }
        vec![]
    }

    /// Reached the bottom of a window scrolled back: page in newer ones.
    fn load_newer(&mut self) -> Vec<Cmd> {
        let Some(room) = self.timeline.room else {
            return vec![];
        };
        if self.timeline.loading {
            return vec![];
        }
        match self.timeline.items.iter().rev().find_map(|i| i.seq) {
            Some(after) => {
                self.timeline.loading = true;
                vec![Cmd::LoadNewer { room, after }]
            }
            None => self.jump_live(),
        }
    }

    /// Back to the newest messages.
    fn jump_live(&mut self) -> Vec<Cmd> {
        self.timeline.sel = None;
        if !self.timeline.detached {
            return vec![];
        }
        self.timeline.detached = false;
        match self.timeline.room {
            Some(room) => vec![Cmd::LoadTimeline {
                room,
                limit: PAGE,
                focus: None,
            }],
            None => vec![],
        }
    }

    /// Reached the top of what is loaded: page in from the store, else
    /// from the server.
    fn load_older(&mut self) -> Vec<Cmd> {
        let Some(room) = self.timeline.room else {
            return vec![];
        };
        if self.timeline.loading {
            return vec![];
        }
        if self.timeline.has_more_local
            && let Some(before) = self.timeline.items.first().and_then(|i| i.seq)
        {
            self.timeline.loading = true;
            return vec![Cmd::LoadOlder { room, before }];
        }
        if self.timeline.needs_backfill {
            self.timeline.loading = true;
            return vec![Cmd::Backfill { room }];
        }
        vec![]
    }

    pub fn selected_item(&self) -> Option<&TimelineItem> {
        let n = self.timeline.items.len();
        self.timeline
            .items
            .get(self.timeline.sel.unwrap_or(n.checked_sub(1)?))
    }

    fn reload_timeline(&self, focus: Option<Uuid>) -> Vec<Cmd> {
        if self.timeline.detached
            && let Some(room) = self.timeline.room
            && let Some(last) = self.timeline.items.iter().rev().find_map(|i| i.seq)
        {
            let sel = self.selected_item().map(|i| i.id);
            return vec![Cmd::LoadWindow {
                room,
                before: last + 1,
                limit: (self.timeline.items.len() as u32).clamp(1, WINDOW as u32),
                focus: focus.or(sel),
            }];
        }
        match self.timeline.room {
            Some(room) => vec![Cmd::LoadTimeline {
                room,
                limit: (self.timeline.items.len() as u32).clamp(PAGE, 1000),
                focus,
            }],
            None => vec![],
        }
    }

    // ---- input ----

    /// Turns a key into actions for the current screen and mode.
    pub fn on_key(&self, k: KeyEvent) -> Vec<Action> {
        if k.kind == KeyEventKind::Release {
            return vec![];
        }
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        if ctrl && matches!(k.code, KeyCode::Char('c')) {
            return vec![Action::Quit];
        }
        let text = |k: &KeyEvent| -> Option<TextOp> {
            Some(match k.code {
                KeyCode::Char('w') if ctrl => TextOp::DeleteWord,
                KeyCode::Char('a') if ctrl => TextOp::Home,
                KeyCode::Char('e') if ctrl => TextOp::End,
                KeyCode::Char(c) if !ctrl && !alt => TextOp::Insert(c),
                KeyCode::Backspace => TextOp::Backspace,
                KeyCode::Delete => TextOp::Delete,
                KeyCode::Left => TextOp::Left,
                KeyCode::Right => TextOp::Right,
                KeyCode::Home => TextOp::Home,
                KeyCode::End => TextOp::End,
                _ => return None,
            })
        };
        if self.screen == Screen::Login {
            return match k.code {
                KeyCode::Enter => vec![Action::Submit],
                KeyCode::Esc => vec![Action::Quit],
                KeyCode::Tab | KeyCode::Down => vec![Action::Key(Bound::Down)],
                KeyCode::BackTab | KeyCode::Up => vec![Action::Key(Bound::Up)],
                KeyCode::Char('r') if ctrl => vec![Action::ToggleRegister],
                _ => text(&k).map(Action::Text).into_iter().collect(),
            };
        }
        match &self.overlay {
            Overlay::Help => return vec![Action::Cancel],
            Overlay::ReactPicker(_) => {
                return match k.code {
                    KeyCode::Enter => vec![Action::Submit],
                    KeyCode::Esc => vec![Action::Cancel],
                    KeyCode::Left => vec![Action::Key(Bound::Up)],
                    KeyCode::Right => vec![Action::Key(Bound::Down)],
                    KeyCode::Char(c @ '1'..='8') if !ctrl && !alt => {
                        vec![Action::Pick(c as usize - '1' as usize)]
                    }
                    _ => match self.keymap.get(&k) {
                        Some(Bound::Up | Bound::FocusRooms) => vec![Action::Key(Bound::Up)],
                        Some(Bound::Down | Bound::Open) => vec![Action::Key(Bound::Down)],
                        Some(Bound::Command) => vec![Action::Key(Bound::Command)],
                        Some(Bound::Quit | Bound::React) => vec![Action::Cancel],
                        _ => vec![],
                    },
                };
            }
            Overlay::ConfirmDelete(_) => {
                return vec![Action::Confirm(matches!(
                    k.code,
                    KeyCode::Char('y' | 'Y' | 'д' | 'Д') | KeyCode::Enter
                ))];
            }
            Overlay::Command(_) => {
                return match k.code {
                    KeyCode::Enter => vec![Action::Submit],
                    KeyCode::Esc => vec![Action::Cancel],
                    KeyCode::Tab => vec![Action::Complete],
                    _ => text(&k).map(Action::Text).into_iter().collect(),
                };
            }
            Overlay::Members(_) | Overlay::Directory(_) => {
                return match k.code {
                    KeyCode::Enter => vec![Action::Submit],
                    KeyCode::Esc => vec![Action::Cancel],
                    _ => match self.keymap.get(&k) {
                        Some(
                            b @ (Bound::Up
                            | Bound::Down
                            | Bound::Top
                            | Bound::Bottom
                            | Bound::PageUp
                            | Bound::PageDown),
                        ) => vec![Action::Key(b)],
                        Some(Bound::Quit | Bound::Members | Bound::Directory) => {
                            vec![Action::Cancel]
                        }
                        _ => vec![],
                    },
                };
            }
            Overlay::Search(s) => {
                if s.editing {
                    return match k.code {
                        KeyCode::Enter => vec![Action::Submit],
                        KeyCode::Esc => vec![Action::Cancel],
                        KeyCode::Down | KeyCode::Tab => vec![Action::Key(Bound::Down)],
                        _ => text(&k).map(Action::Text).into_iter().collect(),
                    };
                }
                return match k.code {
                    KeyCode::Enter => vec![Action::Submit],
                    KeyCode::Esc => vec![Action::Cancel],
                    _ => match self.keymap.get(&k) {
                        Some(
                            b @ (Bound::Up
                            | Bound::Down
                            | Bound::Top
                            | Bound::Bottom
                            | Bound::Search),
                        ) => {
                            vec![Action::Key(b)]
                        }
                        Some(Bound::Quit) => vec![Action::Cancel],
                        _ => vec![],
                    },
                };
            }
            Overlay::None => {}
        }
        match self.focus {
            Focus::Composer => match k.code {
                KeyCode::Enter if alt => vec![Action::Text(TextOp::Newline)],
                KeyCode::Char('j') if ctrl => vec![Action::Text(TextOp::Newline)],
                KeyCode::Enter => vec![Action::Submit],
                KeyCode::Esc => vec![Action::Cancel],
                KeyCode::Tab => vec![Action::Complete],
                KeyCode::BackTab => vec![Action::Key(Bound::FocusPrev)],
                KeyCode::Up if self.composer.input.is_empty() => vec![Action::EditLast],
                KeyCode::Char('p') if ctrl => vec![Action::HistoryPrev],
                KeyCode::Char('n') if ctrl => vec![Action::HistoryNext],
                KeyCode::PageUp => vec![Action::Key(Bound::PageUp)],
                KeyCode::PageDown => vec![Action::Key(Bound::PageDown)],
                KeyCode::Up if alt => vec![Action::Key(Bound::PrevRoom)],
                KeyCode::Down if alt => vec![Action::Key(Bound::NextRoom)],
                _ => text(&k).map(Action::Text).into_iter().collect(),
            },
            Focus::Rooms => {
                let filtering = !self.room_filter.is_empty();
                match k.code {
                    KeyCode::Esc if filtering => vec![Action::Cancel],
                    KeyCode::Backspace if filtering => vec![Action::Text(TextOp::Backspace)],
                    KeyCode::Up => vec![Action::Key(Bound::Up)],
                    KeyCode::Down => vec![Action::Key(Bound::Down)],
                    KeyCode::Enter => vec![Action::Key(Bound::Open)],
                    KeyCode::Char(c)
                        if !ctrl
                            && !alt
                            && (filtering
                                || self.keymap.get(&k).is_none_or(|b| !b.acts_on_rooms())) =>
                    {
                        vec![Action::Text(TextOp::Insert(c))]
                    }
                    _ => self.keymap.get(&k).map(Action::Key).into_iter().collect(),
                }
            }
            Focus::Timeline => match k.code {
                KeyCode::Esc => vec![Action::Key(Bound::Bottom)],
                _ => self.keymap.get(&k).map(Action::Key).into_iter().collect(),
            },
        }
    }

    /// The wheel scrolls the pane under the pointer; a click on a room
    /// opens it.
    pub fn on_mouse(&self, m: MouseEvent, width: u16, height: u16) -> Vec<Action> {
        let layout = crate::draw::main_layout(ratatui::layout::Rect::new(0, 0, width, height));
        let over_rooms = layout
            .rooms
            .contains(ratatui::layout::Position::new(m.column, m.row));
        match m.kind {
            MouseEventKind::ScrollUp if over_rooms => vec![Action::ScrollRooms(-1)],
            MouseEventKind::ScrollDown if over_rooms => vec![Action::ScrollRooms(1)],
            MouseEventKind::ScrollUp => vec![Action::ScrollTimeline(-1)],
            MouseEventKind::ScrollDown => vec![Action::ScrollTimeline(1)],
            MouseEventKind::Down(_) if over_rooms && self.screen == Screen::Main => {
                let row = m.row.saturating_sub(layout.rooms.y + 1) as usize;
                let rows = self.room_rows();
                let top = crate::draw::list_top(
                    rows.len(),
                    self.selected_row(),
                    layout.rooms.height.saturating_sub(2) as usize,
                );
                match rows.get(top + row) {
                    Some(RoomRow::Room(i)) => vec![Action::ClickRoom(*i)],
                    _ => vec![],
                }
            }
            _ => vec![],
        }
    }

    /// The row (in [`App::room_rows`]) of the selected room.
    pub fn selected_row(&self) -> usize {
        let rows = self.room_rows();
        let order = self.room_order();
        let Some(sel) = order.get(self.room_sel.min(order.len().saturating_sub(1))) else {
            return 0;
        };
        rows.iter()
            .position(|r| *r == RoomRow::Room(*sel))
            .unwrap_or(0)
    }

    // ---- update ----

    /// Applies one action; returns what to ask of the worker.
    pub fn update(&mut self, action: Action) -> Vec<Cmd> {
        match action {
            Action::Quit => {
                self.quit = true;
                vec![]
            }
            Action::Key(b) => self.on_bound(b),
            Action::Text(op) => {
                self.on_text(op);
                vec![]
            }
            Action::Submit => self.on_submit(),
            Action::Cancel => {
                self.on_cancel();
                vec![]
            }
            Action::HistoryPrev | Action::HistoryNext => {
                let h = &self.composer.history;
                if h.is_empty() {
                    return vec![];
                }
                let pos = match (
                    self.composer.history_pos,
                    matches!(action, Action::HistoryPrev),
                ) {
                    (None, true) => Some(h.len() - 1),
                    (None, false) => None,
                    (Some(p), true) => Some(p.saturating_sub(1)),
                    (Some(p), false) => (p + 1 < h.len()).then_some(p + 1),
                };
                self.composer.history_pos = pos;
                let text = pos.and_then(|p| h.get(p)).cloned().unwrap_or_default();
                self.composer.input.set(&text);
                vec![]
            }
            Action::EditLast => {
                let me = self.me;
                let last = self
                    .timeline
                    .items
                    .iter()
                    .rev()
                    .find(|i| Some(i.sender_id) == me && !i.deleted)
                    .map(|i| (i.id, i.body.clone()));
                if let Some((id, body)) = last {
                    self.composer.input.set(&body);
                    self.composer.mode = ComposeMode::Edit { id };
                }
                vec![]
            }
            Action::Complete => {
                if let Overlay::Command(t) = &mut self.overlay {
                    let done = complete_command(&t.text, &self.users, &self.names, self.me);
                    if let Some(line) = done {
                        t.set(&line);
                    }
                } else {
                    self.complete_mention();
                }
                vec![]
            }
            Action::ToggleRegister => {
                self.login.register = !self.login.register;
                self.login.field = self.login.field.min(self.login.fields().len() - 1);
                vec![]
            }
            Action::ScrollRooms(d) => {
                self.move_room(d);
                vec![]
            }
            Action::ScrollTimeline(d) => self.move_sel(d as i64),
            Action::ClickRoom(i) => {
                if let Some(pos) = self.room_order().iter().position(|x| *x == i) {
                    self.room_sel = pos;
                }
                match self.rooms.get(i).map(|r| r.id) {
                    Some(id) => self.open_room(id),
                    None => vec![],
                }
            }
            Action::Pick(i) => {
                if matches!(self.overlay, Overlay::ReactPicker(_)) && i < QUICK_REACTIONS.len() {
                    self.overlay = Overlay::ReactPicker(i);
                    return self.on_submit();
                }
                vec![]
            }
            Action::Confirm(yes) => {
                let overlay = std::mem::replace(&mut self.overlay, Overlay::None);
                match overlay {
                    Overlay::ConfirmDelete(id) if yes => vec![Cmd::Delete { id }],
                    _ => vec![],
                }
            }
            Action::LoggedIn { me, server } => {
                self.login.busy = false;
                self.login.password.clear();
                self.login.error = None;
                self.server_url = server;
                self.start_signed_in(me)
            }
            Action::LoginFailed(e) => {
                self.login.busy = false;
                self.login.error = Some(e);
                vec![]
            }
            Action::LoggedOut => {
                self.me = None;
                self.screen = Screen::Login;
                self.rooms.clear();
                self.timeline = Timeline::default();
                vec![]
            }
            Action::RoomsLoaded(rooms) => {
                let selected = self.selected_room().map(|r| r.id);
                self.rooms = rooms;
                self.rooms_loaded = true;
                if let Some(id) = selected
                    && let Some(pos) = self
                        .room_order()
                        .iter()
                        .position(|i| self.rooms.get(*i).is_some_and(|r| r.id == id))
                {
                    self.room_sel = pos;
                }
                self.move_room(0);
                // The first list of a run opens its first room.
                if self.timeline.room.is_none()
                    && let Some(id) = self.selected_room().map(|r| r.id)
                {
                    let cmds = self.open_room(id);
                    self.focus = Focus::Rooms;
                    return cmds;
                }
                vec![]
            }
            Action::TimelineLoaded {
                room,
                page,
                kind,
                focus,
            } => {
                if self.timeline.room != Some(room) {
                    return vec![];
                }
                for i in &page.items {
                    self.names.insert(i.sender_id, i.sender_name.clone());
                }
                let mut new_threads = false;
                for i in page.items.iter().filter(|i| i.thread_root.is_some()) {
                    new_threads |= self.timeline.thread_seen.insert(i.id);
                }
                let t = &mut self.timeline;
                t.loading = false;
                match kind {
                    PageKind::Older => {
                        let n = page.items.len();
                        let mut items = page.items;
                        items.append(&mut t.items);
                        t.items = items;
                        t.sel = t.sel.map(|s| s + n);
                        t.has_more_local = page.has_more_local;
                        t.needs_backfill = page.needs_backfill;
                        if t.items.len() > WINDOW {
                            // The newest leave the window; scrolling down
                            // brings them back.
                            t.items.truncate(WINDOW);
                            t.detached = true;
                            t.sel = Some(t.sel.unwrap_or(WINDOW - 1).min(WINDOW - 1));
                        }
                    }
                    PageKind::Newer { at_end } => {
                        let last = t.items.iter().rev().find_map(|i| i.seq);
                        let held: HashSet<Uuid> = t.items.iter().map(|i| i.id).collect();
                        let sel_id = t.sel.and_then(|s| t.items.get(s)).map(|i| i.id);
                        if at_end {
                            // Local echoes sit at the end and may have
                            // changed: they come again with the page.
                            t.items.retain(|i| i.seq.is_some());
                        }
                        t.items.extend(
                            page.items
                                .into_iter()
                                .filter(|i| !held.contains(&i.id) || i.seq.is_none())
                                .filter(|i| match (i.seq, last) {
                                    (Some(s), Some(l)) => s > l,
                                    _ => true,
                                }),
                        );
                        if t.items.len() > WINDOW {
                            let cut = t.items.len() - WINDOW;
                            t.items.drain(..cut);
                            t.has_more_local = true;
                        }
                        t.sel = sel_id.and_then(|id| t.items.iter().position(|i| i.id == id));
                        t.detached = !at_end;
                        if t.detached && t.sel.is_none() {
                            t.sel = t.items.len().checked_sub(1);
                        }
                    }
                    PageKind::Live | PageKind::Window | PageKind::Jump { .. } => {
                        let sel_id = t.sel.and_then(|s| t.items.get(s)).map(|i| i.id);
                        t.items = page.items;
                        t.has_more_local = page.has_more_local;
                        t.needs_backfill = page.needs_backfill;
                        match kind {
                            PageKind::Live => t.detached = false,
                            PageKind::Jump { detached } => t.detached = detached,
                            _ => {}
                        }
                        let want = focus.or(sel_id);
                        t.sel = want.and_then(|id| t.items.iter().position(|i| i.id == id));
                        if t.detached && t.sel.is_none() {
                            t.sel = t.items.len().checked_sub(1);
                        }
                        if t.new_from.is_none() && t.unread_at_open > 0 && kind == PageKind::Live {
                            let me = self.me;
                            let theirs: Vec<&TimelineItem> = t
                                .items
                                .iter()
                                .filter(|i| Some(i.sender_id) != me && i.seq.is_some())
                                .collect();
                            let k = (t.unread_at_open as usize).min(theirs.len());
                            t.new_from = theirs.get(theirs.len() - k).map(|i| i.id);
                        }
                    }
                }
                self.threads_cmd(new_threads).into_iter().collect()
            }
            Action::FilesLoaded { room, files } => {
                if self.timeline.room == Some(room) {
                    let keep: HashSet<Uuid> = self.timeline.items.iter().map(|i| i.id).collect();
                    self.timeline.files.retain(|id, _| keep.contains(id));
                    self.timeline.files.extend(files);
                }
                vec![]
            }
            Action::ThreadsLoaded { room, counts } => {
                if self.timeline.room == Some(room) {
                    self.timeline.threads = counts;
                }
                vec![]
            }
            Action::TransferStarted {
                file,
                name,
                total,
                upload,
            } => {
                match self.transfers.iter_mut().find(|t| t.file == file) {
                    Some(t) => {
                        t.name = name;
                        if t.total.is_none() {
                            t.total = total;
                        }
                    }
                    None => self.transfers.push(Transfer {
                        file,
                        name,
                        done: 0,
                        total,
                        upload,
                        finished: false,
                    }),
                }
                vec![]
            }
            Action::TransferDone { file } => {
                if let Some(t) = self.transfers.iter_mut().find(|t| t.file == file) {
                    t.finished = true;
                    t.done = t.total.unwrap_or(t.done);
                }
                vec![]
            }
            Action::MembersLoaded(list) => {
                if let Overlay::Members(v) = &mut self.overlay {
                    v.loaded(list);
                }
                vec![]
            }
            Action::DirectoryLoaded(list) => {
                if let Overlay::Directory(v) = &mut self.overlay {
                    v.loaded(list);
                }
                vec![]
            }
            Action::UsersLoaded(users) => {
                for u in &users {
                    self.names.entry(u.id).or_insert_with(|| u.name.clone());
                }
                self.users = users;
                vec![]
            }
            Action::BackfillDone { room, count } => {
                if self.timeline.room != Some(room) {
                    return vec![];
                }
                self.timeline.loading = false;
                if count == 0 {
                    self.timeline.needs_backfill = false;
                    return vec![];
                }
                // What arrived is older than the window: page it in above,
                // where the reader is.
                if let Some(before) = self.timeline.items.iter().find_map(|i| i.seq) {
                    self.timeline.loading = true;
                    return vec![Cmd::LoadOlder { room, before }];
                }
                let focus = self.selected_item().map(|i| i.id);
                vec![Cmd::LoadTimeline {
                    room,
                    limit: (self.timeline.items.len() as u32 + count as u32).min(1000),
                    focus,
                }]
            }
            Action::PageFailed { room } => {
                if self.timeline.room == Some(room) {
                    self.timeline.loading = false;
                }
                vec![]
            }
            Action::SearchLoaded(hits) => {
                if let Overlay::Search(s) = &mut self.overlay {
                    s.results = hits;
                    s.searched = true;
                    s.sel = 0;
                    s.editing = s.results.is_empty();
                }
                vec![]
            }
            Action::OutboxLoaded { queued, failed } => {
                self.queued = queued;
                self.failed = failed;
                vec![]
            }
            Action::WorkspacesLoaded(ws) => {
                self.workspaces = ws;
                vec![]
            }
            Action::ConnectionProblem(p) => {
                self.connection_problem = p;
                vec![]
            }
            Action::Connection(s) => {
                let was = self.connection.state;
                self.connection = s;
                if s.state == ConnectionState::Online && was != ConnectionState::Online {
                    return vec![
                        Cmd::LoadWorkspaces,
                        Cmd::LoadRooms,
                        Cmd::LoadOutbox,
                        Cmd::LoadUsers,
                    ];
                }
                vec![]
            }
            Action::Client(e) => self.on_client_event(e),
            Action::Incoming {
                room,
                sender,
                body,
                mention,
            } => {
                let direct = self
                    .rooms
                    .iter()
                    .any(|r| r.id == room && r.kind == RoomKind::Direct);
                let wanted = match self.notify_level(room) {
                    NotifyLevel::All => true,
                    NotifyLevel::Mentions => mention || direct,
                    NotifyLevel::None => false,
                };
                if !self.config.notifications.enabled || !wanted {
                    return vec![];
                }
                let title = self
                    .rooms
                    .iter()
                    .find(|r| r.id == room)
                    .map(|r| format!("{sender} · {}", r.name))
                    .unwrap_or(sender);
                vec![Cmd::Notify { title, body }]
            }
            Action::OpenRoom(id) => self.open_room(id),
            Action::Notice(text) => {
                self.notice = Some(Notice { text, error: false });
                vec![]
            }
            Action::Error(text) => {
                self.notice = Some(Notice { text, error: true });
                vec![]
            }
        }
    }

    fn on_client_event(&mut self, e: ClientEvent) -> Vec<Cmd> {
        match e {
            ClientEvent::RoomListChanged => vec![Cmd::LoadRooms],
            ClientEvent::TimelineChanged { room_id, change } => {
                if self.timeline.room != Some(room_id) {
                    return vec![];
                }
                let at_bottom = self.timeline.sel.is_none();
                let mut cmds = self.reload_timeline(None);
                if matches!(change, TimelineChange::Added(_)) && at_bottom {
                    cmds.push(Cmd::MarkRead { room: room_id });
                }
                cmds
            }
            ClientEvent::OutboxItem { state, .. } => {
                if let tern_client_core::OutboxState::Failed { reason } = state {
                    self.notice = Some(Notice {
                        text: self.tr.tr_args(
                            "outbox-failed",
                            &[(
                                "reason",
                                tern_client_core::Error::localized_reason(&reason, &self.tr).into(),
                            )],
                        ),
                        error: true,
                    });
                }
                vec![Cmd::LoadOutbox]
            }
            ClientEvent::RoomIdAssigned { local, remote } => {
                if self.timeline.room == Some(local) {
                    self.timeline.room = Some(remote);
                }
                vec![Cmd::LoadRooms]
            }
            ClientEvent::ConnectionChanged(s) => self.update(Action::Connection(s)),
            ClientEvent::Typing { room_id, user_ids } => {
                let me = self.me;
                let others: Vec<Uuid> = user_ids.into_iter().filter(|u| Some(*u) != me).collect();
                if others.is_empty() {
                    self.typing.remove(&room_id);
                } else {
                    self.typing.insert(room_id, others);
                }
                vec![]
            }
            ClientEvent::UploadProgress {
                file_id,
                sent,
                total,
                ..
            } => {
                self.progress(file_id, sent, Some(total), true);
                vec![]
            }
            ClientEvent::DownloadProgress {
                file_id,
                received,
                total,
            } => {
                self.progress(file_id, received, total, false);
                vec![]
            }
            ClientEvent::FileCacheChanged { file_id } => {
                let shown = self
                    .timeline
                    .files
                    .values()
                    .any(|fs| fs.iter().any(|f| f.id == file_id));
                if shown {
                    self.reload_timeline(None)
                } else {
                    vec![]
                }
            }
            ClientEvent::StoreChanged | ClientEvent::Lagged(_) => {
                let mut c = vec![Cmd::LoadRooms, Cmd::LoadOutbox];
                c.extend(self.reload_timeline(None));
                c
            }
            ClientEvent::SessionEnded { reason } => {
                // The reason is the server's English; the log keeps it.
                tracing::info!(%reason, "the session ended");
                self.me = None;
                self.screen = Screen::Login;
                self.login.error = Some(self.tr.tr("core-error-session-ended"));
                vec![]
            }
            _ => vec![],
        }
    }

    fn on_bound(&mut self, b: Bound) -> Vec<Cmd> {
        if let Overlay::ReactPicker(sel) = &mut self.overlay {
            let n = QUICK_REACTIONS.len();
            match b {
                Bound::Up => *sel = (*sel + n - 1) % n,
                Bound::Down => *sel = (*sel + 1) % n,
                Bound::Command => self.overlay = Overlay::Command(TextInput::with("react ")),
                _ => {}
            }
            return vec![];
        }
        if self.screen == Screen::Login {
            let n = self.login.fields().len();
            match b {
                Bound::Down => self.login.field = (self.login.field + 1) % n,
                Bound::Up => self.login.field = (self.login.field + n - 1) % n,
                _ => {}
            }
            return vec![];
        }
        let list_sel = match &mut self.overlay {
            Overlay::Members(v) => Some((&mut v.sel, v.items.len())),
            Overlay::Directory(v) => Some((&mut v.sel, v.items.len())),
            _ => None,
        };
        if let Some((sel, n)) = list_sel {
            let last = n.saturating_sub(1);
            *sel = match b {
                Bound::Up => sel.saturating_sub(1),
                Bound::Down => (*sel + 1).min(last),
                Bound::PageUp => sel.saturating_sub(10),
                Bound::PageDown => (*sel + 10).min(last),
                Bound::Top => 0,
                Bound::Bottom => last,
                _ => *sel,
            };
            return vec![];
        }
        if let Overlay::Search(s) = &mut self.overlay {
            let n = s.results.len();
            match b {
                Bound::Up => s.sel = s.sel.saturating_sub(1),
                Bound::Down if s.editing => s.editing = n == 0,
                Bound::Down => s.sel = (s.sel + 1).min(n.saturating_sub(1)),
                Bound::Top => s.sel = 0,
                Bound::Bottom => s.sel = n.saturating_sub(1),
                Bound::Search => s.editing = true,
                _ => {}
            }
            return vec![];
        }
        match b {
            Bound::Quit => self.quit = true,
            Bound::Help => self.overlay = Overlay::Help,
            Bound::Command => self.overlay = Overlay::Command(TextInput::default()),
            Bound::Search => {
                self.overlay = Overlay::Search(SearchView {
                    room: self.timeline.room,
                    editing: true,
                    ..SearchView::default()
                })
            }
            Bound::FocusNext => {
                self.focus = match self.focus {
                    Focus::Rooms => Focus::Timeline,
                    Focus::Timeline => Focus::Composer,
                    Focus::Composer => Focus::Rooms,
                }
            }
            Bound::FocusPrev => {
                self.focus = match self.focus {
                    Focus::Rooms => Focus::Composer,
                    Focus::Timeline => Focus::Rooms,
                    Focus::Composer => Focus::Timeline,
                }
            }
            Bound::FocusRooms => self.focus = Focus::Rooms,
            Bound::Compose => self.focus = Focus::Composer,
            Bound::NextRoom | Bound::PrevRoom => {
                self.move_room(if b == Bound::NextRoom { 1 } else { -1 });
                if let Some(id) = self.selected_room().map(|r| r.id) {
                    let focus = self.focus;
                    let c = self.open_room(id);
                    self.focus = focus;
                    return c;
                }
            }
            Bound::MarkRead => {
                if let Some(room) = self.timeline.room {
                    return vec![Cmd::MarkRead { room }];
                }
            }
            Bound::Mute => {
                return match self.command_room("") {
                    Some(room) => self.toggle_mute(room, None),
                    None => vec![],
                };
            }
            Bound::Members => return self.run_command("members"),
            Bound::Directory => return self.run_command("directory"),
            _ => {}
        }
        match self.focus {
            Focus::Rooms => match b {
                Bound::Up => self.move_room(-1),
                Bound::Down => self.move_room(1),
                Bound::Top => self.room_sel = 0,
                Bound::Bottom => self.move_room(i32::MAX / 2),
                Bound::PageUp => self.move_room(-10),
                Bound::PageDown => self.move_room(10),
                Bound::Open => {
                    if let Some(id) = self.selected_room().map(|r| r.id) {
                        return self.open_room(id);
                    }
                }
                _ => {}
            },
            Focus::Timeline | Focus::Composer => match b {
                Bound::Up if self.focus == Focus::Timeline => return self.move_sel(-1),
                Bound::Down if self.focus == Focus::Timeline => return self.move_sel(1),
                Bound::PageUp => return self.move_sel(-10),
                Bound::PageDown => return self.move_sel(10),
                Bound::Top if self.focus == Focus::Timeline => {
                    self.timeline.sel = Some(0);
                    return self.load_older();
                }
                Bound::Bottom if self.focus == Focus::Timeline => return self.jump_live(),
                Bound::OpenFile | Bound::SaveFile if self.focus == Focus::Timeline => {
                    return self.run_command(if b == Bound::OpenFile { "open" } else { "save" });
                }
                Bound::Open if self.focus == Focus::Timeline => self.focus = Focus::Composer,
                Bound::Reply if self.focus == Focus::Timeline => {
                    if let Some(i) = self.selected_item() {
                        self.composer.mode = ComposeMode::Reply {
                            id: i.id,
                            name: i.sender_name.clone(),
                        };
                        self.focus = Focus::Composer;
                    }
                }
                Bound::Edit if self.focus == Focus::Timeline => {
                    if let Some(i) = self.selected_item()
                        && Some(i.sender_id) == self.me
                        && !i.deleted
                    {
                        let (id, body) = (i.id, i.body.clone());
                        self.composer.input.set(&body);
                        self.composer.mode = ComposeMode::Edit { id };
                        self.focus = Focus::Composer;
                    }
                }
                Bound::Delete if self.focus == Focus::Timeline => {
                    if let Some(i) = self.selected_item()
                        && !i.deleted
                    {
                        self.overlay = Overlay::ConfirmDelete(i.id);
                    }
                }
                Bound::React
                    if self.focus == Focus::Timeline
                        && self.selected_item().is_some_and(|i| !i.deleted) =>
                {
                    self.overlay = Overlay::ReactPicker(0);
                }
                _ => {}
            },
        }
        vec![]
    }

    fn on_text(&mut self, op: TextOp) {
        if self.screen == Screen::Login {
            let f = self.login.current();
            self.login.input(f).apply(&op, false);
            return;
        }
        match &mut self.overlay {
            Overlay::Command(t) => return t.apply(&op, false),
            Overlay::Search(s) => return s.input.apply(&op, false),
            _ => {}
        }
        match self.focus {
            Focus::Composer => {
                self.composer.input.apply(&op, true);
                self.composer.history_pos = None;
            }
            Focus::Rooms => {
                self.room_filter.apply(&op, false);
                self.room_sel = 0;
            }
            Focus::Timeline => {}
        }
    }

    fn on_cancel(&mut self) {
        if !matches!(self.overlay, Overlay::None) {
            self.overlay = Overlay::None;
            return;
        }
        match self.focus {
            Focus::Composer => {
                if self.composer.mode != ComposeMode::New {
                    if matches!(self.composer.mode, ComposeMode::Edit { .. }) {
                        self.composer.input.clear();
                    }
                    self.composer.mode = ComposeMode::New;
                } else {
                    self.focus = Focus::Timeline;
                }
            }
            Focus::Rooms => {
                self.room_filter.clear();
                self.room_sel = 0;
            }
            Focus::Timeline => {}
        }
    }

    fn on_submit(&mut self) -> Vec<Cmd> {
        if self.screen == Screen::Login {
            return self.submit_login();
        }
        match std::mem::replace(&mut self.overlay, Overlay::None) {
            Overlay::Command(t) => return self.run_command(&t.text),
            Overlay::Search(mut s) => {
                if s.editing || s.results.is_empty() {
                    let text = s.input.text.trim().to_owned();
                    let room = s.room;
                    s.editing = false;
                    self.overlay = Overlay::Search(s);
                    if text.is_empty() {
                        return vec![];
                    }
                    return self.search_cmd(&text, room);
                }
                return match s.results.get(s.sel) {
                    Some(h) => {
                        let (room, message) = (h.hit.room_id, h.hit.message_id);
                        let mut c = Vec::new();
                        if self.timeline.room != Some(room) {
                            c.extend(self.open_room(room));
                            c.retain(|c| !matches!(c, Cmd::LoadTimeline { .. }));
                        }
                        self.focus = Focus::Timeline;
                        c.push(Cmd::JumpTo { room, message });
                        c
                    }
                    None => vec![],
                };
            }
            Overlay::Members(v) => {
                let me = self.me;
                return match v.items.get(v.sel) {
                    Some(m) if Some(m.user_id) != me => {
                        match self.current_room().map(|r| r.workspace_id) {
                            Some(workspace) => vec![Cmd::Dm {
                                workspace,
                                user: m.user_id,
                            }],
                            None => vec![],
                        }
                    }
                    _ => {
                        self.overlay = Overlay::Members(v);
                        vec![]
                    }
                };
            }
            Overlay::ReactPicker(sel) => {
                return match (self.selected_item(), QUICK_REACTIONS.get(sel)) {
                    (Some(i), Some(e)) => vec![Cmd::React {
                        id: i.id,
                        emoji: (*e).to_owned(),
                    }],
                    _ => vec![],
                };
            }
            Overlay::Directory(v) => {
                return match v.items.get(v.sel) {
                    Some(d) if d.joined => self.open_room(d.id),
                    Some(d) => vec![Cmd::JoinId { room: d.id }],
                    None => {
                        self.overlay = Overlay::Directory(v);
                        vec![]
                    }
                };
            }
            other => self.overlay = other,
        }
        if self.focus != Focus::Composer {
            return vec![];
        }
        let body = self.composer.input.text.trim_end().to_owned();
        if body.trim().is_empty() {
            return vec![];
        }
        let Some(room) = self.timeline.room else {
            self.notice = Some(Notice {
                text: self.tr.tr("tui-no-room"),
                error: true,
            });
            return vec![];
        };
        self.composer.history.push(body.clone());
        self.composer.history_pos = None;
        self.composer.input.clear();
        let mut cmds = self.jump_live();
        cmds.extend(
            match std::mem::replace(&mut self.composer.mode, ComposeMode::New) {
                ComposeMode::New => vec![Cmd::Send {
                    room,
                    body,
                    reply_to: None,
                }],
                ComposeMode::Reply { id, .. } => vec![Cmd::Send {
                    room,
                    body,
                    reply_to: Some(id),
                }],
                ComposeMode::Edit { id } => vec![Cmd::Edit { id, body }],
            },
        );
        cmds
    }

    fn submit_login(&mut self) -> Vec<Cmd> {
        let f = &self.login;
        if f.busy {
            return vec![];
        }
        let server = f.server.text.trim().to_owned();
        let user = f.username.text.trim().to_owned();
        if server.is_empty() || user.is_empty() || f.password.is_empty() {
            self.login.error = Some(self.tr.tr("tui-login-missing"));
            return vec![];
        }
        // Enter on an earlier field moves on.
        if self.login.field + 1 < self.login.fields().len()
            && self.login.current() != LoginField::Password
        {
            self.login.field += 1;
            return vec![];
        }
        self.login.busy = true;
        self.login.error = None;
        let password = self.login.password.text.clone();
        if self.login.register {
            vec![Cmd::Register {
                server,
                username: user,
                email: self.login.email.text.trim().to_owned(),
                password,
            }]
        } else {
            vec![Cmd::Login {
                server,
                login: user,
                password,
            }]
        }
    }

    fn complete_mention(&mut self) {
        let (start, word) = self.composer.input.word_before_cursor();
        let Some(prefix) = word.strip_prefix('@') else {
            self.focus = Focus::Rooms;
            return;
        };
        let prefix = prefix.to_lowercase();
        let mut names: Vec<&String> = self
            .names
            .values()
            .filter(|n| n.to_lowercase().starts_with(&prefix))
            .collect();
        names.sort();
        names.dedup();
        if let Some(n) = names.first() {
            let with = format!("@{n} ");
            self.composer.input.replace_before_cursor(start, &with);
        }
    }

    /// A `:` command.
    pub fn run_command(&mut self, line: &str) -> Vec<Cmd> {
        let line = line.trim();
        let (cmd, arg) = match line.split_once(char::is_whitespace) {
            Some((c, a)) => (c, a.trim()),
            None => (line, ""),
        };
        let room = self.timeline.room;
        let target = self.selected_item().map(|i| i.id);
        let need = |app: &mut App, id: &str| {
            app.notice = Some(Notice {
                text: app.tr.tr(id),
                error: true,
            });
            Vec::new()
        };
        match cmd {
            "" => vec![],
            "q" | "quit" => {
                self.quit = true;
                vec![]
            }
            "help" => {
                self.overlay = Overlay::Help;
                vec![]
            }
            "react" => match (target, arg.is_empty()) {
                (Some(id), false) => vec![Cmd::React {
                    id,
                    emoji: arg.to_owned(),
                }],
                _ => need(self, "tui-cmd-react-usage"),
            },
            "search" => {
                self.overlay = Overlay::Search(SearchView {
                    input: TextInput::with(arg),
                    room: None,
                    editing: arg.is_empty(),
                    ..SearchView::default()
                });
                if arg.is_empty() {
                    vec![]
                } else {
                    self.search_cmd(arg, None)
                }
            }
            "join" if !arg.is_empty() => vec![Cmd::Join {
                name: arg.to_owned(),
                workspace: self.current_room().map(|r| r.workspace_id),
            }],
            "leave" => match arg {
                "" => match room {
                    Some(room) => vec![Cmd::Leave { room }],
                    None => need(self, "tui-no-room"),
                },
                name => {
                    match crate::resolve::resolve_in(&self.tr, &self.rooms, &self.workspaces, name)
                    {
                        Ok(r) => vec![Cmd::Leave { room: r.id }],
                        Err(e) => {
                            self.notice = Some(Notice {
                                text: e,
                                error: true,
                            });
                            vec![]
                        }
                    }
                }
            },
            "create" if !arg.is_empty() => {
                let (name, kind) = match arg.rsplit_once(' ') {
                    Some((n, k)) if k == "channel" || k == "group" => (n.trim(), k),
                    _ => (arg, "channel"),
                };
                let ws = self
                    .current_room()
                    .map(|r| r.workspace_id)
                    .or_else(|| self.workspaces.keys().next().copied());
                match ws {
                    Some(workspace) => vec![Cmd::Create {
                        workspace,
                        name: name.to_owned(),
                        channel: kind == "channel",
                    }],
                    None => need(self, "tui-no-room"),
                }
            }
            "dm" => {
                let want = arg.trim_start_matches('@').to_lowercase();
                let me = self.me;
                let exact = self
                    .users
                    .iter()
                    .find(|u| {
                        Some(u.id) != me && !want.is_empty() && u.username.to_lowercase() == want
                    })
                    .map(|u| u.id);
                let user = exact.or_else(|| {
                    self.users
                        .iter()
                        .map(|u| (u.id, u.name.as_str()))
                        .chain(self.users.iter().map(|u| (u.id, u.username.as_str())))
                        .chain(self.names.iter().map(|(id, n)| (*id, n.as_str())))
                        .filter(|(id, n)| {
                            Some(*id) != me
                                && !want.is_empty()
                                && n.to_lowercase().starts_with(&want)
                        })
                        .map(|(id, _)| id)
                        .min()
                });
                let ws = self
                    .current_room()
                    .map(|r| r.workspace_id)
                    .or_else(|| self.workspaces.keys().next().copied());
                match (user, ws) {
                    (Some(user), Some(workspace)) => vec![Cmd::Dm { workspace, user }],
                    _ => need(self, "tui-cmd-dm-unknown"),
                }
            }
            "upload" => {
                let path = unquote(arg);
                match (room, path.is_empty()) {
                    (Some(room), false) => vec![Cmd::Upload {
                        room,
                        path: expand_home(&path),
                    }],
                    (None, _) => need(self, "tui-no-room"),
                    (_, true) => need(self, "tui-cmd-upload-usage"),
                }
            }
            "open" | "save" => match self.selected_file() {
                Some(file) if cmd == "open" => vec![Cmd::OpenFile { file }],
                Some(file) => {
                    let dest = unquote(arg);
                    vec![Cmd::SaveFile {
                        file,
                        dest: (!dest.is_empty()).then(|| expand_home(&dest)),
                    }]
                }
                None => need(self, "tui-cmd-no-file"),
            },
            "mute" | "unmute" => match self.command_room(arg) {
                Some(room) => self.toggle_mute(room, Some(cmd == "mute")),
                None => vec![],
            },
            "notify" => {
                let (level, rest) = match arg.split_once(char::is_whitespace) {
                    Some((l, r)) => (l, r.trim()),
                    None => (arg, ""),
                };
                let level = match level {
                    "all" => NotifyLevel::All,
                    "mentions" => NotifyLevel::Mentions,
                    "none" => NotifyLevel::None,
                    _ => return need(self, "tui-cmd-notify-usage"),
                };
                match self.command_room(rest) {
                    Some(room) => {
                        let name = self
                            .rooms
                            .iter()
                            .find(|r| r.id == room)
                            .map(|r| r.name.clone())
                            .unwrap_or_default();
                        self.notice = Some(Notice {
                            text: self.tr.tr_args(
                                "tui-notify-set",
                                &[("room", name.into()), ("level", level_name(level).into())],
                            ),
                            error: false,
                        });
                        self.set_prefs(room, |p| p.notify = Some(level))
                    }
                    None => vec![],
                }
            }
            "invite" => match (room, arg.trim_start_matches('@')) {
                (Some(_), "") => need(self, "tui-cmd-invite-usage"),
                (Some(room), user) => vec![Cmd::Invite {
                    room,
                    user: user.to_owned(),
                }],
                (None, _) => need(self, "tui-no-room"),
            },
            "members" => match room {
                Some(room) => {
                    self.overlay = Overlay::Members(ListView {
                        loading: true,
                        ..ListView::default()
                    });
                    vec![Cmd::LoadMembers { room }]
                }
                None => need(self, "tui-no-room"),
            },
            "directory" | "dir" => {
                self.overlay = Overlay::Directory(ListView {
                    loading: true,
                    ..ListView::default()
                });
                vec![Cmd::LoadDirectory]
            }
            "retry" => match room {
                Some(room) => vec![Cmd::Retry { room }],
                None => need(self, "tui-no-room"),
            },
            "discard" => match room {
                Some(room) => vec![Cmd::Discard { room }],
                None => need(self, "tui-no-room"),
            },
            "read" => match room {
                Some(room) => vec![Cmd::MarkRead { room }],
                None => vec![],
            },
            "theme" => {
                match arg {
                    "light" => self.set_theme(ThemeName::Light),
                    "dark" => self.set_theme(ThemeName::Dark),
                    _ => return need(self, "tui-cmd-theme-usage"),
                }
                vec![]
            }
            "lang" | "language" => {
                if arg.is_empty() {
                    return need(self, "tui-cmd-lang-usage");
                }
                self.tr = Translator::for_locale(arg);
                vec![Cmd::Locale(self.tr.locale().to_owned())]
            }
            "logout" => vec![Cmd::Logout],
            _ => {
                self.notice = Some(Notice {
                    text: self
                        .tr
                        .tr_args("tui-cmd-unknown", &[("command", line.to_owned().into())]),
                    error: true,
                });
                vec![]
            }
        }
    }
}

/// The word for a notification level in commands and the config.
pub fn level_name(l: NotifyLevel) -> &'static str {
    match l {
        NotifyLevel::All => "all",
        NotifyLevel::Mentions => "mentions",
        NotifyLevel::None => "none",
    }
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.to_owned();
        }
    }
    s.to_owned()
}

/// `~/x` is `x` in the home folder.
pub fn expand_home(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(p),
    }
}

/// Tab on the command line: the command's name, or for `:dm` and
/// `:invite` a person's username. A second Tab moves to the next match.
pub fn complete_command(
    line: &str,
    users: &[UserEntry],
    names: &HashMap<Uuid, String>,
    me: Option<Uuid>,
) -> Option<String> {
    let Some((cmd, arg)) = line.split_once(' ') else {
        let found: Vec<&&str> = COMMANDS.iter().filter(|c| c.starts_with(line)).collect();
        return next_match(
            line,
            &found.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        )
        .map(|c| format!("{c} "));
    };
    if !matches!(cmd, "dm" | "invite") {
        return None;
    }
    let want = arg.trim().trim_start_matches('@').to_lowercase();
    let mut cands: Vec<String> = users
        .iter()
        .filter(|u| Some(u.id) != me)
        .filter(|u| {
            u.username.to_lowercase().starts_with(&want) || u.name.to_lowercase().starts_with(&want)
        })
        .map(|u| u.username.clone())
        .collect();
    if cands.is_empty() {
        // Only names seen in timelines (offline, no directory yet).
        cands = names
            .iter()
            .filter(|(id, n)| Some(**id) != me && n.to_lowercase().starts_with(&want))
            .map(|(_, n)| n.clone())
            .collect();
    }
    cands.sort();
    cands.dedup();
    next_match(arg.trim(), &cands).map(|c| format!("{cmd} {c}"))
}

/// The first candidate, or the one after `current` when it is one already.
fn next_match(current: &str, cands: &[String]) -> Option<String> {
    if cands.is_empty() {
        return None;
    }
    let i = match cands.iter().position(|c| c == current) {
        Some(i) => (i + 1) % cands.len(),
        None => 0,
    };
    cands.get(i).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A joined room of workspace 9 with nothing in it.
    fn joined_room(id: Uuid, kind: RoomKind, name: &str) -> RoomSummary {
        RoomSummary {
            id,
            workspace_id: Uuid::from_u128(9),
            kind,
            name: name.into(),
            topic: None,
            membership: tern_client_core::protocol::room::MemberState::Joined,
            muted: false,
            notify: if kind == RoomKind::Direct {
                NotifyLevel::All
            } else {
                NotifyLevel::Mentions
            },
            unread_count: 0,
            mention_count: 0,
            last_activity: time::OffsetDateTime::UNIX_EPOCH,
            last_message: None,
            local_only: false,
            pending_count: 0,
            failed_count: 0,
        }
    }

    fn app() -> App {
        let mut a = App::new(
            Config::default(),
            Translator::for_locale("en"),
            UtcOffset::UTC,
            "http://x".into(),
        );
        a.screen = Screen::Main;
        a.me = Some(Uuid::from_u128(1));
        a
    }

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn enter_sends_and_alt_enter_adds_a_line() {
        let mut a = app();
        let room = Uuid::from_u128(7);
        a.timeline.room = Some(room);
        a.focus = Focus::Composer;
        for c in "hi".chars() {
            for act in a.on_key(key(KeyCode::Char(c))) {
                a.update(act);
            }
        }
        for act in a.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)) {
            a.update(act);
        }
        for act in a.on_key(key(KeyCode::Char('x'))) {
            a.update(act);
        }
        let cmds: Vec<Cmd> = a
            .on_key(key(KeyCode::Enter))
            .into_iter()
            .flat_map(|act| a.update(act))
            .collect();
        assert_eq!(
            cmds,
            vec![Cmd::Send {
                room,
                body: "hi\nx".into(),
                reply_to: None
            }]
        );
        assert!(a.composer.input.is_empty());
        // Ctrl-P brings it back.
        for act in a.on_key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL)) {
            a.update(act);
        }
        assert_eq!(a.composer.input.text, "hi\nx");
    }

    #[test]
    fn quit_and_command_keys_in_the_timeline() {
        let mut a = app();
        a.focus = Focus::Timeline;
        for act in a.on_key(key(KeyCode::Char(':'))) {
            a.update(act);
        }
        assert!(matches!(a.overlay, Overlay::Command(_)));
        for c in "q".chars() {
            for act in a.on_key(key(KeyCode::Char(c))) {
                a.update(act);
            }
        }
        for act in a.on_key(key(KeyCode::Enter)) {
            a.update(act);
        }
        assert!(a.quit);
    }

    #[test]
    fn dm_finds_a_user_by_name() {
        let mut a = app();
        let ws = Uuid::from_u128(9);
        a.workspaces.insert(ws, WorkspaceName::default());
        a.names.insert(Uuid::from_u128(2), "Bob Builder".into());
        a.names.insert(Uuid::from_u128(1), "Alice".into());
        assert_eq!(
            a.run_command("dm bob"),
            vec![Cmd::Dm {
                workspace: ws,
                user: Uuid::from_u128(2)
            }]
        );
        assert!(a.run_command("dm alice").is_empty(), "not with oneself");
        assert!(a.notice.is_some());
    }

    #[test]
    fn typing_in_the_room_list_filters_it() {
        let mut a = app();
        a.focus = Focus::Rooms;
        for c in "jo".chars() {
            for act in a.on_key(key(KeyCode::Char(c))) {
                a.update(act);
            }
        }
        // `j` is "down" until a filter is set, so only `o` filters.
        assert_eq!(a.room_filter.text, "o");
        for c in "jk".chars() {
            for act in a.on_key(key(KeyCode::Char(c))) {
                a.update(act);
            }
        }
        assert_eq!(a.room_filter.text, "ojk");
        for act in a.on_key(key(KeyCode::Esc)) {
            a.update(act);
        }
        // Letters of message actions filter from the first one on.
        for c in "mDso".chars() {
            for act in a.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT)) {
                assert!(a.update(act).is_empty());
            }
        }
        assert_eq!(a.room_filter.text, "mDso");
        for act in a.on_key(key(KeyCode::Esc)) {
            a.update(act);
        }
        assert!(a.room_filter.is_empty());
    }

    fn msg(room: Uuid, seq: i64) -> TimelineItem {
        TimelineItem {
            id: Uuid::from_u128(1_000_000 + seq as u128),
            room_id: room,
            seq: Some(seq),
            sender_id: Uuid::from_u128(2),
            sender_name: "Bob".into(),
            kind: tern_client_core::protocol::MessageKind::Text,
            body: format!("m{seq}"),
            reply_to: None,
            thread_root: None,
            attachments: vec![],
            mentions_me: false,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            edited: false,
            deleted: false,
            reactions: vec![],
            echo: tern_client_core::EchoState::Remote,
            pending_edit: None,
            pending_delete: None,
            txn_id: None,
        }
    }

    fn page(room: Uuid, seqs: std::ops::RangeInclusive<i64>) -> TimelinePage {
        TimelinePage {
            items: seqs.map(|s| msg(room, s)).collect(),
            has_more_local: true,
            needs_backfill: false,
        }
    }

    #[test]
    fn the_window_stays_bounded_and_pages_back_down() {
        let mut a = app();
        let room = Uuid::from_u128(7);
        a.timeline.room = Some(room);
        a.focus = Focus::Timeline;
        let mut cmds = a.update(Action::TimelineLoaded {
            room,
            page: page(room, 9_901..=10_000),
            kind: PageKind::Live,
            focus: None,
        });
        assert!(matches!(
            cmds.as_slice(),
            [Cmd::LoadThreads { from: 7_901, .. }]
        ));
        // Scroll up through 15 pages.
        for k in 1..=15i64 {
            cmds = a.update(Action::Key(Bound::Top));
            let before = 10_001 - 100 * k;
            assert!(
                cmds.contains(&Cmd::LoadOlder { room, before }),
                "{k}: {cmds:?}"
            );
            a.update(Action::TimelineLoaded {
                room,
                page: page(room, before - 100..=before - 1),
                kind: PageKind::Older,
                focus: None,
            });
            assert!(a.timeline.items.len() <= WINDOW);
        }
        assert!(a.timeline.detached);
        assert_eq!(a.timeline.items.first().unwrap().seq, Some(8_401));
        assert_eq!(a.timeline.items.last().unwrap().seq, Some(9_400));
        // Down to the window's end: the next newer ones are asked for.
        a.timeline.sel = Some(WINDOW - 2);
        let cmds = a.update(Action::Key(Bound::Down));
        assert_eq!(cmds, vec![Cmd::LoadNewer { room, after: 9_400 }]);
        a.update(Action::TimelineLoaded {
            room,
            page: page(room, 9_401..=9_500),
            kind: PageKind::Newer { at_end: false },
            focus: None,
        });
        assert_eq!(a.timeline.items.len(), WINDOW);
        assert_eq!(a.timeline.items.last().unwrap().seq, Some(9_500));
        assert_eq!(a.selected_item().unwrap().seq, Some(9_400));
        // A change while scrolled back reloads the same stretch.
        let cmds = a.update(Action::Client(ClientEvent::TimelineChanged {
            room_id: room,
            change: TimelineChange::Added(vec![]),
        }));
        assert!(
            matches!(
                cmds.as_slice(),
                [Cmd::LoadWindow {
                    before: 9_501,
                    limit: 1000,
                    ..
                }]
            ),
            "{cmds:?}"
        );
        // End: back to the newest.
        let cmds = a.update(Action::Key(Bound::Bottom));
        assert!(matches!(cmds.as_slice(), [Cmd::LoadTimeline { .. }]));
        assert!(!a.timeline.detached);
    }

    #[test]
    fn the_reaction_picker_reacts() {
        let mut a = app();
        let room = Uuid::from_u128(7);
        a.timeline.room = Some(room);
        a.timeline.items = vec![msg(room, 1)];
        a.focus = Focus::Timeline;
        for act in a.on_key(key(KeyCode::Char('+'))) {
            a.update(act);
        }
        assert!(matches!(a.overlay, Overlay::ReactPicker(0)));
        for act in a.on_key(key(KeyCode::Right)) {
            a.update(act);
        }
        assert!(matches!(a.overlay, Overlay::ReactPicker(1)));
        let cmds: Vec<Cmd> = a
            .on_key(key(KeyCode::Char('3')))
            .into_iter()
            .flat_map(|act| a.update(act))
            .collect();
        assert_eq!(
            cmds,
            vec![Cmd::React {
                id: msg(room, 1).id,
                emoji: "😂".into()
            }]
        );
        assert!(matches!(a.overlay, Overlay::None));
    }

    #[test]
    fn search_filters_and_file_commands() {
        let mut a = app();
        let bob = Uuid::from_u128(2);
        a.users.push(UserEntry {
            id: bob,
            username: "bob".into(),
            name: "Bob Builder".into(),
        });
        let cmds = a.search_cmd("from:bob has:file after:2026-01-02 the plan", None);
        let [Cmd::Search { query }] = cmds.as_slice() else {
            panic!("{cmds:?}");
        };
        assert_eq!(query.sender_id, Some(bob));
        assert_eq!(query.has_file, Some(true));
        assert_eq!(query.text, "the plan");
        assert_eq!(
            query.after,
            Some(time::macros::datetime!(2026-01-02 0:00 UTC))
        );
        assert!(a.search_cmd("from:nobody x", None).is_empty());
        assert!(a.notice.take().unwrap().error);
        assert!(a.search_cmd("before:yesterday", None).is_empty());

        let room = Uuid::from_u128(7);
        a.timeline.room = Some(room);
        assert!(a.run_command("upload").is_empty());
        assert!(a.notice.take().unwrap().error);
        let cmds = a.run_command("upload \"/tmp/a file.png\"");
        assert_eq!(
            cmds,
            vec![Cmd::Upload {
                room,
                path: PathBuf::from("/tmp/a file.png")
            }]
        );
        // :save needs a message with an attachment.
        a.timeline.items = vec![msg(room, 1)];
        assert!(a.run_command("save").is_empty());
        assert!(a.notice.take().unwrap().error);
        let file = Uuid::from_u128(99);
        a.timeline.items[0].attachments = vec![file];
        assert_eq!(
            a.run_command("save"),
            vec![Cmd::SaveFile { file, dest: None }]
        );
        assert_eq!(a.run_command("open"), vec![Cmd::OpenFile { file }]);
        assert_eq!(
            a.run_command("save /tmp/x/"),
            vec![Cmd::SaveFile {
                file,
                dest: Some(PathBuf::from("/tmp/x/"))
            }]
        );
        // Tab completes commands, then names; again for the next one.
        assert_eq!(
            complete_command("up", &a.users, &a.names, a.me).as_deref(),
            Some("upload ")
        );
        assert_eq!(
            complete_command("invite B", &a.users, &a.names, a.me).as_deref(),
            Some("invite bob")
        );
    }

    #[test]
    fn scrolling_past_the_cached_top_backfills_in_place() {
        let mut a = app();
        let room = Uuid::from_u128(7);
        a.timeline.room = Some(room);
        a.focus = Focus::Timeline;
        let mut p = page(room, 501..=600);
        p.has_more_local = false;
        p.needs_backfill = true;
        a.update(Action::TimelineLoaded {
            room,
            page: p,
            kind: PageKind::Live,
            focus: None,
        });
        a.timeline.sel = Some(3);
        assert_eq!(
            a.update(Action::Key(Bound::Top)),
            vec![Cmd::Backfill { room }]
        );
        // While it runs, no second request.
        assert!(a.update(Action::Key(Bound::Top)).is_empty());
        let cmds = a.update(Action::BackfillDone { room, count: 100 });
        assert_eq!(cmds, vec![Cmd::LoadOlder { room, before: 501 }]);
        a.update(Action::TimelineLoaded {
            room,
            page: page(room, 401..=500),
            kind: PageKind::Older,
            focus: None,
        });
        assert_eq!(a.timeline.items.len(), 200);
        assert_eq!(
            a.selected_item().unwrap().seq,
            Some(501),
            "the reader stays put"
        );
        // Nothing more on the server: no more asking.
        a.timeline.needs_backfill = true;
        a.timeline.has_more_local = false;
        a.update(Action::Key(Bound::Top));
        a.update(Action::BackfillDone { room, count: 0 });
        assert!(!a.timeline.needs_backfill);
        assert!(a.update(Action::Key(Bound::Top)).is_empty());
    }

    #[test]
    fn direct_messages_and_mentions_notify_by_default() {
        let mut a = app();
        let dm = Uuid::from_u128(40);
        let chan = Uuid::from_u128(41);
        a.rooms = vec![
            joined_room(dm, RoomKind::Direct, "r"),
            joined_room(chan, RoomKind::Channel, "r"),
        ];
        let inc = |room, mention| Action::Incoming {
            room,
            sender: "Bob".into(),
            body: "hi".into(),
            mention,
        };
        assert_eq!(a.update(inc(dm, false)).len(), 1);
        assert!(a.update(inc(chan, false)).is_empty());
        assert_eq!(a.update(inc(chan, true)).len(), 1);
        // Muted on the server counts too.
        a.rooms[0].muted = true;
        assert!(a.update(inc(dm, false)).is_empty());
        // And `m` in the room list mutes the selected room here.
        a.rooms[0].muted = false;
        a.focus = Focus::Rooms;
        a.room_sel = a
            .room_order()
            .iter()
            .position(|i| a.rooms[*i].id == chan)
            .unwrap();
        let cmds = a.update(Action::Key(Bound::Mute));
        assert!(matches!(
            cmds.as_slice(),
            [Cmd::SavePrefs { room, prefs: RoomPrefs { muted: Some(true), .. } }] if *room == chan
        ));
        assert!(a.update(inc(chan, true)).is_empty());
    }

    /// The account's level for a room (set on another device) applies
    /// unless this terminal chose one.
    #[test]
    fn the_accounts_level_applies_unless_chosen_here() {
        let mut a = app();
        let chan = Uuid::from_u128(41);
        a.rooms = vec![joined_room(chan, RoomKind::Channel, "r")];
        let inc = |mention| Action::Incoming {
            room: chan,
            sender: "Bob".into(),
            body: "hi".into(),
            mention,
        };
        a.rooms[0].notify = NotifyLevel::All;
        assert_eq!(a.update(inc(false)).len(), 1, "all: every message");
        a.rooms[0].notify = NotifyLevel::None;
        assert!(a.update(inc(true)).is_empty(), "none: not even a mention");
        a.prefs.entry(chan).or_default().notify = Some(NotifyLevel::Mentions);
        assert_eq!(a.update(inc(true)).len(), 1, "chosen here: mentions");
        assert!(a.update(inc(false)).is_empty());
    }

    /// Feeds keys through `on_key` and `update`; the commands they asked for.
    fn press(a: &mut App, keys: &[KeyEvent]) -> Vec<Cmd> {
        let mut out = Vec::new();
        for k in keys {
            for act in a.on_key(*k) {
                out.extend(a.update(act));
            }
        }
        out
    }

    fn typed(a: &mut App, text: &str) -> Vec<Cmd> {
        let keys: Vec<KeyEvent> = text.chars().map(|c| key(KeyCode::Char(c))).collect();
        press(a, &keys)
    }

    /// Point 4: reply, edit (`e`, and Up in an empty composer), delete
    /// only after yes, react by command, mark read, and the room and
    /// outbox commands, each becoming the worker command it names.
    #[test]
    fn reply_edit_delete_react_and_room_commands() {
        let mut a = app();
        let room = Uuid::from_u128(7);
        a.timeline.room = Some(room);
        let theirs = msg(room, 1);
        let mut mine = msg(room, 2);
        mine.id = Uuid::from_u128(5_000);
        mine.sender_id = a.me.unwrap();
        mine.body = "my first try".into();
        a.timeline.items = vec![theirs.clone(), mine.clone()];
        a.focus = Focus::Timeline;
        let sends = |cmds: Vec<Cmd>| -> Vec<Cmd> {
            cmds.into_iter()
                .filter(|c| matches!(c, Cmd::Send { .. } | Cmd::Edit { .. }))
                .collect()
        };

        // k selects bob's message, r replies to it.
        press(&mut a, &[key(KeyCode::Char('k')), key(KeyCode::Char('r'))]);
        assert_eq!(a.focus, Focus::Composer);
        typed(&mut a, "agreed");
        let cmds = press(&mut a, &[key(KeyCode::Enter)]);
        assert_eq!(
            sends(cmds),
            vec![Cmd::Send {
                room,
                body: "agreed".into(),
                reply_to: Some(theirs.id)
            }]
        );

        // Up in the empty composer edits my last message.
        press(&mut a, &[key(KeyCode::Up)]);
        assert_eq!(a.composer.input.text, "my first try");
        press(&mut a, &[key(KeyCode::End)]);
        typed(&mut a, ", fixed");
        let cmds = press(&mut a, &[key(KeyCode::Enter)]);
        assert_eq!(
            sends(cmds),
            vec![Cmd::Edit {
                id: mine.id,
                body: "my first try, fixed".into()
            }]
        );
        // `e` on someone else's message does nothing; on mine it edits.
        a.focus = Focus::Timeline;
        a.timeline.sel = Some(0);
        press(&mut a, &[key(KeyCode::Char('e'))]);
        assert_eq!(a.focus, Focus::Timeline);
        a.timeline.sel = Some(1);
        press(&mut a, &[key(KeyCode::Char('e'))]);
        assert_eq!(a.focus, Focus::Composer);
        assert_eq!(a.composer.mode, ComposeMode::Edit { id: mine.id });
        // Esc gives the edit up and clears the composer.
        press(&mut a, &[key(KeyCode::Esc)]);
        assert_eq!(a.composer.mode, ComposeMode::New);
        assert!(a.composer.input.is_empty());

        // Delete asks first: n keeps it, y deletes it.
        a.focus = Focus::Timeline;
        let cmds = press(&mut a, &[key(KeyCode::Char('d'))]);
        assert!(cmds.is_empty());
        assert!(matches!(a.overlay, Overlay::ConfirmDelete(id) if id == mine.id));
        assert!(press(&mut a, &[key(KeyCode::Char('n'))]).is_empty());
        assert!(matches!(a.overlay, Overlay::None));
        let cmds = press(&mut a, &[key(KeyCode::Char('d')), key(KeyCode::Char('y'))]);
        assert_eq!(cmds, vec![Cmd::Delete { id: mine.id }]);

        // :react, R / :read, :leave, :retry, :discard, :join, :create.
        assert_eq!(
            a.run_command("react 🎉"),
            vec![Cmd::React {
                id: mine.id,
                emoji: "🎉".into()
            }]
        );
        assert_eq!(
            press(
                &mut a,
                &[KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT)]
            ),
            vec![Cmd::MarkRead { room }]
        );
        assert_eq!(a.run_command("read"), vec![Cmd::MarkRead { room }]);
        assert_eq!(a.run_command("leave"), vec![Cmd::Leave { room }]);
        assert_eq!(a.run_command("retry"), vec![Cmd::Retry { room }]);
        assert_eq!(a.run_command("discard"), vec![Cmd::Discard { room }]);
        assert!(matches!(
            a.run_command("join design").as_slice(),
            [Cmd::Join { name, .. }] if name == "design"
        ));
        let ws = Uuid::from_u128(9);
        a.workspaces.insert(ws, WorkspaceName::default());
        assert_eq!(
            a.run_command("create plans group"),
            vec![Cmd::Create {
                workspace: ws,
                name: "plans".into(),
                channel: false
            }]
        );
        // Unknown commands say so.
        assert!(a.run_command("fly away").is_empty());
        assert!(a.notice.take().is_some_and(|n| n.error));
    }

    /// Point 4: Tab after `@` completes a name seen in the room; a second
    /// history step goes further back.
    #[test]
    fn tab_completes_mentions_and_history_walks_back() {
        let mut a = app();
        let room = Uuid::from_u128(7);
        a.timeline.room = Some(room);
        a.names.insert(Uuid::from_u128(2), "Bob Builder".into());
        a.names.insert(Uuid::from_u128(3), "Carol".into());
        a.focus = Focus::Composer;
        typed(&mut a, "thanks @ca");
        press(&mut a, &[key(KeyCode::Tab)]);
        assert_eq!(a.composer.input.text, "thanks @Carol ");
        typed(&mut a, "and @b");
        press(&mut a, &[key(KeyCode::Tab)]);
        assert_eq!(a.composer.input.text, "thanks @Carol and @Bob Builder ");
        press(&mut a, &[key(KeyCode::Enter)]);
        typed(&mut a, "second");
        press(&mut a, &[key(KeyCode::Enter)]);
        let ctrl_p = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL);
        let ctrl_n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
        press(&mut a, &[ctrl_p]);
        assert_eq!(a.composer.input.text, "second");
        press(&mut a, &[ctrl_p]);
        assert_eq!(a.composer.input.text, "thanks @Carol and @Bob Builder");
        press(&mut a, &[ctrl_n, ctrl_n]);
        assert!(a.composer.input.is_empty());
    }

    /// Point 5: the wheel scrolls the pane under the pointer and a click
    /// on a room opens it; `?` shows the bindings, `/` opens the room's
    /// search, g / G go to the top and the newest.
    #[test]
    fn mouse_and_vim_keys() {
        let mut a = app();
        let room = |n: u128, name: &str| joined_room(Uuid::from_u128(n), RoomKind::Channel, name);
        a.rooms = vec![room(40, "alpha"), room(41, "beta"), room(42, "gamma")];
        a.rooms_loaded = true;
        let (w, h) = (100, 30);
        // Which screen row shows "beta"? Draw and look.
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
        term.draw(|f| crate::draw::draw(f, &a)).unwrap();
        let buf = term.backend().buffer().clone();
        let row_of = |name: &str| {
            (0..h)
                .find(|y| {
                    let line: String = (0..25).map(|x| buf[(x, *y)].symbol()).collect();
                    line.contains(name)
                })
                .unwrap_or_else(|| panic!("{name} is not drawn"))
        };
        let beta_row = row_of("beta");
        let click = MouseEvent {
            kind: MouseEventKind::Down(crossterm::event::MouseButton::Left),
            column: 3,
            row: beta_row,
            modifiers: KeyModifiers::NONE,
        };
        let cmds: Vec<Cmd> = a
            .on_mouse(click, w, h)
            .into_iter()
            .flat_map(|act| a.update(act))
            .collect();
        assert_eq!(a.timeline.room, Some(Uuid::from_u128(41)), "{cmds:?}");
        assert!(
            cmds.iter().any(
                |c| matches!(c, Cmd::LoadTimeline { room, .. } if *room == Uuid::from_u128(41))
            )
        );
        // The wheel over the room list moves the selection there.
        let wheel = |kind, column| MouseEvent {
            kind,
            column,
            row: 5,
            modifiers: KeyModifiers::NONE,
        };
        let before = a.room_sel;
        for act in a.on_mouse(wheel(MouseEventKind::ScrollDown, 3), w, h) {
            a.update(act);
        }
        assert_eq!(a.room_sel, before + 1);
        // Over the timeline it moves through the messages.
        let r = Uuid::from_u128(41);
        a.timeline.items = (1..=5).map(|s| msg(r, s)).collect();
        a.timeline.sel = None;
        for act in a.on_mouse(wheel(MouseEventKind::ScrollUp, 60), w, h) {
            a.update(act);
        }
        assert_eq!(a.timeline.sel, Some(3));

        a.focus = Focus::Timeline;
        press(&mut a, &[key(KeyCode::Char('g'))]);
        assert_eq!(a.timeline.sel, Some(0));
        let cmds = press(
            &mut a,
            &[KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)],
        );
        assert!(
            matches!(cmds.as_slice(), [] | [Cmd::LoadTimeline { .. }]),
            "{cmds:?}"
        );
        press(&mut a, &[key(KeyCode::Char('?'))]);
        assert!(matches!(a.overlay, Overlay::Help));
        press(&mut a, &[key(KeyCode::Char('x'))]);
        assert!(
            matches!(a.overlay, Overlay::None),
            "any key closes the help"
        );
        press(&mut a, &[key(KeyCode::Char('/'))]);
        assert!(matches!(&a.overlay, Overlay::Search(s) if s.room == Some(r) && s.editing));
    }

    /// Point 6: Enter on a search result opens its room and jumps to the
    /// message there.
    #[test]
    fn a_search_result_jumps_to_the_message() {
        let mut a = app();
        let here = Uuid::from_u128(7);
        let there = Uuid::from_u128(8);
        a.timeline.room = Some(here);
        let cmds = a.run_command("search plan");
        assert!(matches!(cmds.as_slice(), [Cmd::Search { query }] if query.room_id.is_none()));
        let message = Uuid::from_u128(77);
        a.update(Action::SearchLoaded(vec![Hit {
            hit: tern_client_core::SearchHit {
                message_id: message,
                room_id: there,
                sender_id: Uuid::from_u128(2),
                created_at: time::OffsetDateTime::UNIX_EPOCH,
                body: "the plan".into(),
                highlighted: vec![],
            },
            sender: "Bob".into(),
            room: "random".into(),
        }]));
        let cmds = press(&mut a, &[key(KeyCode::Enter)]);
        assert_eq!(a.timeline.room, Some(there));
        assert_eq!(a.focus, Focus::Timeline);
        assert!(
            cmds.contains(&Cmd::JumpTo {
                room: there,
                message
            }),
            "{cmds:?}"
        );
        assert!(!cmds.iter().any(|c| matches!(c, Cmd::LoadTimeline { .. })));
    }

    /// Point 1 and 5: the config's theme and key bindings are what the app
    /// uses; a bad binding is reported in the user's language.
    #[test]
    fn the_config_sets_theme_and_keys() {
        let mut config = Config {
            theme: ThemeName::Light,
            ..Config::default()
        };
        config
            .keys
            .insert("help".into(), crate::config::KeyList::One("f2".into()));
        config
            .keys
            .insert("quit".into(), crate::config::KeyList::One("hyper-q".into()));
        let mut a = App::new(
            config,
            Translator::for_locale("ru"),
            UtcOffset::UTC,
            "http://x".into(),
        );
        a.screen = Screen::Main;
        let light = Theme::new(ThemeName::Light, a.theme.no_color);
        assert_eq!(a.theme.base, light.base);
        if !a.theme.no_color {
            assert_ne!(a.theme.base, Theme::new(ThemeName::Dark, false).base);
        }
        let notice = a.notice.clone().unwrap();
        assert!(notice.error);
        assert!(notice.text.contains("hyper-q"), "{}", notice.text);
        assert!(
            notice.text.contains("Неизвестная клавиша"),
            "{}",
            notice.text
        );
        a.focus = Focus::Timeline;
        press(&mut a, &[key(KeyCode::Char('?'))]);
        assert!(matches!(a.overlay, Overlay::None), "? is no longer help");
        press(&mut a, &[key(KeyCode::F(2))]);
        assert!(matches!(a.overlay, Overlay::Help));

        // `[notifications] enabled = false`: even a direct message is quiet.
        let dm = Uuid::from_u128(40);
        let incoming = Action::Incoming {
            room: dm,
            sender: "Bob".into(),
            body: "hi".into(),
            mention: true,
        };
        let mut a = app();
        a.rooms = vec![joined_room(dm, RoomKind::Direct, "Bob")];
        assert_eq!(a.update(incoming.clone()).len(), 1);
        a.config.notifications.enabled = false;
        assert!(a.update(incoming).is_empty());
    }
}
