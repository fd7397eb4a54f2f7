//! The store conformance suite against the embedded SQLite store. A
//! PostgreSQL store runs the same `run_all`.

#[tokio::test]
async fn sqlite_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = tern_server::store::sqlite::SqliteStore::open(
        &dir.path().join("tern.db"),
        Box::new(|_| {}),
    )
    .unwrap();
    tern_server::store::conformance::run_all(&store).await;
}
