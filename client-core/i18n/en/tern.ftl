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
