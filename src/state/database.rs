//! The state's copy on disk: `<data-dir>/state.sqlite`, an SQLite database in WAL mode with
//! `synchronous=FULL`, so a committed write survives a crash of the process or the machine. It holds
//! one row per changed key of each table of each namespace (`table.rs`), the asynchronous events
//! waiting in queues, and the format it was written in. Only the state actor touches it: it loads
//! it at start-up, and after each batch of jobs commits the rows they changed in one transaction
//! before any of those jobs is answered.
//!
//! A database it cannot read is refused and left as it is: not SQLite, failing SQLite's own check,
//! without fauxlambda's tables, or written in another format (the message names both versions).

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};

/// The format this fauxlambda writes and reads. Raise it when what a row holds changes in a way
/// older rows cannot be read as; add the migration from the previous format in `migrate`.
pub const FORMAT: u32 = 1;
/// The file in the data directory.
pub const FILE: &str = "state.sqlite";
/// The first 16 bytes of every SQLite database.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// One row as stored: where it belongs and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    pub region: String,
    pub account: String,
    pub table: String,
    pub key: String,
    pub value: String,
}

/// A change to write: a row put or removed, or everything removed (`/_fauxlambda/reset`).
#[derive(Debug, Clone)]
pub enum Write {
    Put(StoredRow),
    Delete {
        region: String,
        account: String,
        table: String,
        key: String,
    },
    Everything,
}

pub struct Database {
    conn: Connection,
    path: PathBuf,
}

impl Database {
    /// Opens (or creates) the database in `dir`, refusing one it cannot read without writing to it.
    pub fn open(dir: &Path) -> Result<Database, String> {
        let path = dir.join(FILE);
        let existing = check_header(&path)?;
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| format!("opening {}: {e}", path.display()))?;
        let db = Database { conn, path };
        if existing {
            db.check_existing()?;
        }
        db.conn
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS rows (
                     region TEXT NOT NULL, account TEXT NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL,
                     value TEXT NOT NULL,
                     PRIMARY KEY (region, account, tbl, key)
                 ) WITHOUT ROWID;",
            )
            .map_err(|e| db.failed("preparing", e))?;
        if !existing {
            db.conn
                .execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?1), ('written_by', ?2)",
                    params![FORMAT.to_string(), env!("CARGO_PKG_VERSION")],
                )
                .map_err(|e| db.failed("preparing", e))?;
        }
        Ok(db)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's own check, fauxlambda's tables, and the format; nothing is written.
    fn check_existing(&self) -> Result<(), String> {
        let path = self.path.display();
        let leave = "It was left untouched; move it away (or choose another --data-dir) to start empty.";
        let check: Result<String, _> = self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0));
        match check {
            Ok(ok) if ok == "ok" => {}
            Ok(problem) => return Err(format!("the state database {path} is corrupt ({problem}). {leave}")),
            Err(e) => return Err(format!("the state database {path} is corrupt ({e}). {leave}")),
        }
        let meta = |key: &str| -> Result<Option<String>, String> {
            self.conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .map_err(|e| format!("{path} is not a fauxlambda state database ({e}). {leave}"))
        };
        let format = meta("format")?
            .ok_or_else(|| format!("{path} is not a fauxlambda state database (it has no format). {leave}"))?;
        let written_by = meta("written_by")?.unwrap_or_else(|| "an unknown version".into());
        let format: u32 = format
            .parse()
            .map_err(|_| format!("{path} has an unreadable format ({format:?}). {leave}"))?;
        if format != FORMAT {
            let this = env!("CARGO_PKG_VERSION");
            let which = if format < FORMAT { "an older" } else { "a newer" };
            return Err(format!(
                "the data directory's state ({path}) was written by {which} fauxlambda ({written_by}, state format {format}); \
                 this is fauxlambda {this} (state format {FORMAT}), which has no migration from it. {leave}"
            ));
        }
        Ok(())
    }

    /// Every stored row.
    pub fn load(&self) -> Result<Vec<StoredRow>, String> {
        let mut stmt = self
            .conn
            .prepare("SELECT region, account, tbl, key, value FROM rows")
            .map_err(|e| self.failed("reading", e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredRow {
                    region: r.get(0)?,
                    account: r.get(1)?,
                    table: r.get(2)?,
                    key: r.get(3)?,
                    value: r.get(4)?,
                })
            })
            .map_err(|e| self.failed("reading", e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.failed("reading", e))
    }

    /// Writes `changes` in one transaction; when it returns Ok they are on disk.
    pub fn write(&mut self, changes: &[Write]) -> Result<(), String> {
        let path = self.path.clone();
        let failed = |e: rusqlite::Error| format!("writing {}: {e}", path.display());
        let tx = self.conn.transaction().map_err(failed)?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO rows (region, account, tbl, key, value) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(failed)?;
            let mut delete = tx
                .prepare_cached("DELETE FROM rows WHERE region = ?1 AND account = ?2 AND tbl = ?3 AND key = ?4")
                .map_err(failed)?;
            for w in changes {
                match w {
                    Write::Put(r) => put
                        .execute(params![r.region, r.account, r.table, r.key, r.value])
                        .map_err(failed)?,
                    Write::Delete {
                        region,
                        account,
                        table,
                        key,
                    } => delete.execute(params![region, account, table, key]).map_err(failed)?,
                    Write::Everything => tx.execute("DELETE FROM rows", []).map_err(failed)?,
                };
            }
        }
        tx.commit().map_err(failed)
    }

    /// Reads one row back (to undo a change that could not be written).
    pub fn read(&self, region: &str, account: &str, table: &str, key: &str) -> Result<Option<String>, String> {
        self.conn
            .query_row(
                "SELECT value FROM rows WHERE region = ?1 AND account = ?2 AND tbl = ?3 AND key = ?4",
                params![region, account, table, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.failed("reading", e))
    }

    fn failed(&self, what: &str, e: rusqlite::Error) -> String {
        format!("{what} {}: {e}", self.path.display())
    }
}

/// Whether a database is there (a file with content), refusing a file that is not SQLite.
fn check_header(path: &Path) -> Result<bool, String> {
    use std::io::Read;
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(format!("opening {}: {e}", path.display())),
    };
    let mut head = Vec::with_capacity(16);
    f.by_ref()
        .take(16)
        .read_to_end(&mut head)
        .map_err(|e| format!("reading {}: {e}", path.display()))?;
    if head.is_empty() {
        return Ok(false);
    }
    if head != SQLITE_HEADER {
        return Err(format!(
            "the state database {} is corrupt (it is not an SQLite database). It was left untouched; move it away (or choose another --data-dir) to start empty.",
            path.display()
        ));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, value: &str) -> StoredRow {
        StoredRow {
            region: "us-east-1".into(),
            account: "000000000000".into(),
            table: "tags".into(),
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn writes_reads_and_refuses_what_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::open(dir.path()).unwrap();
        db.write(&[Write::Put(row("a", "1")), Write::Put(row("b", "2"))])
            .unwrap();
        db.write(&[Write::Delete {
            region: "us-east-1".into(),
            account: "000000000000".into(),
            table: "tags".into(),
            key: "a".into(),
        }])
        .unwrap();
        drop(db);
        let db = Database::open(dir.path()).unwrap();
        assert_eq!(db.load().unwrap(), [row("b", "2")]);
        assert_eq!(
            db.read("us-east-1", "000000000000", "tags", "b").unwrap().as_deref(),
            Some("2")
        );
        db.conn
            .execute("UPDATE meta SET value = '0' WHERE key = 'format'", [])
            .unwrap();
        drop(db);
        let e = Database::open(dir.path()).err().unwrap();
        assert!(e.contains("older fauxlambda") && e.contains("state format 0"), "{e}");

        let garbage = dir.path().join("g");
        std::fs::create_dir(&garbage).unwrap();
        std::fs::write(garbage.join(FILE), b"not a database at all, really").unwrap();
        let e = Database::open(&garbage).err().unwrap();
        assert!(e.contains("corrupt"), "{e}");
        assert_eq!(
            std::fs::read(garbage.join(FILE)).unwrap(),
            b"not a database at all, really"
        );
    }
}
