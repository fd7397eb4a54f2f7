# Tern desktop app strings, English.

app-title = Tern

## Sign in

login-heading = Sign in to Tern
register-heading = Create a Tern account
server-url = Server
login-name = Username or email
username = Username
email = Email
display-name = Display name (optional)
password = Password
sign-in = Sign in
create-account = Create account
have-account = I already have an account
need-account = Create an account
sign-out = Sign out
signing-in = Signing in…

## Room list

rooms = Rooms
room-filter = Filter rooms
no-rooms = No rooms yet
no-match = Nothing matches
unread-badge = { $count } unread
mention-badge = { $count } mentions
all-workspaces = All workspaces
room-pending = { $count } waiting to send

## Timeline

today = Today
yesterday = Yesterday
pick-room = Pick a room on the left
load-older = Loading older messages…
edited = edited
deleted-message = Message deleted
reply = Reply
edit = Edit
delete = Delete
react = React
retry = Retry
discard = Discard
state-pending = Waiting to send
state-sending = Sending…
state-retrying = Retrying ({ $attempts })
state-failed = Not sent: { $reason }
thread-replies = { $count ->
    [one] { $count } reply
   *[other] { $count } replies
}
replying-to = Replying to { $name }
editing = Editing a message
cancel = Cancel
read-marker = New messages
jump-latest = Jump to latest

## Composer

composer-placeholder = Write a message…
send = Send
attach = Attach a file
drop-here = Drop files to send them

## Files

uploading = Uploading { $percent }%
downloading = Downloading { $percent }%
open-file = Open
save-file = Save as…
file-size = { $size }

## Connection

banner-offline = Offline — you can read everything saved here.
banner-connecting = Reconnecting…
banner-syncing = Catching up…
queued = { $count ->
    [one] { $count } message waiting to send
   *[other] { $count } messages waiting to send
}
reconnect-now = Reconnect now

## Search

search = Search
search-placeholder = Search messages
search-in-room = In this room only
search-no-results = No messages found
search-with-files = With files

## Room switcher

switcher-placeholder = Jump to a room…

## Settings

settings = Settings
theme = Theme
theme-system = Follow the system
theme-light = Light
theme-dark = Dark
language = Language
language-system = Follow the system
notifications = Show notifications
cache-size = File cache size (MB)
save = Save
close = Close

## Errors

error-network = Cannot reach the server.
error-invalid-credentials = Wrong login or password.
error-generic = Something went wrong: { $message }

## Rooms: directory, creation, info

directory = Room directory
new-room = New room
room-name = Room name
room-topic = Topic (optional)
room-public = Anyone in the workspace can find and join it
create-room = Create
join = Join
joined = Joined
leave-room = Leave room
room-members = { $count ->
    [one] { $count } member
   *[other] { $count } members
}
mute-room = Mute notifications
mute-here = Mute on this device only
room-muted = Muted
room-info = Room info
room-no-topic = No topic
room-notify = Notifications in this room (all your devices)
room-notify-all = Every message
room-notify-mentions = Mentions only (every message in a direct room)
room-notify-none = None (muted)
member-invited = invited
role-owner = owner
role-moderator = moderator
invite = Invite
invite-placeholder = Invite someone: type a name
invite-sent = Invited { $name }

## Workspaces

workspace = Workspace
workspace-unread = { $name } ({ $count })

## Direct messages and people

new-dm = New direct message
people-search = Find someone by name
people-none = Nobody found in your workspaces
bot = bot

## Profile and devices

profile = Profile
avatar = Avatar
avatar-change = Change avatar…
avatar-remove = Remove avatar
display-name-label = Display name
saved = Saved
sessions = Devices
loading = Loading…
device-unknown = Unknown device
session-current = This device
session-last-seen = Last seen { $when }
session-revoke = Sign out
session-revoke-others = { $count ->
    [one] Sign out { $count } other device
   *[other] Sign out { $count } other devices
}

## Files and cache

downloading-unknown = Downloading…
cache-usage = Using { $used } of { $max } MB ({ $pinned } MB kept offline)
