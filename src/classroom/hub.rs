//! Who hears what: one tokio broadcast channel per class on this replica, and, on
//! PostgreSQL, LISTEN/NOTIFY so that every replica hears what the others stored.
//!
//! A notification carries only ids; the receiving replica reads the row from the tables.
//! Notifications sent while a listener was disconnected are lost, so after every reconnect
//! each class hears `Resync` and every socket reads the tables again.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

use super::store::{Backend, CommandRow, ProgressRow, Store, TraineeRow};

/// The PostgreSQL channel the replicas talk on.
pub const CHANNEL: &str = "gitops_lab_classroom";
/// Messages a slow socket may fall behind before it gets a fresh snapshot instead.
const CAPACITY: usize = 1024;

/// Something that happened in a class.
#[derive(Clone, Debug)]
pub enum Signal {
    /// A trainee's report was stored (for the first time).
    Progress(ProgressRow),
    /// A trainee joined.
    Joined(TraineeRow),
    /// The instructor sent the class a command (an incident, a clock command, a reset).
    Command(CommandRow),
    /// Notifications may have been lost: read the tables again.
    Resync,
}

/// What one replica tells the others: ids only (a NOTIFY payload is at most 8000 bytes).
#[derive(Debug, Serialize, Deserialize)]
struct Notice {
    /// The replica that sent it (it ignores its own).
    origin: String,
    class: String,
    #[serde(flatten)]
    what: NoticeKind,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum NoticeKind {
    Progress { trainee: String, event: String },
    Joined { trainee: String },
    Command { id: String },
}

pub struct Hub {
    store: Store,
    replica: String,
    channels: Mutex<HashMap<String, broadcast::Sender<Arc<Signal>>>>,
}

impl Hub {
    pub fn new(store: Store) -> Arc<Hub> {
        Arc::new(Hub { store, replica: super::tokens::new_id(), channels: Mutex::new(HashMap::new()) })
    }

    fn sender(&self, class_id: &str) -> broadcast::Sender<Arc<Signal>> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        // Forget the channels nobody listens to any more.
        channels.retain(|id, tx| tx.receiver_count() > 0 || id.as_str() == class_id);
        channels.entry(class_id.to_string()).or_insert_with(|| broadcast::channel(CAPACITY).0).clone()
    }

    pub fn subscribe(&self, class_id: &str) -> broadcast::Receiver<Arc<Signal>> {
        self.sender(class_id).subscribe()
    }

    /// Tells this replica's sockets of the class.
    fn publish_here(&self, class_id: &str, signal: Signal) {
        let _ = self.sender(class_id).send(Arc::new(signal));
    }

    /// Tells every socket of the class, on this replica and (PostgreSQL) on the others.
    pub async fn publish(&self, class_id: &str, signal: Signal) {
        let what = match &signal {
            Signal::Progress(p) => Some(NoticeKind::Progress { trainee: p.trainee_id.clone(), event: p.event_id.clone() }),
            Signal::Joined(t) => Some(NoticeKind::Joined { trainee: t.id.clone() }),
            Signal::Command(c) => Some(NoticeKind::Command { id: c.id.clone() }),
            Signal::Resync => None,
        };
        self.publish_here(class_id, signal);
        if let Some(what) = what
            && self.store.backend() == Backend::Postgres
        {
            let notice = Notice { origin: self.replica.clone(), class: class_id.to_string(), what };
            let payload = serde_json::to_string(&notice).unwrap_or_default();
            if let Err(e) = self.store.notify(CHANNEL, &payload).await {
                // The row is stored; the other replicas catch up at their next resync.
                tracing::warn!(error = %e, "could not notify the other replicas");
            }
        }
    }

    /// On PostgreSQL, listens for the other replicas until the process ends.
    pub fn start_listening(self: &Arc<Hub>) {
        if self.store.backend() != Backend::Postgres {
            return;
        }
        let hub = Arc::clone(self);
        tokio::spawn(async move { hub.listen().await });
    }

    async fn listen(self: Arc<Hub>) {
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect(self.store.url()).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for the other replicas; trying again in 2 s");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "LISTEN failed; trying again in 2 s");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
            // Whatever was sent while this replica was not listening is read from the tables.
            self.resync_everyone();
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => self.receive(n.payload()).await,
                    Ok(None) => {
                        // The connection was lost; sqlx reconnects on the next call.
                        tracing::warn!("lost the connection that listens for the other replicas; resyncing");
                        self.resync_everyone();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "listening for the other replicas failed; reconnecting");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        break;
                    }
                }
            }
        }
    }

    fn resync_everyone(&self) {
        let classes: Vec<String> = self.channels.lock().unwrap_or_else(|e| e.into_inner()).keys().cloned().collect();
        for class in classes {
            self.publish_here(&class, Signal::Resync);
        }
    }

    async fn receive(&self, payload: &str) {
        let Ok(notice) = serde_json::from_str::<Notice>(payload) else { return };
        if notice.origin == self.replica {
            return;
        }
        if !self.channels.lock().unwrap_or_else(|e| e.into_inner()).contains_key(&notice.class) {
            return;
        }
        let signal = match notice.what {
            NoticeKind::Progress { trainee, event } => self.store.progress_row(&trainee, &event).await.ok().flatten().map(Signal::Progress),
            NoticeKind::Joined { trainee } => self.store.trainee(&trainee).await.ok().flatten().map(Signal::Joined),
            NoticeKind::Command { id } => self.store.command(&id).await.ok().flatten().map(Signal::Command),
        };
        // A row this replica cannot read (another schema, or a failure) is picked up at the next resync.
        if let Some(signal) = signal {
            self.publish_here(&notice.class, signal);
        }
    }
}
