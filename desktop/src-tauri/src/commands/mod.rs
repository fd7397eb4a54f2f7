//! The commands the window calls, grouped by area. Each is a thin call
//! into client-core: check the input, call, convert the answer.

pub mod account;
pub mod auth;
pub mod files;
pub mod outbox;
pub mod rooms;
pub mod search;
pub mod settings;
pub mod timeline;
