//! client-core against the real server, in process. One binary, so it
//! links once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod account;
mod auth;
mod chaos;
mod chat;
mod files;
mod history;
mod offline;
mod search;
mod secrets;
mod shared_profile;
mod tls;
