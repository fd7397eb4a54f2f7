//! Integration tests: the real server on port 0 with a fresh data dir per
//! test, spoken to over HTTP and WebSocket. One binary, so it links once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod auth;
mod authz;
mod bad_input;
mod cli;
mod conformance;
mod durability;
mod files;
mod files_process;
mod files_s3;
mod keys_meta;
mod messages;
mod observability;
mod openapi;
mod rooms;
mod sync_ws;
mod workspaces;
