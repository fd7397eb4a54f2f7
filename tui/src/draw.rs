//! Drawing: a pure function of [`App`]. Nothing here changes state, so a
//! test can draw any screen into a `TestBackend` from a hand-made `App`.
//!
//! The timeline is virtualised: only the messages that fit are turned into
//! lines, counted up from the selected (or newest) message, so a long
//! loaded history costs nothing to draw.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tern_client_core::{ConnectionProblem, ConnectionState, EchoState, OutboxState, TimelineItem};
use time::OffsetDateTime;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::app::{App, ComposeMode, Focus, ListView, LoginField, Overlay, RoomRow, Screen};
use crate::keys::Bound;

/// The smallest size drawn in full.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

pub struct MainLayout {
    pub rooms: Rect,
    pub right: Rect,
    pub status: Rect,
}

pub fn main_layout(area: Rect) -> MainLayout {
    let [body, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let rooms_w = (area.width / 4).clamp(18, 30).min(area.width);
    let [rooms, right] =
        Layout::horizontal([Constraint::Length(rooms_w), Constraint::Min(1)]).areas(body);
    MainLayout {
        rooms,
        right,
        status,
    }
}

/// First visible row of a list of `n` rows of which `sel` must show.
pub fn list_top(n: usize, sel: usize, height: usize) -> usize {
    if height == 0 || n <= height || sel < height {
        return 0;
    }
    (sel + 1 - height).min(n - height)
}

pub fn draw(f: &mut Frame<'_>, app: &App) {
    let area = f.area();
    f.render_widget(Block::default().style(app.theme.base), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let p = Paragraph::new(app.tr.tr("tui-too-small")).style(app.theme.dim);
        f.render_widget(p, area);
        return;
    }
    match app.screen {
        Screen::Login => draw_login(f, app, area),
        Screen::Main => draw_main(f, app, area),
    }
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            app.theme.focused_border
        } else {
            app.theme.border
        })
        .title(Span::styled(format!(" {title} "), app.theme.heading))
}

fn draw_login(f: &mut Frame<'_>, app: &App, area: Rect) {
    let form = &app.login;
    let title = if form.register {
        app.tr.tr("tui-register-title")
    } else {
        app.tr.tr("login-title")
    };
    let fields = form.fields();
    let h = (fields.len() as u16) * 2 + 6;
    let r = centered(area, 56, h);
    f.render_widget(Clear, r);
    let b = block(app, title, true);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let mut lines = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let (label, input) = match field {
            LoginField::Server => (app.tr.tr("tui-login-server"), &form.server),
            LoginField::Username => (app.tr.tr("login-field"), &form.username),
            LoginField::Email => (app.tr.tr("tui-login-email"), &form.email),
            LoginField::Password => (app.tr.tr("password-field"), &form.password),
        };
        let value = if *field == LoginField::Password {
            "•".repeat(input.text.chars().count())
        } else {
            input.text.clone()
        };
        let current = i == form.field.min(fields.len() - 1);
        let marker = if current { "› " } else { "  " };
        lines.push(Line::from(Span::styled(
            format!("{marker}{label}"),
            app.theme.dim,
        )));
        let style = if current {
            app.theme.unread
        } else {
            app.theme.base
        };
        lines.push(Line::from(Span::styled(
            format!("  {value}{}", if current { "▏" } else { "" }),
            style,
        )));
    }
    lines.push(Line::default());
    let action = if form.busy {
        app.tr.tr("tui-login-busy")
    } else if form.register {
        app.tr.tr("register-button")
    } else {
        app.tr.tr("login-button")
    };
    lines.push(Line::from(Span::styled(
        format!("[ {action} ]"),
        app.theme.heading,
    )));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(e.clone(), app.theme.error)));
    } else {
        lines.push(Line::from(Span::styled(
            app.tr.tr("tui-login-hint"),
            app.theme.dim,
        )));
    }
    f.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        inner,
    );
    // No status bar here: a notice (a bad config file) takes the bottom.
    draw_notice_above(f, app, area, area.bottom());
}

/// The notice, wrapped to at most [`NOTICE_MAX_ROWS`] rows of the full
/// width, ending just above row `bottom`: where a notice goes that the
/// status bar has no room for (or on a screen without one).
fn draw_notice_above(f: &mut Frame<'_>, app: &App, area: Rect, bottom: u16) {
    let Some(n) = &app.notice else {
        return;
    };
    let text = format!(" {}", n.text);
    let rows = wrapped_rows(&text, area.width).min(NOTICE_MAX_ROWS);
    let top = bottom.saturating_sub(rows).max(area.y);
    let r = Rect::new(area.x, top, area.width, bottom.saturating_sub(top));
    let style = if n.error {
        app.theme.error
    } else {
        app.theme.base
    };
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(text, style)))
            .style(app.theme.status)
            .wrap(ratatui::widgets::Wrap { trim: true }),
        r,
    );
}

/// The most rows a notice takes outside the status bar.
const NOTICE_MAX_ROWS: u16 = 3;

/// How many rows `text` takes wrapped at word ends to `width` columns.
fn wrapped_rows(text: &str, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let (mut rows, mut used) = (1u16, 0usize);
    for word in text.split(' ') {
        let w = word.width();
        let need = if used == 0 { w } else { used + 1 + w };
        if need <= width {
            used = need;
        } else {
            rows = rows.saturating_add(1);
            // A word wider than a row is cut across rows.
            rows = rows.saturating_add(u16::try_from(w / width).unwrap_or(u16::MAX));
            used = w % width;
        }
    }
    rows
}

fn draw_main(f: &mut Frame<'_>, app: &App, area: Rect) {
    let l = main_layout(area);
    draw_rooms(f, app, l.rooms);
    let composer_lines = app.composer.input.text.split('\n').count().clamp(1, 4) as u16;
    let offline = app.connection.state == ConnectionState::Offline;
    let transfers = app.transfers.len().min(2) as u16;
    let [banner, timeline, bars, composer] = Layout::vertical([
        Constraint::Length(u16::from(offline)),
        Constraint::Min(3),
        Constraint::Length(transfers),
        Constraint::Length(composer_lines + 2),
    ])
    .areas(l.right);
    if transfers > 0 {
        draw_transfers(f, app, bars);
    }
    if offline {
        // An untrusted certificate will not heal by waiting: say so.
        let text = match &app.connection_problem {
            Some(p @ ConnectionProblem::UntrustedCertificate { .. }) => app
                .tr
                .tr_args(p.message_id(), &[("detail", p.detail().to_owned().into())]),
            _ => app.tr.tr("tui-offline-banner"),
        };
        f.render_widget(Paragraph::new(text).style(app.theme.error), banner);
    }
    draw_timeline(f, app, timeline);
    draw_composer(f, app, composer);
    if !draw_status(f, app, l.status) {
        draw_notice_above(f, app, area, l.status.y);
    }
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => draw_help(f, app, area),
        Overlay::Command(t) => {
            let line = Line::from(vec![
                Span::styled(":", app.theme.heading),
                Span::raw(t.text.clone()),
                Span::raw("▏"),
            ]);
            f.render_widget(Clear, l.status);
            f.render_widget(Paragraph::new(line), l.status);
        }
        Overlay::Search(_) => draw_search(f, app, area),
        Overlay::Members(v) => draw_members(f, app, area, v),
        Overlay::ReactPicker(sel) => {
            let mut spans = Vec::new();
            for (i, e) in crate::app::QUICK_REACTIONS.iter().enumerate() {
                let style = if i == *sel {
                    Style::default().add_modifier(Modifier::REVERSED)
                } else {
                    app.theme.base
                };
                spans.push(Span::styled(format!(" {} {e} ", i + 1), style));
            }
            let hint = app.tr.tr("tui-react-hint");
            let row: Line<'_> = Line::from(spans);
            let w = (row.width().max(hint.width()) as u16 + 2).max(20);
            let r = centered(area, w, 4);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(vec![row, Line::from(Span::styled(hint, app.theme.dim))])
                    .block(block(app, app.tr.tr("tui-react-title"), true)),
                r,
            );
        }
        Overlay::Directory(v) => draw_directory(f, app, area, v),
        Overlay::ConfirmDelete(_) => {
            let text = app.tr.tr("tui-confirm-delete");
            let w = (text.width() as u16 + 4).max(20);
            let r = centered(area, w, 3);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(text).block(block(app, app.tr.tr("tui-confirm-title"), true)),
                r,
            );
        }
    }
}

fn draw_rooms(f: &mut Frame<'_>, app: &App, area: Rect) {
    let title = if app.room_filter.is_empty() {
        app.tr.tr("rooms-title")
    } else {
        app.tr.tr_args(
            "tui-rooms-filter",
            &[("text", app.room_filter.text.clone().into())],
        )
    };
    let b = block(app, title, app.focus == Focus::Rooms);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let rows = app.room_rows();
    if rows.is_empty() {
        let key = if app.rooms_loaded {
            "tui-rooms-empty"
        } else {
            "tui-loading"
        };
        f.render_widget(Paragraph::new(app.tr.tr(key)).style(app.theme.dim), inner);
        return;
    }
    let sel_row = app.selected_row();
    let top = list_top(rows.len(), sel_row, inner.height as usize);
    let w = inner.width as usize;
    let mut lines = Vec::new();
    for (i, row) in rows
        .iter()
        .enumerate()
        .skip(top)
        .take(inner.height as usize)
    {
        match row {
            RoomRow::Heading(h) => {
                lines.push(Line::from(Span::styled(fit(h, w), app.theme.heading)));
            }
            RoomRow::Room(idx) => {
                let Some(r) = app.rooms.get(*idx) else {
                    continue;
                };
                let sigil = match r.kind {
                    tern_client_core::protocol::room::RoomKind::Direct => "@",
                    _ => "#",
                };
                let mut badge = String::new();
                if r.mention_count > 0 {
                    badge.push_str(&format!(" @{}", r.mention_count));
                }
                if r.unread_count > 0 {
                    badge.push_str(&format!(" {}", r.unread_count));
                }
                let muted = app.room_muted(r);
                if muted {
                    badge.push_str(" ∅");
                }
                if r.failed_count > 0 {
                    badge.push_str(" !");
                } else if r.pending_count > 0 {
                    badge.push_str(" ⏳");
                }
                let name_w = w.saturating_sub(badge.width() + 1);
                let name = fit(&format!(" {sigil}{}", r.name), name_w);
                let pad = w.saturating_sub(name.width() + badge.width());
                let mut style = if muted {
                    app.theme.dim
                } else if r.unread_count > 0 {
                    app.theme.unread
                } else {
                    app.theme.base
                };
                if app.timeline.room == Some(r.id) {
                    style = style.add_modifier(Modifier::BOLD);
                }
                if i == sel_row {
                    style = style.patch(app.theme.selected);
                }
                let badge_style = if r.mention_count > 0 {
                    app.theme.mention
                } else {
                    style
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{name}{}", " ".repeat(pad)), style),
                    Span::styled(badge, if i == sel_row { style } else { badge_style }),
                ]));
            }
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// Cuts `s` to `w` columns, with an ellipsis when cut.
pub fn fit(s: &str, w: usize) -> String {
    if s.width() <= w {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    if w > 0 {
        out.push('…');
    }
    out
}

/// Wraps text to `w` columns (at spaces when it can), keeping its newlines.
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    wrap_hanging(text, w, w)
}

/// Wraps with the first line `first` columns wide and the others `rest`.
pub fn wrap_hanging(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in para.split_inclusive(' ') {
            let w = if out.is_empty() { first } else { rest }.max(1);
            // Trailing spaces may hang past the edge; they are trimmed.
            let ww = word.trim_end_matches(' ').width();
            if used + ww > w && used > 0 {
                out.push(line.trim_end().to_owned());
                line.clear();
                used = 0;
            }
            if ww > w {
                for c in word.chars() {
                    let cw = c.width().unwrap_or(0);
                    let w = if out.is_empty() { first } else { rest }.max(1);
                    if used + cw > w {
                        out.push(std::mem::take(&mut line));
                        used = 0;
                    }
                    line.push(c);
                    used += cw;
                }
            } else {
                line.push_str(word);
                used += word.width();
            }
        }
        out.push(line.trim_end().to_owned());
    }
    out
}

fn fmt_hm(app: &App, t: OffsetDateTime) -> String {
    let t = t.to_offset(app.offset);
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn fmt_day(app: &App, t: OffsetDateTime) -> String {
    let t = t.to_offset(app.offset);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

fn echo_marker(app: &App, item: &TimelineItem) -> Option<Span<'static>> {
    let state = match (&item.echo, &item.pending_edit, &item.pending_delete) {
        (EchoState::Local(s), _, _) => s,
        (_, Some(s), _) | (_, _, Some(s)) => s,
        _ => return None,
    };
    Some(match state {
        OutboxState::Failed { reason } => Span::styled(
            format!(
                " ✗ {}",
                app.tr.tr_args(
                    "outbox-failed",
                    &[(
                        "reason",
                        tern_client_core::Error::localized_reason(reason, &app.tr).into()
                    )]
                )
            ),
            app.theme.error,
        ),
        OutboxState::Sending => Span::styled(
            format!(" ⏳ {}", app.tr.tr("outbox-sending")),
            app.theme.dim,
        ),
        OutboxState::Retrying { .. } => Span::styled(
            format!(" ⏳ {}", app.tr.tr("tui-echo-retrying")),
            app.theme.dim,
        ),
        _ => Span::styled(
            format!(" ⏳ {}", app.tr.tr("outbox-pending")),
            app.theme.dim,
        ),
    })
}

/// The lines of one message (with its day separator and "new" line).
fn item_lines(app: &App, idx: usize, w: usize, selected: bool) -> Vec<Line<'static>> {
    let items = &app.timeline.items;
    let Some(item) = items.get(idx) else {
        return vec![];
    };
    let t = &app.theme;
    let mut lines = Vec::new();
    let day = fmt_day(app, item.created_at);
    if idx == 0
        || items
            .get(idx - 1)
            .is_none_or(|p| fmt_day(app, p.created_at) != day)
    {
        let label = format!(" {day} ");
        let side = w.saturating_sub(label.width()) / 2;
        lines.push(Line::from(Span::styled(
            format!(
                "{}{label}{}",
                "─".repeat(side),
                "─".repeat(w.saturating_sub(side + label.width()))
            ),
            t.separator,
        )));
    }
    if app.timeline.new_from == Some(item.id) {
        let label = format!(" {} ", app.tr.tr("tui-new-messages"));
        lines.push(Line::from(Span::styled(
            format!("{label}{}", "─".repeat(w.saturating_sub(label.width()))),
            t.new_line,
        )));
    }
    if let Some(r) = &item.reply_to {
        let body = if r.deleted {
            app.tr.tr("message-deleted")
        } else {
            r.body.replace('\n', " ")
        };
        lines.push(Line::from(Span::styled(
            fit(&format!("      ┌ {}: {body}", r.sender_name), w),
            t.dim,
        )));
    }
    let time = fmt_hm(app, item.created_at);
    let head = format!("{time} {}: ", item.sender_name);
    let indent = 6;
    let body_w = w.saturating_sub(indent).max(1);
    let (body, body_style) = if item.deleted {
        (
            app.tr.tr("message-deleted"),
            t.dim.add_modifier(Modifier::ITALIC),
        )
    } else {
        (
            item.body.clone(),
            if item.mentions_me { t.mention } else { t.base },
        )
    };
    let first_w = w.saturating_sub(head.width()).max(1);
    let mut wrapped = wrap_hanging(&body, first_w, body_w);
    let rest: Vec<String> = if wrapped.len() > 1 {
        wrapped.split_off(1)
    } else {
        vec![]
    };
    let mut first = vec![
        Span::styled(time, t.dim),
        Span::raw(" "),
        Span::styled(item.sender_name.clone(), t.sender(item.sender_id)),
        Span::raw(": "),
        Span::styled(wrapped.first().cloned().unwrap_or_default(), body_style),
    ];
    let mut tail: Vec<Line<'static>> = rest
        .into_iter()
        .map(|l| {
            Line::from(vec![
                Span::raw(" ".repeat(indent)),
                Span::styled(l, body_style),
            ])
        })
        .collect();
    let mut extra = Vec::new();
    if item.edited && !item.deleted {
        extra.push(Span::styled(
            format!(" {}", app.tr.tr("message-edited")),
            t.dim,
        ));
    }
    if let Some(m) = echo_marker(app, item) {
        extra.push(m);
    }
    let extra_w: usize = extra.iter().map(|s| s.content.width()).sum();
    let last_w = match tail.last() {
        Some(l) => l.width(),
        None => first.iter().map(|s| s.content.width()).sum(),
    };
    if extra.is_empty() {
    } else if last_w + extra_w > w {
        // No room after the text: the markers get a line of their own.
        let mut l = vec![Span::raw(" ".repeat(indent.saturating_sub(1)))];
        l.extend(extra);
        tail.push(Line::from(l));
    } else {
        match tail.last_mut() {
            Some(l) => l.spans.extend(extra),
            None => first.extend(extra),
        }
    }
    lines.push(Line::from(first));
    lines.append(&mut tail);
    match app.timeline.files.get(&item.id) {
        Some(files) if !files.is_empty() => {
            for f in files {
                lines.push(Line::from(Span::styled(
                    fit(&format!("      📎 {}", file_label(app, f)), w),
                    t.dim,
                )));
            }
        }
        _ if !item.attachments.is_empty() => {
            lines.push(Line::from(Span::styled(
                format!(
                    "      📎 {}",
                    app.tr.tr_args(
                        "tui-attachments",
                        &[("count", item.attachments.len().into())]
                    )
                ),
                t.dim,
            )));
        }
        _ => {}
    }
    if let Some(n) = app.timeline.threads.get(&item.id).filter(|n| **n > 0) {
        lines.push(Line::from(Span::styled(
            format!(
                "      ↳ {}",
                app.tr
                    .tr_args("tui-thread-replies", &[("count", (*n).into())])
            ),
            t.unread,
        )));
    }
    if !item.reactions.is_empty() {
        let mut spans = vec![Span::raw(" ".repeat(indent))];
        for r in &item.reactions {
            let style = if r.me { t.unread } else { t.dim };
            spans.push(Span::styled(
                format!(
                    "{} {}{} ",
                    r.emoji,
                    r.count,
                    if r.pending { "…" } else { "" }
                ),
                style,
            ));
        }
        lines.push(Line::from(spans));
    }
    if selected {
        for l in &mut lines {
            for s in &mut l.spans {
                s.style = s.style.add_modifier(Modifier::REVERSED);
            }
        }
    }
    lines
}

/// Bytes for people: 512 B, 1.5 KB, 12 MB.
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if v < 10.0 {
        format!("{v:.1} {}", UNITS[u])
    } else {
        format!("{v:.0} {}", UNITS[u])
    }
}

/// `name · 1.5 MB · image/png` and whether it is here offline.
fn file_label(app: &App, f: &tern_client_core::Attachment) -> String {
    if !f.known {
        return app.tr.tr("tui-file-unknown");
    }
    let mut s = format!("{} · {} · {}", f.name, human_size(f.size), f.mime);
    if f.uploading {
        s.push_str(&format!(" · {}", app.tr.tr("tui-file-uploading")));
    } else if f.cached {
        s.push_str(&format!(" · {}", app.tr.tr("tui-file-cached")));
    }
    s
}

fn draw_transfers(f: &mut Frame<'_>, app: &App, area: Rect) {
    let w = area.width as usize;
    let mut lines = Vec::new();
    for t in app.transfers.iter().rev().take(area.height as usize) {
        let pct = t.percent();
        let arrow = if t.upload { "⬆" } else { "⬇" };
        let name = if t.name.is_empty() { "…" } else { &t.name };
        let size = match t.total {
            Some(total) => format!("{} / {}", human_size(t.done.min(total)), human_size(total)),
            None => human_size(t.done),
        };
        let label = if t.finished {
            app.tr.tr(if t.upload {
                "tui-upload-done"
            } else {
                "tui-download-done"
            })
        } else {
            size
        };
        let tail = format!(" {pct:>3}% {label}");
        let head = format!("{arrow} {} ", fit(name, (w / 3).max(4)));
        let bar_w = w.saturating_sub(head.width() + tail.width() + 2).min(40);
        let full = (bar_w as u64 * pct / 100) as usize;
        lines.push(Line::from(vec![
            Span::styled(head, app.theme.base),
            Span::styled("█".repeat(full), app.theme.ok),
            Span::styled("░".repeat(bar_w - full), app.theme.dim),
            Span::styled(tail, app.theme.dim),
        ]));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// A popup list: its rows, which is selected, and the words for an empty
/// list and for the keys.
struct Popup {
    title: String,
    rows: Vec<String>,
    sel: usize,
    loading: bool,
    empty: &'static str,
    hint: &'static str,
}

fn draw_list_popup(f: &mut Frame<'_>, app: &App, area: Rect, p: Popup) {
    let Popup {
        title,
        rows,
        sel,
        loading,
        empty,
        hint,
    } = p;
    let r = centered(
        area,
        area.width.saturating_sub(6).min(80),
        area.height.saturating_sub(4),
    );
    f.render_widget(Clear, r);
    let b = block(app, title, true);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let w = inner.width as usize;
    let h = inner.height.saturating_sub(1) as usize;
    let mut lines = Vec::new();
    if rows.is_empty() {
        let key = if loading { "tui-loading" } else { empty };
        lines.push(Line::from(Span::styled(app.tr.tr(key), app.theme.dim)));
    }
    let top = list_top(rows.len(), sel, h);
    for (i, row) in rows.iter().enumerate().skip(top).take(h) {
        let mut line = Line::from(fit(row, w));
        if i == sel {
            line = line.style(Style::default().add_modifier(Modifier::REVERSED));
        }
        lines.push(line);
    }
    while lines.len() < h {
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled(app.tr.tr(hint), app.theme.dim)));
    f.render_widget(Paragraph::new(lines), inner);
}

fn draw_members(
    f: &mut Frame<'_>,
    app: &App,
    area: Rect,
    v: &ListView<tern_client_core::MemberInfo>,
) {
    use tern_client_core::protocol::room::{MemberState, RoomRole};
    let room = app
        .current_room()
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let joined = v
        .items
        .iter()
        .filter(|m| m.state == MemberState::Joined)
        .count();
    let title = app.tr.tr_args(
        "tui-members-title",
        &[("room", room.into()), ("count", joined.into())],
    );
    let rows = v
        .items
        .iter()
        .map(|m| {
            let mut s = format!("{} @{}", m.name, m.username);
            match m.role {
                RoomRole::Owner => s.push_str(&format!(" · {}", app.tr.tr("tui-role-owner"))),
                RoomRole::Moderator => {
                    s.push_str(&format!(" · {}", app.tr.tr("tui-role-moderator")))
                }
                RoomRole::Member => {}
            }
            if m.state == MemberState::Invited {
                s.push_str(&format!(" · {}", app.tr.tr("tui-member-invited")));
            }
            if Some(m.user_id) == app.me {
                s.push_str(&format!(" · {}", app.tr.tr("tui-member-you")));
            }
            s
        })
        .collect();
    let p = Popup {
        title,
        rows,
        sel: v.sel,
        loading: v.loading,
        empty: "tui-members-empty",
        hint: "tui-members-hint",
    };
    draw_list_popup(f, app, area, p);
}

fn draw_directory(f: &mut Frame<'_>, app: &App, area: Rect, v: &ListView<crate::app::DirEntry>) {
    let rows = v
        .items
        .iter()
        .map(|d| {
            let mut s = format!(
                "{} #{} · {}",
                if d.joined { "✓" } else { " " },
                d.name,
                app.tr
                    .tr_args("tui-directory-members", &[("count", d.members.into())])
            );
            if let Some(t) = d.topic.as_deref().filter(|t| !t.is_empty()) {
                s.push_str(&format!(" · {t}"));
            }
            s.push_str(&format!(" · {}", d.workspace));
            s
        })
        .collect();
    let p = Popup {
        title: app.tr.tr("tui-directory-title"),
        rows,
        sel: v.sel,
        loading: v.loading,
        empty: "tui-directory-empty",
        hint: "tui-directory-hint",
    };
    draw_list_popup(f, app, area, p);
}

fn draw_timeline(f: &mut Frame<'_>, app: &App, area: Rect) {
    let title = app
        .current_room()
        .map(|r| match &r.topic {
            Some(topic) if !topic.is_empty() => format!("#{} · {topic}", r.name),
            _ => format!("#{}", r.name),
        })
        .unwrap_or_else(|| app.tr.tr("app-name"));
    let b = block(app, title, app.focus == Focus::Timeline);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let items = &app.timeline.items;
    if app.timeline.room.is_none() {
        f.render_widget(
            Paragraph::new(app.tr.tr("tui-no-room")).style(app.theme.dim),
            inner,
        );
        return;
    }
    if items.is_empty() {
        let key = if app.timeline.loading {
            "tui-loading"
        } else {
            "tui-timeline-empty"
        };
        f.render_widget(Paragraph::new(app.tr.tr(key)).style(app.theme.dim), inner);
        return;
    }
    // Scrolled back past what is held: the last row says newer ones wait.
    let newer_row = app.timeline.detached && inner.height > 2;
    let h = inner.height as usize - usize::from(newer_row);
    let w = inner.width as usize;
    let bottom = app
        .timeline
        .sel
        .unwrap_or(items.len() - 1)
        .min(items.len() - 1);
    let mut blocks: Vec<Vec<Line<'static>>> = Vec::new();
    let mut used = 0;
    let mut idx = bottom as i64;
    while idx >= 0 && used < h {
        let i = idx as usize;
        let l = item_lines(
            app,
            i,
            w,
            app.timeline.sel == Some(i) && app.focus == Focus::Timeline,
        );
        used += l.len();
        blocks.push(l);
        idx -= 1;
    }
    let up: Vec<Line<'static>> = blocks.into_iter().rev().flatten().collect();
    let skip = up.len().saturating_sub(h);
    let mut lines: Vec<Line<'static>> = up.into_iter().skip(skip).collect();
    if idx < 0 && lines.len() < h && (app.timeline.has_more_local || app.timeline.needs_backfill) {
        let key = if app.timeline.loading {
            "tui-loading"
        } else {
            "load-older"
        };
        lines.insert(
            0,
            Line::from(Span::styled(format!("↑ {}", app.tr.tr(key)), app.theme.dim)),
        );
    }
    // Room left below a selected message: show what follows it.
    let mut next = bottom + 1;
    while lines.len() < h && next < items.len() {
        lines.extend(item_lines(app, next, w, false));
        next += 1;
    }
    lines.truncate(h);
    // A short history sits at the bottom, next to the composer.
    let pad = h.saturating_sub(lines.len());
    lines.splice(0..0, std::iter::repeat_n(Line::default(), pad));
    if newer_row {
        lines.push(Line::from(Span::styled(
            format!("↓ {}", app.tr.tr("tui-newer-below")),
            app.theme.dim,
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn draw_composer(f: &mut Frame<'_>, app: &App, area: Rect) {
    let room = app
        .current_room()
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let title = match &app.composer.mode {
        ComposeMode::New => app
            .tr
            .tr_args("composer-placeholder", &[("room", room.into())]),
        ComposeMode::Reply { name, .. } => app
            .tr
            .tr_args("tui-composer-reply", &[("name", name.clone().into())]),
        ComposeMode::Edit { .. } => app.tr.tr("tui-composer-edit"),
    };
    let focused = app.focus == Focus::Composer && matches!(app.overlay, Overlay::None);
    let b = block(app, title, focused);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let input = &app.composer.input;
    let lines: Vec<&str> = input.text.split('\n').collect();
    let h = inner.height as usize;
    let skip = lines.len().saturating_sub(h);
    let shown: Vec<Line<'static>> = lines
        .iter()
        .skip(skip)
        .map(|l| Line::from(fit(l, inner.width as usize)))
        .collect();
    f.render_widget(Paragraph::new(shown), inner);
    if focused {
        // Cursor on the last line (the common case) or at the end.
        let before: String = input.text.chars().take(input.cursor).collect();
        let row = before.matches('\n').count().saturating_sub(skip);
        let col = before.rsplit('\n').next().unwrap_or("").width();
        let x = inner.x + (col as u16).min(inner.width.saturating_sub(1));
        let y = inner.y + (row as u16).min(inner.height.saturating_sub(1));
        f.set_cursor_position((x, y));
    }
}

/// The status bar; false when the notice did not fit in it.
fn draw_status(f: &mut Frame<'_>, app: &App, area: Rect) -> bool {
    let t = &app.theme;
    let (dot, label, style) = match app.connection.state {
        ConnectionState::Online => ("●", app.tr.tr("connection-online"), t.ok),
        ConnectionState::Syncing => ("◐", app.tr.tr("connection-syncing"), t.base),
        ConnectionState::Connecting => ("○", app.tr.tr("connection-connecting"), t.base),
        ConnectionState::Offline => ("○", app.tr.tr("connection-offline"), t.error),
    };
    let mut spans = vec![Span::styled(format!(" {dot} {label}"), style)];
    if let Some(ls) = app.connection.last_sync {
        spans.push(Span::raw(format!(
            " · {}",
            app.tr
                .tr_args("last-synced", &[("time", fmt_hm(app, ls).into())])
        )));
    }
    if app.queued > 0 {
        spans.push(Span::raw(format!(
            " · {}",
            app.tr
                .tr_args("tui-status-queued", &[("count", app.queued.into())])
        )));
    }
    if app.failed > 0 {
        spans.push(Span::styled(
            format!(
                " · {}",
                app.tr
                    .tr_args("tui-status-failed", &[("count", app.failed.into())])
            ),
            t.error,
        ));
    }
    if let Some(room) = app.timeline.room
        && let Some(users) = app.typing.get(&room)
        && !users.is_empty()
    {
        let text = if users.len() == 1 {
            let name = app
                .names
                .get(&users[0])
                .cloned()
                .unwrap_or_else(|| "…".into());
            app.tr.tr_args("typing-one", &[("name", name.into())])
        } else {
            app.tr
                .tr_args("typing-many", &[("count", users.len().into())])
        };
        spans.push(Span::styled(format!(" · {text}"), t.dim));
    }
    let mut notice_shown = true;
    if let Some(n) = &app.notice {
        let notice = format!(" · {}", n.text);
        let used: usize = spans.iter().map(|s| s.content.width()).sum();
        if used + notice.width() <= area.width as usize {
            spans.push(Span::styled(notice, if n.error { t.error } else { t.base }));
        } else {
            notice_shown = false;
        }
    }
    let right = format!("{} ", app.tr.tr("tui-status-help"));
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    if used + right.width() <= area.width as usize {
        let pad = (area.width as usize).saturating_sub(used + right.width());
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(right, t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(t.status), area);
    notice_shown
}

fn draw_help(f: &mut Frame<'_>, app: &App, area: Rect) {
    let r = centered(
        area,
        area.width.saturating_sub(4).min(84),
        area.height.saturating_sub(2),
    );
    f.render_widget(Clear, r);
    let b = block(app, app.tr.tr("tui-help-title"), true);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let mut lines = Vec::new();
    let col = inner.width as usize / 2;
    let entries: Vec<String> = Bound::ALL
        .iter()
        .map(|b| {
            format!(
                "{:<16} {}",
                app.keymap.keys_for(*b).join(" "),
                app.tr.tr(&format!("tui-key-{}", b.name()))
            )
        })
        .collect();
    for pair in entries.chunks(2) {
        let left = fit(&pair[0], col.saturating_sub(1));
        let pad = col.saturating_sub(left.width());
        let right = pair.get(1).map(|s| fit(s, col)).unwrap_or_default();
        lines.push(Line::from(format!("{left}{}{right}", " ".repeat(pad))));
    }
    lines.push(Line::default());
    for id in [
        "tui-help-composer",
        "tui-help-rooms",
        "tui-help-commands",
        "tui-help-files",
    ] {
        for l in wrap(&app.tr.tr(id), inner.width as usize) {
            lines.push(Line::from(Span::styled(l, app.theme.base)));
        }
    }
    lines.push(Line::from(Span::styled(
        app.tr.tr("tui-help-close"),
        app.theme.dim,
    )));
    f.render_widget(Paragraph::new(lines), inner);
}

fn draw_search(f: &mut Frame<'_>, app: &App, area: Rect) {
    let Overlay::Search(s) = &app.overlay else {
        return;
    };
    let r = centered(
        area,
        area.width.saturating_sub(6).min(100),
        area.height.saturating_sub(4),
    );
    f.render_widget(Clear, r);
    let title = match s.room.and_then(|id| app.rooms.iter().find(|r| r.id == id)) {
        Some(room) => app.tr.tr_args(
            "tui-search-room-title",
            &[("room", room.name.clone().into())],
        ),
        None => app.tr.tr("tui-search-all-title"),
    };
    let b = block(app, title, true);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let w = inner.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled("/ ", app.theme.heading),
        if s.input.is_empty() && s.editing {
            Span::styled(app.tr.tr("search-placeholder"), app.theme.dim)
        } else {
            Span::raw(s.input.text.clone())
        },
        Span::raw(if s.editing { "▏" } else { "" }),
    ])];
    if s.searched {
        let summary = if s.results.is_empty() {
            app.tr.tr_args(
                "search-no-results",
                &[("query", s.input.text.clone().into())],
            )
        } else {
            app.tr
                .tr_args("search-results", &[("count", s.results.len().into())])
        };
        lines.push(Line::from(Span::styled(summary, app.theme.dim)));
    }
    let room_h = inner.height.saturating_sub(3) as usize;
    let top = list_top(s.results.len(), s.sel, room_h);
    for (i, h) in s.results.iter().enumerate().skip(top).take(room_h) {
        let head = format!(
            "{} {} #{} {}: ",
            fmt_day(app, h.hit.created_at),
            fmt_hm(app, h.hit.created_at),
            h.room,
            h.sender
        );
        let mut spans = vec![Span::styled(head.clone(), app.theme.dim)];
        let mut left = w.saturating_sub(head.width());
        for sp in &h.hit.highlighted {
            if left == 0 {
                break;
            }
            let text = fit(&sp.text.replace('\n', " "), left);
            left = left.saturating_sub(text.width());
            spans.push(Span::styled(
                text,
                if sp.matched {
                    app.theme.highlight
                } else {
                    app.theme.base
                },
            ));
        }
        let mut line = Line::from(spans);
        if i == s.sel && !s.editing {
            line = line.style(Style::default().add_modifier(Modifier::REVERSED));
        }
        lines.push(line);
    }
    lines.truncate(inner.height.saturating_sub(1) as usize);
    while lines.len() < inner.height.saturating_sub(1) as usize {
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled(
        app.tr.tr("tui-search-hint"),
        app.theme.dim,
    )));
    f.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words_and_long_runs() {
        assert_eq!(wrap("hello world", 5), vec!["hello", "world"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("a\nb", 10), vec!["a", "b"]);
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(list_top(100, 50, 10), 41);
        assert_eq!(list_top(5, 4, 10), 0);
    }
}
