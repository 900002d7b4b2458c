//! Deleting an Application: with the finalizer `resources-finalizer.argocd.argoproj.io`
//! (or its `/background` variant) the application controller deletes every
//! resource the app tracks, waits until they are gone, then drops the finalizer so
//! the Application itself goes (Argo CD's cascading delete). Without it the
//! Application goes at once and its resources stay in the cluster.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{ARGOCD_NAMESPACE, render, sync};
use crate::kube::{ObjectKey, Store, meta};
use crate::rng::SimRng;
use crate::time::SimTime;

pub const RESOURCES_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";

fn finalizers(obj: &Value) -> Vec<String> {
    obj["metadata"]["finalizers"].as_array().map(|a| a.iter().filter_map(|f| f.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// Whether an Application's deletion cascades to its resources.
pub fn cascades(app: &Value) -> bool {
    finalizers(app).iter().any(|f| f == RESOURCES_FINALIZER || f.starts_with(&format!("{RESOURCES_FINALIZER}/")))
}

/// Sets or removes the resources finalizer, as `argocd app delete` does before deleting
/// (`--cascade`, the default, adds it; `--cascade=false` removes it).
pub fn set_cascade(app: &mut Value, cascade: bool) {
    let mut list = finalizers(app);
    if cascade && !cascades(app) {
        list.push(RESOURCES_FINALIZER.to_string());
    } else if !cascade {
        list.retain(|f| f != RESOURCES_FINALIZER && !f.starts_with(&format!("{RESOURCES_FINALIZER}/")));
    }
    let md = meta::ensure_map(app, &["metadata"]);
    if list.is_empty() {
        md.remove("finalizers");
    } else {
        md.insert("finalizers".into(), Value::Array(list.into_iter().map(Value::String).collect()));
    }
}

/// Runs the resources finalizer of every Application being deleted. Returns whether anything changed.
pub fn finalize(tracked: &BTreeMap<String, BTreeSet<ObjectKey>>, store: &mut Store, now: SimTime, rng: &mut SimRng) -> bool {
    let deleting: Vec<Value> =
        store.terminating("argoproj.io", "Application", Some(ARGOCD_NAMESPACE)).filter(|a| cascades(a)).cloned().collect();
    let mut worked = false;
    for app in deleting {
        let name = meta::name(&app).to_string();
        let prefix = format!("{name}:");
        let owned: Vec<ObjectKey> = tracked
            .get(&name)
            .into_iter()
            .flatten()
            .filter(|k| {
                store.get(k).is_some_and(|o| {
                    !sync::is_hook(o) && meta::annotation(o, render::TRACKING_ID).is_some_and(|id| id.starts_with(&prefix))
                })
            })
            .cloned()
            .collect();
        let live: Vec<&ObjectKey> = owned.iter().filter(|k| store.get(k).is_some_and(|o| !meta::is_terminating(o))).collect();
        for key in live {
            let _ = store.delete(key, now);
            worked = true;
        }
        // Foreground: the Application waits until every resource is gone.
        if owned.iter().any(|k| store.get(k).is_some()) {
            continue;
        }
        let Some(key) = ObjectKey::of(&app) else { continue };
        let mut released = app.clone();
        set_cascade(&mut released, false);
        if finalizers(&released).is_empty() {
            store.remove(&key, now);
        } else {
            // Other finalizers keep the Application until their own controllers let it go.
            let _ = store.update(released, now, rng);
        }
        worked = true;
    }
    worked
}
