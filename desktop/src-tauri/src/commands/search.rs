//! Full-text search over the local store.

use tauri::State;

use crate::dto::{SearchHit, SearchQuery};
use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn search_messages(
    state: State<'_, AppState>,
    query: SearchQuery,
) -> CmdResult<Vec<SearchHit>> {
    let result: CmdResult<_> = async {
        let hits = state.client().await?.search(query.into()).await?;
        Ok(hits.into_iter().map(Into::into).collect())
    }
    .await;
    state.worded(result)
}
