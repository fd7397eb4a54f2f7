# Tern user interface strings, English. Both front ends use these.

app-name = Tern

## Connection

connection-offline = Offline
connection-connecting = Connecting…
connection-syncing = Catching up…
connection-online = Online
last-synced = Last synced { $time }
connection-problem-certificate = The server’s certificate is not trusted: { $detail }
connection-problem-network = Cannot reach the server: { $detail }

## Sign in

login-title = Sign in to Tern
login-field = Username or email
password-field = Password
login-button = Sign in
register-button = Create account
logout-button = Sign out
session-ended = You were signed out: { $reason }

## Rooms and timeline

rooms-title = Rooms
unread-count = { $count ->
    [one] { $count } unread message
   *[other] { $count } unread messages
}
mention-count = { $count ->
    [one] { $count } mention
   *[other] { $count } mentions
}
message-deleted = This message was deleted
message-edited = (edited)
reply-to = Reply to { $name }
typing-one = { $name } is typing…
typing-many = { $count } people are typing…
load-older = Load older messages
composer-placeholder = Message { $room }

## Outbox

outbox-pending = Waiting to send
outbox-sending = Sending…
outbox-retrying = Not sent yet; retrying in { $seconds } s
outbox-failed = Not sent: { $reason }
outbox-retry = Retry
outbox-discard = Discard

## Search

search-placeholder = Search messages
search-no-results = Nothing found for “{ $query }”
search-results = { $count ->
    [one] { $count } result
   *[other] { $count } results
}

## Terminal client (tern)

tui-loading = Loading…
tui-too-small = Make the terminal at least 60×15
tui-no-room = Pick a room on the left
tui-rooms-workspace = Workspace
tui-rooms-direct = Direct messages
tui-rooms-empty = No rooms yet: :join NAME
tui-rooms-filter = Rooms: { $text }
tui-timeline-empty = No messages yet
tui-new-messages = New messages
tui-attachments = { $count ->
    [one] { $count } attachment
   *[other] { $count } attachments
}
tui-echo-retrying = Not sent yet; will retry
tui-offline-banner = Offline: showing what is stored here; what you send is queued
tui-composer-reply = Reply to { $name } (Esc cancels)
tui-composer-edit = Editing (Esc cancels)
tui-status-queued = { $count } queued
tui-status-failed = { $count } failed (:retry, :discard)
tui-status-help = ? help
tui-login-server = Server
tui-login-email = Email
tui-login-hint = Enter: next / sign in · Tab: next field · Ctrl-R: create an account · Esc: quit
tui-register-title = Create a Tern account
tui-login-busy = Signing in…
tui-login-missing = Fill in the server, the name and the password
tui-search-room-title = Search in { $room }
tui-search-all-title = Search everywhere
tui-search-hint = Enter: search or open · ↑↓: choose · /: edit · Esc: close
tui-confirm-title = Delete
tui-confirm-delete = Delete this message? y / n
tui-cmd-react-usage = Select a message, then :react EMOJI
tui-cmd-dm-unknown = No one by that name in the rooms you have read: :dm NAME
tui-cmd-theme-usage = Use :theme light or :theme dark
tui-cmd-lang-usage = Use :lang en or :lang ru
tui-cmd-unknown = Unknown command: { $command }
tui-retried = { $count } failed actions queued again
tui-discarded = { $count } failed actions discarded
tui-help-title = Keys
tui-help-composer = Composer: Enter sends · Alt-Enter or Ctrl-J new line · Up (empty) edits your last message · Ctrl-P / Ctrl-N history · Tab completes @name · Esc back
tui-help-rooms = Room list: type to filter · Esc clears · Enter opens · mouse wheel scrolls, click opens
tui-help-commands = Commands: :join NAME · :leave [ROOM] · :react EMOJI · :search TEXT · :create NAME [channel|group] · :dm NAME · :retry · :discard · :read · :theme light|dark · :lang en|ru · :logout · :quit
tui-help-close = Any key closes this help
tui-key-quit = Quit
tui-key-help = This help
tui-key-command = Command line
tui-key-search = Search this room
tui-key-focus-next = Next pane
tui-key-focus-prev = Previous pane
tui-key-focus-rooms = Room list
tui-key-up = Up
tui-key-down = Down
tui-key-top = Top (loads older)
tui-key-bottom = Newest
tui-key-page-up = Page up
tui-key-page-down = Page down
tui-key-open = Open
tui-key-compose = Write
tui-key-reply = Reply
tui-key-edit = Edit
tui-key-delete = Delete
tui-key-react = React
tui-key-mark-read = Mark read
tui-key-next-room = Next room
tui-key-prev-room = Previous room

## Terminal client (tern): files, rooms and people

tui-key-open-file = Open the attachment
tui-key-save-file = Save the attachment
tui-key-mute = Mute or unmute the room
tui-key-members = Members
tui-key-directory = Room directory
tui-help-files = Files and rooms: :upload PATH · :open · :save [PATH] · :mute [ROOM] · :unmute [ROOM] · :notify all|mentions|none · :invite USER · :members · :directory · Tab completes commands and names
tui-cmd-upload-usage = Use :upload PATH
tui-cmd-no-file = Select a message with an attachment first
tui-cmd-notify-usage = Use :notify all, :notify mentions or :notify none
tui-cmd-invite-usage = Use :invite USER
tui-notify-set = Notifications in { $room }: { $level ->
    [all] every message
    [none] none
   *[mentions] mentions and direct messages
}
tui-muted = { $room } muted
tui-unmuted = { $room } no longer muted
tui-file-opened = Opened { $path }
tui-no-opener = No program to open files ({ $opener }) is installed; the file is at { $path } (:save copies it)
tui-file-saved = Saved { $name } to { $path }
tui-file-unknown = a file (details not fetched yet)
tui-file-uploading = uploading
tui-file-cached = here offline
tui-upload-done = uploaded
tui-download-done = downloaded
tui-thread-replies = { $count ->
    [one] { $count } reply in the thread
   *[other] { $count } replies in the thread
}
tui-invite-unknown = No one named { $user } in your workspaces
tui-invited = { $user } invited
tui-joined = Joined
tui-directory-unknown = No room named { $room } in the directory
tui-members-title = Members of { $room } ({ $count })
tui-members-empty = No members known here yet
tui-members-hint = Enter: direct message · ↑↓: choose · Esc: close
tui-member-invited = invited
tui-member-you = you
tui-role-owner = owner
tui-role-moderator = moderator
tui-directory-title = Room directory
tui-directory-empty = No rooms to show
tui-directory-hint = Enter: join or open · ↑↓: choose · Esc: close
tui-directory-members = { $count ->
    [one] { $count } member
   *[other] { $count } members
}

## Terminal client (tern): headless commands

cli-cannot-open-profile = cannot open profile { $profile }: { $error }
cli-signed-in = signed in as { $user } on { $server }
cli-signed-out = signed out; local data of profile { $profile } wiped
cli-offline-rooms = offline: showing the rooms held locally
cli-offline-messages = offline: showing the messages held locally
cli-unread = { $count } unread
cli-mentions = { $count } mentions
cli-muted = muted
cli-cannot-read-stdin = cannot read stdin: { $error }
cli-empty-text = nothing to send: the text is empty
cli-not-a-file = { $path } is not a file
cli-sent = sent to { $room }
cli-queued = queued for { $room }: the server cannot be reached now; `tern sync` or the next start of tern delivers it
cli-not-sent = not sent to { $room }: { $reason }
cli-cannot-reach = cannot reach { $server }: { $count } actions still queued
cli-synced = synced; the outbox is empty
cli-failed-for-good = { $count } actions failed for good; retry or discard them in tern
cli-timed-out = timed out with { $count } actions still queued
cli-state-signed-out = signed out
cli-status-connection = connection: { $state } ({ $server })
cli-status-last-sync = last sync:  { $time }
cli-status-queued = queued:     { $count }
cli-status-failed = failed:     { $count }
cli-never = never
cli-not-signed-in = not signed in: run `tern login --username NAME` first
cli-deleted = deleted
cli-reply = re { $name }
cli-failed = failed
cli-queued-mark = queued
cli-cannot-read-password = cannot read the password: { $error }
cli-empty-password = empty password on stdin
cli-no-room-id = no room with id { $id } here
cli-no-room-named = no room named “{ $room }” here
cli-room-ambiguous = room name “{ $room }” is ambiguous: use one of { $names }
tui-react-title = React
tui-react-hint = 1–8 or ←→ and Enter · : any emoji · Esc closes
tui-search-bad-filter = { $filter }: no such person, room or date (filters: from:NAME in:ROOM has:file no:file after:YYYY-MM-DD before:YYYY-MM-DD)
tui-newer-below = Newer messages below (End goes to the newest)

config-unreadable = Cannot read the config file { $path } ({ $error }); using the defaults
config-invalid = { $line ->
        [0] Bad config file { $path }: { $what }; using the defaults
       *[other] Bad config file { $path }, line { $line }: { $what }; using the defaults
    }
