//! What a check reads: a world's model, its Argo CD user and its push twin.

use crate::model::Model;

/// What a check looks at: one world's model, who its terminal is logged in to
/// Argo CD as, and the push world of a comparison lab. A session provides it.
pub trait Observed {
    fn model(&self) -> &Model;
    fn argocd_user(&self) -> &str;
    fn push_world(&self) -> Option<&dyn Observed>;
}
