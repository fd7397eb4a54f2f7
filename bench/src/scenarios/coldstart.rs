//! `coldstart`: how fast Tern shows a profile holding 1,000,000 messages
//! (the `search` corpus, from the cache).
//!
//! - **client-core**: from `Client::open` to the room list (`rooms`) and
//!   the first room's newest page (`timeline`, 50 items), in this process.
//! - **tern**: the terminal client as a process of its own on a
//!   pseudo-terminal (120x40), from spawn to exit, with
//!   `TERN_EXIT_AFTER_FIRST_FRAME=1`, which makes it quit right after the
//!   first frame showing the room list and the open room's first page;
//!   its peak RSS comes from `getrusage(RUSAGE_CHILDREN)` in a helper
//!   process (`tern-bench __pty-run`) whose only child it is.
//!
//! No server runs: the profile points at a port nothing listens on, so
//! what is timed is the local start alone. The page cache is warm (the
//! profile was opened before); the OS is not asked to drop it.
//! Budget: < 100 ms for both; the TUI's peak RSS < 60 MB.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tern_client_core::Client;

use super::Ctx;
use super::corpus::{self, Params};
use crate::api::Res;
use crate::report::Report;
use crate::stats::{Samples, Spread, fmt_ms};

const COLS: u16 = 120;
const ROWS: u16 = 40;

/// Where the `tern` binary is: next to this executable.
fn find_tern() -> Res<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate this executable: {e}"))?;
    let dir = exe.parent().unwrap_or(Path::new("."));
    let bin = dir.join("tern");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "tern not found in {}; build it with the bench: \
             `cargo build --release -p tern-server -p tern-bench -p tern-tui`",
            dir.display()
        ))
    }
}

/// What `__pty-run` prints: one JSON line.
#[derive(Debug, Serialize, Deserialize)]
pub struct PtyRun {
    pub wall_ms: f64,
    pub max_rss_kib: i64,
    pub exit_ok: bool,
    pub timed_out: bool,
    pub output_bytes: usize,
}

/// `tern-bench __pty-run OUT PROGRAM ARGS...`: runs PROGRAM on a new
/// pseudo-terminal, keeps what it draws in OUT, and prints a [`PtyRun`].
/// Kills it after 30 s.
pub fn pty_run(args: &[String]) -> Result<(), String> {
    let [out, program, rest @ ..] = args else {
        return Err("usage: tern-bench __pty-run OUT PROGRAM [ARGS...]".into());
    };
    let ws = nix::pty::Winsize {
        ws_row: ROWS,
        ws_col: COLS,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let pty = nix::pty::openpty(Some(&ws), None).map_err(|e| format!("openpty: {e}"))?;
    let slave = std::fs::File::from(pty.slave);
    let mut master = std::fs::File::from(pty.master);
    let io = |f: &std::fs::File| f.try_clone().map(Stdio::from);
    let mut cmd = Command::new(program);
    cmd.args(rest)
        .stdin(io(&slave).map_err(|e| e.to_string())?)
        .stdout(io(&slave).map_err(|e| e.to_string())?)
        .stderr(io(&slave).map_err(|e| e.to_string())?);
    let t0 = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    // The command keeps its copies of the terminal's far end: without
    // them, reading the near end ends when the child is gone.
    drop(cmd);
    drop(slave);
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match master.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf
    });
    let pid = child.id();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let timed_out = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let (done, timed_out) = (done.clone(), timed_out.clone());
        std::thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(30);
            while Instant::now() < until {
                if done.load(std::sync::atomic::Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            timed_out.store(true, std::sync::atomic::Ordering::Relaxed);
            if let Some(p) = rustix::process::Pid::from_raw(pid as i32) {
                let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
            }
        });
    }
    let status = child.wait().map_err(|e| format!("wait: {e}"))?;
    let wall = t0.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map_err(|e| format!("getrusage: {e}"))?;
    let output = reader.join().unwrap_or_default();
    std::fs::write(out, &output).map_err(|e| format!("{out}: {e}"))?;
    let run = PtyRun {
        wall_ms: wall.as_secs_f64() * 1e3,
        max_rss_kib: usage.max_rss(),
        exit_ok: status.success(),
        timed_out: timed_out.load(std::sync::atomic::Ordering::Relaxed),
        output_bytes: output.len(),
    };
    println!(
        "{}",
        serde_json::to_string(&run).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// What a terminal shows after `bytes`: enough of a VT100 for what
/// ratatui and crossterm write (cursor moves, text; styles ignored).
pub fn screen(bytes: &[u8], cols: usize, rows: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut grid = vec![vec![' '; cols]; rows];
    let (mut r, mut c) = (0usize, 0usize);
    let mut it = text.chars().peekable();
    while let Some(ch) = it.next() {
        match ch {
            '\u{1b}' => {
                if it.peek() != Some(&'[') {
                    it.next();
                    continue;
                }
                it.next();
                let mut params = String::new();
                let mut fin = '\0';
                for x in it.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&x) {
                        fin = x;
                        break;
                    }
                    params.push(x);
                }
                if fin == 'H' || fin == 'f' {
                    let mut p = params
                        .split(';')
                        .map(|v| v.parse::<usize>().unwrap_or(1).max(1));
                    r = p.next().unwrap_or(1) - 1;
                    c = p.next().unwrap_or(1) - 1;
                } else if fin == 'J' && params == "2" {
                    grid = vec![vec![' '; cols]; rows];
                }
            }
            '\r' => c = 0,
            '\n' => r += 1,
            ch if ch.is_control() => {}
            ch => {
                if r < rows && c < cols {
                    grid[r][c] = ch;
                }
                c += 1;
            }
        }
    }
    grid.into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_owned())
        .collect()
}

/// Whether `name` stands on the screen as a whole (not followed by a digit).
fn on_screen(lines: &[String], name: &str) -> bool {
    lines.iter().any(|l| {
        l.match_indices(name).any(|(i, _)| {
            !l[i + name.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
    })
}

/// One TUI start through the helper; answers the run and what it drew.
fn tui_once(tern: &Path, data_dir: &Path, scratch: &Path) -> Res<(PtyRun, Vec<String>)> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate this executable: {e}"))?;
    let out_path = scratch.join("screen.bin");
    let config = scratch.join("config.toml");
    if !config.is_file() {
        std::fs::write(&config, "").map_err(|e| format!("{}: {e}", config.display()))?;
    }
    let out = Command::new(exe)
        .arg("__pty-run")
        .arg(&out_path)
        .arg(tern)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--profile", corpus::PROFILE, "--secrets", "file"])
        .args(["--server", corpus::NO_SERVER])
        .env("TERN_EXIT_AFTER_FIRST_FRAME", "1")
        .env("TERN_CONFIG", &config)
        .env("TERM", "xterm-256color")
        .env_remove("TERN_SERVER")
        .env_remove("TERN_PROFILE")
        .env_remove("TERN_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run the pty helper: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the pty helper failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let run: PtyRun = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "the pty helper's answer {:?}: {e}",
            String::from_utf8_lossy(&out.stdout)
        )
    })?;
    let bytes = std::fs::read(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    Ok((run, screen(&bytes, COLS as usize, ROWS as usize)))
}

pub async fn run(ctx: &Ctx) -> Res<Report> {
    let params = Params::standard(ctx.quick);
    let runs = if ctx.quick { 2 } else { 10 };
    let mut report = Report::new("coldstart", ctx.quick);
    report.uses_server = false;
    report.param("messages", params.messages);
    report.param("rooms", params.rooms as u64);
    report.param("runs", runs as u64);
    report.param("page", 50u64);
    report.param("terminal", format!("{COLS}x{ROWS}"));
    let tern = find_tern()?;
    let (profile, _) = corpus::profile(ctx, params, true, false).await?;
    report.line(format!(
        "profile {}: {}",
        if profile.built {
            "built"
        } else {
            "from the cache"
        },
        profile.root.display()
    ));

    // client-core: open, room list, first page. One run off the clock
    // first (page cache, migrations check).
    let mut open_s = Samples::with_capacity(runs);
    let mut rooms_s = Samples::with_capacity(runs);
    let mut page_s = Samples::with_capacity(runs);
    let mut total_s = Samples::with_capacity(runs);
    let mut shown = (0usize, 0usize);
    for i in 0..=runs {
        let t0 = Instant::now();
        let client = Client::open(profile.config())
            .await
            .map_err(|e| format!("open: {e}"))?;
        let t1 = Instant::now();
        let rooms = client.rooms().await.map_err(|e| format!("rooms: {e}"))?;
        let t2 = Instant::now();
        let first = rooms.first().ok_or("the profile lists no room")?.id;
        let page = client
            .timeline(first, None, 50)
            .await
            .map_err(|e| format!("timeline: {e}"))?;
        let t3 = Instant::now();
        shown = (rooms.len(), page.items.len());
        client.shutdown().await;
        if i > 0 {
            open_s.push(t1 - t0);
            rooms_s.push(t2 - t1);
            page_s.push(t3 - t2);
            total_s.push(t3 - t0);
        }
    }
    report.check(
        "client-core lists every room and a full first page",
        shown.0 == params.rooms && shown.1 == 50,
        format!("{} rooms, {} items", shown.0, shown.1),
    );
    let parts = [
        ("open", open_s.summary()),
        ("rooms", rooms_s.summary()),
        ("timeline", page_s.summary()),
    ];
    for (name, s) in parts {
        if let Some(s) = s {
            report.line(format!("client-core {name}: {s}"));
            report.figure(&format!("client_{name}"), s);
        }
    }
    if let Some(s) = total_s.summary() {
        report.line(format!("client-core open to room list and first page: {s}"));
        report.figure("client_total", s);
        report.budget(
            "client-core open to first page (median)",
            "< 100 ms",
            format!("{} ms", fmt_ms(s.median_ms)),
            s.median_ms < 100.0,
        );
    }

    // The terminal client.
    let scratch = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let data_dir = profile.data_dir();
    let mut walls = Vec::with_capacity(runs);
    let mut rss = Vec::with_capacity(runs);
    let mut problem = None;
    let mut drawn = 0usize;
    let mut last_screen = Vec::new();
    for i in 0..=runs {
        let (run, screen) = {
            let (tern, data_dir, scratch) =
                (tern.clone(), data_dir.clone(), scratch.path().to_owned());
            tokio::task::spawn_blocking(move || tui_once(&tern, &data_dir, &scratch))
                .await
                .map_err(|e| format!("tui task: {e}"))??
        };
        if run.timed_out || !run.exit_ok {
            problem = Some(format!(
                "tern did not exit cleanly after its first frame ({run:?}); the screen:\n{}",
                screen.join("\n")
            ));
            break;
        }
        drawn = profile
            .meta
            .room_names
            .iter()
            .filter(|n| on_screen(&screen, n))
            .count();
        last_screen = screen;
        if i > 0 {
            walls.push(run.wall_ms);
            rss.push(run.max_rss_kib as f64 / 1024.0);
        }
    }
    let want = profile.meta.room_names.len().min(10);
    report.check(
        "tern drew the room list, then quit",
        problem.is_none() && drawn >= want,
        problem.unwrap_or_else(|| {
            let mut d = format!(
                "{drawn} of {} room names on screen",
                profile.meta.room_names.len()
            );
            if drawn < want {
                d.push_str(":\n");
                d.push_str(&last_screen.join("\n"));
            }
            d
        }),
    );
    if let (Some(w), Some(r)) = (Spread::of(&walls), Spread::of(&rss)) {
        report.line(format!(
            "tern spawn to exit after the first frame: median {:.1} ms (min {:.1}, max {:.1}); \
             peak RSS median {:.1} MiB (max {:.1})",
            w.median, w.min, w.max, r.median, r.max
        ));
        report.figure("tui_first_frame_ms", w.median);
        report.figure("tui_first_frame_ms_max", w.max);
        report.figure("tui_peak_rss_mib", r.median);
        report.budget(
            "tern start to first frame (median)",
            "< 100 ms",
            format!("{:.1} ms", w.median),
            w.median < 100.0,
        );
        report.budget(
            "tern peak RSS",
            "< 60 MB",
            format!("{:.1} MiB", r.max),
            r.max * 1.048_576 < 60.0,
        );
    }
    report.note = Some(
        "no server: the profile points at a closed port; warm page cache; \
         tern's time includes exec, runtime start and restoring the terminal"
            .into(),
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screen_follows_cursor_moves_and_skips_styles() {
        let bytes = b"\x1b[2J\x1b[1;1H\x1b[1mbench\x1b[0m\x1b[1;7H0\x1b[2;3Hbench 10\r\nok";
        let s = screen(bytes, 20, 4);
        assert_eq!(s[0], "bench 0");
        assert_eq!(s[1], "  bench 10");
        assert_eq!(s[2], "ok");
        assert!(on_screen(&s, "bench 0"));
        assert!(!on_screen(&s, "bench 1"));
        assert!(on_screen(&s, "bench 10"));
    }
}
