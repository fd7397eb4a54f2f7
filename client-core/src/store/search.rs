//! Full-text search over the local store.
//!
//! Every query word is a prefix (type-ahead). FTS5 keeps prefix indexes for
//! words of up to [`PREFIX_INDEX`] letters, and walks their matches newest
//! first, stopping at the page. A longer prefix has no index of its own:
//! FTS5 would merge every matching term's postings in memory before
//! returning the first row (8-17 ms for a common word in a million
//! messages). So a long word is looked up by its first letters, which
//! stream, and each hit is checked for a word starting with the whole
//! query word, read off the hit's highlight with the index's own folding
//! ([`Fold`]), with the filters. A long word that is rare among the words
//! sharing its first letters (or rare within the filters) would make that
//! walk long; when its hit rate says the page would not fill within
//! [`STREAM_MAX`] candidates, the search finishes the page with the exact
//! query, whose merge is cheap for exactly those words.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ToSql};
use tokio::sync::watch;

use super::{PK_SHIFT, from_ms, parse_uuid, to_ms};
use crate::error::Result;
use crate::types::{SearchHit, SearchQuery, Span};

/// The prefix index lengths of `messages_fts` go up to this many letters
/// (`prefix = '2 3 4'` in the schema).
const PREFIX_INDEX: usize = 4;

/// The streaming walk of a long word reads at most this many candidates
/// (a few milliseconds); every STREAM_PROBE candidates it estimates from
/// its hit rate how many more the page needs, and hands over to the exact
/// query when that would go past the limit.
const STREAM_MAX: usize = 3000;
const STREAM_PROBE: usize = 100;

/// Marker characters around matched words in FTS5 `highlight()` output:
/// private-use code points that never appear in a body we index.
const HL_OPEN: char = '\u{E000}';
const HL_CLOSE: char = '\u{E001}';

/// A search text turned into FTS5 queries.
#[derive(Debug, PartialEq)]
struct Plan {
    /// Every word a quoted prefix term, all required.
    exact: String,
    /// The same with every long word cut to the prefix index length.
    streaming: String,
    /// The long words, folded as the index folds them.
    long: Vec<String>,
    /// Every word, folded as the index folds them.
    all: Vec<String>,
}

impl Plan {
    fn new(text: &str) -> Option<Plan> {
        let text = fold(text);
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return None;
        }
        let term = |w: &str| format!("\"{}\"*", w.replace('"', "\"\""));
        let mut long = Vec::new();
        let mut streaming = Vec::new();
        for w in &words {
            if w.chars().count() > PREFIX_INDEX {
                let head: String = w.chars().take(PREFIX_INDEX).collect();
                streaming.push(term(&head));
                long.push(Fold::get().word(w));
            } else {
                streaming.push(term(w));
            }
        }
        Some(Plan {
            exact: words.iter().map(|w| term(w)).collect::<Vec<_>>().join(" "),
            streaming: streaming.join(" "),
            long,
            all: words.iter().map(|w| Fold::get().word(w)).collect(),
        })
    }

    /// Checks a message the index does not hold yet: every query word
    /// starts one of its words. Answers the highlight (as `highlight()`
    /// would mark it) when it matches.
    fn check(&self, text: &str) -> Option<String> {
        let fold = Fold::get();
        let mut found = vec![false; self.all.len()];
        let mut marked = String::with_capacity(text.len() + 8);
        let mut word = String::new();
        let mut folded = String::new();
        let mut flush = |word: &mut String, folded: &mut String, marked: &mut String| {
            if word.is_empty() {
                return;
            }
            let mut hit = false;
            for (i, q) in self.all.iter().enumerate() {
                if folded.starts_with(q.as_str()) {
                    found[i] = true;
                    hit = true;
                }
            }
            if hit {
                marked.push(HL_OPEN);
                marked.push_str(word);
                marked.push(HL_CLOSE);
            } else {
                marked.push_str(word);
            }
            word.clear();
            folded.clear();
        };
        for c in text.chars() {
            if fold.char(c, &mut folded) {
                word.push(c);
            } else {
                flush(&mut word, &mut folded, &mut marked);
                marked.push(c);
            }
        }
        flush(&mut word, &mut folded, &mut marked);
        found.iter().all(|f| *f).then_some(marked)
    }
}

/// The folds the index makes beyond unicode61 (see the schema's
/// `search_text`): one character for one.
pub(crate) fn fold(s: &str) -> String {
    s.replace('ё', "е").replace('Ё', "Е")
}

/// The character folding of the index's tokenizer (`unicode61
/// remove_diacritics 2`), read off SQLite itself once per process for the
/// Latin, Greek and Cyrillic blocks, where it removes accents; elsewhere
/// it only lowers case.
struct Fold {
    /// Character to its folded form (`None`: it separates words).
    map: HashMap<char, Option<String>>,
}

impl Fold {
    fn get() -> &'static Fold {
        static FOLD: OnceLock<Fold> = OnceLock::new();
        FOLD.get_or_init(|| {
            Fold::from_sqlite().unwrap_or_else(|e| {
                tracing::warn!("reading the tokenizer's folding failed: {e}");
                Fold {
                    map: HashMap::new(),
                }
            })
        })
    }

    /// Tokenizes `a<c>a` for every character `c` of the blocks with the
    /// index's tokenizer: one token `a?a` means `c` folds to `?` (which may
    /// be nothing), two tokens mean it separates words.
    fn from_sqlite() -> rusqlite::Result<Fold> {
        const BLOCKS: [(u32, u32); 2] = [(0x80, 0x530), (0x1E00, 0x2000)];
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'unicode61 remove_diacritics 2');
             CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance');",
        )?;
        {
            let tx = conn.unchecked_transaction()?;
            let mut ins = tx.prepare("INSERT INTO t (rowid, x) VALUES (?1, ?2)")?;
            for (lo, hi) in BLOCKS {
                for c in (lo..hi).filter_map(char::from_u32) {
                    ins.execute(rusqlite::params![c as u32, format!("a{c}a")])?;
                }
            }
            drop(ins);
            tx.commit()?;
        }
        let mut terms: HashMap<u32, Vec<String>> = HashMap::new();
        let mut stmt = conn.prepare("SELECT doc, term FROM v ORDER BY doc, offset")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (doc, term) = row?;
            terms.entry(doc).or_default().push(term);
        }
        let mut map = HashMap::new();
        for (lo, hi) in BLOCKS {
            for c in (lo..hi).filter_map(char::from_u32) {
                let folded = match terms.get(&(c as u32)).map(Vec::as_slice) {
                    Some([one]) if one.len() >= 2 => Some(one[1..one.len() - 1].to_owned()),
                    _ => None,
                };
                map.insert(c, folded);
            }
        }
        Ok(Fold { map })
    }

    fn char(&self, c: char, out: &mut String) -> bool {
        match self.map.get(&c) {
            Some(Some(f)) => out.push_str(f),
            Some(None) => return false,
            None if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            None => return false,
        }
        true
    }

    /// One word folded (the caller has cut it at separators).
    fn word(&self, w: &str) -> String {
        let mut out = String::with_capacity(w.len());
        for c in w.chars() {
            self.char(c, &mut out);
        }
        out
    }

    /// The words of a text, folded.
    #[cfg(test)]
    fn words(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        for c in text.chars() {
            if !self.char(c, &mut cur) && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    }
}

/// Cuts `body` into spans by the markers in `marked` (the folded body with
/// markers): folding keeps characters one for one, so positions carry over.
fn spans(marked: &str, body: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut cur = String::new();
    let mut matched = false;
    let mut original = body.chars();
    for c in marked.chars() {
        if c == HL_OPEN || c == HL_CLOSE {
            if !cur.is_empty() {
                out.push(Span {
                    text: std::mem::take(&mut cur),
                    matched,
                });
            }
            matched = c == HL_OPEN;
        } else {
            cur.push(original.next().unwrap_or(c));
        }
    }
    if !cur.is_empty() {
        out.push(Span { text: cur, matched });
    }
    out
}

/// Full-text search, newest first.
///
/// The index is keyed by `messages.pk`, which follows creation time (see
/// `PK_SHIFT`), so the query walks the index's matches from the newest
/// down, joins each to its message (`CROSS JOIN` keeps that order: the
/// planner must not start from `messages`), applies the filters, and stops
/// at `limit`: the cost follows the matches read, not the matches there
/// are. A date filter also bounds the walk. Highlights are made for the
/// hits returned only (and, for long words, for the rows checked).
pub(crate) fn search(conn: &Connection, q: &SearchQuery) -> Result<Vec<SearchHit>> {
    let Some(plan) = Plan::new(&q.text) else {
        return Ok(Vec::new());
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 1000) as usize;
    let indexed = search_index(conn, q, &plan, limit)?;
    let backlog = search_backlog(conn, q, &plan, limit)?;
    if backlog.is_empty() {
        return Ok(indexed.into_iter().map(|(h, _)| h).collect());
    }
    // Both newest first: merge, keep the page.
    let mut all = indexed;
    all.extend(backlog);
    all.sort_by_key(|(_, pk)| std::cmp::Reverse(*pk));
    all.truncate(limit);
    Ok(all.into_iter().map(|(h, _)| h).collect())
}

/// The hits the full-text index holds, newest first.
fn search_index(conn: &Connection, q: &SearchQuery, plan: &Plan, limit: usize) -> Result<Vec<Row>> {
    let mut hits = Vec::with_capacity(limit.min(64));
    if plan.long.is_empty() {
        walk(conn, q, &plan.exact, None, Some(limit), |row| {
            hits.push(row);
            true
        })?;
        return Ok(hits);
    }
    // Walk the long words' first letters, checking each candidate here;
    // hand over to the exact query when the hits come so rarely that the
    // page would not fill within STREAM_MAX candidates.
    let mut sql = String::from(
        "SELECT messages_fts.rowid, m.id, m.room_id, m.sender_id, m.created_at,
                m.attachments != '[]', m.body, m.search_text
         FROM messages_fts CROSS JOIN messages m ON m.pk = messages_fts.rowid
         WHERE messages_fts MATCH ?1 AND m.deleted_at IS NULL",
    );
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(plan.streaming.clone())];
    if let Some(a) = q.after {
        args.push(Box::new(pk_of(to_ms(a))));
        sql.push_str(&format!(" AND messages_fts.rowid >= ?{}", args.len()));
    }
    if let Some(b) = q.before {
        args.push(Box::new(pk_of(to_ms(b))));
        sql.push_str(&format!(" AND messages_fts.rowid < ?{}", args.len()));
    }
    sql.push_str(" ORDER BY messages_fts.rowid DESC");
    let mut read = 0usize;
    let mut last = None;
    let mut handed_over = false;
    check_rows(conn, &sql, &args, q, plan, |pk, hit| {
        read += 1;
        last = Some(pk);
        if let Some(hit) = hit {
            hits.push(hit);
        }
        if hits.len() >= limit {
            return false;
        }
        if read.is_multiple_of(STREAM_PROBE) {
            let rate = hits.len() as f64 / read as f64;
            let need = (limit - hits.len()) as f64 / rate.max(1e-9);
            if read as f64 + need > STREAM_MAX as f64 {
                handed_over = true;
                return false;
            }
        }
        true
    })?;
    if handed_over {
        let rest = limit - hits.len();
        walk(conn, q, &plan.exact, last, Some(rest), |row| {
            hits.push(row);
            true
        })?;
    }
    Ok(hits)
}

/// The hits among messages the index does not hold yet (see
/// [`index_backlog`]), newest first, checked one by one.
fn search_backlog(
    conn: &Connection,
    q: &SearchQuery,
    plan: &Plan,
    limit: usize,
) -> Result<Vec<Row>> {
    let sql = "SELECT p.pk, m.id, m.room_id, m.sender_id, m.created_at,
                      m.attachments != '[]', m.body, m.search_text
               FROM fts_pending p CROSS JOIN messages m ON m.pk = p.pk
               WHERE m.deleted_at IS NULL
               ORDER BY p.pk DESC";
    let mut hits = Vec::new();
    check_rows(conn, sql, &[], q, plan, |_, hit| {
        if let Some(hit) = hit {
            hits.push(hit);
        }
        hits.len() < limit
    })?;
    Ok(hits)
}

/// Reads candidate messages (columns: row id, id, room, sender, created
/// at, has a file, body, folded text) and applies the query's filters and
/// words here rather than in SQL, handing each to `each` (with the hit if
/// it is one) until it says stop.
fn check_rows(
    conn: &Connection,
    sql: &str,
    args: &[Box<dyn ToSql>],
    q: &SearchQuery,
    plan: &Plan,
    mut each: impl FnMut(i64, Option<Row>) -> bool,
) -> Result<()> {
    let room = q.room_id.map(|r| r.to_string());
    let sender = q.sender_id.map(|s| s.to_string());
    let after = q.after.map(to_ms);
    let before = q.before.map(to_ms);
    let mut stmt = conn.prepare_cached(sql)?;
    let params: Vec<&dyn ToSql> = args.iter().map(|b| b.as_ref()).collect();
    let mut rows = stmt.query(params.as_slice())?;
    while let Some(r) = rows.next()? {
        let pk: i64 = r.get(0)?;
        let created: i64 = r.get(4)?;
        let has_file: bool = r.get(5)?;
        let passes = room
            .as_deref()
            .is_none_or(|x| r.get_ref(2).ok().and_then(|v| v.as_str().ok()) == Some(x))
            && sender
                .as_deref()
                .is_none_or(|x| r.get_ref(3).ok().and_then(|v| v.as_str().ok()) == Some(x))
            && after.is_none_or(|a| created >= a)
            && before.is_none_or(|b| created < b)
            && q.has_file.is_none_or(|f| f == has_file);
        let hit = if passes {
            let text = r.get_ref(7)?.as_str().unwrap_or_default();
            match plan.check(text) {
                Some(marked) => Some(read_hit(r, &marked)?),
                None => None,
            }
        } else {
            None
        };
        if !each(pk, hit) {
            break;
        }
    }
    Ok(())
}

/// Moves up to `limit` messages from the backlog into the full-text
/// index, newest first, with one statement (one index segment); answers
/// how many.
pub(crate) fn index_backlog(tx: &rusqlite::Transaction<'_>, limit: usize) -> Result<usize> {
    let n = tx
        .prepare_cached(
            "INSERT INTO messages_fts (rowid, search_text)
             SELECT m.pk, m.search_text
             FROM (SELECT pk FROM fts_pending ORDER BY pk DESC LIMIT ?1) p
             CROSS JOIN messages m ON m.pk = p.pk",
        )?
        .execute([limit as i64])?;
    tx.prepare_cached(
        "DELETE FROM fts_pending WHERE pk IN
             (SELECT pk FROM fts_pending ORDER BY pk DESC LIMIT ?1)",
    )?
    .execute([limit as i64])?;
    Ok(n)
}

/// Whether any message waits for the full-text index.
fn has_backlog(conn: &Connection) -> Result<bool> {
    Ok(
        conn.query_row("SELECT EXISTS (SELECT 1 FROM fts_pending)", [], |r| {
            r.get(0)
        })?,
    )
}

/// How many messages wait for the full-text index.
pub(crate) fn backlog(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM fts_pending", [], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Messages a write may index at once, in its own transaction: a live
/// message or a short burst. Larger runs (a catch-up) are left to
/// [`run_indexer`].
pub(crate) const INDEX_AT_ONCE: usize = 32;

/// Messages the background indexer moves per transaction: small enough
/// that a live write waits at most a few milliseconds for it.
const INDEX_CHUNK: usize = 1000;

/// How long the writer must have been idle before the indexer works, and
/// the longest it defers to a busy writer.
const QUIET: Duration = Duration::from_millis(40);
const MAX_DEFER: Duration = Duration::from_secs(2);

/// The background indexer: whenever messages wait on the backlog and the
/// writer is quiet, moves them into the full-text index a chunk at a time.
/// Until then search checks them directly, so nothing is missing from its
/// answers, only slower to find.
pub(crate) async fn run_indexer(store: super::Store, mut shutdown: watch::Receiver<bool>) {
    // Search reads the tokenizer's folding at first use: read it now, off
    // the UI's path.
    let _ = tokio::task::spawn_blocking(|| {
        Fold::get();
    })
    .await;
    loop {
        match store.read(has_backlog).await {
            Ok(false) => {}
            Ok(true) => {
                let start = Instant::now();
                loop {
                    let idle = store.since_last_write();
                    if idle >= QUIET || start.elapsed() >= MAX_DEFER {
                        break;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(QUIET - idle) => {}
                        _ = shutdown.changed() => return,
                    }
                }
                match store
                    .write_unnoticed(|tx| index_backlog(tx, INDEX_CHUNK))
                    .await
                {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "full-text indexing failed"),
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the full-text backlog"),
        }
        tokio::select! {
            _ = store.written() => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// The filters of `q` as SQL conditions on `m` (the message) and `rowid`
/// (its row id), numbered after `taken` earlier parameters.
fn filters_from(
    sql: &mut String,
    q: &SearchQuery,
    rowid: &str,
    taken: usize,
) -> Vec<Box<dyn ToSql>> {
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    let mut arg = |sql: &mut String, clause: &str, v: Box<dyn ToSql>| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", taken + args.len())));
    };
    if let Some(r) = q.room_id {
        arg(sql, " AND m.room_id = ?", Box::new(r.to_string()));
    }
    if let Some(s) = q.sender_id {
        arg(sql, " AND m.sender_id = ?", Box::new(s.to_string()));
    }
    // Rows from before the time-ordered pk, or stamped outside its range,
    // keep their place by `created_at`; the rowid bound only narrows.
    if let Some(a) = q.after {
        arg(sql, " AND m.created_at >= ?", Box::new(to_ms(a)));
        let c = format!(" AND {rowid} >= ?");
        arg(sql, &c, Box::new(pk_of(to_ms(a))));
    }
    if let Some(b) = q.before {
        arg(sql, " AND m.created_at < ?", Box::new(to_ms(b)));
        let c = format!(" AND {rowid} < ?");
        arg(sql, &c, Box::new(pk_of(to_ms(b))));
    }
    match q.has_file {
        Some(true) => sql.push_str(" AND m.attachments != '[]'"),
        Some(false) => sql.push_str(" AND m.attachments = '[]'"),
        None => {}
    }
    args
}

/// The lowest message row id of a millisecond (see `PK_SHIFT`).
fn pk_of(ms: i64) -> i64 {
    ms.clamp(0, 1 << 42) << PK_SHIFT
}

/// A hit and its row in the index.
type Row = (SearchHit, i64);

/// The hit in a result row laid out as every search query here lays it
/// out (row id, id, room, sender, created at, has a file, body, then the
/// highlight or the folded text), with its highlight.
fn read_hit(r: &rusqlite::Row<'_>, marked: &str) -> rusqlite::Result<Row> {
    let body: String = r.get(6)?;
    Ok((
        SearchHit {
            message_id: parse_uuid(&r.get::<_, String>(1)?),
            room_id: parse_uuid(&r.get::<_, String>(2)?),
            sender_id: parse_uuid(&r.get::<_, String>(3)?),
            created_at: from_ms(r.get(4)?),
            highlighted: spans(marked, &body),
            body,
        },
        r.get(0)?,
    ))
}

/// Runs one FTS5 query with the filters of `q`, newest first, below the
/// row `below` if given, and hands each row to `each` until it says stop.
fn walk(
    conn: &Connection,
    q: &SearchQuery,
    fts: &str,
    below: Option<i64>,
    limit: Option<usize>,
    mut each: impl FnMut(Row) -> bool,
) -> Result<()> {
    let mut sql = format!(
        "SELECT messages_fts.rowid, m.id, m.room_id, m.sender_id, m.created_at, NULL, m.body,
                highlight(messages_fts, 0, '{HL_OPEN}', '{HL_CLOSE}')
         FROM messages_fts CROSS JOIN messages m ON m.pk = messages_fts.rowid
         WHERE messages_fts MATCH ?1 AND m.deleted_at IS NULL"
    );
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(fts.to_owned())];
    args.extend(filters_from(&mut sql, q, "messages_fts.rowid", 1));
    if let Some(pk) = below {
        args.push(Box::new(pk));
        sql.push_str(&format!(" AND messages_fts.rowid < ?{}", args.len()));
    }
    sql.push_str(" ORDER BY messages_fts.rowid DESC");
    if let Some(n) = limit {
        sql.push_str(&format!(" LIMIT {n}"));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let params: Vec<&dyn ToSql> = args.iter().map(|b| b.as_ref()).collect();
    let mut rows = stmt.query(params.as_slice())?;
    while let Some(r) = rows.next()? {
        let marked: String = r.get(7)?;
        if !each(read_hit(r, &marked)?) {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_a_quoted_prefix_and_long_words_stream_by_their_head() {
        let p = Plan::new("héllo wor").unwrap();
        assert_eq!(p.exact, "\"héllo\"* \"wor\"*");
        assert_eq!(p.streaming, "\"héll\"* \"wor\"*");
        assert_eq!(p.long, vec!["hello"]);
        let p = Plan::new("привет OR \"x").unwrap();
        assert_eq!(p.exact, "\"привет\"* \"OR\"* \"x\"*");
        assert_eq!(p.streaming, "\"прив\"* \"OR\"* \"x\"*");
        assert_eq!(p.long, vec!["привет"]);
        assert_eq!(Plan::new("  -- "), None);
        assert_eq!(Plan::new("Ещё").unwrap().long, Vec::<String>::new());
        assert_eq!(Plan::new("ЁЛОЧКА").unwrap().long, vec!["елочка"]);
    }

    #[test]
    fn a_hit_needs_a_word_starting_with_each_query_word() {
        let p = Plan::new("meeting proj").unwrap();
        let m = |s: &str| s.replace('[', "\u{E000}").replace(']', "\u{E001}");
        let check = |t: &str| p.check(t);
        assert_eq!(
            check("the Meetings are project work"),
            Some(m("the [Meetings] are [project] work"))
        );
        assert_eq!(
            check("MÉETING, projects!"),
            Some(m("[MÉETING], [projects]!"))
        );
        assert_eq!(check("meet the project meetin"), None);
        assert_eq!(check("meetings only"), None);
    }

    /// The folding read off SQLite agrees with what the tokenizer does to
    /// whole words, accents, case and separators included.
    #[test]
    fn the_fold_is_the_tokenizers() {
        let f = Fold::get();
        assert!(f.map.len() > 1000);
        assert_eq!(
            f.words("Crème-brûlée ÇA façade"),
            ["creme", "brulee", "ca", "facade"]
        );
        assert_eq!(f.words("ПРИВЕТ, мир! йод"), ["привет", "мир", "йод"]);
        assert_eq!(f.words("Ωμέγα Straße"), ["ωμέγα", "straße"]);
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'unicode61 remove_diacritics 2');
             CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance');",
        )
        .unwrap();
        let text = "Ærøskøbing Ångström naïve ŁÓDŹ Dvořák Ελλάδα Ѓорѓе Їжак «quoted» x\u{301}y";
        conn.execute("INSERT INTO t (x) VALUES (?1)", [text])
            .unwrap();
        let theirs: Vec<String> = conn
            .prepare("SELECT term FROM v ORDER BY offset")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(f.words(text), theirs);
    }

    /// Edits and deletes keep the index true whether or not a message has
    /// been indexed yet; search answers the same before and after.
    #[test]
    fn the_backlog_and_the_index_stay_consistent() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::Store::open(&dir.path().join("tern.db")).unwrap();
        let conn = store.writer.lock().unwrap();
        let t = 1_700_000_000_000i64;
        let insert = |id: &str, i: i64, body: &str| {
            conn.execute(
                "INSERT INTO messages (pk, id, room_id, sender_id, created_at, body)
                 VALUES (?1, ?2, 'r', 's', ?3, ?4)",
                rusqlite::params![(t + i) << PK_SHIFT, id, t + i, body],
            )
            .unwrap();
        };
        for i in 0..10 {
            insert(&format!("m{i}"), i, &format!("Ёлка number {i} meeting"));
        }
        let ids = |text: &str| -> Vec<String> {
            let q = SearchQuery {
                text: text.into(),
                ..Default::default()
            };
            search(&conn, &q)
                .unwrap()
                .into_iter()
                .map(|h| h.body)
                .collect()
        };
        let before = ids("елка meeting");
        assert_eq!(before.len(), 10);
        assert_eq!(before[0], "Ёлка number 9 meeting");
        // The newest four go into the index; the rest stay on the backlog.
        let tx = conn.unchecked_transaction().unwrap();
        assert_eq!(index_backlog(&tx, 4).unwrap(), 4);
        tx.commit().unwrap();
        assert_eq!(backlog(&conn).unwrap(), 6);
        assert_eq!(ids("елка meeting"), before, "the same answer, merged");
        let marked: Vec<String> = search(
            &conn,
            &SearchQuery {
                text: "ёлк".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .map(|h| {
            h.highlighted
                .iter()
                .filter(|s| s.matched)
                .map(|s| s.text.clone())
                .collect()
        })
        .collect();
        assert!(marked.iter().all(|m| m == "Ёлка"), "{marked:?}");
        // Edit and delete one indexed and one waiting message.
        for id in ["m9", "m2"] {
            conn.execute("UPDATE messages SET body = 'пятница' WHERE id = ?1", [id])
                .unwrap();
        }
        for id in ["m8", "m1"] {
            conn.execute("DELETE FROM messages WHERE id = ?1", [id])
                .unwrap();
        }
        assert_eq!(backlog(&conn).unwrap(), 5);
        // With a backlog the index is whole in itself; once the backlog is
        // empty it also matches the messages table row for row.
        let check = |against_content: i64| {
            conn.execute(
                "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', ?1)",
                [against_content],
            )
            .unwrap();
        };
        check(0);
        assert_eq!(ids("пятниц").len(), 2);
        assert_eq!(ids("meeting").len(), 6);
        let tx = conn.unchecked_transaction().unwrap();
        assert_eq!(index_backlog(&tx, 100).unwrap(), 5);
        tx.commit().unwrap();
        assert_eq!(backlog(&conn).unwrap(), 0);
        check(1);
        assert_eq!(ids("пятниц").len(), 2);
        assert_eq!(ids("meeting").len(), 6);
    }

    #[test]
    fn spans_split_on_markers() {
        let s = spans("a \u{E000}ес\u{E001} d", "a ёс d");
        assert_eq!(s.len(), 3);
        assert!(s[1].matched);
        assert_eq!(s[1].text, "ёс");
    }
}
