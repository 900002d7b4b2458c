//! Who is calling: the instructor or a trainee, from the request's bearer token.

use axum::http::{HeaderMap, StatusCode, header};

use super::Classroom;
use super::error::ApiError;
use super::store::TraineeRow;
use super::tokens;

/// Who is calling.
pub enum Caller {
    Instructor,
    Trainee(TraineeRow),
}

/// The bearer token of a request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

/// Resolves a token to the instructor or a trainee; 401 when it is missing or unknown.
pub async fn caller(c: &Classroom, token: Option<&str>) -> Result<Caller, ApiError> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(ApiError(StatusCode::UNAUTHORIZED, "this needs a token: `Authorization: Bearer TOKEN`".into()));
    };
    if c.is_instructor(token) {
        return Ok(Caller::Instructor);
    }
    if token.len() <= 128
        && let Some(trainee) = c.store.trainee_by_token_hash(&tokens::hash(token)).await?
        && tokens::matches(token, &trainee.token_sha256)
    {
        return Ok(Caller::Trainee(trainee));
    }
    Err(ApiError(StatusCode::UNAUTHORIZED, "this token is not valid here".into()))
}
