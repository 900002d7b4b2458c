//! The classroom's database: SQLite or PostgreSQL through sqlx's `Any` driver, so one code
//! path serves both. Every query is written once with `$N` placeholders, which both accept;
//! the migrations are embedded in the binary and run at start.

use serde_json::Value;
use sqlx::AnyPool;
use sqlx::Row;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::tokens;

/// The database a server uses when `--database` is not given: a file in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://gitops-lab.db";

/// A database failure, with sqlx's message (never shown as a 500: the API answers 503).
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Which database is behind the `Any` pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A class as stored.
#[derive(Clone, Debug)]
pub struct ClassRow {
    pub id: String,
    pub name: String,
    pub join_code: String,
    pub labs: Vec<String>,
    pub quizzes: Vec<String>,
    pub created_ms: i64,
    pub paused: bool,
    /// When the class ends, in ms since the epoch; 0 when it has no time limit.
    pub ends_ms: i64,
}

/// A trainee as stored (the token only as its hash).
#[derive(Clone, Debug)]
pub struct TraineeRow {
    pub id: String,
    pub class_id: String,
    pub name: String,
    pub token_sha256: String,
    pub joined_ms: i64,
}

/// One report from a trainee's page.
#[derive(Clone, Debug)]
pub struct ProgressRow {
    pub trainee_id: String,
    pub event_id: String,
    pub class_id: String,
    pub kind: String,
    pub body: Value,
    pub received_ms: i64,
}

/// One thing the instructor sent the class.
#[derive(Clone, Debug)]
pub struct CommandRow {
    pub id: String,
    pub class_id: String,
    pub body: Value,
    pub issued_ms: i64,
}

/// The embedded migrations, as sqlx's migrator reads them.
#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> futures_util::future::BoxFuture<'s, std::result::Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async {
            Ok(vec![Migration::new(
                1,
                Cow::Borrowed("classroom"),
                MigrationType::Simple,
                Cow::Borrowed(include_str!("migrations/0001_classroom.sql")),
                false,
            )])
        })
    }
}

/// The classroom's database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
    /// PostgreSQL only: a connection of the driver's own for NOTIFY (whose `void` result
    /// the `Any` driver cannot decode).
    notifier: Option<sqlx::PgPool>,
}

/// Milliseconds since the Unix epoch, by the server's clock.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the database at `url`:
    /// `sqlite://FILE` or `postgres://USER@HOST:PORT/DB`.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if let Some(rest) = url.strip_prefix("sqlite:") {
            // Create the file when it is missing, unless the URL says otherwise.
            let url = if rest.contains("mode=") {
                url.to_string()
            } else if rest.contains('?') {
                format!("{url}&mode=rwc")
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError(format!(
                "`{url}` is not a database URL this server knows: give sqlite://FILE or postgres://USER@HOST:PORT/DATABASE"
            )));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(10))
            .connect(&url)
            .await
            .map_err(|e| StoreError(format!("cannot open the database {}: {e}", redact(&url))))?;
        if backend == Backend::Sqlite {
            // Readers do not wait for the writer; the journal survives a crash.
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        let migrator = Migrator::new(Embedded).await.map_err(|e| StoreError(format!("the embedded migrations: {e}")))?;
        migrator.run(&pool).await.map_err(|e| StoreError(format!("migrating the database {}: {e}", redact(&url))))?;
        let notifier = match backend {
            Backend::Postgres => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .connect(&url)
                    .await
                    .map_err(|e| StoreError(format!("cannot open the database {}: {e}", redact(&url))))?,
            ),
            Backend::Sqlite => None,
        };
        Ok(Store { pool, backend, url, notifier })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL the store was opened with (for a Postgres listener beside the pool).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Closes every connection (a test reopens the same file afterwards).
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(pg) = &self.notifier {
            pg.close().await;
        }
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.get::<String, _>(0)))
    }

    /// Stores a setting; with `overwrite` false, a value already there wins. Returns whether
    /// this call's value is the one stored.
    pub async fn put_setting(&self, key: &str, value: &str, overwrite: bool) -> Result<bool> {
        let sql = if overwrite {
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        } else {
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING"
        };
        let done = sqlx::query(sql).bind(key).bind(value).execute(&self.pool).await?;
        Ok(done.rows_affected() > 0)
    }

    /// Creates a class with a fresh join code (drawn again on the rare collision).
    pub async fn create_class(&self, name: &str, labs: &[String], quizzes: &[String], ends_ms: i64) -> Result<ClassRow> {
        let labs_json = serde_json::to_string(labs).unwrap_or_else(|_| "[]".into());
        let quizzes_json = serde_json::to_string(quizzes).unwrap_or_else(|_| "[]".into());
        for _ in 0..20 {
            let class = ClassRow {
                id: tokens::new_id(),
                name: name.to_string(),
                join_code: tokens::new_join_code(),
                labs: labs.to_vec(),
                quizzes: quizzes.to_vec(),
                created_ms: now_ms(),
                paused: false,
                ends_ms,
            };
            let done = sqlx::query(
                "INSERT INTO classes (id, name, join_code, labs, quizzes, created_ms, paused, ends_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, 0, $7) ON CONFLICT (join_code) DO NOTHING",
            )
            .bind(&class.id)
            .bind(&class.name)
            .bind(&class.join_code)
            .bind(&labs_json)
            .bind(&quizzes_json)
            .bind(class.created_ms)
            .bind(class.ends_ms)
            .execute(&self.pool)
            .await?;
            if done.rows_affected() == 1 {
                return Ok(class);
            }
        }
        Err(StoreError("could not draw a join code that is not taken".into()))
    }

    const CLASS_COLUMNS: &'static str = "id, name, join_code, labs, quizzes, created_ms, paused, ends_ms";

    fn class_of(row: &AnyRow) -> ClassRow {
        let list = |i: usize| serde_json::from_str::<Vec<String>>(&row.get::<String, _>(i)).unwrap_or_default();
        ClassRow {
            id: row.get(0),
            name: row.get(1),
            join_code: row.get(2),
            labs: list(3),
            quizzes: list(4),
            created_ms: row.get(5),
            paused: row.get::<i64, _>(6) != 0,
            ends_ms: row.get(7),
        }
    }

    pub async fn class(&self, id: &str) -> Result<Option<ClassRow>> {
        let sql = format!("SELECT {} FROM classes WHERE id = $1", Self::CLASS_COLUMNS);
        Ok(sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?.as_ref().map(Self::class_of))
    }

    pub async fn class_by_code(&self, code: &str) -> Result<Option<ClassRow>> {
        let sql = format!("SELECT {} FROM classes WHERE join_code = $1", Self::CLASS_COLUMNS);
        Ok(sqlx::query(&sql).bind(code).fetch_optional(&self.pool).await?.as_ref().map(Self::class_of))
    }

    /// Every class, newest first.
    pub async fn classes(&self) -> Result<Vec<ClassRow>> {
        let sql = format!("SELECT {} FROM classes ORDER BY created_ms DESC, id", Self::CLASS_COLUMNS);
        Ok(sqlx::query(&sql).fetch_all(&self.pool).await?.iter().map(Self::class_of).collect())
    }

    pub async fn set_paused(&self, class_id: &str, paused: bool) -> Result<()> {
        sqlx::query("UPDATE classes SET paused = $1 WHERE id = $2").bind(i64::from(paused)).bind(class_id).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn set_ends(&self, class_id: &str, ends_ms: i64) -> Result<()> {
        sqlx::query("UPDATE classes SET ends_ms = $1 WHERE id = $2").bind(ends_ms).bind(class_id).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn add_trainee(&self, class_id: &str, name: &str, token_sha256: &str) -> Result<TraineeRow> {
        let trainee = TraineeRow {
            id: tokens::new_id(),
            class_id: class_id.to_string(),
            name: name.to_string(),
            token_sha256: token_sha256.to_string(),
            joined_ms: now_ms(),
        };
        sqlx::query("INSERT INTO trainees (id, class_id, name, token_sha256, joined_ms) VALUES ($1, $2, $3, $4, $5)")
            .bind(&trainee.id)
            .bind(&trainee.class_id)
            .bind(&trainee.name)
            .bind(&trainee.token_sha256)
            .bind(trainee.joined_ms)
            .execute(&self.pool)
            .await?;
        Ok(trainee)
    }

    fn trainee_of(row: &AnyRow) -> TraineeRow {
        TraineeRow { id: row.get(0), class_id: row.get(1), name: row.get(2), token_sha256: row.get(3), joined_ms: row.get(4) }
    }

    /// The trainee whose token hashes to `token_sha256`.
    pub async fn trainee_by_token_hash(&self, token_sha256: &str) -> Result<Option<TraineeRow>> {
        let row = sqlx::query("SELECT id, class_id, name, token_sha256, joined_ms FROM trainees WHERE token_sha256 = $1")
            .bind(token_sha256)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(Self::trainee_of))
    }

    pub async fn trainee(&self, id: &str) -> Result<Option<TraineeRow>> {
        let row = sqlx::query("SELECT id, class_id, name, token_sha256, joined_ms FROM trainees WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(Self::trainee_of))
    }

    /// A class's trainees in the order they joined.
    pub async fn trainees(&self, class_id: &str) -> Result<Vec<TraineeRow>> {
        let rows =
            sqlx::query("SELECT id, class_id, name, token_sha256, joined_ms FROM trainees WHERE class_id = $1 ORDER BY joined_ms, id")
                .bind(class_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(Self::trainee_of).collect())
    }

    /// Records a report once: `None` when this trainee already sent this event id.
    pub async fn record(&self, trainee: &TraineeRow, event_id: &str, kind: &str, body: &Value) -> Result<Option<ProgressRow>> {
        let row = ProgressRow {
            trainee_id: trainee.id.clone(),
            event_id: event_id.to_string(),
            class_id: trainee.class_id.clone(),
            kind: kind.to_string(),
            body: body.clone(),
            received_ms: now_ms(),
        };
        let done = sqlx::query(
            "INSERT INTO progress (trainee_id, event_id, class_id, kind, body, received_ms) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (trainee_id, event_id) DO NOTHING",
        )
        .bind(&row.trainee_id)
        .bind(&row.event_id)
        .bind(&row.class_id)
        .bind(&row.kind)
        .bind(body.to_string())
        .bind(row.received_ms)
        .execute(&self.pool)
        .await?;
        Ok((done.rows_affected() == 1).then_some(row))
    }

    fn progress_of(row: &AnyRow) -> ProgressRow {
        ProgressRow {
            trainee_id: row.get(0),
            event_id: row.get(1),
            class_id: row.get(2),
            kind: row.get(3),
            body: serde_json::from_str(&row.get::<String, _>(4)).unwrap_or(Value::Null),
            received_ms: row.get(5),
        }
    }

    const PROGRESS_COLUMNS: &'static str = "trainee_id, event_id, class_id, kind, body, received_ms";

    /// Every report of a class, in the order received.
    pub async fn progress(&self, class_id: &str) -> Result<Vec<ProgressRow>> {
        let sql = format!("SELECT {} FROM progress WHERE class_id = $1 ORDER BY received_ms, trainee_id, event_id", Self::PROGRESS_COLUMNS);
        Ok(sqlx::query(&sql).bind(class_id).fetch_all(&self.pool).await?.iter().map(Self::progress_of).collect())
    }

    /// One trainee's reports, in the order received.
    pub async fn progress_of_trainee(&self, trainee_id: &str) -> Result<Vec<ProgressRow>> {
        let sql = format!("SELECT {} FROM progress WHERE trainee_id = $1 ORDER BY received_ms, event_id", Self::PROGRESS_COLUMNS);
        Ok(sqlx::query(&sql).bind(trainee_id).fetch_all(&self.pool).await?.iter().map(Self::progress_of).collect())
    }

    pub async fn progress_row(&self, trainee_id: &str, event_id: &str) -> Result<Option<ProgressRow>> {
        let sql = format!("SELECT {} FROM progress WHERE trainee_id = $1 AND event_id = $2", Self::PROGRESS_COLUMNS);
        Ok(sqlx::query(&sql).bind(trainee_id).bind(event_id).fetch_optional(&self.pool).await?.as_ref().map(Self::progress_of))
    }

    /// Stores a command for the class; its body gets the command's id and time.
    pub async fn add_command(&self, class_id: &str, mut body: Value) -> Result<CommandRow> {
        let id = tokens::new_id();
        let issued_ms = now_ms();
        if let Some(map) = body.as_object_mut() {
            map.insert("commandId".into(), Value::String(id.clone()));
            map.insert("issuedAt".into(), Value::from(issued_ms));
        }
        sqlx::query("INSERT INTO commands (id, class_id, body, issued_ms) VALUES ($1, $2, $3, $4)")
            .bind(&id)
            .bind(class_id)
            .bind(body.to_string())
            .bind(issued_ms)
            .execute(&self.pool)
            .await?;
        Ok(CommandRow { id, class_id: class_id.to_string(), body, issued_ms })
    }

    fn command_of(row: &AnyRow) -> CommandRow {
        CommandRow {
            id: row.get(0),
            class_id: row.get(1),
            body: serde_json::from_str(&row.get::<String, _>(2)).unwrap_or(Value::Null),
            issued_ms: row.get(3),
        }
    }

    /// A class's commands issued at or after `since_ms`, oldest first (at most 200).
    pub async fn commands_since(&self, class_id: &str, since_ms: i64) -> Result<Vec<CommandRow>> {
        let rows = sqlx::query(
            "SELECT id, class_id, body, issued_ms FROM commands WHERE class_id = $1 AND issued_ms >= $2 ORDER BY issued_ms, id LIMIT 200",
        )
        .bind(class_id)
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(Self::command_of).collect())
    }

    pub async fn command(&self, id: &str) -> Result<Option<CommandRow>> {
        let row =
            sqlx::query("SELECT id, class_id, body, issued_ms FROM commands WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(Self::command_of))
    }

    /// Tells the other replicas (PostgreSQL only; a no-op on SQLite, which has one server).
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<()> {
        if let Some(pg) = &self.notifier {
            sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(pg).await?;
        }
        Ok(())
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
