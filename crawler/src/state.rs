//! The crawl state DB (`OUT/crawl/state.sqlite`, SQLite in WAL mode): the frontier,
//! every fetch, robots.txt cache, host health and runs. Every state change of a URL
//! is committed in one transaction together with the URLs it discovered, after its
//! body is safely in the raw store, so a killed run loses at most in-flight URLs.

use crate::timefmt::{now_rfc3339, unix_now, unix_now_ms};
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Display (padded), SQLite `ToSql` and `FromSql` of an enum stored as text
/// through its `as_str` and `parse`; `$what` names it in the error for an
/// unknown stored value.
macro_rules! text_column {
    ($t:ty, $what:literal) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl rusqlite::ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                self.as_str().to_sql()
            }
        }

        impl rusqlite::types::FromSql for $t {
            fn column_result(
                v: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                let s = v.as_str()?;
                <$t>::parse(s).ok_or_else(|| {
                    rusqlite::types::FromSqlError::Other(
                        format!(concat!("unknown ", $what, " {:?}"), s).into(),
                    )
                })
            }
        }
    };
}

/// Kind of a frontier URL (the `urls.kind` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UrlKind {
    /// An HTML list page of a report column.
    List,
    /// A page of a JSON/XML list endpoint.
    Api,
    /// A report page (HTML, or a link with no attachment extension).
    Page,
    /// A report attachment (pdf, doc, docx, wps, xls, xlsx).
    Attachment,
    /// A request of a report column read by a platform adapter (list page,
    /// list endpoint page, category tree; GET or POST).
    Platform,
    /// A page on the way from the home page to the report column (discovery).
    Discover,
}

impl UrlKind {
    /// Every kind, in order.
    pub const ALL: [UrlKind; 6] = [
        UrlKind::List,
        UrlKind::Api,
        UrlKind::Page,
        UrlKind::Attachment,
        UrlKind::Platform,
        UrlKind::Discover,
    ];

    /// The value stored in the state DB: `list`, `api`, `page`, `attachment`,
    /// `platform`, `discover`.
    pub fn as_str(self) -> &'static str {
        match self {
            UrlKind::List => "list",
            UrlKind::Api => "api",
            UrlKind::Page => "page",
            UrlKind::Attachment => "attachment",
            UrlKind::Platform => "platform",
            UrlKind::Discover => "discover",
        }
    }

    /// The kind stored as `s`, if it is one.
    pub fn parse(s: &str) -> Option<UrlKind> {
        UrlKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A report document: a page or an attachment (what the raw store keeps for extraction).
    pub fn is_document(self) -> bool {
        matches!(self, UrlKind::Page | UrlKind::Attachment)
    }
}

text_column!(UrlKind, "URL kind");

/// State of a frontier URL in a run (the `urls.state` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FrontierState {
    /// Waiting to be fetched (or to be retried after `not_before`).
    Pending,
    /// Fetched and stored (or answered 304 Not Modified).
    Done,
    /// Given up on for this run; the error says why.
    Failed,
    /// Refused by an anti-bot challenge; the host is parked for the run.
    Blocked,
    /// Disallowed by the host's robots.txt.
    Disallowed,
    /// A report link off the portal: a finding, not a failure (not retried).
    Skipped,
    /// A report (or column) that answered 404/410: a finding (not retried).
    Gone,
}

impl FrontierState {
    /// Every state, in order.
    pub const ALL: [FrontierState; 7] = [
        FrontierState::Pending,
        FrontierState::Done,
        FrontierState::Failed,
        FrontierState::Blocked,
        FrontierState::Disallowed,
        FrontierState::Skipped,
        FrontierState::Gone,
    ];

    /// The value stored in the state DB: `pending`, `done`, `failed`, `blocked`,
    /// `disallowed`, `skipped`, `gone`.
    pub fn as_str(self) -> &'static str {
        match self {
            FrontierState::Pending => "pending",
            FrontierState::Done => "done",
            FrontierState::Failed => "failed",
            FrontierState::Blocked => "blocked",
            FrontierState::Disallowed => "disallowed",
            FrontierState::Skipped => "skipped",
            FrontierState::Gone => "gone",
        }
    }

    /// The state stored as `s`, if it is one.
    pub fn parse(s: &str) -> Option<FrontierState> {
        FrontierState::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

text_column!(FrontierState, "frontier state");

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, summary TEXT);
CREATE TABLE IF NOT EXISTS urls(
  url TEXT PRIMARY KEY, portal_id TEXT NOT NULL, host TEXT NOT NULL, kind TEXT NOT NULL,
  state TEXT NOT NULL, run_id INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL DEFAULT 0, page INTEGER, parent_url TEXT, list_title TEXT,
  year INTEGER, list_date TEXT, list_sig TEXT, etag TEXT, last_modified TEXT,
  sha256 TEXT, prev_sha256 TEXT, content_type TEXT, fetched_at TEXT, checked_unix INTEGER,
  doc_status TEXT, doc_run INTEGER, error TEXT, final_url TEXT);
CREATE INDEX IF NOT EXISTS urls_sched ON urls(run_id, state, host, not_before);
CREATE TABLE IF NOT EXISTS fetches(
  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, url TEXT NOT NULL, final_url TEXT,
  status INTEGER, conditional INTEGER NOT NULL, headers TEXT, etag TEXT, last_modified TEXT,
  content_type TEXT, length INTEGER, sha256 TEXT, fetched_at TEXT NOT NULL, elapsed_ms INTEGER,
  error TEXT);
CREATE INDEX IF NOT EXISTS fetches_run ON fetches(run_id);
CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url);
CREATE TABLE IF NOT EXISTS robots(
  host TEXT PRIMARY KEY, fetched_unix INTEGER NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS column_events(
  id INTEGER PRIMARY KEY, portal_id TEXT NOT NULL, run_id INTEGER NOT NULL, at TEXT NOT NULL,
  event TEXT NOT NULL, url TEXT NOT NULL, rule TEXT);
CREATE TABLE IF NOT EXISTS portals(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT, region_code TEXT, level TEXT, platform TEXT);
CREATE TABLE IF NOT EXISTS hosts(
  host TEXT PRIMARY KEY, portal_id TEXT, last_success TEXT, consecutive_failures INTEGER NOT NULL DEFAULT 0,
  blocked INTEGER NOT NULL DEFAULT 0, blocked_reason TEXT, blocked_run INTEGER, last_error TEXT);
"#;

/// A frontier row handed to a fetch task.
#[derive(Debug, Clone)]
pub struct UrlRow {
    /// Canonical URL.
    pub url: String,
    /// Portal id.
    pub portal_id: String,
    /// Politeness host key.
    pub host: String,
    /// What the URL is.
    pub kind: UrlKind,
    /// Attempts so far in this run.
    pub attempts: u32,
    /// Endpoint page number (kind `api`).
    pub page: Option<u32>,
    /// Title from the list.
    pub list_title: Option<String>,
    /// Report year from the title.
    pub year: Option<u16>,
    /// Stored ETag.
    pub etag: Option<String>,
    /// Stored Last-Modified.
    pub last_modified: Option<String>,
    /// Digest of the last stored body.
    pub sha256: Option<String>,
    /// Form body of a POST request (kind `platform`).
    pub form: Option<String>,
    /// The page it was found on (`column` for a report column seeded from the registry).
    pub parent_url: Option<String>,
}

/// Columns added to `urls` after the first release (added on open when missing).
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("form", "TEXT"),
    ("meta_date", "TEXT"),
    ("variant_key", "TEXT"),
];

/// A URL discovered on a fetched page.
#[derive(Debug, Clone)]
pub struct Discovered {
    /// Canonical URL.
    pub url: String,
    /// Portal id.
    pub portal_id: String,
    /// Politeness host key.
    pub host: String,
    /// What the URL is.
    pub kind: UrlKind,
    /// Endpoint page number.
    pub page: Option<u32>,
    /// Title as listed.
    pub title: Option<String>,
    /// Report year.
    pub year: Option<u16>,
    /// Date as listed.
    pub date: Option<String>,
    /// List-entry signature (change detection).
    pub sig: Option<String>,
    /// The page it was found on.
    pub parent: String,
    /// Form body of a POST request (kind `platform`).
    pub form: Option<String>,
}

/// What one fetch recorded.
#[derive(Debug, Clone, Default)]
pub struct FetchRecord {
    /// Final URL after redirects.
    pub final_url: Option<String>,
    /// HTTP status (None when no response).
    pub status: Option<u16>,
    /// True if validators were sent.
    pub conditional: bool,
    /// Kept headers as JSON.
    pub headers: Option<String>,
    /// ETag of the response.
    pub etag: Option<String>,
    /// Last-Modified of the response.
    pub last_modified: Option<String>,
    /// Sniffed media type.
    pub content_type: Option<String>,
    /// Body length.
    pub length: Option<u64>,
    /// Digest of the stored body.
    pub sha256: Option<String>,
    /// Time taken.
    pub elapsed_ms: Option<u64>,
    /// Error, if any.
    pub error: Option<String>,
    /// Publication date of a report page from its `PubDate` meta (`YYYY-MM-DD`).
    pub meta_date: Option<String>,
}

/// A change of a portal's report column seen in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnEvent {
    /// The saved column answered 404/410: rediscovery from the home page started.
    Gone,
    /// Discovery found the column (first time, or after it moved).
    Found,
}

impl ColumnEvent {
    /// Name stored in `column_events.event`.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnEvent::Gone => "gone",
            ColumnEvent::Found => "found",
        }
    }
}

/// A column event with the column's URL and the rule that found it.
pub type ColumnChange = (ColumnEvent, String, Option<String>);

/// One write of a crawl run, committed with others by [`StateDb::write_batch`].
#[derive(Debug, Clone)]
pub enum StateWrite {
    /// The outcome of a frontier URL with everything it discovered ([`StateDb::write_batch`]).
    Complete(Box<(UrlRow, Completion)>),
    /// A request not tied to a frontier URL's outcome: the URL and the fetch ([`StateDb::log_fetch`]).
    Fetch(Box<(String, FetchRecord)>),
    /// A robots.txt answer to cache: host, status, body ([`StateDb::put_robots`]).
    Robots(String, u16, String),
}

/// Final (or retry) state of one URL in a run.
#[derive(Debug, Clone)]
pub struct Completion {
    /// The URL's new state ([`FrontierState::Pending`]: retry later).
    pub state: FrontierState,
    /// Failure reason.
    pub error: Option<String>,
    /// Retry not before this Unix time in ms (state `pending`).
    pub not_before_ms: i64,
    /// The fetch that happened, if a request was sent.
    pub fetch: Option<FetchRecord>,
    /// True when the server answered 304.
    pub not_modified: bool,
    /// URLs found on the page.
    pub children: Vec<Discovered>,
    /// A change of the portal's report column to record.
    pub column: Option<ColumnChange>,
}

impl Completion {
    /// The outcome `state` with its reason (if any) and the fetch that led to
    /// it (if a request was sent); no retry time, no children, no column change.
    pub fn new(state: FrontierState, error: Option<String>, fetch: Option<FetchRecord>) -> Self {
        Completion {
            state,
            error,
            not_before_ms: 0,
            fetch,
            not_modified: false,
            children: Vec::new(),
            column: None,
        }
    }

    /// A terminal state with its reason, without a fetch record.
    pub fn state(state: FrontierState, error: impl Into<String>) -> Self {
        Completion::new(state, Some(error.into()), None)
    }

    /// Fetched and stored (`not_modified`: the server answered 304), with the URLs found on it.
    pub fn done(fetch: FetchRecord, children: Vec<Discovered>, not_modified: bool) -> Self {
        Completion {
            children,
            not_modified,
            ..Completion::new(FrontierState::Done, None, Some(fetch))
        }
    }

    /// To be retried, not before the Unix time `not_before_ms`.
    pub fn retry(error: String, not_before_ms: i64, fetch: Option<FetchRecord>) -> Self {
        Completion {
            not_before_ms,
            ..Completion::new(FrontierState::Pending, Some(error), fetch)
        }
    }
}

/// Handle on the state DB.
pub struct StateDb {
    conn: Connection,
    /// JSON array of the portal ids this run works on (`null`: all).
    scope: String,
}

/// Path of the state DB under `out`.
pub fn db_path(out: &Path) -> PathBuf {
    out.join("crawl").join("state.sqlite")
}

impl StateDb {
    /// Opens (creating if needed) the state DB of `out`.
    pub fn open(out: &Path) -> Result<Self> {
        let path = db_path(out);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let conn =
            Connection::open(&path).with_context(|| format!("opening {}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Room for the commit path's statements and the scheduler's queries.
        conn.set_prepared_statement_cache_capacity(32);
        conn.execute_batch(SCHEMA)
            .context("creating the state schema")?;
        for (col, ty) in ADDED_COLUMNS {
            let has: bool = conn
                .query_row(
                    "SELECT COUNT(*) FROM pragma_table_info('urls') WHERE name=?1",
                    [col],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n > 0)?;
            if !has {
                conn.execute_batch(&format!("ALTER TABLE urls ADD COLUMN {col} {ty}"))
                    .with_context(|| format!("adding column urls.{col}"))?;
            }
        }
        conn.execute_batch(
            "CREATE INDEX IF NOT EXISTS urls_variant ON urls(portal_id, variant_key)",
        )?;
        let db = StateDb {
            conn,
            scope: "null".into(),
        };
        db.load_scope()?;
        Ok(db)
    }

    /// Opens an existing state DB read-only-ish (fails if missing).
    pub fn open_existing(out: &Path) -> Result<Self> {
        anyhow::ensure!(db_path(out).exists(), "no crawl state in {}", out.display());
        Self::open(out)
    }

    /// Lets the write-ahead log grow to `pages` pages (SQLite's default: 1000)
    /// before a commit checkpoints it into the DB file. A checkpoint copies each
    /// changed page once and waits for two fsyncs, so fewer of them cost less
    /// when many commits change the same pages (the crawl's group commits); the
    /// log is reused from its start after each checkpoint, and the space it takes
    /// stays about `pages` × the page size.
    pub fn set_checkpoint_pages(&self, pages: u32) -> Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", pages)?;
        Ok(())
    }

    /// A second connection to the same DB for reads only (same scope): in WAL
    /// mode its queries neither wait for nor block the writes of this one, so
    /// the crawl's scheduler is not held up by a group commit or a checkpoint.
    pub fn reader(&self) -> Result<StateDb> {
        let path = self
            .conn
            .path()
            .filter(|p| !p.is_empty())
            .context("the state DB has no file to open a reader on")?;
        let conn = Connection::open(path).with_context(|| format!("opening {path}"))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let db = StateDb {
            conn,
            scope: self.scope.clone(),
        };
        // The scope table is this connection's own (TEMP), written before it turns read-only.
        db.load_scope()?;
        db.conn.pragma_update(None, "query_only", true)?;
        Ok(db)
    }

    /// Runs `f` in one transaction: all of its writes or none (seeding a run
    /// of many portals commits once instead of once per statement).
    pub fn in_transaction<T>(&mut self, f: impl FnOnce(&mut StateDb) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Restricts scheduling (and re-queuing at run start) to these portals;
    /// URLs of other portals are left untouched. Empty: all portals.
    pub fn set_scope(&mut self, portal_ids: &[String]) -> Result<()> {
        self.scope = if portal_ids.is_empty() {
            "null".into()
        } else {
            serde_json::to_string(portal_ids).unwrap_or_else(|_| "null".into())
        };
        self.load_scope()
    }

    /// Writes the scope into this connection's temporary table `scope_portals`,
    /// which the scheduler's frequent queries probe through its primary key (a
    /// `json_each` of the scope was parsed, and an index of it built, on every
    /// execution: hundreds of microseconds with 500 portals).
    fn load_scope(&self) -> Result<()> {
        self.conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS scope_portals(id TEXT PRIMARY KEY) WITHOUT ROWID;
             DELETE FROM temp.scope_portals;",
        )?;
        if self.scope != "null" {
            self.conn.execute(
                "INSERT OR IGNORE INTO temp.scope_portals SELECT value FROM json_each(?1)",
                [&self.scope],
            )?;
        }
        Ok(())
    }

    /// Resumes the last run if it did not finish, else starts a new one and re-queues
    /// list pages, unfinished URLs and the stored documents to revalidate this night
    /// (every one overdue by `revisit_after`, and the least recently checked
    /// 1/days-th of them). Returns (run, resumed).
    pub fn begin_run(&mut self, revisit_after: Duration) -> Result<(i64, bool)> {
        let tx = self.conn.transaction()?;
        let last: Option<(i64, Option<String>)> = tx
            .query_row(
                "SELECT id, finished_at FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((id, None)) = last {
            tx.commit()?;
            return Ok((id, true));
        }
        tx.execute("INSERT INTO runs(started_at) VALUES (?1)", [now_rfc3339()])?;
        let run = tx.last_insert_rowid();
        tx.execute(
            "UPDATE urls SET state='pending', run_id=?1, attempts=0, not_before=0, error=NULL
             WHERE state NOT IN ('gone','skipped') AND (state<>'done' OR kind IN ('list','api','platform')) AND (?2 = 'null' OR portal_id IN (SELECT value FROM json_each(?2)))",
            params![run, self.scope],
        )?;
        // Stored documents are revalidated (conditional GET) so that each is checked at
        // least every `revisit_after`, spread over the nights: every document overdue
        // (and every gone one, since portals restore pages),
        // plus the least recently checked share of 1/(days of revisit_after) of them
        // (never one checked in the last day), so the load does not come all at once.
        let now = unix_now();
        let due = now - revisit_after.as_secs() as i64;
        let days = (revisit_after.as_secs() / 86_400).max(1) as i64;
        let in_scope = "(?3 = 'null' OR portal_id IN (SELECT value FROM json_each(?3)))";
        tx.execute(
            &format!(
                "UPDATE urls SET state='pending', run_id=?1, attempts=0, not_before=0
                 WHERE state IN ('done','gone') AND kind IN ('page','attachment') AND COALESCE(checked_unix,0) <= ?2
                   AND {in_scope}"
            ),
            params![run, due, self.scope],
        )?;
        let stored: i64 = tx.query_row(
            &format!(
                "SELECT COUNT(*) FROM urls WHERE kind IN ('page','attachment') AND sha256 IS NOT NULL AND {}",
                in_scope.replace("?3", "?1")
            ),
            params![self.scope],
            |r| r.get(0),
        )?;
        let share = (stored + days - 1) / days;
        tx.execute(
            &format!(
                "UPDATE urls SET state='pending', run_id=?1, attempts=0, not_before=0 WHERE url IN (
                   SELECT url FROM urls WHERE state='done' AND kind IN ('page','attachment')
                     AND COALESCE(checked_unix,0) <= ?2 AND {in_scope}
                   ORDER BY COALESCE(checked_unix,0), url LIMIT ?4)"
            ),
            params![run, now - 86_400, self.scope, share],
        )?;
        tx.commit()?;
        Ok((run, false))
    }

    /// Ensures a start URL (list page or endpoint page) is queued in `run`.
    pub fn seed(&mut self, d: &Discovered, run: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO urls(url, portal_id, host, kind, state, run_id, page, parent_url, form)
             VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7, ?8)
             ON CONFLICT(url) DO NOTHING",
            params![
                d.url,
                d.portal_id,
                d.host,
                d.kind,
                run,
                d.page,
                d.parent,
                d.form
            ],
        )?;
        Ok(())
    }

    /// The report column discovery last found for `portal_id`, unless it has gone since.
    pub fn saved_column(&self, portal_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT f.url FROM column_events f WHERE f.portal_id=?1 AND f.event='found'
                   AND NOT EXISTS (SELECT 1 FROM column_events g WHERE g.portal_id=f.portal_id
                                   AND g.event='gone' AND g.url=f.url AND g.id > f.id)
                 ORDER BY f.id DESC LIMIT 1",
                [portal_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// True if `url` of `portal_id` was recorded as a column that has gone.
    pub fn column_gone(&self, portal_id: &str, url: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM column_events WHERE portal_id=?1 AND url=?2 AND event='gone'",
            params![portal_id, url],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }

    /// Records the registry facts the read side needs (name, region code, level).
    pub fn put_portal(
        &self,
        id: &str,
        name: &str,
        region: &str,
        region_code: &str,
        level: Option<&str>,
        platform: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO portals(id, name, region, region_code, level, platform) VALUES (?1,?2,?3,?4,?5,?6)
             ON CONFLICT(id) DO UPDATE SET name=excluded.name, region=excluded.region,
               region_code=excluded.region_code, level=excluded.level, platform=excluded.platform",
            params![id, name, region, region_code, level, platform],
        )?;
        Ok(())
    }

    /// Hosts with pending URLs in `run`.
    pub fn pending_hosts(&self, run: i64) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT host FROM urls WHERE run_id=?1 AND state='pending'
                AND (?2 = 'null' OR portal_id IN (SELECT id FROM temp.scope_portals))",
        )?;
        let rows = st.query_map(params![run, self.scope], |r| r.get(0))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    /// Up to `limit` runnable URLs of `host` in `run` (retry time passed), oldest first.
    pub fn next_for_host(&self, run: i64, host: &str, limit: usize) -> Result<Vec<UrlRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {URL_ROW_COLUMNS}
             FROM urls WHERE run_id=?1 AND state='pending' AND host=?2 AND not_before<=?3
               AND (?5 = 'null' OR portal_id IN (SELECT id FROM temp.scope_portals))
             ORDER BY not_before LIMIT ?4"
        ))?;
        let rows = st.query_map(
            params![run, host, unix_now_ms(), limit as i64, self.scope],
            url_row,
        )?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    /// [`next_for_host`](Self::next_for_host) of every host at once, in one
    /// query: up to `limit` runnable URLs per host, each host's oldest first
    /// (the scheduler's first fill of its buffers, instead of one query per host
    /// on its thread while the run starts).
    pub fn next_for_hosts(&self, run: i64, limit: usize) -> Result<Vec<UrlRow>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {URL_ROW_COLUMNS} FROM (
               SELECT *, row_number() OVER (PARTITION BY host ORDER BY not_before, rowid) AS k
               FROM urls WHERE run_id=?1 AND state='pending' AND not_before<=?2
                 AND (?4 = 'null' OR portal_id IN (SELECT id FROM temp.scope_portals)))
             WHERE k <= ?3 ORDER BY host, k"
        ))?;
        let rows = st.query_map(
            params![run, unix_now_ms(), limit as i64, self.scope],
            url_row,
        )?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    /// Ends every pending URL of a parked `host` in `run` with `state` and `reason`.
    pub fn park_host(
        &mut self,
        run: i64,
        host: &str,
        state: FrontierState,
        reason: &str,
    ) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE urls SET state=?3, error=?4 WHERE run_id=?1 AND host=?2 AND state='pending'
               AND (?5 = 'null' OR portal_id IN (SELECT id FROM temp.scope_portals))",
            params![run, host, state, reason, self.scope],
        )?)
    }

    /// (pending count, earliest not_before in ms) of `run`.
    pub fn pending(&self, run: i64) -> Result<(u64, Option<i64>)> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*), MIN(not_before) FROM urls WHERE run_id=?1 AND state='pending'
               AND (?2 = 'null' OR portal_id IN (SELECT id FROM temp.scope_portals))",
            params![run, self.scope],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
        )?)
    }

    /// Commits `writes` of `run` in one transaction, in order: all or none
    /// (the crawl's group commit; a crash before it leaves every URL of the
    /// batch pending, to be fetched again).
    pub fn write_batch(&mut self, run: i64, writes: &[StateWrite]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for w in writes {
            match w {
                StateWrite::Complete(done) => complete_in(&tx, &done.0, run, &done.1)?,
                StateWrite::Fetch(fetch) => log_fetch_in(&tx, run, &fetch.0, &fetch.1)?,
                StateWrite::Robots(host, status, body) => put_robots_in(&tx, host, *status, body)?,
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks the run finished and stores its summary JSON.
    pub fn finish_run(&self, run: i64, summary_json: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE runs SET finished_at=?2, summary=?3 WHERE id=?1",
            params![run, now_rfc3339(), summary_json],
        )?;
        Ok(())
    }

    /// Cached robots.txt of `host` if fetched within `ttl`: (status, body).
    pub fn robots(&self, host: &str, ttl: Duration) -> Result<Option<(u16, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT status, body FROM robots WHERE host=?1 AND fetched_unix > ?2",
                params![host, unix_now() - ttl.as_secs() as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Caches the robots.txt of `host`.
    pub fn put_robots(&self, host: &str, status: u16, body: &str) -> Result<()> {
        put_robots_in(&self.conn, host, status, body)
    }

    /// Records a fetch that is not tied to a frontier URL (robots.txt).
    pub fn log_fetch(&self, run: i64, url: &str, f: &FetchRecord) -> Result<()> {
        log_fetch_in(&self.conn, run, url, f)
    }

    /// The underlying connection (queries for summaries, status and exports).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// SQLite's `PRAGMA integrity_check`: an empty list when the database is
    /// whole, otherwise SQLite's findings.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        let found: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
        Ok(found.into_iter().filter(|r| r != "ok").collect())
    }
}

/// The writes of one URL's outcome (see [`StateDb::write_batch`]), inside `tx`.
fn complete_in(
    tx: &rusqlite::Transaction<'_>,
    row: &UrlRow,
    run: i64,
    c: &Completion,
) -> Result<()> {
    let now = now_rfc3339();
    if let Some(f) = &c.fetch {
        log_fetch_in(tx, run, &row.url, f)?;
    }
    let attempts = if c.state == FrontierState::Pending {
        row.attempts + 1
    } else {
        row.attempts
    };
    let is_doc = row.kind.is_document();
    let stored = c
        .fetch
        .as_ref()
        .filter(|f| f.sha256.is_some() && c.state == FrontierState::Done && !c.not_modified);
    if let Some(f) = stored {
        let status = match (&row.sha256, &f.sha256) {
            (None, _) => "new",
            (Some(a), Some(b)) if a != b => "changed",
            _ => "unchanged",
        };
        // The outcome and the stored body's fields in one row update.
        exec(
            tx,
            "UPDATE urls SET state=?2, error=?3, attempts=?4, not_before=?5,
               prev_sha256=sha256, sha256=?6, etag=?7, last_modified=?8, content_type=?9,
               fetched_at=?10, checked_unix=?11, final_url=?12,
               doc_status=CASE WHEN ?13 THEN ?14 ELSE doc_status END,
               doc_run=CASE WHEN ?13 THEN ?15 ELSE doc_run END WHERE url=?1",
            params![
                row.url,
                c.state,
                c.error,
                attempts,
                c.not_before_ms,
                f.sha256,
                f.etag,
                f.last_modified,
                f.content_type,
                now,
                unix_now(),
                f.final_url,
                is_doc,
                status,
                run
            ],
        )?;
    } else {
        exec(
            tx,
            "UPDATE urls SET state=?2, error=?3, attempts=?4, not_before=?5 WHERE url=?1",
            params![row.url, c.state, c.error, attempts, c.not_before_ms],
        )?;
    }
    if c.not_modified {
        exec(tx,
            "UPDATE urls SET checked_unix=?2, doc_status=CASE WHEN ?3 THEN 'unchanged' ELSE doc_status END,
               doc_run=CASE WHEN ?3 THEN ?4 ELSE doc_run END WHERE url=?1",
            params![row.url, unix_now(), is_doc, run],
        )?;
    }
    if let Some(d) = c.fetch.as_ref().and_then(|f| f.meta_date.as_ref()) {
        exec(
            tx,
            "UPDATE urls SET meta_date=?2 WHERE url=?1",
            params![row.url, d],
        )?;
    }
    if let Some((event, url, rule)) = &c.column {
        exec(
            tx,
            "INSERT INTO column_events(portal_id, run_id, at, event, url, rule) VALUES (?1,?2,?3,?4,?5,?6)",
            params![row.portal_id, run, now, event.as_str(), url, rule],
        )?;
    }
    for d in &c.children {
        enqueue(tx, d, run)?;
    }
    update_host(tx, row, run, c)?;
    Ok(())
}

/// Caches the robots.txt of `host` (see [`StateDb::put_robots`]).
fn put_robots_in(conn: &Connection, host: &str, status: u16, body: &str) -> Result<()> {
    exec(
        conn,
        "INSERT INTO robots(host, fetched_unix, status, body) VALUES (?1,?2,?3,?4)
         ON CONFLICT(host) DO UPDATE SET fetched_unix=excluded.fetched_unix, status=excluded.status, body=excluded.body",
        params![host, unix_now(), status, body],
    )?;
    Ok(())
}

/// Records the fetch `f` of `url` in `run` (see [`StateDb::log_fetch`]).
fn log_fetch_in(conn: &Connection, run: i64, url: &str, f: &FetchRecord) -> Result<()> {
    exec(
        conn,
        "INSERT INTO fetches(run_id, url, final_url, status, conditional, headers, etag, last_modified,
           content_type, length, sha256, fetched_at, elapsed_ms, error)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
        params![
            run, url, f.final_url, f.status, f.conditional, f.headers, f.etag, f.last_modified, f.content_type,
            f.length.map(|n| n as i64), f.sha256, now_rfc3339(), f.elapsed_ms.map(|n| n as i64), f.error
        ],
    )?;
    Ok(())
}

fn enqueue(tx: &rusqlite::Transaction<'_>, d: &Discovered, run: i64) -> Result<()> {
    let existing: Option<(FrontierState, i64, Option<String>)> = query_one(
        tx,
        "SELECT state, run_id, list_sig FROM urls WHERE url=?1",
        [&d.url],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?;
    // `http://www.x/…` and `https://x/…` are one document: the first variant seen is kept.
    let key = d
        .kind
        .is_document()
        .then(|| {
            url::Url::parse(&d.url)
                .ok()
                .map(|u| crate::urlnorm::variant_key(&u))
        })
        .flatten();
    if existing.is_none()
        && let Some(k) = &key
    {
        let twin: Option<String> = query_one(
            tx,
            "SELECT url FROM urls WHERE portal_id=?1 AND variant_key=?2 LIMIT 1",
            params![d.portal_id, k],
            |r| r.get(0),
        )
        .optional()?;
        if let Some(twin) = twin {
            let mut same = d.clone();
            same.url = twin;
            return enqueue(tx, &same, run);
        }
    }
    match existing {
        None => {
            exec(tx,
                "INSERT INTO urls(url, portal_id, host, kind, state, run_id, page, parent_url, list_title, year,
                   list_date, list_sig, form, variant_key) VALUES (?1,?2,?3,?4,'pending',?5,?6,?7,?8,?9,?10,?11,?12,?13)",
                params![d.url, d.portal_id, d.host, d.kind, run, d.page, d.parent, d.title, d.year, d.date, d.sig, d.form, key],
            )?;
        }
        Some((_, r, _)) if r == run => {}
        Some((state, _, sig)) => {
            let changed = d.sig.is_some() && sig != d.sig;
            // A discovery page is visited again whenever a column has to be found again.
            if state != FrontierState::Done || changed || d.kind == UrlKind::Discover {
                exec(tx,
                    "UPDATE urls SET state='pending', run_id=?2, attempts=0, not_before=0,
                       list_title=COALESCE(?3, list_title), year=COALESCE(?4, year), list_date=COALESCE(?5, list_date),
                       list_sig=COALESCE(?6, list_sig), form=COALESCE(?7, form), page=COALESCE(?8, page)
                     WHERE url=?1",
                    params![d.url, run, d.title, d.year, d.date, d.sig, d.form, d.page],
                )?;
            }
        }
    }
    Ok(())
}

fn update_host(
    tx: &rusqlite::Transaction<'_>,
    row: &UrlRow,
    run: i64,
    c: &Completion,
) -> Result<()> {
    let ok = c.state == FrontierState::Done || c.not_modified;
    let transient = c.state == FrontierState::Pending
        || (c.state == FrontierState::Failed
            && c.fetch
                .as_ref()
                .is_some_and(|f| f.status.is_none_or(|s| s >= 500 || s == 429)));
    if ok {
        // The common case in one statement: the host's row, added if new, marked healthy.
        exec(
            tx,
            "INSERT INTO hosts(host, portal_id, last_success) VALUES (?1, ?2, ?3)
             ON CONFLICT(host) DO UPDATE SET last_success=excluded.last_success,
               consecutive_failures=0, blocked=0, blocked_reason=NULL",
            params![row.host, row.portal_id, now_rfc3339()],
        )?;
        return Ok(());
    }
    exec(
        tx,
        "INSERT INTO hosts(host, portal_id) VALUES (?1, ?2) ON CONFLICT(host) DO NOTHING",
        params![row.host, row.portal_id],
    )?;
    if c.state == FrontierState::Blocked {
        exec(
            tx,
            "UPDATE hosts SET blocked=1, blocked_reason=?2, blocked_run=?3, last_error=?2 WHERE host=?1",
            params![row.host, c.error, run],
        )?;
    } else if transient {
        exec(
            tx,
            "UPDATE hosts SET consecutive_failures=consecutive_failures+1, last_error=?2 WHERE host=?1",
            params![row.host, c.error],
        )?;
    }
    Ok(())
}

/// The columns of a [`UrlRow`], in the order [`url_row`] reads them.
const URL_ROW_COLUMNS: &str = "url, portal_id, host, kind, attempts, page, list_title, year, etag,
    last_modified, sha256, form, parent_url";

/// A [`UrlRow`] from a row selecting [`URL_ROW_COLUMNS`].
fn url_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UrlRow> {
    Ok(UrlRow {
        url: r.get(0)?,
        portal_id: r.get(1)?,
        host: r.get(2)?,
        kind: r.get(3)?,
        attempts: r.get(4)?,
        page: r.get(5)?,
        list_title: r.get(6)?,
        year: r.get(7)?,
        etag: r.get(8)?,
        last_modified: r.get(9)?,
        sha256: r.get(10)?,
        form: r.get(11)?,
        parent_url: r.get(12)?,
    })
}

/// `execute` through the connection's statement cache: every fetch commits
/// the same dozen statements, and parsing them again each time was a visible
/// share of the crawl's CPU.
fn exec(c: &Connection, sql: &str, p: impl rusqlite::Params) -> rusqlite::Result<usize> {
    c.prepare_cached(sql)?.execute(p)
}

/// `query_row` through the statement cache (see [`exec`]).
fn query_one<T>(
    c: &Connection,
    sql: &str,
    p: impl rusqlite::Params,
    f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    c.prepare_cached(sql)?.query_row(p, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_states_round_trip_through_their_column() {
        let c = Connection::open_in_memory().unwrap();
        for k in UrlKind::ALL {
            assert_eq!(UrlKind::parse(k.as_str()), Some(k));
            let back: UrlKind = c.query_row("SELECT ?1", [k], |r| r.get(0)).unwrap();
            assert_eq!(back, k);
        }
        for st in FrontierState::ALL {
            let back: FrontierState = c.query_row("SELECT ?1", [st], |r| r.get(0)).unwrap();
            assert_eq!(back, st);
        }
        let err = c
            .query_row("SELECT 'pdf'", [], |r| r.get::<_, UrlKind>(0))
            .unwrap_err();
        assert!(
            err.to_string().contains("unknown URL kind \"pdf\""),
            "{err}"
        );
        assert_eq!(format!("[{:<6}]", UrlKind::Api), "[api   ]");
        assert!(UrlKind::Attachment.is_document() && !UrlKind::Discover.is_document());
    }

    #[test]
    fn revalidation_is_spread_over_nights() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = StateDb::open(dir.path()).unwrap();
        let (run, _) = db.begin_run(Duration::from_secs(10 * 86_400)).unwrap();
        db.finish_run(run, "{}").unwrap();
        let now = unix_now();
        // 20 stored documents: one checked 11 days ago (overdue), the others 2..=20 hours/days ago.
        for i in 0..20i64 {
            let checked = if i == 0 {
                now - 11 * 86_400
            } else {
                now - i * 3 * 3600
            };
            db.conn()
                .execute(
                    "INSERT INTO urls(url, portal_id, host, kind, state, run_id, sha256, checked_unix)
                     VALUES (?1, 'p', 'h', 'page', 'done', ?2, 'x', ?3)",
                    params![format!("http://h/{i:02}"), run, checked],
                )
                .unwrap();
        }
        let (run2, resumed) = db.begin_run(Duration::from_secs(10 * 86_400)).unwrap();
        assert!(!resumed);
        let mut st = db
            .conn()
            .prepare("SELECT url FROM urls WHERE run_id=?1 AND state='pending' ORDER BY url")
            .unwrap();
        let queued: Vec<String> = st
            .query_map([run2], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // The overdue one, and ceil(20/10) = 2 of the least recently checked (> 1 day ago).
        assert_eq!(queued, ["http://h/00", "http://h/18", "http://h/19"]);
    }
}
