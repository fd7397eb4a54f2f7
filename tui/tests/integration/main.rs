//! tern-tui's tests: screen snapshots, a key-handler fuzz, headless
//! commands against an in-process server, and a tmux run of the real
//! binary. One binary, so it links once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod bigroom;
mod fuzz;
mod headless;
mod locale;
mod people;
mod run_loop;
mod snapshots;
mod tmux;
