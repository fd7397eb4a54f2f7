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
config-fault-value = no value “{ $value }” here{ $allowed ->
        [none] {""}
       *[other] {" "}(allowed: { $allowed })
    }
config-fault-key = no setting “{ $key }” here{ $allowed ->
        [none] {""}
       *[other] {" "}(known: { $allowed })
    }
config-fault-missing = the setting “{ $key }” is missing
config-fault-type = a value of the wrong kind (text, number or list)
config-fault-syntax = not valid TOML

## Terminal client (tern): the command line (--help, usage, parse errors)

cli-about = Tern in the terminal. Without a command, the full-screen client.
cli-usage-heading = Usage:
cli-usage-options = OPTIONS
cli-usage-command = COMMAND
cli-heading-options = Options
cli-heading-arguments = Arguments
cli-heading-commands = Commands
cli-cmd-login = Sign in (password from stdin when it is not a terminal, else a prompt)
cli-cmd-register = Create an account and sign in (password as for login)
cli-cmd-logout = Sign out and wipe this profile’s local data
cli-cmd-rooms = List rooms with unread and mention counts
cli-cmd-read = Print a room’s latest messages
cli-cmd-send = Send a message (the text from stdin when not given); queued when offline
cli-cmd-upload = Send a file (with an optional caption); queued when offline
cli-cmd-search = Search every message held locally
cli-cmd-tail = Print new messages of a room as they arrive
cli-cmd-sync = Catch up once and deliver the outbox; exit when it is empty
cli-cmd-status = Connection, last sync and queued actions
cli-cmd-help = Print this help or the help of the given command
cli-arg-help = Print help
cli-arg-version = Print the version
cli-arg-server = Server URL (default: the one this profile signed in to; variable TERN_SERVER)
cli-arg-profile = Profile name: one account and its local data (default: default; variable TERN_PROFILE)
cli-arg-data-dir = Folder holding the profiles (default: $XDG_DATA_HOME/tern; variable TERN_DATA_DIR)
cli-arg-config = Config file (default: $XDG_CONFIG_HOME/tern/config.toml; variable TERN_CONFIG)
cli-arg-locale = Language of the messages: en or ru (default: the config’s locale, else the system’s; variable TERN_LOCALE)
cli-arg-json = Machine-readable output (headless commands)
cli-arg-secrets = Where sign-in tokens are kept: auto (the OS keyring when it works, else a file), file (always a 0600 file) or keyring (default: auto; variable TERN_SECRETS)
cli-arg-ca-cert = A CA certificate (PEM) to trust besides the system’s, for a self-hosted server on https (variable TERN_CA_CERT)
cli-arg-login-username = Username or email
cli-arg-register-username = Username
cli-arg-register-email = Email address
cli-arg-register-display-name = The name others see (default: the username)
cli-arg-read-room = Room id, name, or workspace/name
cli-arg-read-limit = How many messages (default: 20)
cli-arg-send-room = Room id, name, or workspace/name
cli-arg-send-text = The message (default: read from stdin)
cli-arg-send-timeout = Seconds to wait for delivery before leaving it queued (default: 5)
cli-arg-upload-room = Room id, name, or workspace/name
cli-arg-upload-path = The file to send
cli-arg-upload-caption = A caption sent with the file
cli-arg-upload-timeout = Seconds to wait for delivery before leaving it queued (default: 60)
cli-arg-search-query = Words to look for
cli-arg-search-room = Only this room
cli-arg-search-from = Only messages from this person (username or name)
cli-arg-search-has-file = Only messages with a file
cli-arg-search-no-file = Only messages without a file
cli-arg-search-after = Only messages from this day on (YYYY-MM-DD)
cli-arg-search-before = Only messages before this day (YYYY-MM-DD)
cli-arg-search-limit = At most this many results (default: 50)
cli-arg-tail-room = Room id, name, or workspace/name
cli-arg-sync-timeout = Give up after this many seconds (default: 30)
cli-arg-help-subcommand = The command to explain
cli-value-server = URL
cli-value-profile = NAME
cli-value-data-dir = DIR
cli-value-config = FILE
cli-value-locale = LANG
cli-value-secrets = WHERE
cli-value-ca-cert = FILE
cli-value-username = NAME
cli-value-email = EMAIL
cli-value-display-name = NAME
cli-value-room = ROOM
cli-value-limit = N
cli-value-text = TEXT
cli-value-timeout = SECONDS
cli-value-path = PATH
cli-value-caption = TEXT
cli-value-query = QUERY
cli-value-from = WHO
cli-value-after = DAY
cli-value-before = DAY
cli-value-subcommand = COMMAND
cli-error-unknown-command = there is no command “{ $command }”
cli-error-unknown-argument = unexpected argument “{ $arg }”
cli-error-invalid-value = “{ $value }” is not a valid value for { $arg }
cli-error-invalid-choice = “{ $value }” is not a valid value for { $arg }; use one of: { $choices }
cli-error-missing-argument = missing: { $args }
cli-error-missing-command = a command is needed
cli-error-conflict = { $arg } cannot be used together with { $other }
cli-error-values = wrong number of values for { $arg }
cli-error-other = the command line cannot be read
cli-error-did-you-mean = did you mean “{ $suggestion }”?
cli-error-more = More: { $help }

## Errors (client-core's Error::localized)

core-error-network = Cannot reach the server
core-error-certificate = The server’s certificate is not trusted
core-error-server-invalid-credentials = Wrong username or password
core-error-server-unauthorized = The server did not accept the sign-in; sign in again
core-error-server-session-revoked = This session was revoked; sign in again
core-error-server-user-deactivated = This account is deactivated
core-error-server-forbidden = You are not allowed to do this
core-error-server-read-only = This room is read-only for you
core-error-server-archived = This room is archived
core-error-server-not-found = The server has no such thing, or you may not see it
core-error-server-username-taken = This username is taken
core-error-server-email-taken = This email address is already in use
core-error-server-slug-taken = This workspace address is taken
core-error-server-last-owner = The last owner cannot leave or step down
core-error-server-invite-expired = This invitation has expired
core-error-server-rate-limited = Too many requests; try again in a moment
core-error-server-too-large = This is too large for the server
core-error-server-media-type = The server does not accept this type of file
core-error-server-invalid-input = The server did not accept this: { $detail }
core-error-server-conflict = This conflicts with a change made meanwhile; try again
core-error-server-unavailable = The server has a problem ({ $status }); try again later
core-error-server-other = The server answered with an error ({ $status } { $code })
core-error-session-ended = You were signed out; sign in again
core-error-not-signed-in = Not signed in
core-error-store = The local database failed (details in the log)
core-error-io = Cannot use the file { $path }
core-error-protocol = The server’s answer could not be read
core-error-not-found = Not found here (it may have been removed)
core-error-secrets = The sign-in tokens cannot be stored or read (details in the log)
core-error-source-gone = The file to upload is gone: { $path }
core-error-shutdown = Tern is shutting down

## Why input was refused (client-core's Error::InvalidInput, one per check)

core-invalid-file-cache-too-small = The file cache must hold at least { $min } bytes, not { $bytes }
core-invalid-profile-name = The profile name “{ $name }” cannot be used: use 1 to 64 of A-Z a-z 0-9 _ . -
core-invalid-message-body = A message must have 1 to { $max } characters, not only spaces
core-invalid-caption-too-long = A caption may have at most { $max } characters
core-invalid-not-a-file = { $path } is not a file
core-invalid-path-not-utf8 = The path { $path } is not UTF-8 and cannot be kept
core-invalid-not-own-message = Only your own messages can be edited
core-invalid-reaction = A reaction must be 1 to { $max } bytes long
core-invalid-direct-room = A direct conversation is opened with a person, not created as a room
core-invalid-room-name = A room name must have 1 to { $max } characters
core-invalid-outbox-item-sending = This is being sent right now; try again in a moment
core-invalid-event-in-other-room = The event { $event } belongs to another room
core-invalid-event-seq-gap = Imported events must follow one another without a gap
core-invalid-display-name = A display name must have 1 to { $max } characters and no control characters
core-invalid-avatar-missing = There is no file { $path } for the avatar
core-invalid-avatar-size = An avatar must be an image file of 1 to { $max } bytes: { $path }
core-invalid-avatar-not-image = { $path } is not a PNG, JPEG, GIF or WebP image
core-invalid-revoke-own-session = This is this device’s own session: sign out instead
core-invalid-user-search-too-long = A search for people may have at most { $max } characters
core-invalid-user-search-limit = A search for people shows 1 to 100 people, not { $limit }
core-invalid-target-never-sent = The message this refers to was never sent
core-invalid-certificate-not-pem = The root certificate file { $path } is not a readable PEM file
core-invalid-certificate-empty = The root certificate file { $path } holds no certificate
core-invalid-certificate-unreadable = Cannot read the root certificate file { $path }

## Terminal client (tern): start-up and key problems

cli-cannot-start = cannot start: { $error }
tui-terminal-setup-failed = cannot set up the terminal: { $error }
tui-terminal-error = terminal error: { $error }
tui-panic-report = tern stopped after an internal error; the report is in { $path }
tui-keys-unknown-action = Unknown action “{ $action }” in [keys] of the config
tui-keys-unknown-key = Unknown key “{ $key }” for { $action } in [keys] of the config

## Desktop app: the tray icon's menu

tray-show = Show Tern
tray-quit = Quit

## Desktop app: its own errors (client-core's are the core-* above)

desktop-error-io = Cannot read or write a file here (details in the log)
desktop-invalid-language = The language must be the system's, English or Russian, not “{ $language }”
desktop-invalid-cache-size = The file cache must be { $min } to { $max } MB
desktop-invalid-server-url-scheme = The server address { $url } must start with http:// or https://
desktop-invalid-server-url-host = The server address { $url } must name a host
desktop-invalid-login-required = Enter a username or email and a password
desktop-invalid-nothing-to-change = Nothing to change
desktop-invalid-avatar-not-chosen = Choose an image for the avatar
desktop-invalid-pasted-size = A pasted file must be 1 to { $max } bytes
desktop-invalid-save-not-chosen = Choose where to save the file
